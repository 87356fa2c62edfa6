//! The `faxprep` binary end to end: real files in temporary directories,
//! exit codes, JSON, previews that equal the decoded fax, isolation.
#![allow(clippy::unwrap_used)] // helpers of tests: a failed unwrap fails the test

use faxprep::codec::tiff::{ReadLimits, decode_tiff};
use faxprep_testkit::{require_tool, workspace_root};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_faxprep");

fn fixture(name: &str) -> PathBuf {
    workspace_root().join("fixtures/docs").join(name)
}

/// Run the binary; show stdout and stderr when `expect` is not met.
fn faxprep(args: &[&str], expect: i32) -> Output {
    let out = Command::new(BIN).args(args).output().expect("run faxprep");
    assert_eq!(
        out.status.code(),
        Some(expect),
        "faxprep {args:?}\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

const DATE: [&str; 2] = ["--date", "2026-11-28T14:05-05:00"];

fn s(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

#[test]
fn prepare_writes_a_valid_fax_and_a_json_summary() {
    let dir = tempfile::tempdir().unwrap();
    let tif = dir.path().join("fax.tif");
    let pdf = dir.path().join("fax.pdf");
    let letter = fixture("letter.pdf");
    let out = faxprep(
        &[
            "prepare",
            s(&letter),
            "-o",
            s(&tif),
            "--pdf",
            s(&pdf),
            "--json",
            "--recipient-number",
            "212-555-0123",
            "--sender-name",
            "Maria Gonzalez",
            "--sender-email",
            "maria@example.com",
            "--include-cover",
            "true",
            DATE[0],
            DATE[1],
        ],
        0,
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["total_pages"], 2);
    assert_eq!(summary["document_pages"], 1);
    assert_eq!(summary["credits"], 1);
    assert_eq!(summary["recipient_number"], "+12125550123");
    assert_eq!(summary["pages"][0]["halftone"], "cover");
    let tiff = std::fs::read(&tif).unwrap();
    assert_eq!(decode_tiff(&tiff, &ReadLimits::default()).unwrap().len(), 2);
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    if require_tool("tiffinfo") {
        let info = Command::new("tiffinfo")
            .arg("-D")
            .arg(&tif)
            .output()
            .unwrap();
        assert!(
            info.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&info.stderr)
        );
    }
    // The text summary names pages and credits.
    let out = faxprep(&["prepare", s(&letter), "-o", s(&tif), DATE[0], DATE[1]], 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("1 page") && text.contains("1 credit"),
        "{text}"
    );
}

#[test]
fn isolated_and_in_process_give_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.tif"), dir.path().join("b.tif"));
    let photo = fixture("photo.jpg");
    faxprep(&["prepare", s(&photo), "-o", s(&a), DATE[0], DATE[1]], 0);
    faxprep(
        &[
            "prepare",
            s(&photo),
            "-o",
            s(&b),
            "--in-process",
            DATE[0],
            DATE[1],
        ],
        0,
    );
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

/// The fax is written into the output while its pages are made: an
/// existing output becomes the fax with its permissions kept, an upload
/// rejected before any page leaves it as it was, a symlink's target gets
/// the fax, and nothing else is left in the directory. Each file is the
/// ten pages the TIFF reader decodes, the same bytes every time.
#[test]
fn the_output_is_the_fax_or_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let tif = dir.path().join("fax.tif");
    std::fs::write(&tif, b"an old fax, longer than nothing").unwrap();
    std::fs::set_permissions(&tif, std::fs::Permissions::from_mode(0o640)).unwrap();
    let ten = fixture("ten-pages.pdf");
    let run = |out: &Path, input: &Path, expect: i32| {
        faxprep(
            &["prepare", s(input), "-o", s(out), DATE[0], DATE[1]],
            expect,
        )
    };
    run(&tif, &ten, 0);
    let first = std::fs::read(&tif).unwrap();
    assert!(first.starts_with(b"II*\0"));
    let pages = decode_tiff(&first, &ReadLimits::default()).unwrap();
    assert_eq!(pages.len(), 10);
    let mode = std::fs::metadata(&tif).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // Rejected: the fax stays as it was.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a pdf at all").unwrap();
    run(&tif, &text, 1);
    assert_eq!(std::fs::read(&tif).unwrap(), first);
    // Through a symlink: the link stays, its target gets the fax.
    let target = dir.path().join("target.tif");
    let link = dir.path().join("link.tif");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    run(&link, &ten, 0);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&target).unwrap(), first);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["fax.tif", "link.tif", "notes.txt", "target.tif"]);
}

