//! One packed page buffer kept per thread, so that a document's pages do
//! not each take a fresh half megabyte (fine Letter) from the allocator:
//! the caller hands a coded page back with [`crate::recycle`], and the
//! next page halftoned on that thread clears and reuses its buffer.
//!
//! A fresh buffer costs more than its clearing: glibc hands large blocks
//! out as new mappings, whose pages fault in one by one, and a page that
//! is read before it is written (the rules `|=` their bits into it) faults
//! twice, the second time with a TLB shootdown on every other core of the
//! process.

use std::cell::RefCell;

use faxprep_page::BitPage;

thread_local! {
    static SPARE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// `len` zero bytes: this thread's spare buffer cleared, or a new one.
pub(crate) fn zeroed(len: usize) -> Vec<u8> {
    let mut data = SPARE.with(|s| std::mem::take(&mut *s.borrow_mut()));
    if data.capacity() < len {
        // Written at once rather than `vec![0; len]`'s untouched pages:
        // those map the shared zero page when first read, and each costs
        // a second fault with a TLB shootdown when it is written.
        data = Vec::with_capacity(len);
    }
    data.clear();
    data.resize(len, 0);
    data
}

/// Keep `page`'s buffer for the next page halftoned on this thread.
pub(crate) fn keep(page: BitPage) {
    keep_buffer(page.into_data());
}

/// Keep `data` for the next page halftoned on this thread.
pub(crate) fn keep_buffer(data: Vec<u8>) {
    SPARE.with(|s| *s.borrow_mut() = data);
}

#[cfg(test)]
mod tests {
    use super::*;
    use faxprep_page::Resolution;

    #[test]
    fn a_kept_page_comes_back_cleared_and_sized() {
        let mut page = BitPage::new(64, 10, Resolution::Fine).unwrap();
        page.fill_rect(0, 0, 64, 10);
        let (len, at) = (page.data().len(), page.data().as_ptr());
        keep(page);
        let data = zeroed(len - 8);
        assert_eq!(data.len(), len - 8);
        assert!(data.iter().all(|&b| b == 0));
        assert_eq!(data.as_ptr(), at, "the kept buffer is reused");
        // Taken: the spare is empty until a page is kept again.
        assert_eq!(SPARE.with(|s| s.borrow().capacity()), 0);
        // A spare too small for the request is not used.
        keep(BitPage::new(8, 1, Resolution::Fine).unwrap());
        let big = zeroed(len * 4);
        assert_eq!(big.len(), len * 4);
        assert!(big.iter().all(|&b| b == 0));
    }
}
