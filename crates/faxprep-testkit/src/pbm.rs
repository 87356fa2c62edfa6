//! Raw PBM (P4), the format of netpbm, `tifftopnm`, `pdftoppm -mono` and
//! `pdfimages`: the bridge from the oracle tools to our `BitPage`s.

use faxprep_page::{BitPage, Resolution};

/// Parse a stream of raw PBM images (a multi-page `tifftopnm` output is
/// several in a row). Panics on anything else: test data only.
pub fn read_pbm_pages(mut data: &[u8], resolution: Resolution) -> Vec<BitPage> {
    let mut pages = Vec::new();
    while data.iter().any(|b| !b.is_ascii_whitespace()) {
        let mut fields = Vec::new();
        let mut i = 0;
        while fields.len() < 3 {
            if data[i] == b'#' {
                while data[i] != b'\n' {
                    i += 1;
                }
            } else if data[i].is_ascii_whitespace() {
                i += 1;
            } else {
                let start = i;
                while !data[i].is_ascii_whitespace() {
                    i += 1;
                }
                fields.push(std::str::from_utf8(&data[start..i]).expect("ascii header"));
            }
        }
        assert_eq!(fields[0], "P4", "only raw PBM");
        let w: u32 = fields[1].parse().expect("width");
        let h: u32 = fields[2].parse().expect("height");
        // One whitespace byte ends the header.
        i += 1;
        let n = BitPage::stride_for(w) * h as usize;
        pages.push(
            BitPage::from_packed(w, h, resolution, data[i..i + n].to_vec()).expect("pbm size"),
        );
        data = &data[i + n..];
    }
    pages
}

/// Parse one raw PBM image (the first of the stream).
pub fn read_pbm(data: &[u8], resolution: Resolution) -> BitPage {
    read_pbm_pages(data, resolution)
        .into_iter()
        .next()
        .expect("one pbm image")
}

/// A raw PBM of `page`.
pub fn write_pbm(page: &BitPage) -> Vec<u8> {
    let mut out = format!("P4\n{} {}\n", page.width(), page.height()).into_bytes();
    out.extend_from_slice(page.data());
    out
}
