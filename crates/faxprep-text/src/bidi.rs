//! Right-to-left runs, the simplest part of the Unicode bidirectional
//! algorithm (UAX #9): within a line, a run of Hebrew or Arabic letters
//! (with the spaces and marks between them) is mirrored so that it reads
//! from right to left, while everything else keeps its place. Embedding
//! levels, mirrored brackets and Arabic joining are not done; they only
//! matter for whole paragraphs in those scripts, which a cover rarely has.

use crate::text::{Line, Text, is_default_ignorable};

impl Text {
    /// Pen positions in em, relative to the line start, of characters
    /// `line.start..line.end` in visual order: runs of right-to-left
    /// letters (Hebrew, Arabic, with the spaces between them) are mirrored
    /// so that they read from right to left. This is the simplest part of
    /// the Unicode bidirectional algorithm; Arabic joining is not done.
    pub fn visual_offsets(&self, line: Line) -> Vec<f32> {
        let mut out: Vec<f32> = (line.start..line.end)
            .map(|k| self.offset(line.start, k))
            .collect();
        let rtl = |k: usize| is_rtl(self.chars[k].ch);
        let mut k = line.start;
        while k < line.end {
            if !rtl(k) {
                k += 1;
                continue;
            }
            // The run: RTL letters, marks, and spaces followed by more RTL.
            let a = k;
            let mut b = k + 1;
            loop {
                let mut c = b;
                while c < line.end && (self.chars[c].space || self.chars[c].mark) {
                    c += 1;
                }
                if c < line.end && rtl(c) {
                    b = c + 1;
                } else {
                    break;
                }
            }
            // Keep marks after the last letter with it.
            while b < line.end && self.chars[b].mark {
                b += 1;
            }
            let (xa, xb) = (self.offset(line.start, a), self.offset(line.start, b));
            for i in a..b {
                let x = self.offset(line.start, i);
                let w = self.chars[i].advance - self.chars[i].kern;
                out[i - line.start] = xa + xb - x - w;
            }
            k = b;
        }
        out
    }
}

/// Whether `c` is a right-to-left letter (Hebrew, Arabic, Syriac, Thaana,
/// NKo and their presentation forms).
fn is_rtl(c: char) -> bool {
    matches!(u32::from(c), 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
        && !is_default_ignorable(c)
}

#[cfg(test)]
mod tests {
    use crate::font::FontStyle;
    use crate::text::Text;

    #[test]
    fn hebrew_reads_right_to_left() {
        let t = Text::new("ab שלום עולם cd", FontStyle::Regular, false);
        let line = t.wrap(100.0, 1).unwrap()[0];
        let x = t.visual_offsets(line);
        let (shin, final_mem) = (3, 6);
        assert!(
            x[shin] > x[final_mem],
            "first letter is rightmost in its word"
        );
        assert!(x[8] < x[shin], "second word is left of the first");
        assert!(x[1] < x[8] && x[13] > x[shin], "latin stays in place");
    }
}
