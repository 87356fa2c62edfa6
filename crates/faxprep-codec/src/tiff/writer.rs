//! Writing TIFF Class F (RFC 2306 §3), one page at a time.

use faxprep_page::{BitPage, Resolution};

use super::FillOrder;
use super::error::{ParameterError, Result};
use super::ifd_write::{IfdBuilder, pad_to_word};
use super::tags::*;
use crate::ccitt::{self, Compression};

/// Page widths TIFF Class F allows: A4/Letter, B4 and A3 at 204 dpi (RFC
/// 2306 §3, ImageWidth).
pub const CLASS_F_WIDTHS: [u32; 3] = [1728, 2048, 2432];

/// How to write a TIFF Class F file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TiffOptions {
    /// T.4 1-D, T.4 2-D or T.6. Default G4: the smallest, and what fax
    /// servers that take TIFF accept.
    pub compression: Compression,
    /// Bit order of the strip bytes. Default [`FillOrder::MsbFirst`] (1);
    /// [`FillOrder::LsbFirst`] (2) is what some fax modems emit.
    pub fill_order: FillOrder,
    /// The Software tag; empty omits it. Default `"faxprep <version>"`.
    pub software: String,
    /// The DateTime tag, `"YYYY:MM:DD HH:MM:SS"`, or `None` to omit it. The
    /// writer never reads the clock, so the same pages always give the same
    /// bytes.
    pub date_time: Option<String>,
    /// The total in every page's PageNumber. `None`: the number of pages
    /// added, patched in at [`TiffWriter::finish`]. `Some(n)`: exactly `n`
    /// pages must be added.
    pub total_pages: Option<u32>,
}

impl Default for TiffOptions {
    fn default() -> Self {
        TiffOptions {
            compression: Compression::G4,
            fill_order: FillOrder::MsbFirst,
            software: concat!("faxprep ", env!("CARGO_PKG_VERSION")).to_string(),
            date_time: None,
            total_pages: None,
        }
    }
}

/// What [`TiffWriter::add_page`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageInfo {
    /// Page index, from 0.
    pub index: u32,
    /// Width in pixels.
    pub width: u32,
    /// Height in rows.
    pub height: u32,
    /// The page's resolution, as written in XResolution/YResolution.
    pub resolution: Resolution,
    /// Bytes of the page's strip (the coded data, without the directory).
    pub strip_bytes: u64,
}

/// A TIFF Class F file built page by page: each page is coded as soon as it
/// arrives and only its bytes are kept, so a 300-page fax never holds 300
/// bitmaps.
///
/// Layout: the 8-byte header, then for each page its strip followed by its
/// directory, all little-endian and word-aligned. Each directory's
/// next-pointer and, when the total is not known in advance, each
/// PageNumber total are patched as pages arrive and at [`finish`].
///
/// [`finish`]: TiffWriter::finish
#[derive(Debug)]
pub struct TiffWriter {
    options: TiffOptions,
    out: Vec<u8>,
    pages: u32,
    /// Where the pointer to the next directory goes: the header's first-IFD
    /// field, then each directory's next-IFD field.
    next_ifd_at: usize,
    /// Offsets of every page's PageNumber total, patched at `finish`.
    totals_at: Vec<usize>,
    /// How much of `out` [`TiffWriter::drain`] has handed out.
    drained: usize,
    /// Bytes below `drained` changed since (offset, length).
    patched: Vec<(usize, usize)>,
}

impl TiffWriter {
    /// Start a file. Checks the options: `date_time` must be
    /// `"YYYY:MM:DD HH:MM:SS"` and `software` free of NUL bytes.
    pub fn new(options: TiffOptions) -> Result<TiffWriter> {
        if let Some(dt) = &options.date_time
            && !is_tiff_date_time(dt)
        {
            return Err(ParameterError::DateTime { value: dt.clone() }.into());
        }
        if options.software.contains('\0') {
            return Err(ParameterError::Software.into());
        }
        // "II", 42, and the first-IFD offset patched by the first page.
        let out = vec![b'I', b'I', 42, 0, 0, 0, 0, 0];
        Ok(TiffWriter {
            options,
            out,
            pages: 0,
            next_ifd_at: 4,
            totals_at: Vec::new(),
            drained: 0,
            patched: Vec::new(),
        })
    }

