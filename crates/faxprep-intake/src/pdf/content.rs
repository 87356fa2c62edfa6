//! A streaming scan of a content stream for what it paints by name:
//! XObjects (`/Name Do`), shadings (`/Name sh`) and patterns (`/Name scn`,
//! `/Name SCN`), each with how often (ISO 32000-1 §8.8, §8.7.4.2, §8.7.3).
//!
//! It lexes just enough (§7.2-7.3: comments, literal and hex strings,
//! names, inline image data) not to count operators inside strings or
//! image bytes, holds at most [`MAX_NAMES`] distinct names, and is fed the
//! decoded bytes in chunks, so a content stream of any size is scanned in
//! bounded memory.

use std::collections::HashMap;

/// Distinct names one scan keeps (a page uses a few dozen resources; a
/// name past this is counted under the last one kept, so counts still add
/// up).
pub(crate) const MAX_NAMES: usize = 4096;

/// Longest name kept, in bytes (§C.2: 127).
const MAX_NAME_LEN: usize = 127;

/// What a resource name is painted as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Paint {
    /// `Do`: an image or form XObject.
    XObject,
    /// `sh`: a shading over the clip.
    Shading,
    /// `scn` / `SCN` with a name operand: a pattern colour.
    Pattern,
}

/// The names a content stream paints, with counts.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// `(kind, name) -> times`.
    pub(crate) uses: HashMap<(Paint, Vec<u8>), u64>,
}

impl Scan {
    /// The uses in a fixed order (by kind, then name), so that which limit
    /// a file hits first does not depend on hashing.
    pub(crate) fn sorted(&self) -> Vec<(Paint, &[u8], u64)> {
        let mut v: Vec<(Paint, &[u8], u64)> = self
            .uses
            .iter()
            .map(|((p, n), t)| (*p, n.as_slice(), *t))
            .collect();
        v.sort_by_key(|&(p, n, _)| (p as u8, n));
        v
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Normal,
    /// After `<`: a dictionary (`<<`) or a hex string.
    Angle,
    Hex,
    Comment,
    /// Literal string: nesting depth, whether the last byte was `\`.
    Literal(u32, bool),
    Name,
    /// Inline image data after `ID`: the window of the last bytes seen.
    InlineData,
}

/// The scanner; feed it bytes with [`Scanner::feed`], then [`Scanner::finish`].
pub(crate) struct Scanner {
    state: State,
    /// The regular token being read (only its first 4 bytes matter: every
    /// operator we look for is shorter).
    token: [u8; 4],
    token_len: usize,
    name: Vec<u8>,
    /// The last operand was this name.
    last_name: Option<Vec<u8>>,
    /// Last three bytes of inline image data.
    window: [u8; 3],
    scan: Scan,
}

const fn is_white(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Neither white space nor a delimiter: part of a token or a name.
#[inline(always)]
fn is_regular(b: u8) -> bool {
    REGULAR[usize::from(b)]
}

/// [`is_regular`] for every byte.
static REGULAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = !is_white(b as u8) && !is_delim(b as u8);
        b += 1;
    }
    table
};

const fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

impl Scanner {
    pub(crate) fn new() -> Self {
        Scanner {
            state: State::Normal,
            token: [0; 4],
            token_len: 0,
            name: Vec::new(),
            last_name: None,
            window: [0; 3],
            scan: Scan::default(),
        }
    }

