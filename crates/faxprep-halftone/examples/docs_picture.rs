//! Writes `fixtures/docs/halftone.png`: the drawn form page (no corpus
//! content) as gray, through `auto`, through a 48-lpi clustered-dot screen
//! (what Ghostscript's fax devices do) and through a plain 50% threshold.
//!
//! `cargo run -p faxprep-halftone --example docs_picture`

#[path = "../tests/common/draw.rs"]
mod draw;

use faxprep_halftone::{Method, halftone};

fn main() {
    let page = draw::form(400, 200);
    let (w, h) = (page.width() as usize, page.height() as usize);
    let panels = [
        page.data().to_vec(),
        halftone(&page, Method::Auto).to_gray_bytes(),
        halftone(&page, Method::Ordered).to_gray_bytes(),
        halftone(&page, Method::Threshold(128)).to_gray_bytes(),
    ];
    // 2 x 2 panels with a 4 px gray gutter.
    let gap = 4;
    let (cw, ch) = (2 * w + gap, 2 * h + gap);
    let mut out = vec![160u8; cw * ch];
    for (i, p) in panels.iter().enumerate() {
        let (ox, oy) = ((i % 2) * (w + gap), (i / 2) * (h + gap));
        for y in 0..h {
            out[(oy + y) * cw + ox..(oy + y) * cw + ox + w].copy_from_slice(&p[y * w..(y + 1) * w]);
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/docs");
    std::fs::create_dir_all(&root).expect("mkdir fixtures/docs");
    let path = root.join("halftone.png");
    image::GrayImage::from_raw(cw as u32, ch as u32, out)
        .expect("buffer size")
        .save(&path)
        .expect("write png");
    println!("wrote {}", path.display());
}
