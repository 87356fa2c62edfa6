//! Bit-level I/O, most significant bit first (TIFF FillOrder 1; T.4 §4.1
//! sends the first bit of each code word first).

/// Writes code words through a 64-bit accumulator, flushing 32 bits at a
/// time, so the hot path is one shift, one OR and one compare per code.
pub(crate) struct BitWriter<'a> {
    out: &'a mut Vec<u8>,
    /// Pending bits in the low `n` bits (older bits are already flushed).
    acc: u64,
    /// Number of pending bits, always < 32 between calls.
    n: u32,
}

impl<'a> BitWriter<'a> {
    pub(crate) fn new(out: &'a mut Vec<u8>) -> Self {
        BitWriter { out, acc: 0, n: 0 }
    }

    /// Append the low `len` bits of `bits`, `len <= 32`; higher bits of
    /// `bits` must be zero.
    #[inline(always)]
    pub(crate) fn put(&mut self, bits: u32, len: u32) {
        debug_assert!(len <= 32 && (len == 32 || bits >> len == 0));
        self.acc = (self.acc << len) | u64::from(bits);
        self.n += len;
        if self.n >= 32 {
            self.n -= 32;
            self.out
                .extend_from_slice(&((self.acc >> self.n) as u32).to_be_bytes());
        }
    }

    /// Append `count` one bits (a run of V0 codes).
    pub(crate) fn put_ones(&mut self, mut count: u64) {
        while count >= 32 {
            self.put(u32::MAX, 32);
            count -= 32;
        }
        if count > 0 {
            self.put((1u32 << count) - 1, count as u32);
        }
    }

    /// Bits written so far modulo 8: where in its byte the next bit lands.
    pub(crate) fn bit_in_byte(&self) -> u32 {
        self.n % 8
    }

    /// Pad with zero bits to a byte boundary and flush everything.
    pub(crate) fn finish(mut self) {
        let pad = (8 - self.n % 8) % 8;
        self.acc <<= pad;
        self.n += pad;
        while self.n >= 8 {
            self.n -= 8;
            self.out.push((self.acc >> self.n) as u8);
        }
    }
}

/// Reads bits from a byte slice through a left-aligned 64-bit buffer. Reads
/// past the end see zero bits; the decoder compares code lengths with
/// [`BitReader::available`] to tell real data from that padding.
pub(crate) struct BitReader<'a> {
    data: &'a [u8],
    /// Next byte of `data` not yet counted in `avail`.
    next: usize,
    /// The next bits of input, first bit in bit 63.
    acc: u64,
    /// Valid bits at the top of `acc`.
    avail: u32,
    /// Bits consumed so far (for error positions).
    consumed: u64,
}

impl<'a> BitReader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        let mut r = BitReader {
            data,
            next: 0,
            acc: 0,
            avail: 0,
            consumed: 0,
        };
        r.refill();
        r
    }

    /// Top up the buffer to at least 57 bits while input remains.
    #[inline(always)]
    pub(crate) fn refill(&mut self) {
        if self.avail > 56 {
            return;
        }
        if let Some(word) = self
            .data
            .get(self.next..)
            .and_then(|rest| rest.first_chunk::<8>())
        {
            // Whole bytes that fit; the partial byte ORed in below the count
            // is re-ORed with the same bits on the next refill, harmlessly.
            let word = u64::from_be_bytes(*word);
            self.acc |= word >> self.avail;
            let bytes = (64 - self.avail) / 8;
            self.next += bytes as usize;
            self.avail += bytes * 8;
        } else {
            while self.avail <= 56 {
                let Some(&byte) = self.data.get(self.next) else {
                    break;
                };
                self.acc |= u64::from(byte) << (56 - self.avail);
                self.next += 1;
                self.avail += 8;
            }
        }
    }

    /// The next `n` bits (1..=32), zeros past the end of input. Call
    /// [`BitReader::refill`] first.
    #[inline(always)]
    pub(crate) fn peek(&self, n: u32) -> u32 {
        (self.acc >> (64 - n)) as u32
    }

    /// Valid bits in the buffer (after a refill: at least 57 unless the
    /// input is nearly exhausted).
    #[inline(always)]
    pub(crate) fn available(&self) -> u32 {
        self.avail
    }

    /// Drop `n <= available()` bits.
    #[inline(always)]
    pub(crate) fn consume(&mut self, n: u32) {
        debug_assert!(n <= self.avail);
        let n = n.min(self.avail);
        self.acc = if n >= 64 { 0 } else { self.acc << n };
        self.avail -= n;
        self.consumed += u64::from(n);
    }

    /// Leading zero bits among the valid buffered bits.
    pub(crate) fn leading_zeros(&self) -> u32 {
        self.acc.leading_zeros().min(self.avail)
    }

    /// Whether all input has been consumed.
    pub(crate) fn at_end(&self) -> bool {
        self.avail == 0 && self.next >= self.data.len()
    }

    /// Whether every remaining bit is zero (padding after the last row).
    pub(crate) fn rest_is_zero(&self) -> bool {
        let buffered = if self.avail == 0 {
            0
        } else {
            self.acc >> (64 - self.avail)
        };
        buffered == 0
            && self
                .data
                .get(self.next..)
                .is_none_or(|rest| rest.iter().all(|&b| b == 0))
    }

    /// Bits consumed so far: the position of the next bit.
    pub(crate) fn bit_offset(&self) -> u64 {
        self.consumed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_packs_msb_first_and_pads() {
        let mut out = Vec::new();
        let mut w = BitWriter::new(&mut out);
        w.put(0b1, 1);
        w.put(0b011, 3);
        w.put(0xABCD, 16);
        w.put_ones(40);
        w.put(0, 3);
        w.finish();
        // 1 011 1010 1011 1100 1101 then 40 ones then 000 then pad.
        assert_eq!(
            out,
            [
                0b1011_1010,
                0b1011_1100,
                0b1101_1111,
                0xff,
                0xff,
                0xff,
                0xff,
                0b1111_0000
            ]
        );
    }

    #[test]
    fn reader_reads_back_and_pads_with_zeros() {
        let data = [0xA5u8, 0x0F, 0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        let mut r = BitReader::new(&data);
        assert_eq!(r.peek(4), 0xA);
        r.consume(4);
        assert_eq!(r.peek(8), 0x50);
        r.consume(8);
        let mut total = 12;
        while !r.at_end() {
            r.refill();
            let n = r.available().min(5);
            r.consume(n);
            total += n;
            r.refill();
        }
        assert_eq!(total, 96);
        assert_eq!(r.peek(13), 0);
        assert!(r.rest_is_zero());
        assert_eq!(r.bit_offset(), 96);
    }

    #[test]
    fn zero_runs_are_skipped_across_refills() {
        let mut data = vec![0u8; 40];
        data[39] = 1;
        let mut r = BitReader::new(&data);
        assert!(!r.rest_is_zero());
        loop {
            r.refill();
            let lz = r.leading_zeros();
            if lz < r.available() {
                r.consume(lz);
                break;
            }
            r.consume(lz);
        }
        assert_eq!(r.bit_offset(), 319);
        assert_eq!(r.peek(1), 1);
    }
}