    /// Scan the next chunk of decoded content: what [`Scanner::byte`] does
    /// byte by byte, with the runs that cannot change the state taken at
    /// once (a token's or a name's bytes, a string's, a comment's) and the
    /// next byte that can found by `memchr`.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while let Some(&b) = rest.first() {
            let skip = match self.state {
                State::Normal | State::Name if is_regular(b) => {
                    let n = rest
                        .iter()
                        .position(|&c| !is_regular(c))
                        .unwrap_or(rest.len());
                    self.regular(&rest[..n]);
                    n
                }
                State::Literal(_, false) => {
                    memchr::memchr3(b'\\', b'(', b')', rest).unwrap_or(rest.len())
                }
                State::Comment => memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len()),
                State::Hex => memchr::memchr(b'>', rest).unwrap_or(rest.len()),
                _ => 0,
            };
            // The run ends at a byte that can change the state.
            rest = &rest[skip..];
            if let Some((&b, tail)) = rest.split_first() {
                self.byte(b);
                rest = tail;
            }
        }
    }

    /// A run of regular bytes (neither white space nor a delimiter) in the
    /// normal state or in a name: what [`Scanner::byte`] does with each.
    fn regular(&mut self, run: &[u8]) {
        if self.state == State::Name {
            let room = (MAX_NAME_LEN * 3).saturating_sub(self.name.len());
            self.name.extend_from_slice(&run[..run.len().min(room)]);
            return;
        }
        for (slot, &c) in self.token.iter_mut().skip(self.token_len).zip(run) {
            *slot = c;
        }
        self.token_len = self.token_len.saturating_add(run.len());
    }

    /// The names painted, once the whole stream was fed.
    pub(crate) fn finish(mut self) -> Scan {
        self.end_token();
        self.end_name();
        self.scan
    }

    fn byte(&mut self, b: u8) {
        match self.state {
            State::Normal => self.normal(b),
            State::Angle => {
                if b == b'<' {
                    self.state = State::Normal;
                } else {
                    self.state = State::Hex;
                    self.byte(b);
                }
            }
            State::Hex => {
                if b == b'>' {
                    self.state = State::Normal;
                }
            }
            State::Comment => {
                if b == b'\n' || b == b'\r' {
                    self.state = State::Normal;
                }
            }
            State::Literal(depth, escaped) => {
                self.state = match (b, escaped) {
                    (_, true) => State::Literal(depth, false),
                    (b'\\', false) => State::Literal(depth, true),
                    (b'(', false) => State::Literal(depth.saturating_add(1), false),
                    (b')', false) if depth <= 1 => State::Normal,
                    (b')', false) => State::Literal(depth - 1, false),
                    _ => State::Literal(depth, false),
                };
            }
            State::Name => {
                if is_white(b) || is_delim(b) {
                    self.end_name();
                    self.state = State::Normal;
                    self.normal(b);
                } else if self.name.len() < MAX_NAME_LEN * 3 {
                    self.name.push(b);
                }
            }
            State::InlineData => {
                // Data ends at white space, `EI`, then white space or a
                // delimiter (§8.9.7; readers search for it the same way).
                if (is_white(b) || is_delim(b))
                    && self.window[1..] == *b"EI"
                    && is_white(self.window[0])
                {
                    self.state = State::Normal;
                    self.last_name = None;
                    self.normal(b);
                } else {
                    self.window = [self.window[1], self.window[2], b];
                }
            }
        }
    }

    fn normal(&mut self, b: u8) {
        if is_white(b) || is_delim(b) {
            self.end_token();
            if self.state != State::Normal {
                // `ID` switched to inline data: this white space is the
                // single one that follows the operator.
                return;
            }
            match b {
                b'%' => self.state = State::Comment,
                b'(' => {
                    self.last_name = None;
                    self.state = State::Literal(1, false);
                }
                b'<' => {
                    self.last_name = None;
                    self.state = State::Angle;
                }
                b'/' => {
                    self.name.clear();
                    self.state = State::Name;
                }
                b'[' | b']' | b'{' | b'}' | b'>' | b')' => self.last_name = None,
                _ => {}
            }
        } else {
            if self.token_len < self.token.len() {
                self.token[self.token_len] = b;
            }
            self.token_len = self.token_len.saturating_add(1);
        }
    }

    fn end_name(&mut self) {
        if self.state == State::Name {
            self.last_name = Some(decode_name(&self.name));
        }
    }

    fn end_token(&mut self) {
        if self.token_len == 0 {
            return;
        }
        let token = &self.token[..self.token_len.min(4)];
        let paint = match (self.token_len, token) {
            (2, b"Do") => Some(Paint::XObject),
            (2, b"sh") => Some(Paint::Shading),
            (3, b"scn" | b"SCN") => Some(Paint::Pattern),
            _ => None,
        };
        if (self.token_len, token) == (2, b"ID") {
            self.state = State::InlineData;
            self.window = [0; 3];
        }
        self.token_len = 0;
        let name = self.last_name.take();
        if let (Some(paint), Some(name)) = (paint, name) {
            self.count(paint, name);
        }
    }

    fn count(&mut self, paint: Paint, name: Vec<u8>) {
        let uses = &mut self.scan.uses;
        if uses.len() >= MAX_NAMES && !uses.contains_key(&(paint, name.clone())) {
            // Bounded memory: fold into an existing entry of this kind,
            // or drop the use when there is none.
            if let Some(v) = uses
                .iter_mut()
                .find(|((p, _), _)| *p == paint)
                .map(|(_, v)| v)
            {
                *v = v.saturating_add(1);
            }
            return;
        }
        let v = uses.entry((paint, name)).or_insert(0);
        *v = v.saturating_add(1);
    }
}

