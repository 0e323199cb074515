//! Masker-level tests: each kind through `mask`, priorities, options, JSON.

use std::borrow::Cow;

use crate::json;

use super::*;

fn mask(text: &str) -> String {
    Masker::default().mask(text).into_owned()
}

fn kinds(text: &str) -> Vec<PiiKind> {
    Masker::default().find(text).iter().map(|m| m.kind).collect()
}

#[test]
fn clean_text_is_borrowed() {
    let m = Masker::default();
    for text in [
        "",
        "Checkout step 3 of 4 took 1532 ms on 2024-01-15T10:30:00.000Z",
        "TypeError: Cannot read properties of undefined (reading 'map') at app.js:12:34",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "https://shop.example.com/products/42?page=2&sort=price#reviews",
        "event 550e8400-e29b-41d4-a716-446655440000 v1.2.3 build 10.0.19045.3693",
        "std::vector<int>::size, C++ scope ::, ratio 16:9, 12:34:56",
        "Größe 1 234 567 € · 数量 12 · ✓",
    ] {
        assert!(matches!(m.mask(text), Cow::Borrowed(_)), "{text:?} → {:?}", m.find(text));
    }
}

#[test]
fn every_kind_is_masked() {
    assert_eq!(mask("write to ann.lee+x@mail.example.org."), "write to [EMAIL].");
    assert_eq!(mask("card 4111-1111-1111-1111 exp 12/27"), "card [CARD] exp 12/27");
    assert_eq!(mask("call +1 (415) 555-0132 now"), "call [PHONE] now");
    assert_eq!(mask("or 020 7123 4567"), "or [PHONE]");
    assert_eq!(mask("from 203.0.113.9 and 2001:db8::8a2e:370:7334"), "from [IP] and [IP]");
    assert_eq!(mask("ssn 078-05-1123"), "ssn [SSN]");
    assert_eq!(mask("pay to DE89 3704 0044 0532 0130 00 today"), "pay to [IBAN] today");
    assert_eq!(
        mask("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig_abc-123"),
        "Authorization: Bearer [TOKEN]"
    );
}

#[test]
fn url_credentials_and_secret_parameters() {
    assert_eq!(
        mask("GET https://admin:hunter2@db.example.com:5432/x?user=7&access_token=abc123&lang=en"),
        "GET https://[REDACTED]@db.example.com:5432/x?user=7&access_token=[REDACTED]&lang=en"
    );
    assert_eq!(
        mask("https://app.example/cb#id_token=xyz&state=s1"),
        "https://app.example/cb#id_token=[REDACTED]&state=s1"
    );
    assert_eq!(
        mask("https://s3.example/o?X-Amz-Credential=AKIA%2F2024&X-Amz-Signature=9f86d08"),
        "https://s3.example/o?X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]"
    );
    assert_eq!(mask("?key=AIzaSyD-abc&session=s&sig=x&password=p&secret=q&auth=r"),
        "?key=[REDACTED]&session=[REDACTED]&sig=[REDACTED]&password=[REDACTED]&secret=[REDACTED]&auth=[REDACTED]");
    assert_eq!(mask("cookie: theme=dark; sessionid=abc; csrftoken=def"),
        "cookie: theme=dark; sessionid=[REDACTED]; csrftoken=[REDACTED]");
    // The userinfo wins over the e-mail-looking `pass@host.com`.
    assert_eq!(mask("ftp://me:pass@host.com/"), "ftp://[REDACTED]@host.com/");
    // An e-mail in a non-secret parameter is still an e-mail.
    assert_eq!(mask("/invite?to=ann@example.com&ref=1"), "/invite?to=[EMAIL]&ref=1");
    // A secret parameter swallows whatever its value looks like.
    assert_eq!(mask("?token=ann@example.com"), "?token=[REDACTED]");
}

#[test]
fn priorities_and_order() {
    let text = "ip 10.1.2.3 mail a@b.io card 4012888888881881 phone 415-555-0132";
    let found = Masker::default().find(text);
    assert_eq!(
        found.iter().map(|m| m.kind).collect::<Vec<_>>(),
        [PiiKind::IpAddress, PiiKind::Email, PiiKind::CreditCard, PiiKind::Phone]
    );
    assert!(found.windows(2).all(|w| w[0].end <= w[1].start));
    // An IBAN's digits are not also a card or a phone number.
    assert_eq!(kinds("GB29 NWBK 6016 1331 9268 19"), [PiiKind::Iban]);
    // An SSN written with spaces is not also a phone number.
    assert_eq!(kinds("078 05 1123"), [PiiKind::UsSsn]);
}

