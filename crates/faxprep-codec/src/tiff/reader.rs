//! Reading TIFF Class F (and most other bilevel fax TIFFs): page metadata
//! and where each page's strips are.

use std::ops::Range;

use faxprep_page::{MAX_DIMENSION, MAX_PIXELS, Resolution};

use super::error::{Error, FormatError, Limit, Result, Unsupported};
use super::ifd::{self, Bytes, Ifd};
use super::tags::*;
use super::{FillOrder, Photometric};

/// Caps on what a TIFF may make the reader do. Every cap is checked before
/// anything of that size is allocated or decoded; exceeding one is an
/// [`Error::Limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Most pages (image directories) a file may have. Default 1000.
    pub max_pages: u32,
    /// Widest page, in pixels. Default 8192 (A3 fax is 2432).
    pub max_width: u32,
    /// Longest page, in rows. Default 32768 (Legal at superfine is 5474).
    pub max_height: u32,
    /// Most compressed bytes one page's strips may hold. Default 32 MiB
    /// (a dense superfine page is under 2 MiB).
    pub max_bytes_per_page: u64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_pages: 1000,
            max_width: 8192,
            max_height: 32768,
            max_bytes_per_page: 32 << 20,
        }
    }
}

impl ReadLimits {
    /// No caps beyond the page types' own (`faxprep_page::MAX_DIMENSION`):
    /// only for trusted files.
    pub fn unlimited() -> Self {
        ReadLimits {
            max_pages: u32::MAX,
            max_width: u32::MAX,
            max_height: u32::MAX,
            max_bytes_per_page: u64::MAX,
        }
    }
}

/// How a page's strips are coded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TiffCompression {
    /// Compression 1: packed rows.
    None,
    /// Compression 3, T.4 (T4Options bit 0: 2-D; bit 2: EOLs byte-aligned).
    G3 {
        /// T.4 2-D (Modified READ) rows may appear.
        two_d: bool,
        /// Fill bits align each EOL to end on a byte boundary.
        fill_bits: bool,
    },
    /// Compression 4, T.6.
    G4,
}

/// What the reader learnt about one page. The strip data are not copied:
/// [`TiffPageInfo::strips`] are byte ranges of the file.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TiffPageInfo {
    /// Page index in directory order, from 0.
    pub index: u32,
    /// Offset of the page's directory in the file.
    pub ifd_offset: u64,
    /// Pixels per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// How the strips are coded.
    pub compression: TiffCompression,
    /// Bit order of the strip bytes.
    pub fill_order: FillOrder,
    /// Whether a 0 bit is white (fax) or black.
    pub photometric: Photometric,
    /// Horizontal pixels per inch, if the file states it (centimetre units
    /// converted).
    pub x_dpi: Option<f64>,
    /// Vertical lines per inch, if the file states it.
    pub y_dpi: Option<f64>,
    /// The fax resolution nearest `y_dpi` (fine when the file does not say).
    pub resolution: Resolution,
    /// Rows in each strip but maybe the last.
    pub rows_per_strip: u32,
    /// Byte ranges of the strips in the file, in order, each checked to lie
    /// inside the file.
    pub strips: Vec<Range<usize>>,
    /// PageNumber (index, total), if present.
    pub page_number: Option<(u16, u16)>,
    /// NewSubfileType, if present (2 for a page of a multi-page document).
    pub subfile_type: Option<u32>,
    /// Orientation (1 when absent). Pages are decoded in stored order; the
    /// caller decides whether to rotate.
    pub orientation: u16,
    /// Software, if present (at most 256 bytes kept).
    pub software: Option<String>,
    /// DateTime, if present.
    pub date_time: Option<String>,
    /// CleanFaxData, if present (0 clean, 1 regenerated, 2 unclean).
    pub clean_fax_data: Option<u16>,
}

impl TiffPageInfo {
    /// The bytes of each strip, borrowed from the file the page was read
    /// from (a range outside `file`, if it is another file, gives an empty
    /// slice).
    pub fn strip_data<'a>(&'a self, file: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.strips
            .iter()
            .map(move |r| file.get(r.clone()).unwrap_or_default())
    }

    /// Total compressed bytes of the page.
    pub fn compressed_len(&self) -> u64 {
        self.strips.iter().map(|r| (r.end - r.start) as u64).sum()
    }
}

