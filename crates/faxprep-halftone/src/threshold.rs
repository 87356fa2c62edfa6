//! Fixed threshold: black where the gray value is below a cut.

use faxprep_page::{BitPage, GrayPage};

use crate::{HalftoneOptions, par};

/// Rows per parallel band (any fixed number gives the same output).
const BAND_ROWS: usize = 64;

/// Pack one row: bit set (black) where `row[x] < cut`.
///
/// Eight pixels at a time into one byte, so the compiler can keep the
/// comparisons in vector registers; `out` has `ceil(row.len() / 8)` bytes.
pub(crate) fn pack_below(row: &[u8], cut: u8, out: &mut [u8]) {
    let chunks = row.chunks_exact(8);
    let tail = chunks.remainder();
    for (byte, px) in out.iter_mut().zip(chunks) {
        let mut b = 0u8;
        for (i, &v) in px.iter().enumerate() {
            b |= u8::from(v < cut) << (7 - i);
        }
        *byte = b;
    }
    if !tail.is_empty() {
        let mut b = 0u8;
        for (i, &v) in tail.iter().enumerate() {
            b |= u8::from(v < cut) << (7 - i);
        }
        if let Some(last) = out.get_mut(row.len() / 8) {
            *last = b;
        }
    }
}

/// Black where `v < cut`.
pub(crate) fn threshold(page: &GrayPage, cut: u8, opts: &HalftoneOptions) -> BitPage {
    let stride = BitPage::stride_for(page.width());
    let mut data = crate::spare::zeroed(stride * page.height() as usize);
    let width = page.width() as usize;
    par::for_each_band(opts, &mut data, stride, BAND_ROWS, |y0, band| {
        for (i, dst) in band.chunks_exact_mut(stride).enumerate() {
            let y = y0 + i;
            let src = &page.data()[y * width..(y + 1) * width];
            pack_below(src, cut, dst);
        }
    });
    crate::finish(page, data)
}
