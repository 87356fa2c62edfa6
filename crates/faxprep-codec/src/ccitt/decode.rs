//! The decoders: table-driven (one lookup of the next 13 bits per run code,
//! of the next 7 bits per mode code), working on change lists like the
//! encoder, painting each finished row into the page buffer.
//!
//! Hostile input: every position is checked against the width before it is
//! stored, change lists hold at most `width + 3` entries, the page buffer
//! never grows past `width * row limit` bits, and every loop consumes input
//! or stops, so time is linear in the input plus the output.

use faxprep_page::{BitPage, MAX_DIMENSION, MAX_PIXELS};

use super::bits::BitReader;
use super::changes::render;
use super::tables::{MODE_PEEK, MODE_TABLE, Mode, RUN_PEEK, RUN_TABLES};
use super::{Compression, DecodeOptions, Error, PartialPage, Result};

/// Decode one page, strictly: a bad code, an EOL inside a row, a row
/// longer than the width, data that ends before [`DecodeOptions::rows`]
/// rows, or more rows than [`DecodeOptions::max_rows`] is an error.
///
/// Without `rows`, decoding runs to the end-of-page marker (RTC for G3,
/// EOFB for G4) or to the end of `data`, whichever comes first. With
/// `rows`, it stops there, ignoring what follows.
///
/// Accepted, as libtiff accepts them (fax files in the wild need it):
/// - leading fill bits, EOLs with or without alignment, trailing zero
///   padding, RTC/EOFB present or not, RTC in MR without its tag bits;
/// - MH rows without EOLs;
/// - in G3 streams with EOLs, bits between the end of a row and the next
///   EOL (they are skipped: T.4 receivers resynchronise on EOLs);
/// - an RTC or EOFB before `rows` rows: encoders may leave out the white
///   rows at the bottom of a page, and they are added back.
pub fn decode(data: &[u8], opts: &DecodeOptions) -> Result<BitPage> {
    let mut d = Decoder::new(data, opts)?;
    d.run(false)?;
    d.finish(opts)
}

/// Decode one page, salvaging what can be salvaged: fax files in the wild
/// end in junk or lose bits on the line.
///
/// The partial-result policy:
/// - rows decoded before the first error are kept exactly;
/// - the row being decoded when the error hit keeps the changes decoded so
///   far and is white after them (as libtiff does);
/// - G3 then resynchronises at the next EOL and goes on (T.4 EOLs exist for
///   this), G4 stops: without EOLs there is nothing to resynchronise on;
/// - when [`DecodeOptions::rows`] is set the page is padded with white rows
///   to that height, so a TIFF reader gets the page size it declared.
///
/// The first error met is returned in [`PartialPage::error`]. `Err` only
/// comes back for caller errors (bad width, `rows` over the limit) or
/// when not a single row could be decoded and no height was given.
pub fn decode_lenient(data: &[u8], opts: &DecodeOptions) -> Result<PartialPage> {
    let mut d = Decoder::new(data, opts)?;
    let error = d.run(true).err();
    if let Some(rows) = opts.rows {
        while d.rows < rows {
            d.push_white_row();
        }
    }
    match d.finish(opts) {
        Ok(page) => Ok(PartialPage { page, error }),
        Err(e) => Err(error.unwrap_or(e)),
    }
}

/// What the next bits are, at a row boundary.
enum Marker {
    /// An EOL (after any fill bits); consumed.
    Eol,
    /// Nothing but zero bits until the end of input; consumed.
    End,
    /// Anything else; nothing consumed.
    Data,
}

struct Decoder<'a> {
    r: BitReader<'a>,
    width: u32,
    stride: usize,
    compression: Compression,
    /// Rows allowed: the caller's `max_rows`, capped by the page type's.
    limit: u32,
    expected: Option<u32>,
    /// Whether an end-of-page marker (EOFB, RTC) ended the data.
    marker_ended: bool,
    rows: u32,
    out: Vec<u8>,
    /// How far the row being decoded has got (a0), for damaged rows.
    pos: u32,
    cur: Vec<u32>,
    /// Changes of the row above plus three `width` sentinels.
    reference: Vec<u32>,
}

