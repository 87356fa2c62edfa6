//! One page buffer kept per render thread, so that a document's pages do
//! not each allocate and whiten a fresh 3.7 MB (fine Letter) buffer: the
//! caller hands a page back with [`crate::recycle`] once it is coded, and
//! the next page drawn on that thread whitens only the tiles the last one
//! drew into (the page says which; a page that does not know is not
//! kept).

use std::cell::RefCell;

use faxprep_page::{GrayPage, WHITE_TILE};

struct Spare {
    data: Vec<u8>,
    width: usize,
    white: Vec<bool>,
}

thread_local! {
    static SPARE: RefCell<Option<Spare>> = const { RefCell::new(None) };
}

/// Keep `page`'s buffer for the next page rendered on this thread.
pub(crate) fn keep(page: GrayPage) {
    let width = page.width() as usize;
    if let (data, Some(white)) = page.into_parts() {
        SPARE.with(|s| *s.borrow_mut() = Some(Spare { data, width, white }));
    }
}

/// A white buffer of `width` x `rows` pixels: this thread's spare one,
/// whitened where its last page drew, or a new one.
pub(crate) fn white_buffer(width: usize, rows: usize) -> Vec<u8> {
    let n = width * rows;
    let spare = SPARE.with(|s| s.borrow_mut().take());
    let Some(Spare {
        mut data,
        width: w,
        white,
    }) = spare
    else {
        return vec![255; n];
    };
    if data.len() != n || w != width {
        return vec![255; n];
    }
    let tile = WHITE_TILE as usize;
    let cols = width.div_ceil(tile);
    for (ty, tiles) in white.chunks(cols).enumerate() {
        // Runs of drawn tiles in this tile row, whitened row by row.
        let mut tx = 0;
        while tx < cols {
            if tiles[tx] {
                tx += 1;
                continue;
            }
            let start = tx;
            while tx < cols && !tiles[tx] {
                tx += 1;
            }
            let (x0, x1) = (start * tile, (tx * tile).min(width));
            for y in ty * tile..((ty + 1) * tile).min(rows) {
                data[y * width + x0..y * width + x1].fill(255);
            }
        }
    }
    data
}

/// Let go of this thread's spare buffer (a document is done).
pub(crate) fn forget() {
    SPARE.with(|s| s.borrow_mut().take());
}

#[cfg(test)]
mod tests {
    use super::*;
    use faxprep_page::Resolution;

    #[test]
    fn a_kept_page_comes_back_white() {
        // 40 x 20 pixels: 3 x 2 tiles. Ink in tiles (1, 0) and (2, 1).
        let mut page = GrayPage::new(40, 20, Resolution::Fine).unwrap();
        page.set(20, 3, 0);
        page.set(39, 19, 9);
        assert!(page.set_white_tiles(vec![true, false, true, true, true, false]));
        let ptr = page.data().as_ptr();
        keep(page);
        let data = white_buffer(40, 20);
        assert_eq!(data.as_ptr(), ptr, "the same buffer");
        assert!(data.iter().all(|&v| v == 255));
        // Taken once; another size or a page that does not know its white
        // tiles is not kept.
        // (`data` is alive: a new buffer cannot be at its address.)
        let other = white_buffer(40, 20);
        assert_ne!(other.as_ptr(), ptr);
        keep(GrayPage::from_raw(40, 20, Resolution::Fine, data).unwrap());
        assert!(white_buffer(40, 20).iter().all(|&v| v == 255));
        let mut page = GrayPage::new(40, 20, Resolution::Fine).unwrap();
        assert!(page.set_white_tiles(vec![true; 6]));
        keep(page);
        assert_eq!(white_buffer(40, 21).len(), 840);
        forget();
    }

    #[test]
    fn no_buffer_outlives_the_document() {
        let path = faxprep_testkit::workspace_root().join("fixtures/docs/letter.pdf");
        let bytes = std::fs::read(path).unwrap();
        let opts = crate::RasterOptions {
            threads: Some(1),
            ..crate::RasterOptions::default()
        };
        let mut kept = 0;
        crate::render_then(
            &bytes,
            crate::DocumentFormat::Pdf,
            &opts,
            |page| {
                crate::recycle(page.page);
                SPARE.with(|s| s.borrow().is_some())
            },
            |was_kept| {
                kept += usize::from(was_kept);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert!(kept > 0, "the device's pages are kept for the next");
        assert!(
            SPARE.with(|s| s.borrow().is_none()),
            "kept after the document"
        );
    }
}
