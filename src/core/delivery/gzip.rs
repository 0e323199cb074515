//! gzip (RFC 1952) of a request body, synchronously and in a few kilobytes of
//! code: LZ77 over a 32 KiB window with hash chains, then one deflate block
//! (RFC 1951) with Huffman codes built for the body's own symbols.
//!
//! Synchronous on purpose: on page exit a body must be under way before the
//! page goes, and `CompressionStream` only answers in a later task, so exit
//! bodies used to go uncompressed. Bodies are at most 64 KiB (the keepalive
//! budget), which this compresses in about a millisecond.

/// Distance limit of deflate's back-references.
pub const WINDOW: usize = 32_768;
const WINDOW_MASK: usize = WINDOW - 1;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
const HASH_BITS: u32 = 13;
/// Candidates tried per position: more finds longer matches, slower.
const MAX_CHAIN: usize = 32;
/// A match at least this long is taken without looking one byte further.
const GOOD_MATCH: usize = 258;
const NONE: u32 = u32::MAX;

const LIT_CODES: usize = 286;
const DIST_CODES: usize = 30;
const END_OF_BLOCK: usize = 256;
const MAX_BITS: u8 = 15;
const MAX_CL_BITS: u8 = 7;

const LEN_BASE: [u16; 29] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA: [u8; 29] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/// The order in which the code-length code's lengths are written.
const CL_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/// CRC-32 (IEEE), as gzip's trailer carries it. Its table is built for each
/// call (2,048 shifts, microseconds beside the compression) rather than
/// shipped: 1 KB of data that gzip cannot compress.
pub fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, t) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
        *t = c;
    }
    !data.iter().fold(!0u32, |c, &b| table[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8))
}

/// The gzip member of `data`.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut bits = Bits { out: Vec::with_capacity(data.len() / 4 + 32), acc: 0, n: 0 };
    // ID1 ID2, CM = deflate, no flags, no time, XFL 0, OS unknown.
    bits.out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    deflate_block(&tokens(data), &mut bits);
    bits.flush();
    let mut out = bits.out;
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// A literal byte (`dist == 0`) or a back-reference of `len` bytes `dist` back.
#[derive(Clone, Copy)]
struct Token {
    len: u16,
    dist: u16,
}