impl<'a> Decoder<'a> {
    fn new(data: &'a [u8], opts: &DecodeOptions) -> Result<Self> {
        let width = opts.width;
        if width == 0 || width > MAX_DIMENSION {
            return Err(Error::InvalidWidth { width });
        }
        let page_cap = (MAX_PIXELS / u64::from(width)).min(u64::from(MAX_DIMENSION));
        let limit = opts
            .max_rows
            .min(u32::try_from(page_cap).unwrap_or(u32::MAX));
        if opts.rows.is_some_and(|rows| rows > limit) {
            return Err(Error::TooManyRows { limit });
        }
        let stride = BitPage::stride_for(width);
        let mut out = Vec::new();
        if let Some(rows) = opts.rows {
            out.reserve_exact(rows as usize * stride);
        }
        let mut reference = Vec::with_capacity(width as usize / 4 + 8);
        reference.extend([width; 3]);
        Ok(Decoder {
            r: BitReader::new(data),
            width,
            stride,
            compression: opts.compression,
            limit,
            expected: opts.rows,
            marker_ended: false,
            rows: 0,
            out,
            pos: 0,
            cur: Vec::with_capacity(width as usize / 4 + 8),
            reference,
        })
    }

    fn finish(self, opts: &DecodeOptions) -> Result<BitPage> {
        if self.rows == 0 {
            return Err(Error::Truncated { rows_decoded: 0 });
        }
        BitPage::from_packed(self.width, self.rows, opts.resolution, self.out).map_err(Error::Page)
    }

    /// Decode rows until the page ends. With `lenient`, G3 row errors are
    /// recorded, the damaged row kept, and decoding resumes at the next EOL;
    /// the first error is returned at the end.
    fn run(&mut self, lenient: bool) -> Result<()> {
        let mut first_error = None;
        let outcome = match self.compression {
            Compression::G4 => self.run_g4(lenient),
            Compression::G3OneD => self.run_g3(false, lenient, &mut first_error),
            Compression::G3TwoD => self.run_g3(true, lenient, &mut first_error),
        };
        let outcome = match (first_error, outcome) {
            (Some(e), _) => Err(e),
            (None, r) => r,
        };
        outcome?;
        match self.expected {
            // Encoders may leave out white rows before the end-of-page marker
            // (libtiff and the fax crate pad them back too).
            Some(rows) if self.marker_ended => {
                while self.rows < rows {
                    self.push_white_row();
                }
                Ok(())
            }
            Some(rows) if self.rows < rows => Err(Error::Truncated {
                rows_decoded: self.rows,
            }),
            _ => Ok(()),
        }
    }

    fn done(&self) -> bool {
        self.expected.is_some_and(|rows| self.rows >= rows)
    }

    fn check_limit(&self) -> Result<()> {
        if self.rows >= self.limit {
            return Err(Error::TooManyRows { limit: self.limit });
        }
        Ok(())
    }

    /// T.6: rows until EOFB (§2.4) or the end of the data.
    fn run_g4(&mut self, lenient: bool) -> Result<()> {
        while !self.done() {
            self.r.refill();
            if self.r.peek(MODE_PEEK) == 0 {
                // No mode code starts with seven zeros: EOFB, padding or junk.
                match self.marker() {
                    Marker::Eol => {
                        self.marker_ended = true;
                        return Ok(());
                    }
                    Marker::End => return Ok(()),
                    Marker::Data => {}
                }
            }
            self.check_limit()?;
            if let Err(e) = self.row_2d() {
                if lenient {
                    self.push_damaged_row();
                }
                return Err(e);
            }
            self.push_row();
        }
        Ok(())
    }