#[test]
fn preview_pngs_equal_the_decoded_fax() {
    let dir = tempfile::tempdir().unwrap();
    let tif = dir.path().join("fax.tif");
    let previews = dir.path().join("preview");
    let chart = fixture("chart.png");
    let common = [
        "--include-cover",
        "true",
        "--compression",
        "g3-2d",
        DATE[0],
        DATE[1],
    ];
    let mut args = vec!["prepare", s(&chart), "-o", s(&tif)];
    args.extend(common);
    faxprep(&args, 0);
    let mut args = vec!["preview", s(&chart), "-o", s(&previews)];
    args.extend(common);
    faxprep(&args, 0);
    let pages = decode_tiff(&std::fs::read(&tif).unwrap(), &ReadLimits::default()).unwrap();
    assert_eq!(pages.len(), 2);
    for (i, page) in pages.iter().enumerate() {
        let png = image::open(previews.join(format!("page-{:03}.png", i + 1)))
            .unwrap()
            .to_luma8();
        assert_eq!(png.dimensions(), (page.width(), page.height()));
        assert_eq!(png.as_raw(), &page.to_gray_bytes(), "page {}", i + 1);
    }
    assert!(previews.join("contact.png").is_file());
}

#[test]
fn inspect_reports_uploads_and_fax_tiffs() {
    let out = faxprep(&["inspect", s(&fixture("ten-pages.pdf")), "--json"], 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "upload");
    assert_eq!(v["format"], "pdf");
    assert_eq!(v["pages"], 10);
    // One credit per started ten pages: 10 pages, 11 with a cover; the
    // free plan stops at five.
    assert_eq!(v["quotes"]["paid"]["credits"], 1);
    assert_eq!(v["quotes"]["paid_with_cover"]["credits"], 2);
    assert_eq!(v["quotes"]["free"], serde_json::Value::Null);

    let dir = tempfile::tempdir().unwrap();
    let tif = dir.path().join("fax.tif");
    faxprep(
        &[
            "prepare",
            s(&fixture("letter.pdf")),
            "-o",
            s(&tif),
            DATE[0],
            DATE[1],
        ],
        0,
    );
    let out = faxprep(&["inspect", s(&tif), "--json"], 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "fax_tiff");
    assert_eq!(v["valid_class_f"], true, "{v}");
    assert_eq!(v["pages"][0]["width"], 1728);
    // Names, not Rust's debug text.
    assert_eq!(v["pages"][0]["compression"], "g4");
    assert_eq!(v["pages"][0]["resolution"], "fine");
    assert_eq!(v["pages"][0]["y_dpi"], 196.0);
    let text = faxprep(&["inspect", s(&tif)], 0);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(", g4, fine (204 x 196 dpi)"), "{text}");
    assert!(!text.contains("Some(") && !text.contains('{'), "{text}");

    // preview takes the fax TIFF that inspect takes, page for page.
    let previews = dir.path().join("previews");
    faxprep(&["preview", s(&tif), "-o", s(&previews)], 0);
    let decoded = fax_tiff_pages(&std::fs::read(&tif).unwrap());
    let png = image::open(previews.join("page-001.png"))
        .unwrap()
        .to_luma8();
    assert_eq!(png.as_raw(), &decoded[0].to_gray_bytes());
}