#[test]
fn kinds_can_be_disabled() {
    let no_phone = Masker::default().without(PiiKind::Phone);
    assert!(!no_phone.is_enabled(PiiKind::Phone));
    assert_eq!(no_phone.mask("415-555-0132 a@b.io"), "415-555-0132 [EMAIL]");
    let only_email = Masker::none().with(PiiKind::Email);
    assert_eq!(only_email.kinds().collect::<Vec<_>>(), [PiiKind::Email]);
    assert_eq!(only_email.mask("4111111111111111 a@b.io"), "4111111111111111 [EMAIL]");
    assert!(Masker::none().find("a@b.io 4111111111111111").is_empty());
    assert_eq!(Masker::new(&[PiiKind::Iban, PiiKind::UsSsn]).kinds().count(), 2);
    assert_eq!(PiiKind::from_name("US_SSN"), Some(PiiKind::UsSsn));
    assert_eq!(PiiKind::from_name("URL"), None);
}

#[test]
fn masking_is_idempotent_on_examples() {
    let m = Masker::default();
    for text in [
        "https://u:p@h.example/?token=[REDACTED]&x=1",
        "Bearer [TOKEN] and [EMAIL]@example.com",
        "call [PHONE]-555-0132 or 415-[PHONE]",
        "https://a@b@c.example/",
    ] {
        let once = m.mask(text).into_owned();
        assert_eq!(m.mask(&once), once, "{text}");
    }
}

#[test]
fn unicode_offsets_are_char_boundaries() {
    let text = "Ünïcödé ✉ jöhn@example.com · 📞 +49 30 1234567 · ¿4111 1111 1111 1111?";
    let m = Masker::default();
    for f in m.find(text) {
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
    }
    assert_eq!(m.mask(text), "Ünïcödé ✉ [EMAIL] · 📞 [PHONE] · ¿[CARD]?");
    assert_eq!(m.mask("こんにちは josé@example.jp です"), "こんにちは [EMAIL] です");
}

#[test]
fn json_values_are_masked_keys_kept() {
    let mut v = json!({
        "message": "mail ann@example.com from 10.0.0.1",
        "ann@example.com": "key is kept",
        "tags": ["ok", "+44 20 7123 4567", {"deep": ["4111 1111 1111 1111"]}],
        "password": "hunter2",
        "pin_code": {"password": 1234},
        "refreshToken": "plain words",
        "key": "Enter",
        "count": 4111111111111111u64,
        "flag": true,
        "nothing": null
    });
    Masker::default().mask_json(&mut v);
    assert_eq!(
        v,
        json!({
            "message": "mail [EMAIL] from [IP]",
            "ann@example.com": "key is kept",
            "tags": ["ok", "[PHONE]", {"deep": ["[CARD]"]}],
            "password": "[REDACTED]",
            "pin_code": {"password": "[REDACTED]"},
            "refreshToken": "[REDACTED]",
            "key": "Enter",
            "count": 4111111111111111u64,
            "flag": true,
            "nothing": null
        })
    );
    // Without the secret-parameter rule, key names do not matter.
    let mut v = json!({"password": "hunter2"});
    Masker::default().without(PiiKind::SecretParam).mask_json(&mut v);
    assert_eq!(v, json!({"password": "hunter2"}));
}

#[test]
fn json_depth_is_bounded() {
    let mut v = json!("a@b.io");
    for _ in 0..MAX_JSON_DEPTH + 5 {
        v = json!([v]);
    }
    Masker::default().mask_json(&mut v);
    let mut depth = 0;
    let mut cur = &v;
    while let crate::core::value::Value::Array(items) = cur {
        depth += 1;
        cur = &items[0];
    }
    assert_eq!(depth, MAX_JSON_DEPTH);
    assert_eq!(cur, &json!(REDACTED));

    let mut shallow = json!([[["a@b.io"]]]);
    Masker::default().mask_json(&mut shallow);
    assert_eq!(shallow, json!([[["[EMAIL]"]]]));
}

#[test]
fn long_inputs_stay_linear() {
    // Adversarial repetitions of every anchor; each must finish quickly even in
    // a debug build (quadratic scans would take minutes at this size).
    let n = 200_000;
    let m = Masker::default();
    for unit in ["@", "a@", "://", "?a=", "?token=", "1", "1-", "1.", ":", "a:", "eyJ", "eyJa.", "+1 ", "DE89", "ab", "Bearer "] {
        let text = unit.repeat(n / unit.len());
        let _ = m.find(&text);
    }
}