/// A name's bytes with `#xx` escapes decoded (§7.3.5), at most
/// [`MAX_NAME_LEN`] bytes.
fn decode_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len().min(MAX_NAME_LEN));
    let mut i = 0;
    while i < raw.len() && out.len() < MAX_NAME_LEN {
        let hex = |b: u8| (b as char).to_digit(16);
        if raw[i] == b'#'
            && let (Some(h), Some(l)) = (
                raw.get(i + 1).and_then(|b| hex(*b)),
                raw.get(i + 2).and_then(|b| hex(*b)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(raw[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(chunks: &[&[u8]]) -> HashMap<(Paint, Vec<u8>), u64> {
        let mut s = Scanner::new();
        for c in chunks {
            s.feed(c);
        }
        s.finish().uses
    }

    fn get(m: &HashMap<(Paint, Vec<u8>), u64>, p: Paint, n: &str) -> u64 {
        m.get(&(p, n.as_bytes().to_vec())).copied().unwrap_or(0)
    }

    #[test]
    fn counts_paints_by_name() {
        let m = scan(&[b"q /X0 Do Q /X0 Do /Sh1 sh /P#31 scn 0.5 /P2 SCN /Fm1 Do"]);
        assert_eq!(get(&m, Paint::XObject, "X0"), 2);
        assert_eq!(get(&m, Paint::XObject, "Fm1"), 1);
        assert_eq!(get(&m, Paint::Shading, "Sh1"), 1);
        assert_eq!(get(&m, Paint::Pattern, "P1"), 1);
        assert_eq!(get(&m, Paint::Pattern, "P2"), 1);
    }

    #[test]
    fn operators_inside_strings_comments_and_image_data_do_not_count() {
        let m = scan(&[
            b"BT (/X Do \\) /X Do) Tj ET % /X Do\n<2f58>",
            b" Do BI /W 4 /H 1 /BPC 8 /CS /G ID /X Do\x00 EI Q /Y Do",
        ]);
        assert_eq!(get(&m, Paint::XObject, "X"), 0);
        assert_eq!(get(&m, Paint::XObject, "Y"), 1);
    }

    #[test]
    fn tokens_split_across_chunks() {
        let m = scan(&[b"/Fo", b"rm D", b"o /Form ", b"Do"]);
        assert_eq!(get(&m, Paint::XObject, "Form"), 2);
    }

    #[test]
    fn a_name_must_be_the_operand() {
        // `Do` after a number, or with the name one operand earlier, is
        // not a use of that name.
        let m = scan(&[b"/X 1 Do Do /X Tf Do"]);
        assert_eq!(get(&m, Paint::XObject, "X"), 0);
    }

    /// Fed in chunks, with the runs taken at once, the scanner is where
    /// the byte-by-byte rule leaves it after every chunk (state, token,
    /// name, last operand, inline-image window, counts), on streams of
    /// PDF content syntax in random order split at random places.
    #[test]
    fn runs_are_taken_as_byte_by_byte() {
        const PIECES: [&[u8]; 28] = [
            b"/Im1",
            b" Do",
            b" sh",
            b" scn",
            b" SCN",
            b"/P#31",
            b" ",
            b"\n",
            b"\r",
            b"(",
            b")",
            b"\\",
            b"\\)",
            b"%",
            b"<",
            b">",
            b"<<",
            b">>",
            b"[",
            b"]",
            b" ID ",
            b" EI ",
            b"0.5",
            b" Tj",
            b"BT",
            b"/Name-that-goes-on-and-on-and-on",
            b"\x00",
            b"#",
        ];
        let mut seed = 0x2468_ace1u32;
        let mut next = move || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            seed >> 8
        };
        let snapshot = |s: &Scanner| {
            (
                s.state,
                s.token,
                s.token_len,
                s.name.clone(),
                s.last_name.clone(),
                s.window,
                s.scan
                    .sorted()
                    .iter()
                    .map(|&(p, n, c)| (p, n.to_vec(), c))
                    .collect::<Vec<_>>(),
            )
        };
        let mut uses = 0;
        for _ in 0..400 {
            let mut stream = Vec::new();
            for _ in 0..(next() % 300) {
                let piece = PIECES[next() as usize % PIECES.len()];
                // Long runs as well: names and tokens past their caps.
                let times = if next() % 20 == 0 { 200 } else { 1 };
                for _ in 0..times {
                    stream.extend_from_slice(piece);
                }
            }
            let (mut fast, mut slow) = (Scanner::new(), Scanner::new());
            let mut rest = stream.as_slice();
            while !rest.is_empty() {
                let n = (1 + next() as usize % 64).min(rest.len());
                let (chunk, after) = rest.split_at(n);
                fast.feed(chunk);
                for &b in chunk {
                    slow.byte(b);
                }
                assert_eq!(
                    snapshot(&fast),
                    snapshot(&slow),
                    "after {chunk:?} of {stream:?}"
                );
                rest = after;
            }
            uses += fast.scan.uses.len();
        }
        assert!(uses > 100, "{uses} names counted");
    }

    #[test]
    fn distinct_names_are_bounded() {
        let mut s = Scanner::new();
        for i in 0..(MAX_NAMES + 100) {
            s.feed(format!("/N{i} Do ").as_bytes());
        }
        let m = s.finish().uses;
        assert_eq!(m.len(), MAX_NAMES);
        assert_eq!(m.values().sum::<u64>(), (MAX_NAMES + 100) as u64);
    }
}