#[test]
fn a_zone_shows_the_dates_instant_in_that_zone() {
    let dir = tempfile::tempdir().unwrap();
    let tif = dir.path().join("fax.tif");
    faxprep(
        &[
            "prepare",
            s(&fixture("letter.pdf")),
            "-o",
            s(&tif),
            "--date",
            "2026-11-28T19:05Z",
            "--zone",
            "America/New_York",
        ],
        0,
    );
    let date = tiffinfo_date(&tif);
    assert_eq!(date, "2026:11:28 14:05:00");
    // Without --date: now, in the zone (Tokyo is UTC+9 all year).
    faxprep(
        &[
            "prepare",
            s(&fixture("letter.pdf")),
            "-o",
            s(&tif),
            "--zone",
            "Asia/Tokyo",
        ],
        0,
    );
    let date = tiffinfo_date(&tif);
    let hour: u32 = date[11..13].parse().unwrap();
    let utc_hour = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 3600
        % 24) as u32;
    assert!(
        hour == (utc_hour + 9) % 24 || hour == (utc_hour + 8) % 24,
        "{date} against UTC hour {utc_hour}"
    );
    let out = faxprep(
        &[
            "prepare",
            s(&fixture("letter.pdf")),
            "-o",
            s(&tif),
            "--zone",
            "Mars/Olympus",
        ],
        2,
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--zone") && err.contains("IANA"), "{err}");
}

/// The TIFF's DateTime as our reader finds it.
fn tiffinfo_date(tif: &std::path::Path) -> String {
    let bytes = std::fs::read(tif).unwrap();
    let pages = faxprep::codec::tiff::read_tiff(&bytes, &Default::default()).unwrap();
    pages[0].date_time.clone().unwrap()
}

fn fax_tiff_pages(bytes: &[u8]) -> Vec<faxprep::page::BitPage> {
    faxprep::codec::tiff::decode_tiff(bytes, &Default::default()).unwrap()
}

#[test]
fn cover_writes_the_cover_alone() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("cover.png");
    let json = dir.path().join("fields.json");
    std::fs::write(
        &json,
        r#"{"recipientNumber": "+1 416 555 0199", "senderName": "Zoë Ångström",
            "senderEmail": "zoe@example.ca", "subject": "Contract", "includeCover": true}"#,
    )
    .unwrap();
    faxprep(
        &[
            "cover",
            "--cover",
            s(&json),
            "--pages",
            "3",
            "-o",
            s(&png),
            DATE[0],
            DATE[1],
        ],
        0,
    );
    let img = image::open(&png).unwrap().to_luma8();
    assert_eq!(img.dimensions(), (1728, 2156));
    assert!(img.pixels().any(|p| p[0] == 0));
}

#[test]
fn rejected_input_exits_1_with_the_api_body() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("letter.pdf");
    std::fs::write(&text, "not a pdf at all").unwrap();
    let out = faxprep(
        &[
            "prepare",
            s(&text),
            "-o",
            s(&dir.path().join("x.tif")),
            "--json",
        ],
        1,
    );
    let body: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(body["error_type"], "bad_request");
    assert!(
        body["hint"]
            .as_str()
            .unwrap()
            .contains("Supported formats: PDF, JPG, PNG")
    );
    assert!(!dir.path().join("x.tif").exists());
    // A Jamaican number is refused with the API's words.
    let out = faxprep(
        &[
            "prepare",
            s(&fixture("letter.pdf")),
            "-o",
            s(&dir.path().join("y.tif")),
            "--recipient-number",
            "+1 876 555 0123",
        ],
        1,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Other destination countries"), "{stderr}");
}

/// A one-page RGB TIFF of 64 x 64 whose single strip is `data`, with
/// `compression`.
fn rgb_tiff(compression: u16, data: &[u8]) -> Vec<u8> {
    use faxprep_testkit::{AT_DATA, hand_made_tiff};
    let entries = vec![
        (256, 4, 1, 64),
        (257, 4, 1, 64),
        (258, 3, 1, 8),
        (259, 3, 1, u32::from(compression)),
        (262, 3, 1, 2),
        (273, 4, 1, AT_DATA),
        (277, 3, 1, 3),
        (278, 4, 1, 64),
        (279, 4, 1, data.len() as u32),
    ];
    hand_made_tiff(&[entries], None, data)
}

