//! Arbitrary field strings -> cover layout + drawing: never panics, stays
//! on the page.
//!
//! Input: byte 0 chooses paper, resolution and whether there is a brand;
//! the rest is split at 0xFF bytes into the fields (lossy UTF-8, so every
//! input is some set of strings, control characters included).
#![no_main]

use faxprep_cover::{Brand, CoverDate, CoverFields, CoverOptions, draw, layout};
use faxprep_page::{Paper, Resolution};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest
        .split(|&b| b == 0xFF)
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let mut next = || parts.next().unwrap_or_default();
    let opt = |s: String| (!s.is_empty()).then_some(s);
    let fields = CoverFields {
        recipient_name: opt(next()),
        recipient_number: next(),
        sender_name: next(),
        sender_company: opt(next()),
        sender_email: next(),
        sender_phone: opt(next()),
        subject: opt(next()),
        note: opt(next()),
        date: CoverDate {
            year: 2026,
            month: head % 14,
            day: head % 33,
            hour: head,
            minute: head,
            utc_offset_minutes: i32::from(head as i8) * 60,
            zone: opt(next()),
        },
        total_pages: u32::from(head),
    };
    let brand = (head & 0x40 != 0).then(|| Brand {
        name: next(),
        line: next(),
        logo_png: None,
    });
    let opts = CoverOptions {
        resolution: Resolution::ALL[usize::from(head % 3)],
        paper: Paper::ALL[usize::from((head >> 2) % 3)],
        brand,
    };
    let l = layout(&fields, &opts);
    if let Some(r) = l.ink_bounds() {
        assert!(
            r.x >= 0.0 && r.y >= 0.0 && r.right() <= l.width && r.bottom() <= l.height,
            "{r:?}"
        );
    }
    let page = draw(&l, opts.resolution);
    assert_eq!(page.height(), opts.paper.rows(opts.resolution));
});