    /// Code `page` with the chosen compression (K from its resolution for
    /// 2-D: T.4 §4.2.1) and append it. The page is coded straight into the
    /// file buffer.
    pub fn add_page(&mut self, page: &BitPage) -> Result<PageInfo> {
        self.check_page(page.width(), page.height())?;
        // G3: EOLs byte-aligned (T4Options bit 2), no RTC inside a TIFF strip
        // (RFC 2306 §3), rows are counted by ImageLength. G4: ends with EOFB
        // (T.6 §2.4) as libtiff writes it, so our G4 strips are byte for byte
        // libtiff's (T.6 coding is canonical) and readers that stop at EOFB
        // find it.
        let options = ccitt::EncodeOptions::tiff(self.options.compression);
        pad_to_word(&mut self.out);
        let start = self.out.len();
        ccitt::encode_into(page, &options, &mut self.out);
        self.close_page(page.width(), page.height(), page.resolution(), start)
    }

    /// Append a page whose strip is already coded, most significant bit
    /// first, with this writer's compression: for G3, an EOL before each row
    /// with fill bits so each EOL ends on a byte boundary and no RTC; for
    /// G4, best ending with EOFB (what `add_page` writes). The writer
    /// reverses the bits itself for [`FillOrder::LsbFirst`].
    pub fn add_encoded(
        &mut self,
        width: u32,
        height: u32,
        resolution: Resolution,
        strip: &[u8],
    ) -> Result<PageInfo> {
        self.check_page(width, height)?;
        pad_to_word(&mut self.out);
        let start = self.out.len();
        self.out.extend_from_slice(strip);
        self.close_page(width, height, resolution, start)
    }

    /// The checks before a page's bytes are appended.
    fn check_page(&self, width: u32, height: u32) -> Result<()> {
        if !CLASS_F_WIDTHS.contains(&width) {
            return Err(ParameterError::Width { width }.into());
        }
        if height == 0 {
            return Err(ParameterError::EmptyPage.into());
        }
        if let Some(total) = self.options.total_pages
            && self.pages >= total
        {
            return Err(ParameterError::PageCount {
                declared: total,
                added: self.pages + 1,
            }
            .into());
        }
        // PageNumber holds SHORTs.
        if self.pages >= u32::from(u16::MAX) {
            return Err(ParameterError::TooLarge.into());
        }
        Ok(())
    }

