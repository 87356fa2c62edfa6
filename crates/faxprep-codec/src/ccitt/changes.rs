//! Rows as lists of changing elements (T.4 §4.2.1.2: "a changing element is
//! an element whose colour is different from that of the previous element
//! along the same line"), the form both coders work in.
//!
//! A list holds the positions `x < width` where pixel `x` differs from pixel
//! `x - 1`, with an imaginary white pixel before the row. Even entries are
//! therefore white-to-black changes and odd entries black-to-white.

/// Replace `out` with the changing elements of a packed row (MSB first,
/// 1 = black, padding bits zero).
///
/// Works a 64-bit word at a time: `w ^ (w >> 1 | carry)` has a bit set
/// exactly at each pixel that differs from its left neighbour. Reversed,
/// pixel `x` of the word is bit `x`, and `trailing_zeros` walks those bits
/// left to right while clearing the lowest one (`d & (d - 1)`) is all
/// that each step waits for. A white word costs one compare.
pub(crate) fn find_changes(row: &[u8], width: u32, out: &mut Vec<u32>) {
    out.clear();
    let (words, tail) = row.as_chunks::<8>();
    let mut carry = 0u64;
    let mut base = 0u32;
    for word in words {
        let w = u64::from_be_bytes(*word);
        if w | carry != 0 {
            push_changes(w ^ ((w >> 1) | (carry << 63)), base, out);
            carry = w & 1;
        }
        base += 64;
    }
    if !tail.is_empty() {
        let mut last = [0u8; 8];
        last[..tail.len()].copy_from_slice(tail);
        let w = u64::from_be_bytes(last);
        push_changes(w ^ ((w >> 1) | (carry << 63)), base, out);
    }
    // A black last pixel makes a change at `width` inside the zero padding:
    // that is the row's end, not a change.
    while out.last().is_some_and(|&x| x >= width) {
        out.pop();
    }
}

#[inline(always)]
fn push_changes(diff: u64, base: u32, out: &mut Vec<u32>) {
    let mut d = diff.reverse_bits();
    while d != 0 {
        out.push(base + d.trailing_zeros());
        d &= d - 1;
    }
}

/// Paint a row from its changing elements into `row` (which must hold
/// `ceil(width / 8)` bytes). Every entry must be `<= width` and the list
/// strictly increasing; the decoder guarantees both.
pub(crate) fn render(changes: &[u32], width: u32, row: &mut [u8]) {
    row.fill(0);
    for pair in changes.chunks(2) {
        let start = pair[0];
        let end = pair.get(1).copied().unwrap_or(width);
        fill_black(row, start, end);
    }
}

/// Set pixels `start..end` black.
fn fill_black(row: &mut [u8], start: u32, end: u32) {
    if start >= end {
        return;
    }
    let (first, last) = ((start / 8) as usize, (end / 8) as usize);
    let head = 0xffu8 >> (start % 8);
    let tail = !(0xffu8 >> (end % 8));
    if first == last {
        row[first] |= head & tail;
        return;
    }
    row[first] |= head;
    row[first + 1..last].fill(0xff);
    if !end.is_multiple_of(8) {
        row[last] |= tail;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow_changes(row: &[u8], width: u32) -> Vec<u32> {
        let px = |x: u32| x < width && row[(x / 8) as usize] & (0x80 >> (x % 8)) != 0;
        (0..width)
            .filter(|&x| px(x) != (x > 0 && px(x - 1)))
            .collect()
    }

    #[test]
    fn changes_match_a_pixel_walk_and_render_inverts() {
        let mut seed = 0x1234_5678_9abc_def0u64;
        let mut changes = Vec::new();
        for width in [1u32, 7, 8, 9, 63, 64, 65, 127, 128, 200, 1728, 2561] {
            for density in [0u64, 1, 8, 32, 64] {
                let stride = width.div_ceil(8) as usize;
                let mut row = vec![0u8; stride];
                for x in 0..width {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    if seed % 64 < density {
                        row[(x / 8) as usize] |= 0x80 >> (x % 8);
                    }
                }
                find_changes(&row, width, &mut changes);
                assert_eq!(changes, slow_changes(&row, width), "width {width}");
                let mut back = vec![0xAAu8; stride];
                render(&changes, width, &mut back);
                assert_eq!(back, row, "width {width} density {density}");
            }
        }
    }

    #[test]
    fn black_last_pixel_is_not_a_change() {
        let mut changes = Vec::new();
        find_changes(&[0xff, 0xf0], 12, &mut changes);
        assert_eq!(changes, [0]);
        find_changes(&[0x01], 8, &mut changes);
        assert_eq!(changes, [7]);
    }
}