fn hash(d: &[u8], i: usize) -> usize {
    let v = d[i] as u32 | (d[i + 1] as u32) << 8 | (d[i + 2] as u32) << 16;
    (v.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

/// Hash chains over the last [`WINDOW`] positions.
struct Matcher {
    head: Vec<u32>,
    prev: Vec<u32>,
}

impl Matcher {
    fn insert(&mut self, d: &[u8], i: usize) {
        if i + MIN_MATCH <= d.len() {
            let h = hash(d, i);
            self.prev[i & WINDOW_MASK] = self.head[h];
            self.head[h] = i as u32;
        }
    }

    /// The longest earlier match of the bytes at `i` (length, distance), before `i` is inserted.
    fn longest(&self, d: &[u8], i: usize) -> (usize, usize) {
        let max = (d.len() - i).min(MAX_MATCH);
        if max < MIN_MATCH {
            return (0, 0);
        }
        let (mut best, mut dist) = (MIN_MATCH - 1, 0);
        let mut cand = self.head[hash(d, i)];
        for _ in 0..MAX_CHAIN {
            if cand == NONE {
                break;
            }
            let c = cand as usize;
            // A slot of the ring reused by a later position ends the chain.
            if c >= i || i - c > WINDOW {
                break;
            }
            if d[c + best] == d[i + best] {
                let l = d[c..c + max].iter().zip(&d[i..i + max]).take_while(|(a, b)| a == b).count();
                if l > best {
                    best = l;
                    dist = i - c;
                    if l == max {
                        break;
                    }
                }
            }
            cand = self.prev[c & WINDOW_MASK];
        }
        if dist == 0 {
            (0, 0)
        } else {
            (best, dist)
        }
    }
}

/// LZ77 with one step of lazy matching (a match is deferred when the next
/// byte starts a longer one).
fn tokens(d: &[u8]) -> Vec<Token> {
    let mut m = Matcher { head: vec![NONE; 1 << HASH_BITS], prev: vec![NONE; WINDOW] };
    let mut out = Vec::with_capacity(d.len() / 3 + 1);
    let mut i = 0;
    while i < d.len() {
        let (len, dist) = m.longest(d, i);
        m.insert(d, i);
        if len >= MIN_MATCH && len < GOOD_MATCH && i + 1 < d.len() {
            let (next, _) = m.longest(d, i + 1);
            if next > len {
                out.push(Token { len: d[i] as u16, dist: 0 });
                i += 1;
                continue;
            }
        }
        if len >= MIN_MATCH {
            out.push(Token { len: len as u16, dist: dist as u16 });
            for k in i + 1..i + len {
                m.insert(d, k);
            }
            i += len;
        } else {
            out.push(Token { len: d[i] as u16, dist: 0 });
            i += 1;
        }
    }
    out
}

/// Index of the largest base not above `v` (at compile time, for the tables).
const fn code_of(base: &[u16], v: u16) -> usize {
    let mut i = base.len();
    while i > 1 && base[i - 1] > v {
        i -= 1;
    }
    i - 1
}

/// Length code (0..29) of each match length 3..=258.
const LEN_CODE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut l = 0;
    while l < 256 {
        t[l] = code_of(&LEN_BASE, (l + MIN_MATCH) as u16) as u8;
        l += 1;
    }
    t
};

/// Distance code of distances 1..=256, then of (distance - 1) >> 7 for longer ones (as zlib does).
const DIST_CODE: [u8; 512] = {
    let mut t = [0u8; 512];
    let mut d = 0;
    while d < 256 {
        t[d] = code_of(&DIST_BASE, (d + 1) as u16) as u8;
        t[256 + d] = code_of(&DIST_BASE, ((d << 7) + 1) as u16) as u8;
        d += 1;
    }
    t
};

fn len_code(len: u16) -> usize {
    LEN_CODE[len as usize - MIN_MATCH] as usize
}

fn dist_code(dist: u16) -> usize {
    let d = dist as usize - 1;
    (if d < 256 { DIST_CODE[d] } else { DIST_CODE[256 + (d >> 7)] }) as usize
}

/// Huffman code lengths for `freq`, none above `limit`. Frequencies are halved
/// until the tree is shallow enough (they end up all equal, a balanced tree,
/// so this stops); fewer than two used symbols get partners, so every code is
/// complete, which every inflater accepts.
fn code_lengths(freq: &[u32], limit: u8) -> Vec<u8> {
    let mut f: Vec<u32> = freq.to_vec();
    let mut used = f.iter().filter(|&&x| x > 0).count();
    let mut k = 0;
    while used < 2 && k < f.len() {
        if f[k] == 0 {
            f[k] = 1;
            used += 1;
        }
        k += 1;
    }
    loop {
        let lens = huffman(&f);
        if lens.iter().all(|&l| l <= limit as u16) {
            return lens.into_iter().map(|l| l as u8).collect();
        }
        for x in f.iter_mut().filter(|x| **x > 0) {
            *x = x.div_ceil(2);
        }
    }
}

/// Unlimited Huffman code lengths (two-queue construction over sorted leaves).
fn huffman(freq: &[u32]) -> Vec<u16> {
    let mut lens = vec![0u16; freq.len()];
    let mut leaves: Vec<usize> = (0..freq.len()).filter(|&i| freq[i] > 0).collect();
    crate::core::sort::sort_by(&mut leaves, |&a, &b| freq[a] < freq[b]);
    let m = leaves.len();
    if m < 2 {
        if let Some(&i) = leaves.first() {
            lens[i] = 1;
        }
        return lens;
    }
    let nodes = 2 * m - 1;
    let mut weight: Vec<u64> = leaves.iter().map(|&i| freq[i] as u64).collect();
    weight.resize(nodes, 0);
    let mut parent = vec![0usize; nodes];
    let (mut leaf, mut inner) = (0, m);
    for k in m..nodes {
        let mut pick = [0usize; 2];
        for p in &mut pick {
            if leaf < m && (inner >= k || weight[leaf] <= weight[inner]) {
                *p = leaf;
                leaf += 1;
            } else {
                *p = inner;
                inner += 1;
            }
        }
        weight[k] = weight[pick[0]] + weight[pick[1]];
        parent[pick[0]] = k;
        parent[pick[1]] = k;
    }
    // Parents come after their children: depths from the root down.
    let mut depth = vec![0u16; nodes];
    for k in (0..nodes - 1).rev() {
        depth[k] = depth[parent[k]] + 1;
    }
    for (j, &i) in leaves.iter().enumerate() {
        lens[i] = depth[j];
    }
    lens
}

/// Canonical codes for the lengths (RFC 1951 3.2.2), bit-reversed for the
/// least-significant-bit-first stream.
fn canonical(lens: &[u8]) -> Vec<u16> {
    let mut count = [0u16; 16];
    for &l in lens.iter().filter(|&&l| l > 0) {
        count[l as usize] += 1;
    }
    let mut next = [0u16; 16];
    let mut code = 0u16;
    for bits in 1..16 {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    lens.iter()
        .map(|&l| {
            if l == 0 {
                return 0;
            }
            let c = next[l as usize];
            next[l as usize] += 1;
            c.reverse_bits() >> (16 - l)
        })
        .collect()
}

struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, v: u32, n: u8) {
        self.acc |= (v as u64) << self.n;
        self.n += n as u32;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn flush(&mut self) {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.acc = 0;
        self.n = 0;
    }
}

/// The code lengths of both alphabets, run-length coded with symbols 16
/// (repeat the previous 3–6 times), 17 (3–10 zeros) and 18 (11–138 zeros):
/// (symbol, extra bits' value, their count).
fn run_lengths(seq: &[u8]) -> Vec<(u8, u8, u8)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < seq.len() {
        let l = seq[i];
        let run = seq[i..].iter().take_while(|&&x| x == l).count();
        if l == 0 && run >= 3 {
            let r = run.min(138);
            out.push(if r >= 11 { (18, (r - 11) as u8, 7) } else { (17, (r - 3) as u8, 3) });
            i += r;
        } else if l != 0 && run >= 4 {
            out.push((l, 0, 0));
            let r = (run - 1).min(6);
            out.push((16, (r - 3) as u8, 2));
            i += 1 + r;
        } else {
            out.push((l, 0, 0));
            i += 1;
        }
    }
    out
}

