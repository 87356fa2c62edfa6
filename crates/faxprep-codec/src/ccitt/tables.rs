//! Code tables of T.4 §4.1.2 (Tables 2/T.4 and 3/T.4: run lengths) and
//! §4.2.1.3 (Table 4/T.4: 2-D mode codes), in the two shapes the coder needs:
//! code words indexed by run length for the encoder, and lookup tables
//! indexed by the next 13 (runs) or 7 (modes) bits for the decoder.
//!
//! Everything here is `const`, built at compile time from the spec tables,
//! so there is no start-up cost and no lazily initialised global state.

/// One code word: its bits (right-aligned) and its length in bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Code {
    pub bits: u16,
    pub len: u8,
}

const fn c(bits: u16, len: u8) -> Code {
    Code { bits, len }
}

/// White terminating codes, run lengths 0..=63 (Table 2/T.4).
const WHITE_TERM: [Code; 64] = [
    c(0b00110101, 8),
    c(0b000111, 6),
    c(0b0111, 4),
    c(0b1000, 4),
    c(0b1011, 4),
    c(0b1100, 4),
    c(0b1110, 4),
    c(0b1111, 4),
    c(0b10011, 5),
    c(0b10100, 5),
    c(0b00111, 5),
    c(0b01000, 5),
    c(0b001000, 6),
    c(0b000011, 6),
    c(0b110100, 6),
    c(0b110101, 6),
    c(0b101010, 6),
    c(0b101011, 6),
    c(0b0100111, 7),
    c(0b0001100, 7),
    c(0b0001000, 7),
    c(0b0010111, 7),
    c(0b0000011, 7),
    c(0b0000100, 7),
    c(0b0101000, 7),
    c(0b0101011, 7),
    c(0b0010011, 7),
    c(0b0100100, 7),
    c(0b0011000, 7),
    c(0b00000010, 8),
    c(0b00000011, 8),
    c(0b00011010, 8),
    c(0b00011011, 8),
    c(0b00010010, 8),
    c(0b00010011, 8),
    c(0b00010100, 8),
    c(0b00010101, 8),
    c(0b00010110, 8),
    c(0b00010111, 8),
    c(0b00101000, 8),
    c(0b00101001, 8),
    c(0b00101010, 8),
    c(0b00101011, 8),
    c(0b00101100, 8),
    c(0b00101101, 8),
    c(0b00000100, 8),
    c(0b00000101, 8),
    c(0b00001010, 8),
    c(0b00001011, 8),
    c(0b01010010, 8),
    c(0b01010011, 8),
    c(0b01010100, 8),
    c(0b01010101, 8),
    c(0b00100100, 8),
    c(0b00100101, 8),
    c(0b01011000, 8),
    c(0b01011001, 8),
    c(0b01011010, 8),
    c(0b01011011, 8),
    c(0b01001010, 8),
    c(0b01001011, 8),
    c(0b00110010, 8),
    c(0b00110011, 8),
    c(0b00110100, 8),
];

/// White make-up codes, run lengths 64, 128, ..., 1728 (Table 3a/T.4).
const WHITE_MAKEUP: [Code; 27] = [
    c(0b11011, 5),
    c(0b10010, 5),
    c(0b010111, 6),
    c(0b0110111, 7),
    c(0b00110110, 8),
    c(0b00110111, 8),
    c(0b01100100, 8),
    c(0b01100101, 8),
    c(0b01101000, 8),
    c(0b01100111, 8),
    c(0b011001100, 9),
    c(0b011001101, 9),
    c(0b011010010, 9),
    c(0b011010011, 9),
    c(0b011010100, 9),
    c(0b011010101, 9),
    c(0b011010110, 9),
    c(0b011010111, 9),
    c(0b011011000, 9),
    c(0b011011001, 9),
    c(0b011011010, 9),
    c(0b011011011, 9),
    c(0b010011000, 9),
    c(0b010011001, 9),
    c(0b010011010, 9),
    c(0b011000, 6),
    c(0b010011011, 9),
];

