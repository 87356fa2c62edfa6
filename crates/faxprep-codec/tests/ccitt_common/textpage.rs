//! A deterministic text-like page for the codec tests and benches (shared
//! with `benches/codec.rs` through `#[path]`): lines of "words" made of
//! glyph cells with stems, bars and diagonals, about what a typed letter
//! looks like at 204 x 196 dpi (10-12 pt type, 45 lines a page).

use faxprep_page::{BitPage, Resolution};

/// xorshift64: small, deterministic, good enough for test pictures.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u32 {
        (self.next() % n) as u32
    }
}

const CELL_W: u32 = 18;
const CELL_H: u32 = 30;

/// One glyph: a list of filled rectangles inside an 18 x 30 cell (baseline
/// at row 24, x-height 14, ascenders to row 2, descenders to row 29).
fn glyph(rng: &mut Rng) -> Vec<(u32, u32, u32, u32)> {
    let tall = rng.below(3) == 0;
    let desc = !tall && rng.below(5) == 0;
    let top = if tall { 2 } else { 10 };
    let bottom = if desc { 30 } else { 24 };
    let mut rects = Vec::new();
    // A stem on the left, right or both.
    match rng.below(4) {
        0 => rects.push((2, top, 5, bottom)),
        1 => rects.push((11, top, 14, bottom)),
        2 => {
            rects.push((2, top, 5, bottom));
            rects.push((11, 10, 14, 24));
        }
        _ => {}
    }
    // Bars at the x-height, the middle and the baseline.
    for (y, p) in [(10u32, 2u64), (16, 3), (22, 2)] {
        if rng.below(p) == 0 {
            rects.push((3, y, 14, y + 2));
        }
    }
    // A diagonal as a staircase.
    if rng.below(3) == 0 {
        for i in 0..7 {
            rects.push((3 + i, 10 + i * 2, 6 + i, 12 + i * 2));
        }
    }
    if rects.is_empty() {
        rects.push((6, 12, 10, 24));
    }
    rects
}

/// A `width` x `height` page of text lines with a 100-pixel margin.
pub fn text_page(width: u32, height: u32, resolution: Resolution, seed: u64) -> BitPage {
    let mut rng = Rng(seed | 1);
    let font: Vec<_> = (0..40).map(|_| glyph(&mut rng)).collect();
    let mut page = BitPage::new(width, height, resolution).expect("valid test page size");
    let margin = 100.min(width / 8);
    let line_h = CELL_H + 14;
    let mut y = margin + 40;
    let mut line = 0;
    while y + CELL_H + margin < height {
        // Every ninth line is a paragraph break.
        line += 1;
        if line % 9 == 0 {
            y += line_h;
            continue;
        }
        let mut x = margin;
        let right = width.saturating_sub(margin);
        // Ragged right edge: lines end somewhere in the last fifth.
        let end = right.saturating_sub(rng.below(u64::from(right / 5 + 1)));
        while x + CELL_W * 3 < end {
            let word = 2 + rng.below(8);
            for _ in 0..word {
                if x + CELL_W > end {
                    break;
                }
                for &(x0, y0, x1, y1) in &font[rng.below(font.len() as u64) as usize] {
                    page.fill_rect(x + x0, y + y0, x + x1, y + y1);
                }
                x += CELL_W;
            }
            x += CELL_W;
        }
        y += line_h;
    }
    page
}