fn deflate_block(tokens: &[Token], bits: &mut Bits) {
    let mut lit_freq = [0u32; LIT_CODES];
    let mut dist_freq = [0u32; DIST_CODES];
    for t in tokens {
        if t.dist == 0 {
            lit_freq[t.len as usize] += 1;
        } else {
            lit_freq[257 + len_code(t.len)] += 1;
            dist_freq[dist_code(t.dist)] += 1;
        }
    }
    lit_freq[END_OF_BLOCK] += 1;
    let lit_lens = code_lengths(&lit_freq, MAX_BITS);
    let dist_lens = code_lengths(&dist_freq, MAX_BITS);
    let hlit = (lit_lens.iter().rposition(|&l| l > 0).unwrap_or(0) + 1).max(257);
    let hdist = (dist_lens.iter().rposition(|&l| l > 0).unwrap_or(0) + 1).max(1);
    let mut seq = lit_lens[..hlit].to_vec();
    seq.extend_from_slice(&dist_lens[..hdist]);
    let runs = run_lengths(&seq);
    let mut cl_freq = [0u32; 19];
    for &(s, _, _) in &runs {
        cl_freq[s as usize] += 1;
    }
    let cl_lens = code_lengths(&cl_freq, MAX_CL_BITS);
    let cl_codes = canonical(&cl_lens);
    let hclen = (CL_ORDER.iter().rposition(|&s| cl_lens[s] > 0).unwrap_or(0) + 1).max(4);

    bits.put(1, 1); // the final block
    bits.put(2, 2); // dynamic Huffman codes
    bits.put((hlit - 257) as u32, 5);
    bits.put((hdist - 1) as u32, 5);
    bits.put((hclen - 4) as u32, 4);
    for &s in &CL_ORDER[..hclen] {
        bits.put(cl_lens[s] as u32, 3);
    }
    for &(s, extra, n) in &runs {
        bits.put(cl_codes[s as usize] as u32, cl_lens[s as usize]);
        if n > 0 {
            bits.put(extra as u32, n);
        }
    }
    let lit_codes = canonical(&lit_lens);
    let dist_codes = canonical(&dist_lens);
    for t in tokens {
        if t.dist == 0 {
            bits.put(lit_codes[t.len as usize] as u32, lit_lens[t.len as usize]);
            continue;
        }
        let lc = len_code(t.len);
        bits.put(lit_codes[257 + lc] as u32, lit_lens[257 + lc]);
        if LEN_EXTRA[lc] > 0 {
            bits.put((t.len - LEN_BASE[lc]) as u32, LEN_EXTRA[lc]);
        }
        let dc = dist_code(t.dist);
        bits.put(dist_codes[dc] as u32, dist_lens[dc]);
        if DIST_EXTRA[dc] > 0 {
            bits.put((t.dist - DIST_BASE[dc]) as u32, DIST_EXTRA[dc]);
        }
    }
    bits.put(lit_codes[END_OF_BLOCK] as u32, lit_lens[END_OF_BLOCK]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Read;

    fn gunzip(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data).read_to_end(&mut out).expect("valid gzip");
        out
    }

    fn reference_gzip(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// A batch body like the agent's: 100 small events, each with its own id.
    fn batch_like(n: usize) -> Vec<u8> {
        let mut s = String::from(r#"{"v":1,"sentAt":1763800000000,"events":["#);
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for i in 0..n {
            let mut id = String::new();
            for _ in 0..32 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                id.push(char::from_digit((x % 16) as u32, 16).unwrap());
            }
            s.push_str(&format!(
                r#"{}{{"kind":"analytics","id":"{}-{}-4{}-a{}-{}","event":"bench_event","timestamp":{},"properties":{{"i":{},"plan":"pro","value":1.5}},"context":{{"url":"http://127.0.0.1:8080/page/agent.html","userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36"}}}}"#,
                if i == 0 { "" } else { "," },
                &id[..8], &id[8..12], &id[13..16], &id[17..20], &id[20..32],
                1763800000000u64 + i as u64 * 3,
                i
            ));
        }
        s.push_str("]}");
        s.into_bytes()
    }

    #[test]
    fn the_code_tables_agree_with_a_search_of_the_bases() {
        let search = |base: &[u16], v: u16| base.iter().rposition(|&b| b <= v).unwrap();
        for len in 3..=258u16 {
            assert_eq!(len_code(len), search(&LEN_BASE, len), "length {len}");
        }
        for dist in 1..=WINDOW as u32 {
            assert_eq!(dist_code(dist as u16), search(&DIST_BASE, dist as u16), "distance {dist}");
        }
    }

    #[test]
    fn crc32_of_the_check_string() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn empty_and_tiny_inputs_round_trip() {
        for input in [&b""[..], b"a", b"ab", b"aaa", b"aaaa", b"abcabcabc"] {
            assert_eq!(gunzip(&gzip(input)), input);
        }
    }

    #[test]
    fn long_runs_and_inputs_longer_than_the_window() {
        let zeros = vec![0u8; 200_000];
        let out = gzip(&zeros);
        assert_eq!(gunzip(&out), zeros);
        assert!(out.len() < 1_000, "{} bytes for 200 kB of zeros", out.len());
        let body = batch_like(1_000); // ~280 kB, beyond one window
        assert!(body.len() > 4 * WINDOW);
        assert_eq!(gunzip(&gzip(&body)), body);
    }

    #[test]
    fn every_byte_value_and_incompressible_data() {
        let all: Vec<u8> = (0..=255u8).cycle().take(5_000).collect();
        assert_eq!(gunzip(&gzip(&all)), all);
        let mut x: u32 = 1;
        let noise: Vec<u8> = (0..20_000)
            .map(|_| {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (x >> 24) as u8
            })
            .collect();
        let out = gzip(&noise);
        assert_eq!(gunzip(&out), noise);
        assert!(out.len() < noise.len() + noise.len() / 50, "noise grew to {}", out.len());
    }

    #[test]
    fn a_batch_body_compresses_about_as_well_as_zlib() {
        let body = batch_like(100);
        let ours = gzip(&body).len();
        let zlib = reference_gzip(&body).len();
        assert_eq!(gunzip(&gzip(&body)), body);
        assert!(ours <= zlib + zlib / 10, "ours {ours} B, zlib level 6 {zlib} B, raw {} B", body.len());
        assert!(ours * 5 < body.len(), "ratio too low: {ours} of {}", body.len());
    }

    #[test]
    fn code_lengths_respect_the_limit_for_skewed_frequencies() {
        // Fibonacci frequencies make the deepest unlimited Huffman trees.
        let mut freq = vec![0u32; 40];
        let (mut a, mut b) = (1u32, 1u32);
        for f in freq.iter_mut() {
            *f = a;
            let c = a.saturating_add(b);
            a = b;
            b = c;
        }
        let lens = code_lengths(&freq, MAX_BITS);
        assert!(lens.iter().all(|&l| (1..=MAX_BITS).contains(&l)));
        // Kraft equality: the code is complete.
        let kraft: u64 = lens.iter().map(|&l| 1u64 << (MAX_BITS - l)).sum();
        assert_eq!(kraft, 1u64 << MAX_BITS);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_round_trip(data in proptest::collection::vec(any::<u8>(), 0..3_000)) {
            prop_assert_eq!(gunzip(&gzip(&data)), data);
        }

        #[test]
        fn repetitive_text_round_trips(parts in proptest::collection::vec("[a-c\"{}:,0-9]{1,12}", 0..400), reps in 1usize..6) {
            let text: String = parts.iter().cycle().take(parts.len() * reps).cloned().collect();
            prop_assert_eq!(gunzip(&gzip(text.as_bytes())), text.as_bytes());
        }

        #[test]
        fn code_lengths_are_complete_and_limited(freq in proptest::collection::vec(0u32..100_000, 2..286)) {
            let lens = code_lengths(&freq, MAX_BITS);
            let kraft: u64 = lens.iter().filter(|&&l| l > 0).map(|&l| 1u64 << (MAX_BITS - l)).sum();
            prop_assert_eq!(kraft, 1u64 << MAX_BITS);
            for (f, l) in freq.iter().zip(&lens) {
                prop_assert!(*l <= MAX_BITS);
                prop_assert!(*f == 0 || *l > 0);
            }
        }
    }
}