#[test]
fn colour_tiffs_that_do_not_decode_are_the_senders_400_from_the_worker() {
    // Decoders' messages may span lines (zune-jpeg's do); through the
    // isolated worker they still arrive as the API body, not as a broken
    // worker.
    let dir = tempfile::tempdir().unwrap();
    let mut junk = vec![0xffu8; 2048];
    junk[..4].copy_from_slice(&[0xff, 0xd8, 0x00, 0x01]);
    for (name, compression) in [("jpeg", 7), ("lzw", 5), ("deflate", 8)] {
        let path = dir.path().join(format!("{name}.tif"));
        std::fs::write(&path, rgb_tiff(compression, &junk)).unwrap();
        let out = faxprep(
            &[
                "prepare",
                s(&path),
                "--accept-tiff",
                "-o",
                s(&dir.path().join("x.tif")),
                "--json",
            ],
            1,
        );
        let body: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(body["error_type"], "bad_request", "{name}: {body}");
        let error = body["error"].as_str().unwrap();
        assert!(
            !error.contains('\n') && !error.contains("worker"),
            "{name}: {error}"
        );
    }
    // The same strip, valid, is a fax.
    let raw = vec![128u8; 64 * 64 * 3];
    let path = dir.path().join("raw.tif");
    std::fs::write(&path, rgb_tiff(1, &raw)).unwrap();
    faxprep(
        &[
            "prepare",
            s(&path),
            "--accept-tiff",
            "-o",
            s(&dir.path().join("y.tif")),
        ],
        0,
    );
}

#[test]
fn usage_errors_exit_2() {
    faxprep(&["prepare"], 2);
    faxprep(&["prepare", "/nonexistent/file.pdf", "-o", "/tmp/x.tif"], 2);
    faxprep(
        &[
            "prepare",
            s(&fixture("letter.pdf")),
            "-o",
            "/tmp/x.tif",
            "--halftone",
            "nope",
        ],
        2,
    );
}

#[test]
fn the_line_budget_reaches_the_isolated_worker() {
    let dir = tempfile::tempdir().unwrap();
    let tif = dir.path().join("fax.tif");
    let photo = fixture("photo.jpg");
    let run = |extra: &[&str], expect: i32| {
        let mut args = vec!["prepare", s(&photo), "-o", s(&tif), "--json"];
        args.extend_from_slice(extra);
        faxprep(&args, expect)
    };
    // In the worker (no --in-process): a 1-second budget screens the photo
    // as coarsely as faxprep goes and says so.
    let out = run(&["--line-budget", "1"], 0);
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let page = &summary["pages"][0];
    assert_eq!(page["screen_period"], 8, "{page}");
    let bytes = page["coded_bytes"].as_u64().unwrap();
    let seconds = page["line_seconds"].as_f64().unwrap();
    assert!((seconds - bytes as f64 / 1800.0).abs() < 1e-9, "{page}");
    let warning = &summary["warnings"][0];
    assert_eq!(warning["kind"], "over_line_budget", "{summary}");
    assert_eq!(warning["budget_seconds"], 1);
    assert_eq!(warning["seconds"], bytes.div_ceil(1800));
    // No budget: the page as auto screens it, larger.
    let out = run(&["--line-budget", "none"], 0);
    let free: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(free["pages"][0]["screen_period"], 5);
    assert!(free["pages"][0]["coded_bytes"].as_u64().unwrap() > bytes);
    assert_eq!(free["warnings"].as_array().map(Vec::len), Some(0));
    for bad in ["0", "-3", "1.5", "soon"] {
        let out = run(&[&format!("--line-budget={bad}")], 2);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--line-budget"), "{bad}: {err}");
    }
}

/// Library options that run the document in this crate's `faxprep worker`.
fn isolated(limits: faxprep::WorkerLimits) -> faxprep::Options {
    let mut opts = faxprep::Options::default();
    let mut worker = faxprep::Worker::with_program(BIN);
    worker.limits = limits;
    opts.isolation = faxprep::Isolation::Process(worker);
    opts
}