    /// The strip is `out[start..]`, most significant bit first: fix its bit
    /// order and append the page's directory.
    fn close_page(
        &mut self,
        width: u32,
        height: u32,
        resolution: Resolution,
        start: usize,
    ) -> Result<PageInfo> {
        // 32-bit offsets cap the file at 4 GiB, with room for the directory
        // (under 512 bytes).
        if self.out.len() as u64 + 1024 > u64::from(u32::MAX) {
            self.out.truncate(start);
            return Err(ParameterError::TooLarge.into());
        }
        let strip_len = self.out.len() - start;
        if self.options.fill_order == FillOrder::LsbFirst {
            self.out[start..]
                .iter_mut()
                .for_each(|b| *b = b.reverse_bits());
        }

        let index = self.pages;
        let mut ifd = IfdBuilder::default();
        ifd.long(NEW_SUBFILE_TYPE, 2);
        ifd.long(IMAGE_WIDTH, width);
        ifd.long(IMAGE_LENGTH, height);
        ifd.short(BITS_PER_SAMPLE, &[1]);
        ifd.short(PHOTOMETRIC, &[0]);
        ifd.short(FILL_ORDER, &[self.options.fill_order.tag_value()]);
        // Both fit: the file is under 4 GiB.
        ifd.long(STRIP_OFFSETS, start as u32);
        ifd.short(SAMPLES_PER_PIXEL, &[1]);
        ifd.long(ROWS_PER_STRIP, height);
        ifd.long(STRIP_BYTE_COUNTS, strip_len as u32);
        ifd.rational(X_RESOLUTION, resolution.x_dpi(), 1);
        ifd.rational(Y_RESOLUTION, resolution.y_dpi(), 1);
        ifd.short(RESOLUTION_UNIT, &[2]);
        match self.options.compression {
            Compression::G4 => {
                ifd.short(COMPRESSION, &[4]);
                ifd.long(T6_OPTIONS, 0);
            }
            c => {
                ifd.short(COMPRESSION, &[3]);
                let two_d = if c == Compression::G3TwoD { T4_2D } else { 0 };
                ifd.long(T4_OPTIONS, two_d | T4_FILL_BITS);
            }
        }
        let total = self.options.total_pages.unwrap_or(0);
        // Both fit: pages < u16::MAX was checked, total is patched or given.
        ifd.short(
            PAGE_NUMBER,
            &[index as u16, total.min(u32::from(u16::MAX)) as u16],
        );
        if !self.options.software.is_empty() {
            ifd.ascii(SOFTWARE, &self.options.software);
        }
        if let Some(dt) = &self.options.date_time {
            ifd.ascii(DATE_TIME, dt);
        }
        ifd.short(CLEAN_FAX_DATA, &[0]);

        let (ifd_offset, written) = ifd.write(&mut self.out);
        self.patch(self.next_ifd_at, &(ifd_offset as u32).to_le_bytes());
        self.next_ifd_at = written.next_ifd_at;
        if let Some(&(_, at)) = written.value_at.iter().find(|(tag, _)| *tag == PAGE_NUMBER) {
            self.totals_at.push(at + 2);
        }
        self.pages += 1;
        Ok(PageInfo {
            index,
            width,
            height,
            resolution,
            strip_bytes: strip_len as u64,
        })
    }

    /// Pages added so far.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// Bytes written so far (the file would be this long if finished now).
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// Whether no byte beyond the header has been written.
    pub fn is_empty(&self) -> bool {
        self.pages == 0
    }

    /// Write `bytes` at `at`, remembering the change if it was drained.
    fn patch(&mut self, at: usize, bytes: &[u8]) {
        self.out[at..at + bytes.len()].copy_from_slice(bytes);
        if at < self.drained {
            self.patched.push((at, bytes.len()));
        }
    }

    /// Hand `sink` what changed since the last call, as (file offset,
    /// bytes): the bytes appended, and the few already handed out that
    /// were patched since (a directory's link to the next one, the
    /// PageNumber totals at [`TiffWriter::complete`]). Whoever writes
    /// each at its offset has the file so far; after `complete` and a last
    /// `drain`, the whole file.
    pub fn drain(&mut self, sink: &mut dyn FnMut(u64, &[u8])) {
        for (at, len) in std::mem::take(&mut self.patched) {
            sink(at as u64, &self.out[at..at + len]);
        }
        if self.drained < self.out.len() {
            sink(self.drained as u64, &self.out[self.drained..]);
            self.drained = self.out.len();
        }
    }

    /// Complete the file: patch PageNumber totals if they were not given,
    /// and check the page count ([`TiffWriter::finish`] without taking
    /// the bytes). The file is whole then: a page added after it would
    /// leave the totals of the pages before it short.
    pub fn complete(&mut self) -> Result<()> {
        if self.pages == 0 {
            return Err(ParameterError::NoPages.into());
        }
        match self.options.total_pages {
            Some(total) if total != self.pages => {
                return Err(ParameterError::PageCount {
                    declared: total,
                    added: self.pages,
                }
                .into());
            }
            Some(_) => {}
            None => {
                // pages < u16::MAX was checked in add_encoded.
                let total = (self.pages as u16).to_le_bytes();
                for at in std::mem::take(&mut self.totals_at) {
                    self.patch(at, &total);
                }
            }
        }
        Ok(())
    }

