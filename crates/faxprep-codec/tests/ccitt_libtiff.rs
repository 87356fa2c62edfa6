//! Codec-level oracle: for the same bitmap our coded bytes equal libtiff's
//! (`tiffcp -c g4`, `-c g3`, `-c g3:2d`, with and without `:fill`), byte for
//! byte. T.4/T.6 coding is canonical, so any difference is a bug on one
//! side. (Issue 2: "Our G4 bytes equal libtiff's G4 bytes for the same
//! bitmap".) The TIFF-level oracles live in `tiff_oracles.rs`.

#![allow(clippy::unwrap_used)] // test code: a panic is a failure report
mod ccitt_common;

use ccitt_common::{charts, corpus, have_libtiff, libtiff_encode, scratch, text_page};
use faxprep_codec::ccitt::{Compression, EncodeOptions, encode};
use faxprep_page::{BitPage, Resolution};

/// libtiff's conventions inside a TIFF strip: EOFB after G4, no RTC after
/// G3, K = 4 for MR at 196 dpi.
fn ours(page: &BitPage, c: Compression, fill: bool) -> Vec<u8> {
    let opts = EncodeOptions {
        compression: c,
        k: 4,
        align_eol: fill,
        raw_stream: c == Compression::G4,
    };
    encode(page, &opts)
}

fn assert_bytes_equal(what: &str, ours: &[u8], theirs: &[u8]) {
    if ours != theirs {
        let at = ours
            .iter()
            .zip(theirs)
            .position(|(a, b)| a != b)
            .unwrap_or(ours.len().min(theirs.len()));
        panic!(
            "{what}: {} bytes vs libtiff's {}, first difference at byte {at}",
            ours.len(),
            theirs.len()
        );
    }
}

fn check(name: &str, page: &BitPage, modes: &[(Compression, bool)]) {
    let dir = scratch();
    for &(c, fill) in modes {
        let theirs = libtiff_encode(page, c, fill, dir.path());
        assert_bytes_equal(
            &format!("{name} {c} fill={fill}"),
            &ours(page, c, fill),
            &theirs,
        );
    }
}

const ALL_MODES: [(Compression, bool); 5] = [
    (Compression::G4, false),
    (Compression::G3OneD, false),
    (Compression::G3OneD, true),
    (Compression::G3TwoD, false),
    (Compression::G3TwoD, true),
];

#[test]
fn itu_charts_code_like_libtiff() {
    let Some(corpus) = corpus() else { return };
    if !have_libtiff() {
        return;
    }
    for (name, page) in charts(&corpus) {
        check(&name, &page, &ALL_MODES);
    }
}

#[test]
fn text_page_codes_like_libtiff() {
    if !have_libtiff() {
        return;
    }
    check("text page", &text_page(), &ALL_MODES);
}

#[test]
fn odd_widths_and_edge_patterns_code_like_libtiff() {
    if !have_libtiff() {
        return;
    }
    // Widths that are not whole bytes or words, runs longer than 2560, and
    // rows that start and end black.
    for width in [1u32, 13, 64, 65, 1728, 2623, 2624, 5200] {
        let mut page = BitPage::new(width, 24, Resolution::Fine).unwrap();
        for y in 0..24u32 {
            match y % 6 {
                0 => {}
                1 => page.fill_rect(0, y, width, y + 1),
                2 => (0..width).step_by(2).for_each(|x| page.set(x, y, true)),
                3 => page.fill_rect(0, y, width / 3 + 1, y + 1),
                4 => page.fill_rect(width / 2, y, width, y + 1),
                _ => (0..width)
                    .filter(|x| (x * 7 + y) % 11 < 3)
                    .for_each(|x| page.set(x, y, true)),
            }
        }
        check(&format!("width {width}"), &page, &ALL_MODES);
    }
}