#[test]
fn a_worker_over_its_limits_is_document_too_complex() {
    use faxprep::{FormFields, WorkerLimits, prepare};
    let fields = FormFields {
        recipient_number: Some("2125550123".into()),
        sender_name: Some("A".into()),
        sender_email: Some("a@example.com".into()),
        ..FormFields::default()
    };
    let upload = std::fs::read(fixture("ten-pages.pdf")).unwrap();
    let run = |limits: WorkerLimits| prepare(&upload, &fields, &isolated(limits));
    // Too little address space to render a page: the worker dies.
    let err = run(WorkerLimits {
        address_space_mib: 48,
        ..WorkerLimits::default()
    })
    .unwrap_err();
    assert_eq!(err.api_error().error_type, "document_too_complex", "{err}");
    assert_eq!(err.http_status(), 422);
    // Too little wall time: the parent kills it.
    let err = run(WorkerLimits {
        wall: Duration::from_millis(1),
        ..WorkerLimits::default()
    })
    .unwrap_err();
    assert_eq!(err.api_error().error_type, "document_too_complex", "{err}");
    // With the defaults it works.
    let fax = run(WorkerLimits::default()).unwrap();
    assert_eq!(fax.total_pages, 10);
}

#[test]
fn bad_fields_stop_an_isolated_document_that_is_fine() {
    use faxprep::{FormFields, WorkerLimits, prepare_with_progress};
    // The fields are checked beside the worker; the first page that comes
    // back finds them bad, and their error is the answer.
    let fields = FormFields {
        recipient_number: Some("2125550123".into()),
        sender_name: Some("A".into()),
        sender_email: Some("not an address".into()),
        ..FormFields::default()
    };
    let upload = std::fs::read(fixture("ten-pages.pdf")).unwrap();
    let opts = isolated(WorkerLimits::default());
    let mut pages_seen = Vec::new();
    let err = prepare_with_progress(&upload, &fields, &opts, &mut |p| pages_seen.push(p.done))
        .unwrap_err();
    assert_eq!(err.http_status(), 400);
    let body = err.api_error();
    assert!(body.error.contains("email address"), "{}", body.error);
    assert!(
        pages_seen.iter().all(|&done| done == 0),
        "no page is coded into a fax with bad fields: {pages_seen:?}"
    );
}

#[test]
fn isolated_progress_arrives_page_by_page() {
    use faxprep::{FormFields, WorkerLimits, prepare_with_progress};
    let fields = FormFields {
        recipient_number: Some("2125550123".into()),
        sender_name: Some("A".into()),
        sender_email: Some("a@example.com".into()),
        include_cover: Some("true".into()),
        ..FormFields::default()
    };
    let upload = std::fs::read(fixture("ten-pages.pdf")).unwrap();
    let opts = isolated(WorkerLimits::default());
    let mut seen = Vec::new();
    let (fax, stats) = prepare_with_progress(&upload, &fields, &opts, &mut |p| {
        seen.push((p.done, p.total))
    })
    .unwrap();
    assert_eq!(fax.total_pages, 11);
    // The page count, the cover, then each page as the worker sends it.
    assert_eq!(seen, (0..=11).map(|done| (done, 11)).collect::<Vec<_>>());
    assert!(stats.peak_rss_kib > 0);
}

/// Issue 16: the address-space limit does not depend on the thread count
/// (glibc reserves 64 MiB of address space per thread arena; the worker
/// runs with `MALLOC_ARENA_MAX=3`): a valid 117-page corpus PDF renders at
/// 16 threads in the isolated worker.
#[test]
fn a_long_document_renders_at_16_threads_within_the_limits() {
    let Some(dir) = faxprep_testkit::corpus_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let tif = tmp.path().join("fax.tif");
    let pdf = dir.join("pypdf-GeoTopo-komprimiert.pdf");
    let out = faxprep(
        &[
            "prepare",
            s(&pdf),
            "-o",
            s(&tif),
            "--threads",
            "16",
            "--json",
        ],
        0,
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["total_pages"], 117);
    assert_eq!(json["worker_sandbox"]["seccomp"]["status"], "enforced");
}

