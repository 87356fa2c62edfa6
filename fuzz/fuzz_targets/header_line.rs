//! Arbitrary template and field strings -> the identification line's
//! layout and drawing: never panics, and its ink stays in its band.
//!
//! Input: byte 0 chooses the resolution, the position and the page
//! numbers; the rest is split at 0xFF bytes into the template and the
//! fields (lossy UTF-8, so every input is some set of strings).
#![no_main]

use faxprep_cover::{
    CoverDate, HeaderLine, HeaderPosition, HeaderTemplate, HeaderValues, band_rows, draw_header,
    header_layout, stamp_header,
};
use faxprep_page::{BitPage, FAX_WIDTH, Resolution};
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
    let Ok(template) = HeaderTemplate::parse(&next()) else {
        return;
    };
    let position = if head & 0x80 != 0 {
        HeaderPosition::Bottom
    } else {
        HeaderPosition::Top
    };
    let values = HeaderValues {
        date: CoverDate {
            year: i32::from(head) * 40,
            month: head % 14,
            day: head % 33,
            hour: head,
            minute: head,
            utc_offset_minutes: i32::from(head as i8) * 60,
            zone: opt(next()),
        },
        sender_name: next(),
        sender_company: opt(next()),
        sender_phone: opt(next()),
        sender_email: next(),
        recipient_name: opt(next()),
        recipient_number: next(),
        subject: opt(next()),
    };
    let line = HeaderLine { template, position };
    let band = header_layout(&line, &values, u32::from(head), u32::from(head) * 3);
    let res = Resolution::ALL[usize::from(head % 3)];
    let drawn = draw_header(&band, res);
    assert_eq!((drawn.width(), drawn.height()), (FAX_WIDTH, band_rows(res)));
    let rows = 2 * band_rows(res);
    let mut page = BitPage::new(FAX_WIDTH, rows, res).expect("a small page");
    assert!(stamp_header(&mut page, &drawn, position));
    let outside = match position {
        HeaderPosition::Top => band_rows(res)..rows,
        HeaderPosition::Bottom => 0..band_rows(res),
    };
    for y in outside {
        assert!(page.row(y).iter().all(|&b| b == 0), "ink on row {y}");
    }
});
