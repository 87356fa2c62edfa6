//! Synthetic gray pages drawn by the tests themselves (no corpus content):
//! anti-aliased strokes, a tiny block font, tints, hairlines, gradients and
//! a smooth photo-like patch. Shared by the tests and the examples.
#![allow(dead_code)]

use faxprep_page::{GrayPage, Resolution};

/// A white page.
pub fn page(width: u32, height: u32) -> GrayPage {
    GrayPage::new(width, height, Resolution::Fine).expect("small page")
}

/// Fill `[x0, x1) x [y0, y1)` with `value`.
pub fn fill(p: &mut GrayPage, x0: u32, y0: u32, x1: u32, y1: u32, value: u8) {
    for y in y0..y1 {
        for x in x0..x1 {
            p.set(x, y, value);
        }
    }
}

/// Paint ink of gray `ink` over a rectangle given in 1/16 pixel, with
/// exact area coverage (anti-aliasing as a renderer does it): each pixel
/// becomes `old - coverage * (old - ink)` where darker.
pub fn ink_rect16(p: &mut GrayPage, x0: i64, y0: i64, x1: i64, y1: i64, ink: u8) {
    if x1 <= x0 || y1 <= y0 {
        return;
    }
    let (px0, py0) = (x0.div_euclid(16), y0.div_euclid(16));
    let (px1, py1) = ((x1 + 15).div_euclid(16), (y1 + 15).div_euclid(16));
    for py in py0.max(0)..py1 {
        for px in px0.max(0)..px1 {
            let cx = (x1.min(px * 16 + 16) - x0.max(px * 16)).max(0);
            let cy = (y1.min(py * 16 + 16) - y0.max(py * 16)).max(0);
            let cov = cx * cy; // out of 256
            let old = i64::from(p.get(px as u32, py as u32));
            let new = old - cov * (old - i64::from(ink)) / 256;
            if new < old {
                p.set(px as u32, py as u32, new.clamp(0, 255) as u8);
            }
        }
    }
}