/// Issue 16: on a kernel without Landlock or seccomp (simulated) the worker
/// runs with what is there and the result says what is missing.
#[test]
fn a_degraded_sandbox_is_reported_not_hidden() {
    use faxprep::{FormFields, Isolation, SandboxOptions, Worker, prepare_with_progress};
    let fields = FormFields {
        recipient_number: Some("2125550123".into()),
        sender_name: Some("A".into()),
        sender_email: Some("a@example.com".into()),
        ..FormFields::default()
    };
    let upload = std::fs::read(fixture("letter.pdf")).unwrap();
    let run = |sandbox: SandboxOptions| {
        let mut worker = Worker::with_program(BIN);
        worker.sandbox = sandbox;
        let mut opts = faxprep::Options::default();
        opts.isolation = Isolation::Process(worker);
        let (fax, stats) = prepare_with_progress(&upload, &fields, &opts, &mut |_| {}).unwrap();
        assert_eq!(fax.total_pages, 1);
        stats.sandbox.expect("a sandbox report")
    };
    let full = run(SandboxOptions::default());
    assert!(full.degraded().is_empty(), "{:?}", full.degraded());
    let mut without = SandboxOptions::default();
    without.simulate_no_landlock = true;
    without.simulate_no_seccomp = true;
    let report = run(without);
    assert!(!report.landlock.is_enforced() && !report.seccomp.is_enforced());
    let missing = report.degraded();
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert!(
        missing[0].starts_with("landlock unavailable"),
        "{missing:?}"
    );
    assert!(missing[1].starts_with("seccomp unavailable"), "{missing:?}");
    // The layers that need no kernel support still hold.
    assert!(report.no_new_privs && report.not_dumpable && report.parent_death_signal);
}

/// Issue 17: `--header` through the isolated worker (the default) prints
/// the identification line on every page, says so in the JSON, and
/// `preview` draws the same line; a bad `--header-format` is a usage error.
#[test]
fn header_line_through_the_worker_and_in_preview() {
    let dir = tempfile::tempdir().unwrap();
    let tif = dir.path().join("fax.tif");
    let letter = fixture("letter.pdf");
    let common = [
        "--recipient-number",
        "212-555-0123",
        "--sender-name",
        "Maria Gonzalez",
        "--sender-email",
        "maria@example.com",
        "--sender-phone",
        "+1 415 555 0188",
        "--include-cover",
        "true",
        DATE[0],
        DATE[1],
    ];
    let mut args = vec!["prepare", s(&letter), "-o", s(&tif), "--json", "--header"];
    args.extend(common);
    let out = faxprep(&args, 0);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["total_pages"], 2);
    for (i, page) in json["pages"].as_array().unwrap().iter().enumerate() {
        let line = page["header"].as_str().unwrap();
        assert!(line.starts_with("2026-11-28 14:05 UTC-05:00 | From: Maria Gonzalez"));
        assert!(line.ends_with(&format!("Page {} of 2", i + 1)), "{line}");
    }
    assert_eq!(json["header"]["band_rows"], 40);

    // A template of our own at the bottom, in preview: the page's last
    // rows have ink, the first rows of the document page none.
    let prev = dir.path().join("prev");
    let mut args = vec![
        "preview",
        s(&letter),
        "-o",
        s(&prev),
        "--header-format",
        "{sender_phone}|{page}/{pages}",
        "--header-position",
        "bottom",
    ];
    args.extend(common);
    faxprep(&args, 0);
    let page = image::open(prev.join("page-002.png")).unwrap().to_luma8();
    let h = page.height();
    let inked = |y: u32| (0..page.width()).any(|x| page.get_pixel(x, y).0[0] < 128);
    assert!((h - 40..h).any(inked), "the band at the bottom");
    assert!(!(0..20).any(inked), "no band at the top");

    let mut args = vec![
        "prepare",
        s(&letter),
        "-o",
        s(&tif),
        "--header-format",
        "{nope}",
    ];
    args.extend(common);
    let out = faxprep(&args, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown header field {nope}"));
}
