//! Properties over arbitrary text: no panic, matches on `char` boundaries,
//! sorted and non-overlapping, and masking is idempotent.

use proptest::prelude::*;

use super::*;

fn check(text: &str) -> Result<(), TestCaseError> {
    let m = Masker::default();
    let found = m.find(text);
    for f in &found {
        prop_assert!(f.start < f.end && f.end <= text.len(), "{f:?}");
        prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end), "{f:?}");
    }
    prop_assert!(found.windows(2).all(|w| w[0].end <= w[1].start), "{found:?}");
    let once = m.mask(text).into_owned();
    let twice = m.mask(&once).into_owned();
    prop_assert_eq!(&twice, &once, "input {:?}", text);
    Ok(())
}

/// Pieces that make detectors fire and interact.
const PIECES: &[&str] = &[
    "a@b.co", "x.y+z@mail.example.org", "@", ".", "-", " ", "  ", ":", "::", "/", "?", "&", "#", ";", "=",
    "+", "(", ")", "[", "]", "%", "_", "0", "1", "4", "9", "00", "415", "555", "0132", "4111", "1111",
    "4012888888881881", "192.168.0.1", "2001:db8::1", "fe80::1%eth0", "/24", "078-05-1123", "078 05 1123",
    "DE89 3704 0044 0532 0130 00", "GB29NWBK60161331926819", "+1 415 555 0132", "(415) 555-0132",
    "020 7123 4567", "13812345678", "https://", "http://u:p@h.io", "?token=", "&key=", "; sessionid=",
    "Bearer ", "Basic ", "eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiIxMjM0In0", "ghp_", "q8Zr3LmN0pXw7Tb2Kc9Vd4Hs",
    "[EMAIL]", "[CARD]", "[PHONE]", "[IP]", "[REDACTED]", "[TOKEN]", "é", "日本", "📞", "A", "Z", "x", "AKIA",
];

fn pieces() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..24).prop_map(|v| v.concat())
}

proptest! {
    // At least 2000 cases (more with PROPTEST_CASES); no regression files,
    // so the tests write nothing into the source tree.
    #![proptest_config(ProptestConfig {
        cases: ProptestConfig::default().cases.max(2000),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_unicode(text in any::<String>()) {
        check(&text)?;
    }

    #[test]
    fn ascii_soup(text in "[ -~]{0,200}") {
        check(&text)?;
    }

    #[test]
    fn pii_like_soup(text in "[0-9a-fA-F:.@ +()/%?&=#;_\\-]{0,80}") {
        check(&text)?;
    }

    #[test]
    fn pii_pieces(text in pieces()) {
        check(&text)?;
    }
}