/// 5 x 7 block glyphs for the few characters the pictures need.
fn glyph(c: char) -> [u8; 7] {
    match c {
        'A' => [0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
        'B' => [0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e],
        'C' => [0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e],
        'D' => [0x1e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1e],
        'E' => [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f],
        'F' => [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10],
        'G' => [0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f],
        'H' => [0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
        'I' => [0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f],
        'M' => [0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x11],
        'O' => [0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
        'P' => [0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10],
        'R' => [0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11],
        'S' => [0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e],
        'T' => [0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'U' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
        'X' => [0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11],
        'Y' => [0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04],
        '0' => [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e],
        '1' => [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
        '2' => [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f],
        '3' => [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
        '4' => [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02],
        '5' => [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
        '6' => [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e],
        '7' => [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e],
        '9' => [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
        _ => [0; 7],
    }
}

/// Draw `text` with its top-left corner at (`x`, `y`) pixels, each glyph
/// cell `cell16` / 16 pixels square (a 7-cell-high glyph: cell16 = 20 is a
/// cap height of 8.75 px, about 6 pt at 196 dpi), in gray `ink`, at a
/// sub-pixel offset `sub16` (so edges are anti-aliased).
pub fn text(p: &mut GrayPage, x: u32, y: u32, cell16: i64, sub16: i64, ink: u8, text: &str) {
    let mut gx = i64::from(x) * 16 + sub16;
    let gy = i64::from(y) * 16 + sub16;
    for c in text.chars() {
        let g = glyph(c);
        for (row, bits) in g.iter().enumerate() {
            for col in 0..5 {
                if bits & (0x10 >> col) != 0 {
                    let x0 = gx + col * cell16;
                    let y0 = gy + row as i64 * cell16;
                    ink_rect16(p, x0, y0, x0 + cell16, y0 + cell16, ink);
                }
            }
        }
        gx += 6 * cell16;
    }
}

/// A horizontal line from `x0` to `x1` whose centre is at `y16` / 16 px,
/// `thick16` / 16 px thick.
pub fn hline(p: &mut GrayPage, x0: u32, x1: u32, y16: i64, thick16: i64, ink: u8) {
    let y0 = y16 - thick16 / 2;
    ink_rect16(
        p,
        i64::from(x0) * 16,
        y0,
        i64::from(x1) * 16,
        y0 + thick16,
        ink,
    );
}

/// A vertical line.
pub fn vline(p: &mut GrayPage, x16: i64, y0: u32, y1: u32, thick16: i64, ink: u8) {
    let x0 = x16 - thick16 / 2;
    ink_rect16(
        p,
        x0,
        i64::from(y0) * 16,
        x0 + thick16,
        i64::from(y1) * 16,
        ink,
    );
}

/// A horizontal gradient over `[x0, x1) x [y0, y1)`, from `from` to `to`.
pub fn hgradient(p: &mut GrayPage, x0: u32, y0: u32, x1: u32, y1: u32, from: u8, to: u8) {
    let span = i64::from(x1 - x0 - 1).max(1);
    for y in y0..y1 {
        for x in x0..x1 {
            let t = i64::from(x - x0);
            let v = i64::from(from) + (i64::from(to) - i64::from(from)) * t / span;
            p.set(x, y, v as u8);
        }
    }
}

/// A smooth photo-like patch: overlapping soft blobs (smooth-step falloff,
/// integer arithmetic) over a soft vertical shade, plus a little fine
/// texture, so it has every tone and smooth gradients, like a portrait.
pub fn photo(p: &mut GrayPage, x0: u32, y0: u32, w: u32, h: u32, seed: u32) {
    let mut rng = Lcg(u64::from(seed) | 1);
    let blobs: Vec<(i64, i64, i64, i64)> = (0..7)
        .map(|_| {
            let cx = rng.below(w) as i64;
            let cy = rng.below(h) as i64;
            let r = (i64::from(w.min(h)) / 5) + rng.below(w.min(h) / 3) as i64;
            let amp = rng.below(140) as i64 - 70;
            (cx, cy, r, amp)
        })
        .collect();
    for y in 0..h {
        for x in 0..w {
            let mut v = 60 + 120 * i64::from(y) / i64::from(h.max(1));
            for &(cx, cy, r, amp) in &blobs {
                let d2 = (i64::from(x) - cx).pow(2) + (i64::from(y) - cy).pow(2);
                if d2 < r * r {
                    // 1 - (d/r)^2, squared: a smooth bump.
                    let t = r * r - d2;
                    v += amp * t / (r * r) * t / (r * r);
                }
            }
            v += rng.below(7) as i64 - 3;
            p.set(x0 + x, y0 + y, v.clamp(0, 255) as u8);
        }
    }
}

/// Off-white paper noise (a scan's background) over the whole page.
pub fn paper_noise(p: &mut GrayPage, lo: u8, hi: u8, seed: u64) {
    let mut rng = Lcg(seed | 1);
    for v in p.data_mut() {
        *v = lo + rng.below(u32::from(hi - lo) + 1) as u8;
    }
}

/// A small deterministic generator (Knuth's MMIX LCG).
pub struct Lcg(pub u64);

impl Lcg {
    /// A number in `0..n`.
    pub fn below(&mut self, n: u32) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % u64::from(n.max(1))) as u32
    }
}

/// The form-like sample page used by the reference tests and the docs
/// picture: black and gray labels at 6 to 10 pt, tinted fields with text,
/// a 1-pixel gray hairline, a 0.25 pt rule, a gradient and a photo.
pub fn form(width: u32, height: u32) -> GrayPage {
    let mut p = page(width, height);
    text(&mut p, 12, 10, 48, 5, 0, "FORM 1040");
    text(&mut p, 12, 48, 24, 3, 100, "PATIENT NAME");
    text(&mut p, 12, 66, 20, 9, 140, "DATE OF BIRTH 12 03 1985");
    // A light tint (10%) and a 30% tint with text on them.
    fill(&mut p, 10, 86, 250, 112, 230);
    text(&mut p, 14, 92, 24, 7, 0, "RX 250 MG");
    fill(&mut p, 10, 118, 250, 144, 179);
    text(&mut p, 14, 124, 24, 2, 90, "SIGN HERE");
    // A 1-pixel hairline at 160 and a 0.25 pt rule (0.7 px at 204 dpi)
    // straddling two rows.
    hline(&mut p, 10, 250, 152 * 16 + 8, 16, 160);
    hline(&mut p, 10, 250, 160 * 16, 11, 0);
    vline(&mut p, 256 * 16 + 8, 10, 170, 16, 160);
    // A gradient and a photo.
    hgradient(&mut p, 270, 10, 394, 40, 0, 255);
    photo(&mut p, 270, 48, 124, 120, 7);
    text(&mut p, 12, 174, 20, 0, 60, "ORDERED BY DR SMITH");
    p
}
