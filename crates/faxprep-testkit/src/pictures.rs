//! A picture of paper the tests make themselves: a letter set in
//! Times-Roman by Ghostscript (an independent renderer), then photographed: turned,
//! in perspective, shadowed, on yellowed paper, on a dark table.

use std::io::Write;
use std::process::{Command, Stdio};

use faxprep_page::{BitPage, GrayPage, Resolution};

use crate::require_tool;

const W: u32 = 1728;
const H: u32 = 2156;

/// The letter's lines.
pub const LETTER: [&str; 14] = [
    "Referral letter for the cardiology clinic",
    "Patient reports shortness of breath when climbing",
    "stairs and occasional chest pain after meals.",
    "Blood pressure measured twice this morning was",
    "high on both readings, heart rate regular.",
    "Please arrange an echocardiogram and a stress",
    "test within the next two weeks if possible.",
    "Current medication includes aspirin daily and",
    "a statin taken every evening with water.",
    "No known allergies to penicillin or latex.",
    "Family history of heart disease on the father",
    "side, two uncles treated for angina.",
    "Kind regards from the family practice team,",
    "Doctor Maria Gonzalez, internal medicine.",
];

/// The letter as a flat fine Letter page (1728 x 2156): Ghostscript's
/// Times-Roman 15 pt, when gs is installed; else `None`.
pub fn letter_page() -> Option<GrayPage> {
    if !require_tool("gs") {
        return None;
    }
    let mut ps = String::from("%!PS\n/Times-Roman findfont 15 scalefont setfont\n");
    for (i, line) in LETTER.iter().enumerate() {
        ps += &format!("72 {} moveto ({line}) show\n", 700 - 34 * i as i32);
    }
    ps += "showpage\n";
    let mut child = Command::new("gs")
        .args([
            "-q",
            "-dSAFER",
            "-dBATCH",
            "-dNOPAUSE",
            "-sDEVICE=pgmraw",
            "-r204x196",
            "-g1728x2156",
            "-sOutputFile=-",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gs runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(ps.as_bytes())
        .expect("ps written");
    let out = child.wait_with_output().expect("gs ends");
    assert!(out.status.success(), "gs failed");
    // "P5\n1728 2156\n255\n" then the pixels.
    let pixels = out.stdout[out.stdout.len() - (W * H) as usize..].to_vec();
    Some(GrayPage::from_raw(W, H, Resolution::Fine, pixels).expect("page"))
}

/// Cheap deterministic noise in -1..=1 per pixel.
fn noise(x: u32, y: u32) -> i32 {
    let h = (x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663)).wrapping_mul(2_654_435_761);
    (h >> 30) as i32 - 1
}

/// `page` at (`x`, `y`), interpolated as a camera's optics blend pixels.
fn bilinear(page: &GrayPage, x: f64, y: f64) -> f64 {
    let (x0, y0) = (x as u32, y as u32);
    let (tx, ty) = (x - f64::from(x0), y - f64::from(y0));
    let p = |dx: u32, dy: u32| f64::from(page.get(x0 + dx, y0 + dy));
    (p(0, 0) * (1.0 - tx) + p(1, 0) * tx) * (1.0 - ty) + (p(0, 1) * (1.0 - tx) + p(1, 1) * tx) * ty
}

/// A phone's picture of `flat` (1728 x 2156): the sheet at 80% size,
/// turned 6 degrees, its top farther from the camera than its bottom, on
/// yellowed paper (86% white), shadowed toward the lower right down to
/// 60%, on a dark table with a grain.
pub fn photograph(flat: &GrayPage) -> GrayPage {
    let (cos, sin) = (0.994_521_9, 0.104_528_5); // 6 degrees
    let (cx, cy) = (f64::from(W) / 2.0, f64::from(H) / 2.0);
    let mut data = Vec::with_capacity((W * H) as usize);
    for v in 0..H {
        for u in 0..W {
            let (du, dv) = (f64::from(u) - cx, f64::from(v) - cy);
            let w = 0.8 * (1.0 + 0.000_12 * dv);
            let x = (cos * du + sin * dv) / w + cx;
            let y = (-sin * du + cos * dv) / w + cy;
            let shade = 1.0 - 0.4 * (f64::from(u) + f64::from(v)) / f64::from(W + H);
            let value = if x >= 0.0 && y >= 0.0 && x < f64::from(W - 1) && y < f64::from(H - 1) {
                bilinear(flat, x, y) * 0.86 * shade
            } else {
                let grain = 18.0 * f64::from(((u / 5 + v / 41) % 4) as u8) / 3.0;
                (55.0 + grain) * shade
            };
            let value = value + 4.0 * f64::from(noise(u, v));
            data.push(value.round().clamp(0.0, 255.0) as u8);
        }
    }
    GrayPage::from_raw(W, H, Resolution::Fine, data).expect("page")
}

/// The 16 x 16 blocks of `[x0, x1) x [y0, y1)` that a halftone cut flat:
/// all white or all black on `bits` where `gray` is a mid-tone (mean 40
/// to 215), as `(x, y, mean)`. Inside a picture there should be none (no
/// seam between the text and photo rules).
pub fn flat_blocks(
    gray: &GrayPage,
    bits: &BitPage,
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
) -> Vec<(u32, u32, u32)> {
    let mut found = Vec::new();
    for by in (y0..y1.saturating_sub(16)).step_by(16) {
        for bx in (x0..x1.saturating_sub(16)).step_by(16) {
            let (mut sum, mut black) = (0u32, 0u32);
            for y in by..by + 16 {
                for x in bx..bx + 16 {
                    sum += u32::from(gray.get(x, y));
                    black += u32::from(bits.get(x, y));
                }
            }
            let mean = sum / 256;
            if (40..=215).contains(&mean) && (black == 0 || black == 256) {
                found.push((bx, by, mean));
            }
        }
    }
    found
}