/// Black terminating codes, run lengths 0..=63 (Table 2/T.4).
const BLACK_TERM: [Code; 64] = [
    c(0b0000110111, 10),
    c(0b010, 3),
    c(0b11, 2),
    c(0b10, 2),
    c(0b011, 3),
    c(0b0011, 4),
    c(0b0010, 4),
    c(0b00011, 5),
    c(0b000101, 6),
    c(0b000100, 6),
    c(0b0000100, 7),
    c(0b0000101, 7),
    c(0b0000111, 7),
    c(0b00000100, 8),
    c(0b00000111, 8),
    c(0b000011000, 9),
    c(0b0000010111, 10),
    c(0b0000011000, 10),
    c(0b0000001000, 10),
    c(0b00001100111, 11),
    c(0b00001101000, 11),
    c(0b00001101100, 11),
    c(0b00000110111, 11),
    c(0b00000101000, 11),
    c(0b00000010111, 11),
    c(0b00000011000, 11),
    c(0b000011001010, 12),
    c(0b000011001011, 12),
    c(0b000011001100, 12),
    c(0b000011001101, 12),
    c(0b000001101000, 12),
    c(0b000001101001, 12),
    c(0b000001101010, 12),
    c(0b000001101011, 12),
    c(0b000011010010, 12),
    c(0b000011010011, 12),
    c(0b000011010100, 12),
    c(0b000011010101, 12),
    c(0b000011010110, 12),
    c(0b000011010111, 12),
    c(0b000001101100, 12),
    c(0b000001101101, 12),
    c(0b000011011010, 12),
    c(0b000011011011, 12),
    c(0b000001010100, 12),
    c(0b000001010101, 12),
    c(0b000001010110, 12),
    c(0b000001010111, 12),
    c(0b000001100100, 12),
    c(0b000001100101, 12),
    c(0b000001010010, 12),
    c(0b000001010011, 12),
    c(0b000000100100, 12),
    c(0b000000110111, 12),
    c(0b000000111000, 12),
    c(0b000000100111, 12),
    c(0b000000101000, 12),
    c(0b000001011000, 12),
    c(0b000001011001, 12),
    c(0b000000101011, 12),
    c(0b000000101100, 12),
    c(0b000001011010, 12),
    c(0b000001100110, 12),
    c(0b000001100111, 12),
];

/// Black make-up codes, run lengths 64, 128, ..., 1728 (Table 3a/T.4).
const BLACK_MAKEUP: [Code; 27] = [
    c(0b0000001111, 10),
    c(0b000011001000, 12),
    c(0b000011001001, 12),
    c(0b000001011011, 12),
    c(0b000000110011, 12),
    c(0b000000110100, 12),
    c(0b000000110101, 12),
    c(0b0000001101100, 13),
    c(0b0000001101101, 13),
    c(0b0000001001010, 13),
    c(0b0000001001011, 13),
    c(0b0000001001100, 13),
    c(0b0000001001101, 13),
    c(0b0000001110010, 13),
    c(0b0000001110011, 13),
    c(0b0000001110100, 13),
    c(0b0000001110101, 13),
    c(0b0000001110110, 13),
    c(0b0000001110111, 13),
    c(0b0000001010010, 13),
    c(0b0000001010011, 13),
    c(0b0000001010100, 13),
    c(0b0000001010101, 13),
    c(0b0000001011010, 13),
    c(0b0000001011011, 13),
    c(0b0000001100100, 13),
    c(0b0000001100101, 13),
];

/// Extended make-up codes shared by both colours, run lengths 1792, 1856,
/// ..., 2560 (Table 3b/T.4), for the wider B4 and A3 pages.
const EXT_MAKEUP: [Code; 13] = [
    c(0b00000001000, 11),
    c(0b00000001100, 11),
    c(0b00000001101, 11),
    c(0b000000010010, 12),
    c(0b000000010011, 12),
    c(0b000000010100, 12),
    c(0b000000010101, 12),
    c(0b000000010110, 12),
    c(0b000000010111, 12),
    c(0b000000011100, 12),
    c(0b000000011101, 12),
    c(0b000000011110, 12),
    c(0b000000011111, 12),
];

/// The largest run a single make-up code covers.
pub(crate) const MAX_MAKEUP: u32 = 2560;

/// Encoder view of one colour: terminating codes by run (0..=63) and
/// make-up codes by `run / 64` (index 0 unused, 1..=40 for 64..=2560).
pub(crate) struct RunCodes {
    pub term: [Code; 64],
    pub makeup: [Code; 41],
}

const fn run_codes(term: [Code; 64], makeup: [Code; 27]) -> RunCodes {
    let mut all = [c(0, 0); 41];
    let mut i = 0;
    while i < 27 {
        all[i + 1] = makeup[i];
        i += 1;
    }
    let mut i = 0;
    while i < 13 {
        all[i + 28] = EXT_MAKEUP[i];
        i += 1;
    }
    RunCodes { term, makeup: all }
}

/// Run-length code words for white (index 0) and black (index 1) runs.
pub(crate) static RUN_CODES: [RunCodes; 2] = [
    run_codes(WHITE_TERM, WHITE_MAKEUP),
    run_codes(BLACK_TERM, BLACK_MAKEUP),
];

/// The end-of-line code word, 0000 0000 0001 (T.4 §4.1.2).
pub(crate) const EOL: Code = c(1, 12);

/// Mode code words (Table 4/T.4, T.6 Table 1).
pub(crate) const PASS: Code = c(0b0001, 4);
/// Horizontal mode prefix; two run-length codes follow.
pub(crate) const HORIZONTAL: Code = c(0b001, 3);
/// Vertical mode codes indexed by `a1 - b1 + 3` (VL3 .. V0 .. VR3).
pub(crate) const VERTICAL: [Code; 7] = [
    c(0b0000010, 7),
    c(0b000010, 6),
    c(0b010, 3),
    c(0b1, 1),
    c(0b011, 3),
    c(0b000011, 6),
    c(0b0000011, 7),
];

/// Bits the decoder looks at to find a run-length code: the longest code
/// (a black make-up) has 13.
pub(crate) const RUN_PEEK: u32 = 13;

