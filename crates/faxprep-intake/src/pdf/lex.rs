//! A byte scan for the deepest nesting of arrays and dictionaries, run
//! before the PDF parser so that a file of 20,000 `[` (qpdf issue 146) is
//! a typed error instead of a deep recursion.
//!
//! It knows just enough PDF lexing (ISO 32000-1 §7.2-7.3) not to count
//! brackets inside comments, strings and stream data. Depth restarts at 0
//! at every `endobj`, `xref` and `trailer`, so unbalanced garbage in one
//! object does not add up across the file. One pass, O(n).

use crate::sniff::find;

/// The deepest nesting found in `bytes`, stopping the scan early once it
/// exceeds `stop_above` (the value then returned is at least
/// `stop_above + 1`).
pub(crate) fn max_nesting(bytes: &[u8], stop_above: u32) -> u32 {
    let mut depth: u32 = 0;
    let mut max: u32 = 0;
    let mut i = 0usize;
    let n = bytes.len();
    while i < n {
        match bytes[i] {
            b'%' => {
                // Comment to end of line.
                i += bytes[i..]
                    .iter()
                    .position(|&b| b == b'\n' || b == b'\r')
                    .unwrap_or(n - i);
            }
            b'(' => i = skip_literal_string(bytes, i + 1),
            b'<' => {
                if bytes.get(i + 1) == Some(&b'<') {
                    depth += 1;
                    i += 2;
                } else {
                    // Hex string.
                    i += bytes[i..]
                        .iter()
                        .position(|&b| b == b'>')
                        .map_or(n - i, |p| p + 1);
                }
                max = max.max(depth);
            }
            b'[' => {
                depth += 1;
                max = max.max(depth);
                i += 1;
            }
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 2;
            }
            b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b's' if is_keyword(bytes, i, b"stream") => {
                // Stream data is opaque: jump past the matching keyword.
                i = find(&bytes[i + 6..], b"endstream").map_or(n, |p| i + 6 + p + 9);
            }
            b'e' if is_keyword(bytes, i, b"endobj") => {
                depth = 0;
                i += 6;
            }
            b'x' if is_keyword(bytes, i, b"xref") => {
                depth = 0;
                i += 4;
            }
            b't' if is_keyword(bytes, i, b"trailer") => {
                depth = 0;
                i += 7;
            }
            _ => i += 1,
        }
        if max > stop_above {
            return max;
        }
    }
    max
}

/// Whether `word` starts at `i` as a whole keyword.
fn is_keyword(bytes: &[u8], i: usize, word: &[u8]) -> bool {
    let before_ok = i == 0 || is_delimiter_or_space(bytes[i - 1]);
    let after_ok = bytes
        .get(i + word.len())
        .is_none_or(|&b| is_delimiter_or_space(b));
    before_ok && after_ok && bytes[i..].starts_with(word)
}

fn is_delimiter_or_space(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'\x0c'
            | b'\0'
            | b'('
            | b')'
            | b'<'
            | b'>'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'/'
            | b'%'
    )
}

/// Index after the `)` that closes a literal string whose `(` is just
/// before `i` (balanced parentheses, backslash escapes; §7.3.4.2).
fn skip_literal_string(bytes: &[u8], mut i: usize) -> usize {
    let mut open = 1u32;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'(' => {
                open += 1;
                i += 1;
            }
            b')' => {
                open -= 1;
                i += 1;
                if open == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn counts_arrays_and_dicts() {
        assert_eq!(max_nesting(b"1 0 obj << /A [ [ 1 ] ] >> endobj", 100), 3);
        assert_eq!(max_nesting(b"<< /A (([[[[) >>", 100), 1);
        assert_eq!(max_nesting(b"% [[[[[[\n[ ]", 100), 1);
        assert_eq!(max_nesting(b"<</L 3>>stream\n[[[[[[[[\nendstream", 100), 1);
        assert_eq!(max_nesting(b"<4142> [", 100), 1);
    }

    #[test]
    fn endobj_resets() {
        assert_eq!(
            max_nesting(b"1 0 obj [[[ endobj 2 0 obj [[[ endobj", 100),
            3
        );
    }

    #[test]
    fn stops_early() {
        let deep = vec![b'['; 20_000];
        assert_eq!(max_nesting(&deep, 64), 65);
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let d = max_nesting(&bytes, 1000);
            prop_assert!(d as usize <= bytes.len());
        }

        #[test]
        fn nested_arrays_count_exactly(n in 0u32..200) {
            let mut v = vec![b'['; n as usize];
            v.extend(std::iter::repeat_n(b']', n as usize));
            prop_assert_eq!(max_nesting(&v, 1000), n);
        }
    }
}
