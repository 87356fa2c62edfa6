//! The encoders: T.4 1-D (MH), T.4 2-D (MR) and T.6 (MMR).
//!
//! Every row is first turned into its list of changing elements
//! ([`find_changes`]); the list of the row above is kept as the reference for
//! 2-D coding, and a row identical to the one above is recognised by a byte
//! compare and coded as a run of V0 codes without recomputing anything.
//! The output follows libtiff's conventions exactly (see [`super`]), so our
//! G4 strips equal libtiff's byte for byte.

use faxprep_page::BitPage;

use super::bits::BitWriter;
use super::changes::find_changes;
use super::tables::{Code, EOL, HORIZONTAL, MAX_MAKEUP, PASS, RUN_CODES, VERTICAL};
use super::{Compression, EncodeOptions};

/// Encode `page` with `opts`, returning the coded bytes.
///
/// ```
/// use faxprep_codec::ccitt::{encode, EncodeOptions};
/// use faxprep_page::{BitPage, Resolution};
///
/// let page = BitPage::new(1728, 10, Resolution::Fine)?;
/// // A white page is one V0 bit a row; then EOFB (T.6 §2.4) if asked for.
/// assert_eq!(encode(&page, &EncodeOptions::g4()), [0xff, 0xc0]);
/// let raw = EncodeOptions::g4().with_raw_stream(true);
/// assert_eq!(encode(&page, &raw), [0xff, 0xc0, 0x04, 0x00, 0x40]);
/// # Ok::<(), faxprep_page::Error>(())
/// ```
pub fn encode(page: &BitPage, opts: &EncodeOptions) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(page, opts, &mut out);
    out
}

/// Encode `page` with `opts`, appending the coded bytes to `out` (to reuse
/// one buffer across pages).
pub fn encode_into(page: &BitPage, opts: &EncodeOptions, out: &mut Vec<u8>) {
    // Text pages compress 10-20x; reserving a little avoids early regrowth.
    out.reserve(page.data().len() / 16 + 64);
    let mut enc = Encoder::new(page.width(), out, opts.align_eol);
    match opts.compression {
        Compression::G4 => enc.g4(page, opts.raw_stream),
        Compression::G3OneD => enc.g3(page, 1, false, opts.raw_stream),
        Compression::G3TwoD => enc.g3(page, opts.k_for(page.resolution()), true, opts.raw_stream),
    }
    enc.w.finish();
}

struct Encoder<'a> {
    w: BitWriter<'a>,
    width: u32,
    align_eol: bool,
    /// Changing elements of the row being coded, plus three `width`
    /// sentinels (see [`code_2d`]).
    cur: Vec<u32>,
    /// Changing elements of the reference row, same shape.
    reference: Vec<u32>,
}

impl<'a> Encoder<'a> {
    fn new(width: u32, out: &'a mut Vec<u8>, align_eol: bool) -> Self {
        let cap = width as usize / 4 + 8;
        let mut reference = Vec::with_capacity(cap);
        reference.extend([width; 3]);
        Encoder {
            w: BitWriter::new(out),
            width,
            align_eol,
            cur: Vec::with_capacity(cap),
            reference,
        }
    }

    /// Number of changing elements in the reference row.
    fn reference_changes(&self) -> usize {
        self.reference.len() - 3
    }

    /// Make `row` the current row's change list and then the reference.
    fn advance_reference(&mut self, row: &[u8]) {
        find_changes(row, self.width, &mut self.cur);
        self.cur.extend([self.width; 3]);
        std::mem::swap(&mut self.cur, &mut self.reference);
    }

    /// T.6: every row 2-D against the one above, the first against an
    /// imaginary white row (§2.2.1), then EOFB (§2.4) when asked for
    /// (libtiff writes it into TIFF strips too).
    fn g4(&mut self, page: &BitPage, eofb: bool) {
        let white = vec![0u8; page.stride()];
        let mut above: &[u8] = &white;
        for row in page.rows() {
            self.row_2d(row, above);
            above = row;
        }
        if eofb {
            self.put(EOL);
            self.put(EOL);
        }
    }