/// Read every page's metadata and strip locations, checking `limits`.
///
/// Accepts both byte orders, FillOrder 1 and 2, any number of strips per
/// page, Compression 1, 3 and 4 and PhotometricInterpretation 0 and 1;
/// anything else bilevel fax readers meet (tiles, more bits per sample,
/// other compressions, T.4/T.6 uncompressed mode) is
/// [`Error::Unsupported`].
pub fn read_tiff(data: &[u8], limits: &ReadLimits) -> Result<Vec<TiffPageInfo>> {
    let (bytes, ifds) = ifd::directories(data, limits.max_pages)?;
    ifds.iter()
        .enumerate()
        .map(|(i, ifd)| page_info(bytes, ifd, i as u32, limits))
        .collect()
}

/// One image directory of a TIFF, as [`read_tiff_pages`] sorts them.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TiffPage {
    /// A bilevel page this codec decodes.
    Bilevel(TiffPageInfo),
    /// A page this codec does not decode (colour or gray samples, another
    /// compression, tiles): where it is and how big, for another decoder.
    Other(OtherPage),
}

impl TiffPage {
    /// Page index in directory order, from 0.
    pub fn index(&self) -> u32 {
        match self {
            TiffPage::Bilevel(p) => p.index,
            TiffPage::Other(p) => p.index,
        }
    }
}

/// A page [`read_tiff_pages`] leaves to another decoder. Its sides are
/// checked against the [`ReadLimits`] as a bilevel page's are; nothing
/// else of it is.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OtherPage {
    /// Page index in directory order, from 0.
    pub index: u32,
    /// Offset of the page's directory in the file.
    pub ifd_offset: u64,
    /// Pixels per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// SamplesPerPixel (1 when absent).
    pub samples_per_pixel: u16,
    /// The largest BitsPerSample value (1 when absent).
    pub bits_per_sample: u16,
    /// Compression (1 when absent).
    pub compression: u16,
    /// PhotometricInterpretation, if present.
    pub photometric: Option<u16>,
    /// PlanarConfiguration (1 when absent; 2 is one plane per sample).
    pub planar: u16,
    /// Horizontal pixels per inch, if the file states it.
    pub x_dpi: Option<f64>,
    /// Vertical lines per inch, if the file states it.
    pub y_dpi: Option<f64>,
    /// Orientation (1 when absent).
    pub orientation: u16,
    /// What this codec does not read on the page.
    pub reason: Unsupported,
}

/// Read every directory: bilevel pages as [`read_tiff`] does, and the
/// pages it would refuse as unsupported (colour, gray, LZW, JPEG, tiles)
/// as [`TiffPage::Other`], so a file that mixes both can be read page by
/// page. Malformed directories and exceeded limits are errors as in
/// [`read_tiff`].
pub fn read_tiff_pages(data: &[u8], limits: &ReadLimits) -> Result<Vec<TiffPage>> {
    let (bytes, ifds) = ifd::directories(data, limits.max_pages)?;
    ifds.iter()
        .enumerate()
        .map(|(i, ifd)| {
            let page = i as u32;
            match page_info(bytes, ifd, page, limits) {
                Ok(info) => Ok(TiffPage::Bilevel(info)),
                Err(Error::Unsupported(reason @ Unsupported::Field { .. })) => {
                    other_page(bytes, ifd, page, reason).map(TiffPage::Other)
                }
                Err(e) => Err(e),
            }
        })
        .collect()
}

/// The facts of a page `page_info` refused as unsupported: it checked the
/// sides before it looked at anything it refuses.
fn other_page(bytes: Bytes<'_>, ifd: &Ifd, page: u32, reason: Unsupported) -> Result<OtherPage> {
    let int = |tag| ifd.int(bytes, page, tag);
    let width = int(IMAGE_WIDTH)?.unwrap_or(0) as u32;
    let height = int(IMAGE_LENGTH)?.unwrap_or(0) as u32;
    let (bps, _) = ifd.ints(bytes, page, BITS_PER_SAMPLE, 16)?;
    let small = |v: u64| u16::try_from(v).unwrap_or(u16::MAX);
    let (x_dpi, y_dpi) = densities(bytes, ifd, page);
    Ok(OtherPage {
        index: page,
        ifd_offset: ifd.offset,
        width,
        height,
        samples_per_pixel: small(int(SAMPLES_PER_PIXEL)?.unwrap_or(1)),
        bits_per_sample: small(bps.iter().copied().max().unwrap_or(1)),
        compression: small(int(COMPRESSION)?.unwrap_or(1)),
        photometric: int(PHOTOMETRIC)?.map(small),
        planar: small(int(PLANAR_CONFIGURATION)?.unwrap_or(1)),
        x_dpi,
        y_dpi,
        orientation: int(ORIENTATION).ok().flatten().map_or(1, small),
        reason,
    })
}