    /// Complete the file ([`TiffWriter::complete`]) and return it.
    pub fn finish(mut self) -> Result<Vec<u8>> {
        self.complete()?;
        Ok(self.out)
    }
}

/// Write `pages` as one TIFF Class F file. `options.total_pages`, when set,
/// must equal `pages.len()`.
pub fn write_tiff_f(pages: &[BitPage], options: &TiffOptions) -> Result<Vec<u8>> {
    let mut writer = TiffWriter::new(options.clone())?;
    for page in pages {
        writer.add_page(page)?;
    }
    writer.finish()
}

/// `"YYYY:MM:DD HH:MM:SS"` (TIFF 6.0 §8, DateTime): digits and separators
/// in place; the values themselves are the caller's business.
fn is_tiff_date_time(s: &str) -> bool {
    s.len() == 19
        && s.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b':',
            10 => b == b' ',
            13 | 16 => b == b':',
            _ => b.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_time_format() {
        assert!(is_tiff_date_time("2024:02:29 13:05:09"));
        assert!(!is_tiff_date_time("2024-02-29 13:05:09"));
        assert!(!is_tiff_date_time("2024:02:29 13:05"));
        assert!(!is_tiff_date_time("2024:02:29T13:05:09"));
    }

    #[test]
    fn page_count_is_enforced() {
        let opts = TiffOptions {
            total_pages: Some(1),
            ..TiffOptions::default()
        };
        let mut w = TiffWriter::new(opts.clone()).unwrap();
        w.add_encoded(1728, 1, Resolution::Fine, &[0]).unwrap();
        assert!(w.add_encoded(1728, 1, Resolution::Fine, &[0]).is_err());
        let w = TiffWriter::new(TiffOptions {
            total_pages: Some(2),
            ..opts
        })
        .unwrap();
        assert!(w.finish().is_err());
    }

    /// What `drain` hands out, written at its offsets as a file is,
    /// after every page and after `complete`, is the file `finish`
    /// returns; with the totals given and patched at the end alike.
    #[test]
    fn drained_bytes_make_the_finished_file() {
        for total_pages in [None, Some(3)] {
            let opts = TiffOptions {
                total_pages,
                ..TiffOptions::default()
            };
            let mut streamed = TiffWriter::new(opts.clone()).unwrap();
            let mut whole = TiffWriter::new(opts).unwrap();
            let mut file: Vec<u8> = Vec::new();
            let mut writes = 0;
            let mut sink = |at: u64, bytes: &[u8]| {
                let at = at as usize;
                if file.len() < at + bytes.len() {
                    file.resize(at + bytes.len(), 0xAA);
                }
                file[at..at + bytes.len()].copy_from_slice(bytes);
                writes += 1;
            };
            for (rows, strip) in [(3u32, &[1u8, 2, 3][..]), (1, &[4]), (2, &[5, 6, 7, 8, 9])] {
                streamed
                    .add_encoded(1728, rows, Resolution::Fine, strip)
                    .unwrap();
                whole
                    .add_encoded(1728, rows, Resolution::Fine, strip)
                    .unwrap();
                streamed.drain(&mut sink);
            }
            streamed.complete().unwrap();
            streamed.drain(&mut sink);
            streamed.drain(&mut sink);
            let finished = whole.finish().unwrap();
            assert_eq!(file, finished, "total_pages {total_pages:?}");
            // Three appends, two links, and the three totals when patched.
            let patches = if total_pages.is_none() { 3 } else { 0 };
            assert_eq!(writes, 3 + 2 + patches, "total_pages {total_pages:?}");
            assert_eq!(streamed.finish().unwrap(), finished);
        }
    }
}