/// A decoder table entry: `len << 12 | run`; 0 means "no code starts with
/// these bits" (an EOL, fill bits or garbage; the decoder tells them apart).
pub(crate) type RunEntry = u16;

const fn run_table(term: [Code; 64], makeup: [Code; 27]) -> [RunEntry; 1 << RUN_PEEK] {
    let mut table = [0u16; 1 << RUN_PEEK];
    let mut i = 0;
    while i < 64 + 27 + 13 {
        let (code, run) = if i < 64 {
            (term[i], i as u16)
        } else if i < 64 + 27 {
            (makeup[i - 64], ((i - 63) * 64) as u16)
        } else {
            (EXT_MAKEUP[i - 91], ((i - 91 + 28) * 64) as u16)
        };
        let free = RUN_PEEK - code.len as u32;
        let first = (code.bits as usize) << free;
        let mut j = 0;
        while j < (1 << free) {
            table[first + j] = ((code.len as u16) << 12) | run;
            j += 1;
        }
        i += 1;
    }
    table
}

/// Decoder tables for white (0) and black (1) runs, indexed by the next
/// [`RUN_PEEK`] bits of input.
pub(crate) static RUN_TABLES: [[RunEntry; 1 << RUN_PEEK]; 2] = [
    run_table(WHITE_TERM, WHITE_MAKEUP),
    run_table(BLACK_TERM, BLACK_MAKEUP),
];

/// 2-D coding modes as the decoder reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// No mode code starts with these bits (seven zeros: an EOL or garbage).
    None,
    Pass,
    Horizontal,
    /// Vertical mode with `a1 - b1` in -3..=3.
    Vertical(i8),
    /// 0000001xxx: the extension codes of T.4 §4.2.1.3.4 (uncompressed mode).
    Extension,
}

/// Bits the decoder looks at to find a mode code: the longest (VL3, VR3 and
/// the extension prefix) has 7.
pub(crate) const MODE_PEEK: u32 = 7;

const fn mode_table() -> [(Mode, u8); 1 << MODE_PEEK] {
    let mut table = [(Mode::None, 0u8); 1 << MODE_PEEK];
    let mut entries = [(PASS, Mode::Pass); 9];
    entries[1] = (HORIZONTAL, Mode::Horizontal);
    let mut d = 0;
    while d < 7 {
        entries[2 + d] = (VERTICAL[d], Mode::Vertical(d as i8 - 3));
        d += 1;
    }
    let mut i = 0;
    while i < 9 {
        let (code, mode) = entries[i];
        let free = MODE_PEEK - code.len as u32;
        let first = (code.bits as usize) << free;
        let mut j = 0;
        while j < (1 << free) {
            table[first + j] = (mode, code.len);
            j += 1;
        }
        i += 1;
    }
    table[1] = (Mode::Extension, 7);
    table
}

/// Decoder table for mode codes, indexed by the next [`MODE_PEEK`] bits.
pub(crate) static MODE_TABLE: [(Mode, u8); 1 << MODE_PEEK] = mode_table();

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code in a table must be decodable back to its run and no code
    /// may be a prefix of another (else the const tables would overwrite).
    #[test]
    fn run_tables_are_prefix_free_and_invert_the_encoder() {
        for colour in 0..2 {
            let codes = &RUN_CODES[colour];
            let table = &RUN_TABLES[colour];
            let all = (0..64u32)
                .map(|r| (r, codes.term[r as usize]))
                .chain((1..=40u32).map(|m| (m * 64, codes.makeup[m as usize])));
            let mut covered = 0usize;
            for (run, code) in all {
                let free = RUN_PEEK - u32::from(code.len);
                let entry = table[(code.bits as usize) << free];
                assert_eq!(u32::from(entry & 0xfff), run, "colour {colour} run {run}");
                assert_eq!(entry >> 12, u16::from(code.len));
                covered += 1 << free;
            }
            assert_eq!(covered, table.iter().filter(|&&e| e != 0).count());
        }
    }

    #[test]
    fn mode_table_inverts_mode_codes() {
        assert_eq!(MODE_TABLE[0b1000000], (Mode::Vertical(0), 1));
        assert_eq!(MODE_TABLE[0b0001000], (Mode::Pass, 4));
        assert_eq!(MODE_TABLE[0b0010000], (Mode::Horizontal, 3));
        assert_eq!(MODE_TABLE[0b0000010], (Mode::Vertical(-3), 7));
        assert_eq!(MODE_TABLE[0b0000011], (Mode::Vertical(3), 7));
        assert_eq!(MODE_TABLE[0b0000100], (Mode::Vertical(-2), 6));
        assert_eq!(MODE_TABLE[0b0000110], (Mode::Vertical(2), 6));
        assert_eq!(MODE_TABLE[0b0100000], (Mode::Vertical(-1), 3));
        assert_eq!(MODE_TABLE[0b0110000], (Mode::Vertical(1), 3));
        assert_eq!(MODE_TABLE[1], (Mode::Extension, 7));
        assert_eq!(MODE_TABLE[0], (Mode::None, 0));
    }
}