/// XResolution and YResolution in dots per inch; a malformed value reads
/// as absent.
fn densities(bytes: Bytes<'_>, ifd: &Ifd, page: u32) -> (Option<f64>, Option<f64>) {
    let unit = ifd
        .int(bytes, page, RESOLUTION_UNIT)
        .ok()
        .flatten()
        .unwrap_or(2);
    (
        dpi(ifd.rational(bytes, page, X_RESOLUTION).ok().flatten(), unit),
        dpi(ifd.rational(bytes, page, Y_RESOLUTION).ok().flatten(), unit),
    )
}

fn unsupported(page: u32, tag: u16, value: u64) -> Error {
    Unsupported::Field { page, tag, value }.into()
}

fn check_limit(limit: Limit, value: u64, max: u64) -> Result<()> {
    if value > max {
        Err(Error::Limits { limit, value, max })
    } else {
        Ok(())
    }
}

/// dpi from a RATIONAL and ResolutionUnit (2 inch, 3 cm; 1 "no unit" is
/// read as inch, which is what fax writers that omit it mean).
fn dpi(value: Option<(u32, u32)>, unit: u64) -> Option<f64> {
    let (num, den) = value?;
    if den == 0 || num == 0 {
        return None;
    }
    let per_unit = f64::from(num) / f64::from(den);
    Some(if unit == 3 { per_unit * 2.54 } else { per_unit })
}