    /// T.4: rows after EOLs until RTC (§4.1.4: six EOLs; any two EOLs in a
    /// row end the page here, since no row is empty) or the end of the data.
    fn run_g3(&mut self, two_d: bool, lenient: bool, first: &mut Option<Error>) -> Result<()> {
        let mut uses_eols = false;
        while !self.done() {
            let mut marker = self.marker();
            if uses_eols && matches!(marker, Marker::Data) {
                // Bits between the end of a row and the next EOL are ignored,
                // as libtiff does (T.4 receivers resynchronise on EOLs); some
                // encoders pad rows with junk codes there.
                marker = if self.skip_to_eol() {
                    self.marker()
                } else {
                    Marker::End
                };
            }
            let eol = match marker {
                Marker::End => return Ok(()),
                Marker::Eol => true,
                Marker::Data => false,
            };
            uses_eols = eol;
            let mut one_d = !two_d;
            if eol {
                self.r.refill();
                if two_d {
                    if self.r.available() == 0 {
                        return Ok(());
                    }
                    if self.r.peek(12) == 1 {
                        // EOL EOL: an RTC written without the tag bits.
                        self.marker_ended = true;
                        return Ok(());
                    }
                    one_d = self.r.peek(1) == 1;
                    self.r.consume(1);
                }
                self.r.refill();
                if self.r.peek(8) == 0 {
                    // No row code starts with eight zeros: RTC or padding.
                    match self.marker() {
                        Marker::Eol => {
                            self.marker_ended = true;
                            return Ok(());
                        }
                        Marker::End => return Ok(()),
                        Marker::Data => {}
                    }
                }
            } else if two_d {
                // MR rows need the EOL and tag bit to say how they are coded.
                let e = self.invalid_code();
                if !lenient || !self.resync(first, e.clone()) {
                    return Err(first.take().unwrap_or(e));
                }
                continue;
            }
            self.check_limit()?;
            let row = if one_d { self.row_1d() } else { self.row_2d() };
            match row {
                Ok(()) => self.push_row(),
                Err(e) if lenient => {
                    self.push_damaged_row();
                    if !self.resync(first, e) {
                        return Ok(());
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Record `e` if it is the first error, then skip to the next EOL.
    /// Returns false when there is none.
    fn resync(&mut self, first: &mut Option<Error>, e: Error) -> bool {
        let stop = matches!(e, Error::TooManyRows { .. });
        first.get_or_insert(e);
        !stop && self.skip_to_eol()
    }

    /// Skip to just before the next EOL (eleven zeros and a one), stepping
    /// past the bit at the current position first. Returns false at the end
    /// of the data. The EOL itself is left for [`Decoder::marker`].
    fn skip_to_eol(&mut self) -> bool {
        loop {
            self.r.refill();
            let avail = self.r.available();
            if avail == 0 {
                return false;
            }
            let lz = self.r.leading_zeros();
            if lz >= 11 {
                return true;
            }
            // Zeros up to the end of the data, or zeros and the one after.
            self.r.consume(if lz == avail { lz } else { lz + 1 });
        }
    }

    /// Classify (and consume, unless data) what starts at the next bit.
    fn marker(&mut self) -> Marker {
        self.r.refill();
        if self.r.at_end() {
            return Marker::End;
        }
        if self.r.peek(11) != 0 {
            return Marker::Data;
        }
        // Eleven or more zeros: fill bits and an EOL, or padding.
        loop {
            self.r.refill();
            let avail = self.r.available();
            if avail == 0 {
                return Marker::End;
            }
            let lz = self.r.leading_zeros();
            self.r.consume(lz);
            if lz < avail {
                self.r.consume(1);
                return Marker::Eol;
            }
        }
    }

    fn invalid_code(&self) -> Error {
        Error::InvalidCode {
            row: self.rows,
            bit_offset: self.r.bit_offset(),
        }
    }

    /// The error for "no code matches the next bits".
    fn no_code(&self) -> Error {
        if self.r.rest_is_zero() {
            Error::Truncated {
                rows_decoded: self.rows,
            }
        } else if self.r.peek(11) == 0 {
            Error::PrematureEol {
                row: self.rows,
                bit_offset: self.r.bit_offset(),
            }
        } else {
            self.invalid_code()
        }
    }

    /// Add a change at `x` (<= width), merging the zero-length runs hostile
    /// or sloppy encoders produce: two changes at one place cancel out. The
    /// list stays strictly increasing, and its length's parity stays the
    /// colour at the last position.
    fn push_change(&mut self, x: u32) {
        if self.cur.last() == Some(&x) {
            self.cur.pop();
        } else {
            self.cur.push(x);
        }
    }

    /// One run of `colour` starting at `a0`: make-up codes then a
    /// terminating code (T.4 §4.1.1). The run may not pass the row end.
    fn run_length(&mut self, colour: usize, a0: u32) -> Result<u32> {
        let table = &RUN_TABLES[colour];
        let mut run = 0u32;
        loop {
            self.r.refill();
            let entry = table[self.r.peek(RUN_PEEK) as usize];
            let len = u32::from(entry >> 12);
            if len == 0 {
                return Err(self.no_code());
            }
            if len > self.r.available() {
                return Err(Error::Truncated {
                    rows_decoded: self.rows,
                });
            }
            self.r.consume(len);
            let part = u32::from(entry & 0xfff);
            run += part;
            if a0 + run > self.width {
                return Err(Error::RowOverrun { row: self.rows });
            }
            if part < 64 {
                return Ok(run);
            }
        }
    }

    /// T.4 §4.1: runs alternating white and black until the row is full.
    fn row_1d(&mut self) -> Result<()> {
        self.cur.clear();
        self.pos = 0;
        let mut a0 = 0u32;
        loop {
            let colour = self.cur.len() & 1;
            a0 += self.run_length(colour, a0)?;
            self.pos = a0;
            if a0 >= self.width {
                return Ok(());
            }
            self.push_change(a0);
        }
    }

    /// T.4 §4.2 / T.6 §2.2: one row coded against `self.reference`. The
    /// names follow T.6 §2.2.2 (see the encoder); b1 is found by index
    /// parity, exactly as the encoder does.
    fn row_2d(&mut self) -> Result<()> {
        self.cur.clear();
        self.pos = 0;
        let width = self.width;
        let mut a0 = 0u32;
        let mut j = 0usize;
        loop {
            self.pos = a0;
            self.r.refill();
            let colour = self.cur.len() & 1;
            let bi = j + ((j ^ colour) & 1);
            let (b1, b2) = (self.reference[bi], self.reference[bi + 1]);
            let (mode, len) = MODE_TABLE[self.r.peek(MODE_PEEK) as usize];
            if u32::from(len) > self.r.available() {
                return Err(Error::Truncated {
                    rows_decoded: self.rows,
                });
            }
            self.r.consume(u32::from(len));
            match mode {
                Mode::None => return Err(self.no_code()),
                Mode::Extension => {
                    return Err(Error::Unsupported {
                        row: self.rows,
                        bit_offset: self.r.bit_offset(),
                    });
                }
                // §2.2.3.1: a0 moves under b2, the colour stays.
                Mode::Pass => a0 = b2,
                Mode::Horizontal => {
                    let a1 = a0 + self.run_length(colour, a0)?;
                    self.push_change(a1);
                    self.pos = a1;
                    let a2 = a1 + self.run_length(colour ^ 1, a1)?;
                    self.push_change(a2);
                    a0 = a2;
                }
                Mode::Vertical(d) => {
                    let a1 = i64::from(b1) + i64::from(d);
                    if a1 > i64::from(width) {
                        return Err(Error::RowOverrun { row: self.rows });
                    }
                    if a1 < i64::from(a0) {
                        return Err(self.invalid_code());
                    }
                    // In range: a0 <= a1 <= width.
                    let a1 = a1 as u32;
                    self.push_change(a1);
                    a0 = a1;
                }
            }
            if a0 >= width {
                return Ok(());
            }
            while self.reference[j] <= a0 {
                j += 1;
            }
        }
    }

    /// Paint the current change list as the next row and make it the
    /// reference.
    fn push_row(&mut self) {
        while self.cur.last().is_some_and(|&x| x >= self.width) {
            self.cur.pop();
        }
        let start = self.out.len();
        self.grow();
        self.out.resize(start + self.stride, 0);
        render(&self.cur, self.width, &mut self.out[start..]);
        self.cur.extend([self.width; 3]);
        std::mem::swap(&mut self.cur, &mut self.reference);
        self.rows += 1;
    }

    /// Push the row an error interrupted: the pixels decoded so far, white
    /// after them (libtiff pads damaged rows the same way).
    fn push_damaged_row(&mut self) {
        let pos = self.pos.min(self.width);
        while self.cur.last().is_some_and(|&x| x >= pos) {
            self.cur.pop();
        }
        if self.cur.len() % 2 == 1 {
            self.cur.push(pos);
        }
        self.push_row();
    }

    fn push_white_row(&mut self) {
        self.cur.clear();
        self.push_row();
    }

    /// Make room for one more row without ever reserving past the limit
    /// (a plain `Vec` doubling could reach twice the page size).
    fn grow(&mut self) {
        if self.out.capacity() - self.out.len() >= self.stride {
            return;
        }
        let max = self.limit.max(self.expected.unwrap_or(0)) as usize * self.stride;
        let want = (self.out.capacity() * 2)
            .max(64 * self.stride)
            .min(max)
            .max(self.out.len() + self.stride);
        self.out.reserve_exact(want - self.out.len());
    }
}