    /// T.4: an EOL before every row, for 2-D a tag bit after it (1: the row
    /// is 1-D coded), one 1-D row then up to `k - 1` 2-D rows (§4.2.1); RTC
    /// (six EOLs, §4.1.4) only in a raw stream.
    fn g3(&mut self, page: &BitPage, k: u32, two_d: bool, rtc: bool) {
        let mut above: Option<&[u8]> = None;
        for (y, row) in page.rows().enumerate() {
            let one_d = !two_d || (y as u64).is_multiple_of(u64::from(k.max(1)));
            self.eol(two_d.then_some(one_d));
            match above {
                Some(prev) if !one_d => self.row_2d(row, prev),
                _ => {
                    if above != Some(row) {
                        self.advance_reference(row);
                    }
                    let n = self.reference_changes();
                    code_1d(&mut self.w, &self.reference[..n], self.width);
                }
            }
            above = Some(row);
        }
        if rtc {
            for _ in 0..6 {
                self.eol(two_d.then_some(true));
            }
        }
    }

    /// Code `row` 2-D against `above`, whose changes are in `self.reference`.
    fn row_2d(&mut self, row: &[u8], above: &[u8]) {
        if row == above {
            // Every a1 sits on its b1: one V0 per change plus one for the
            // row end (a1 = b1 = width).
            self.w.put_ones(self.reference_changes() as u64 + 1);
            return;
        }
        find_changes(row, self.width, &mut self.cur);
        self.cur.extend([self.width; 3]);
        code_2d(&mut self.w, &self.cur, &self.reference, self.width);
        std::mem::swap(&mut self.cur, &mut self.reference);
    }

    /// An EOL, after fill bits when EOLs must end on a byte boundary
    /// (T.4 §4.1.2, TIFF T4Options bit 2), then the 1-D/2-D tag bit for MR.
    fn eol(&mut self, tag_one_d: Option<bool>) {
        if self.align_eol {
            // The 12-bit EOL ends on a boundary when it starts 4 bits into a
            // byte.
            let fill = (12 - self.w.bit_in_byte()) % 8;
            self.w.put(0, fill);
        }
        self.put(EOL);
        if let Some(one_d) = tag_one_d {
            self.w.put(u32::from(one_d), 1);
        }
    }

    fn put(&mut self, code: Code) {
        self.w.put(u32::from(code.bits), u32::from(code.len));
    }
}

/// Code one run of `colour` (0 white, 1 black): make-up codes of 2560 while
/// more than 2560 + 63 remain, then at most one make-up and a terminating
/// code (T.4 §4.1.1.1, in the order libtiff emits them).
#[inline(always)]
fn put_run(w: &mut BitWriter<'_>, mut run: u32, colour: usize) {
    let codes = &RUN_CODES[colour];
    while run >= MAX_MAKEUP + 64 {
        let m = codes.makeup[(MAX_MAKEUP / 64) as usize];
        w.put(u32::from(m.bits), u32::from(m.len));
        run -= MAX_MAKEUP;
    }
    if run >= 64 {
        let m = codes.makeup[(run / 64) as usize];
        let t = codes.term[(run % 64) as usize];
        w.put(
            (u32::from(m.bits) << t.len) | u32::from(t.bits),
            u32::from(m.len) + u32::from(t.len),
        );
    } else {
        let t = codes.term[run as usize];
        w.put(u32::from(t.bits), u32::from(t.len));
    }
}

/// T.4 §4.1: alternate white and black runs, starting white (a row that
/// starts black begins with a white run of 0), ending at the row end.
fn code_1d(w: &mut BitWriter<'_>, changes: &[u32], width: u32) {
    let mut a0 = 0;
    for (i, &x) in changes.iter().enumerate() {
        put_run(w, x - a0, i & 1);
        a0 = x;
    }
    put_run(w, width - a0, changes.len() & 1);
}