/// Per command hyperfine timed: (wall min, CPU mean = user + system), ms.
fn hyperfine_ms(json: &str) -> Vec<(f64, f64)> {
    let field = |chunk: &str, key: &str| -> f64 {
        let at = chunk.find(&format!("\"{key}\":")).expect("hyperfine field") + key.len() + 3;
        let end = chunk[at..].find([',', '\n', '}']).expect("number end") + at;
        chunk[at..end].trim().parse::<f64>().expect("number") * 1000.0
    };
    json.split("\"command\":")
        .skip(1)
        .map(|c| (field(c, "min"), field(c, "user") + field(c, "system")))
        .collect()
}

/// CPU time this thread has run, in ns (`/proc/thread-self/schedstat`):
/// unlike wall time it does not count the time other jobs on a busy
/// machine take the core away.
fn thread_cpu_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    stat.split_whitespace().next().unwrap().parse().unwrap()
}

/// Side-by-side timing, not a test: our encoder in-process against
/// `tiffcp -c g4` (timed with hyperfine, with `tiffcp -c none` on the same
/// file as the I/O-only baseline). Both sides are CPU time (user + system
/// for tiffcp), so a loaded machine skews them alike. Prints a Markdown
/// table for the README.
///
/// `cargo test --release -p faxprep-codec --test ccitt_libtiff -- --ignored --nocapture libtiff_timing`
#[test]
#[ignore = "timing harness; run by hand"]
fn libtiff_timing() {
    use std::process::Command;

    if !have_libtiff() || !faxprep_testkit::require_tool("hyperfine") {
        return;
    }
    let mut pages = vec![
        ("text 1728x2200".to_string(), text_page()),
        (
            "blank 1728x2200".to_string(),
            BitPage::new(1728, 2200, Resolution::Fine).unwrap(),
        ),
    ];
    if let Some(corpus) = corpus() {
        pages.extend(
            charts(&corpus)
                .into_iter()
                .map(|(n, p)| (n.replace(".pbm", ""), p)),
        );
    }
    let dir = scratch();
    println!("CPU ms per page (ours: mean of 200 encodes; tiffcp: mean of 60 runs, user + system)");
    println!(
        "| page | ours G4 | ours MH | ours MR | tiffcp -c g4 | tiffcp -c none | G4 speed-up |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, page) in pages {
        let time = |opts: &EncodeOptions| {
            let mut out = Vec::with_capacity(1 << 20);
            let runs = 200;
            let start = thread_cpu_ns();
            for _ in 0..runs {
                out.clear();
                faxprep_codec::ccitt::encode_into(std::hint::black_box(&page), opts, &mut out);
                std::hint::black_box(&out);
            }
            (thread_cpu_ns() - start) as f64 / 1e6 / f64::from(runs)
        };
        let g4 = time(&EncodeOptions::tiff(Compression::G4));
        let mh = time(&EncodeOptions::tiff(Compression::G3OneD));
        let mr = time(&EncodeOptions::tiff(Compression::G3TwoD));
        // libtiff: the whole tiffcp process, and the same without coding.
        let pbm = dir.path().join("in.pbm");
        std::fs::write(&pbm, ccitt_common::write_pbm(&page)).unwrap();
        let plain = ccitt_common::run(
            Command::new("pnmtotiff")
                .args(["-none", "-miniswhite"])
                .arg(&pbm),
        );
        let plain_tif = dir.path().join("plain.tif");
        std::fs::write(&plain_tif, plain).unwrap();
        let json = dir.path().join("hf.json");
        let (p, o) = (plain_tif.display(), dir.path().display());
        ccitt_common::run(
            Command::new("hyperfine")
                .args(["-N", "--warmup", "5", "--runs", "60", "--export-json"])
                .arg(&json)
                .arg(format!("tiffcp -r 100000 -c g4 {p} {o}/g4.tif"))
                .arg(format!("tiffcp -r 100000 -c none {p} {o}/none.tif")),
        );
        let t = hyperfine_ms(&std::fs::read_to_string(&json).unwrap());
        println!(
            "| {name} | {g4:.3} | {mh:.3} | {mr:.3} | {:.2} | {:.2} | {:.0}x |",
            t[0].1,
            t[1].1,
            t[0].1 / g4
        );
    }
}
