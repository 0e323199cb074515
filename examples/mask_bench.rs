//! Throughput of the PII masker.
//!
//! ```text
//! cargo run --release --example mask_bench
//! ```
//!
//! Builds about 1 MB of mixed text deterministically (prose with e-mails,
//! cards, phone numbers, IPs, URLs with credentials and tokens sprinkled in),
//! masks it several times and prints the median throughput; then the same for
//! prose without any personal data (the common case). Note that the release
//! profile optimises for size (`opt-level = "z"`), as the wasm build does.

use std::time::Instant;

use telemetry_agent::core::privacy::{Masker, PiiKind};

/// Size of the generated text.
const TARGET_BYTES: usize = 1 << 20;
/// Timed runs per text; the median is reported.
const RUNS: usize = 9;
/// One sentence in this many carries a piece of personal data.
const PII_EVERY: u64 = 4;

const WORDS: &[&str] = &[
    "the", "checkout", "page", "loaded", "after", "user", "clicked", "button", "and", "waited", "for",
    "response", "from", "server", "while", "layout", "shifted", "by", "0.12", "points", "in", "2024-01-15",
    "build", "v1.2.3", "error", "TypeError:", "undefined", "is", "not", "a", "function", "at", "app.js:12:34",
    "résumé", "naïve", "日本語", "größe", "took", "1532", "ms", "id", "550e8400-e29b-41d4-a716-446655440000",
];

const PII: &[&str] = &[
    "ann.lee+news@mail.example.org",
    "4111 1111 1111 1111",
    "5555-5555-5555-4444",
    "+1 (415) 555-0132",
    "020 7123 4567",
    "192.168.10.24",
    "2001:db8::8a2e:370:7334",
    "078-05-1123",
    "DE89 3704 0044 0532 0130 00",
    "https://admin:hunter2@db.example.com/x?user=7&access_token=abc123&lang=en",
    "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "https://shop.example.com/products/42?page=2&sort=price",
];

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn build_text(with_pii: bool) -> String {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut text = String::with_capacity(TARGET_BYTES + 256);
    while text.len() < TARGET_BYTES {
        let words = 6 + rng.next() % 12;
        let pii_at = (with_pii && rng.next().is_multiple_of(PII_EVERY)).then(|| rng.next() % words);
        for i in 0..words {
            if i > 0 {
                text.push(' ');
            }
            if pii_at == Some(i) {
                text.push_str(rng.pick(PII));
            } else {
                text.push_str(rng.pick(WORDS));
            }
        }
        text.push_str(". ");
        if rng.next().is_multiple_of(8) {
            text.push('\n');
        }
    }
    text
}

fn bench(name: &str, masker: &Masker, text: &str) {
    let mut rates = Vec::with_capacity(RUNS);
    let mut out_len = 0;
    let found = masker.find(text).len();
    for _ in 0..RUNS {
        let start = Instant::now();
        let masked = masker.mask(text);
        let secs = start.elapsed().as_secs_f64();
        out_len = masked.len();
        std::hint::black_box(&masked);
        rates.push(text.len() as f64 / 1e6 / secs);
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "{name:<10} {:>8.2} MB in, {found:>6} findings, {:>8.2} MB out, median {:>8.1} MB/s (min {:.1}, max {:.1}) over {RUNS} runs",
        text.len() as f64 / 1e6,
        out_len as f64 / 1e6,
        rates[RUNS / 2],
        rates[0],
        rates[RUNS - 1],
    );
}

fn main() {
    let masker = Masker::default();
    let mixed = build_text(true);
    let clean = build_text(false);
    // Sanity: the clean text has nothing to mask, the mixed text has plenty.
    assert!(masker.find(&clean).is_empty(), "clean text has findings");
    bench("mixed", &masker, &mixed);
    bench("clean", &masker, &clean);
    // Where the time goes: one detector at a time, on the mixed text.
    for kind in PiiKind::ALL {
        let one = Masker::none().with(kind);
        let mut rates: Vec<f64> = (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(one.find(&mixed));
                mixed.len() as f64 / 1e6 / start.elapsed().as_secs_f64()
            })
            .collect();
        rates.sort_by(f64::total_cmp);
        println!("  {:<16} find alone: median {:>8.1} MB/s", kind.name(), rates[RUNS / 2]);
    }
}