/// T.4 §4.2.1.3 / T.6 §2.2.3: code one row against the reference row.
///
/// `cur` and `reference` are change lists followed by three `width`
/// sentinels: T.6 §2.2.2 puts imaginary changing elements at the row end
/// for a1, a2, b1 and b2 that do not exist, and the parity step below may
/// skip one sentinel. In the terms of T.6 §2.2.2:
///
/// - a0: "the reference or starting changing element on the coding line";
///   imaginary, just before the first element, at the row start.
/// - a1: "the next changing element to the right of a0 on the coding line".
/// - a2: "the next changing element to the right of a1 on the coding line".
/// - b1: "the first changing element on the reference line to the right of
///   a0 and of opposite colour to the colour of a0".
/// - b2: "the next changing element to the right of b1 on the reference
///   line".
///
/// Index parity gives colours: `cur[k]` and `reference[i]` are changes to
/// black when the index is even, so with `k` the index of a1 (whose parity
/// is a0's colour), b1 is the first reference change right of a0 whose index
/// has the parity of `k`.
fn code_2d(w: &mut BitWriter<'_>, cur: &[u32], reference: &[u32], width: u32) {
    let mut a0 = 0u32;
    let mut k = 0usize;
    // First reference index right of a0 (right of the imaginary a0 at the
    // start, so index 0). It only moves forward, as a0 does.
    let mut j = 0usize;
    loop {
        let a1 = cur[k];
        let bi = j + ((j ^ k) & 1);
        let (b1, b2) = (reference[bi], reference[bi + 1]);
        if b2 < a1 {
            // Pass mode (§2.2.3.1): b2 lies left of a1; a0 moves under b2.
            w.put(u32::from(PASS.bits), u32::from(PASS.len));
            a0 = b2;
        } else if a1 + 3 >= b1 && a1 <= b1 + 3 {
            // Vertical mode (§2.2.3.2): |a1 b1| <= 3.
            let v = VERTICAL[(a1 + 3 - b1) as usize];
            w.put(u32::from(v.bits), u32::from(v.len));
            a0 = a1;
            k += 1;
        } else {
            // Horizontal mode (§2.2.3.2): the runs a0a1 and a1a2.
            let a2 = cur[k + 1];
            w.put(u32::from(HORIZONTAL.bits), u32::from(HORIZONTAL.len));
            put_run(w, a1 - a0, k & 1);
            put_run(w, a2 - a1, !k & 1);
            a0 = a2;
            k += 2;
        }
        if a0 >= width {
            break;
        }
        while reference[j] <= a0 {
            j += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faxprep_page::Resolution;

    fn bits_of(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:08b}")).collect()
    }

    #[test]
    fn white_row_mh_is_makeup_1728_plus_white_0() {
        let page = BitPage::new(1728, 1, Resolution::Fine).unwrap();
        let out = encode(&page, &EncodeOptions::g3_1d());
        // EOL, 010011011 (1728), 00110101 (0), padding.
        assert!(bits_of(&out).starts_with("000000000001" /* EOL */));
        assert_eq!(&bits_of(&out)[..29], "00000000000101001101100110101");
    }

    #[test]
    fn aligned_eols_end_on_byte_boundaries() {
        let mut page = BitPage::new(100, 5, Resolution::Standard).unwrap();
        page.fill_rect(3, 1, 50, 3);
        for opts in [EncodeOptions::g3_1d(), EncodeOptions::g3_2d(2)] {
            let out = encode(&page, &opts.with_align_eol(true).with_raw_stream(true));
            let bits = bits_of(&out);
            let mut eols = 0;
            let mut from = 0;
            while let Some(i) = bits[from..].find("000000000001") {
                let end = from + i + 12;
                assert_eq!(end % 8, 0, "EOL ending at bit {end} in {bits}");
                eols += 1;
                from = end;
            }
            assert_eq!(eols, 5 + 6);
        }
    }

    #[test]
    fn long_runs_use_extended_makeups() {
        let page = BitPage::new(6000, 1, Resolution::Fine).unwrap();
        let out = encode(&page, &EncodeOptions::g3_1d());
        // EOL, 2560, 2560, 832 (011010010), 48 (00001011).
        let bits = bits_of(&out);
        let mut expected = String::from("000000000001");
        expected += "000000011111000000011111";
        expected += "01101001000001011";
        assert!(bits.starts_with(&expected), "{bits}");
    }
}