/// Build one page's info from its directory.
pub(crate) fn page_info(
    bytes: Bytes<'_>,
    ifd: &Ifd,
    page: u32,
    limits: &ReadLimits,
) -> Result<TiffPageInfo> {
    let required = |tag| -> Result<u64> {
        ifd.int(bytes, page, tag)?
            .ok_or_else(|| FormatError::MissingTag { page, tag }.into())
    };
    let width = required(IMAGE_WIDTH)?;
    let height = required(IMAGE_LENGTH)?;
    for (tag, v) in [(IMAGE_WIDTH, width), (IMAGE_LENGTH, height)] {
        if v == 0 {
            return Err(FormatError::BadValue {
                page,
                tag,
                value: v,
            }
            .into());
        }
    }
    // The page types' own caps bound even `ReadLimits::unlimited()`.
    check_limit(
        Limit::Width,
        width,
        u64::from(limits.max_width.min(MAX_DIMENSION)),
    )?;
    check_limit(
        Limit::Height,
        height,
        u64::from(limits.max_height.min(MAX_DIMENSION)),
    )?;
    check_limit(Limit::Pixels, width * height, MAX_PIXELS)?;
    // Both came from at most 32-bit fields.
    let (width, height) = (width as u32, height as u32);

    if ifd.entries.contains_key(&TILE_WIDTH) {
        return Err(unsupported(
            page,
            TILE_WIDTH,
            ifd.int(bytes, page, TILE_WIDTH)?.unwrap_or(0),
        ));
    }
    let spp = ifd.int(bytes, page, SAMPLES_PER_PIXEL)?.unwrap_or(1);
    if spp != 1 {
        return Err(unsupported(page, SAMPLES_PER_PIXEL, spp));
    }
    let (bps, _) = ifd.ints(bytes, page, BITS_PER_SAMPLE, 1)?;
    if let Some(&b) = bps.first().filter(|&&b| b != 1) {
        return Err(unsupported(page, BITS_PER_SAMPLE, b));
    }
    let compression = match ifd.int(bytes, page, COMPRESSION)?.unwrap_or(1) {
        1 => TiffCompression::None,
        3 => {
            let opts = ifd.int(bytes, page, T4_OPTIONS)?.unwrap_or(0);
            if opts & u64::from(T4_UNCOMPRESSED) != 0 {
                return Err(unsupported(page, T4_OPTIONS, opts));
            }
            TiffCompression::G3 {
                two_d: opts & u64::from(T4_2D) != 0,
                fill_bits: opts & u64::from(T4_FILL_BITS) != 0,
            }
        }
        4 => {
            let opts = ifd.int(bytes, page, T6_OPTIONS)?.unwrap_or(0);
            if opts & u64::from(T6_UNCOMPRESSED) != 0 {
                return Err(unsupported(page, T6_OPTIONS, opts));
            }
            TiffCompression::G4
        }
        other => return Err(unsupported(page, COMPRESSION, other)),
    };
    let photometric = match ifd.int(bytes, page, PHOTOMETRIC)? {
        // Absent: fax files are WhiteIsZero, and so is libtiff's default
        // for CCITT data.
        None | Some(0) => Photometric::WhiteIsZero,
        Some(1) => Photometric::BlackIsZero,
        Some(other) => return Err(unsupported(page, PHOTOMETRIC, other)),
    };
    let fill_order = match ifd.int(bytes, page, FILL_ORDER)?.unwrap_or(1) {
        1 => FillOrder::MsbFirst,
        2 => FillOrder::LsbFirst,
        other => {
            return Err(FormatError::BadValue {
                page,
                tag: FILL_ORDER,
                value: other,
            }
            .into());
        }
    };
    if let Some(pc) = ifd
        .int(bytes, page, PLANAR_CONFIGURATION)?
        .filter(|&p| p != 1 && p != 2)
    {
        return Err(FormatError::BadValue {
            page,
            tag: PLANAR_CONFIGURATION,
            value: pc,
        }
        .into());
    }

    let rows_per_strip = match ifd.int(bytes, page, ROWS_PER_STRIP)? {
        Some(0) => {
            return Err(FormatError::BadValue {
                page,
                tag: ROWS_PER_STRIP,
                value: 0,
            }
            .into());
        }
        // 2^32 - 1 means "the whole image" (TIFF 6.0 §8).
        Some(r) => r.min(u64::from(height)) as u32,
        None => height,
    };
    let needed = u64::from(height).div_ceil(u64::from(rows_per_strip));
    let (offsets, n_offsets) = ifd.ints(bytes, page, STRIP_OFFSETS, needed)?;
    let (counts, n_counts) = ifd.ints(bytes, page, STRIP_BYTE_COUNTS, needed)?;
    if n_offsets == 0 {
        return Err(FormatError::MissingTag {
            page,
            tag: STRIP_OFFSETS,
        }
        .into());
    }
    if n_counts == 0 {
        return Err(FormatError::MissingTag {
            page,
            tag: STRIP_BYTE_COUNTS,
        }
        .into());
    }
    if n_offsets < needed || n_counts < needed {
        return Err(FormatError::StripCount {
            page,
            needed,
            offsets: n_offsets,
            byte_counts: n_counts,
        }
        .into());
    }
    let total: u64 = counts.iter().sum();
    check_limit(Limit::BytesPerPage, total, limits.max_bytes_per_page)?;
    let file_len = bytes.data.len() as u64;
    let mut strips = Vec::with_capacity(offsets.len());
    for (i, (&offset, &len)) in offsets.iter().zip(&counts).enumerate() {
        if bytes.slice(offset, len).is_err() {
            return Err(FormatError::StripOutOfBounds {
                page,
                strip: i as u32,
                offset,
                len,
                file_len,
            }
            .into());
        }
        // In bounds, so both fit in usize.
        strips.push(offset as usize..(offset + len) as usize);
    }

    let (x_dpi, y_dpi) = densities(bytes, ifd, page);
    let resolution = y_dpi.map_or(Resolution::Fine, Resolution::from_y_dpi);
    // Metadata nobody decodes with: a malformed value reads as absent
    // rather than losing the page.
    let optional = |tag| ifd.int(bytes, page, tag).ok().flatten();
    let page_number = match ifd
        .ints(bytes, page, PAGE_NUMBER, 2)
        .map(|(v, _)| v)
        .as_deref()
    {
        Ok([a, b]) => Some((*a as u16, *b as u16)),
        _ => None,
    };
    Ok(TiffPageInfo {
        index: page,
        ifd_offset: ifd.offset,
        width,
        height,
        compression,
        fill_order,
        photometric,
        x_dpi,
        y_dpi,
        resolution,
        rows_per_strip,
        strips,
        page_number,
        subfile_type: optional(NEW_SUBFILE_TYPE).map(|v| v as u32),
        orientation: optional(ORIENTATION).map_or(1, |v| v as u16),
        software: ifd.ascii(bytes, SOFTWARE, 256),
        date_time: ifd.ascii(bytes, DATE_TIME, 64),
        clean_fax_data: optional(CLEAN_FAX_DATA).map(|v| v as u16),
    })
}
