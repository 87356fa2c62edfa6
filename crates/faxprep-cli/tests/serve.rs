//! `faxprep serve`'s /v1 routes through a real socket, against the binary:
//! the answers in each output, their headers, every rejection's status and
//! body, the bearer token, the request ID and log, the queue's 429 and the
//! metrics. The TIFF and PDF are checked by libtiff's and poppler's tools.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

mod serve_support;

use serve_support::{FIELDS, Server, fixture, wait_for};
use std::process::Command;

/// The status each `error_type` of the API's body goes with.
fn status_of(error_type: &str) -> u16 {
    match error_type {
        "bad_request" => 400,
        "unauthorized" => 401,
        "payment_required" => 402,
        "not_found" => 404,
        "payload_too_large" => 413,
        "document_too_complex" => 422,
        "rate_limited" => 429,
        "internal_error" => 500,
        "service_unavailable" => 503,
        other => panic!("unknown error_type {other}"),
    }
}

/// The body of a rejection: the API's three fields, consistent with the
/// status, with a hint.
fn assert_rejection(r: &serve_support::Response, status: u16, error_type: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    let body = r.json();
    assert_eq!(body["error_type"], error_type, "{body}");
    assert_eq!(status_of(error_type), status);
    assert!(!body["error"].as_str().unwrap().is_empty(), "{body}");
    assert!(!body["hint"].as_str().unwrap().is_empty(), "{body}");
    assert_eq!(r.header("content-type"), Some("application/json"), "{body}");
}

fn tiff_directories(tiff: &[u8]) -> Option<usize> {
    if !faxprep_testkit::require_tool("tiffinfo") {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fax.tif");
    std::fs::write(&path, tiff).unwrap();
    let out = Command::new("tiffinfo").arg(&path).output().unwrap();
    assert!(out.status.success(), "tiffinfo rejects the fax");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("CCITT Group 4"), "{text}");
    Some(text.matches("TIFF Directory").count())
}

fn pdf_pages(pdf: &[u8]) -> Option<usize> {
    if !faxprep_testkit::require_tool("pdfinfo") {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fax.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdfinfo").arg(&path).output().unwrap();
    assert!(out.status.success(), "pdfinfo rejects the fax");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
}

#[test]
fn prepare_answers_tiff_pdf_and_facts() {
    let server = Server::start(&[]);
    let pdf = fixture("letter.pdf");
    let mut fields = FIELDS.to_vec();
    fields.push(("includeCover", "true"));
    let tiff = server.post_form("/v1/prepare", &[], &fields, Some(&pdf));
    assert_eq!(tiff.status, 200, "{}", tiff.text());
    assert_eq!(tiff.header("content-type"), Some("image/tiff"));
    assert!(tiff.body.starts_with(b"II*\0"));
    let pages: usize = tiff.header("x-fax-pages").unwrap().parse().unwrap();
    assert!(pages >= 2, "a cover and the letter");
    let seconds: f64 = tiff
        .header("x-fax-transmission-seconds")
        .unwrap()
        .parse()
        .unwrap();
    assert!(seconds > 15.0);
    if let Some(dirs) = tiff_directories(&tiff.body) {
        assert_eq!(dirs, pages);
    }

    let mut json_fields = fields.clone();
    json_fields.push(("output", "json"));
    json_fields.push(("date", "2026-11-28T14:05"));
    json_fields.push(("zone", "America/New_York"));
    let facts = server.post_form("/v1/prepare", &[], &json_fields, Some(&pdf));
    assert_eq!(facts.status, 200, "{}", facts.text());
    let v = facts.json();
    assert_eq!(v["total_pages"].as_u64(), Some(pages as u64));
    assert_eq!(
        v["credits"].as_u64().unwrap().to_string(),
        facts.header("x-fax-credits").unwrap()
    );
    assert_eq!(v["pages"].as_array().unwrap().len(), pages);
    assert_eq!(v["cover"], true);

    // Accept chooses when no output field does.
    let pdf_out = server.post_form(
        "/v1/prepare",
        &[("Accept", "application/pdf")],
        &fields,
        Some(&pdf),
    );
    assert_eq!(pdf_out.status, 200, "{}", pdf_out.text());
    assert_eq!(pdf_out.header("content-type"), Some("application/pdf"));
    assert!(pdf_out.body.starts_with(b"%PDF"));
    if let Some(n) = pdf_pages(&pdf_out.body) {
        assert_eq!(n, pages);
    }
}

#[test]
fn every_rejection_has_its_status_and_body() {
    let server = Server::start(&[]);
    let png = fixture("letter-page.png");

    // Not multipart at all.
    let r = serve_support::request(
        server.addr,
        "POST",
        "/v1/prepare",
        &[("Content-Type", "text/plain")],
        Some(b"hello"),
    );
    assert_rejection(&r, 400, "bad_request");
    // No file.
    let r = server.post_form("/v1/prepare", &[], FIELDS, None);
    assert_rejection(&r, 400, "bad_request");
    // A bad number: the engine's field validation.
    let r = server.post_form(
        "/v1/prepare",
        &[],
        &[
            ("recipientNumber", "12"),
            ("senderName", "A"),
            ("senderEmail", "a@example.com"),
        ],
        Some(&png),
    );
    assert_rejection(&r, 400, "bad_request");
    assert!(r.text().contains("fax number"), "{}", r.text());
    // A field the API does not have.
    let mut fields = FIELDS.to_vec();
    fields.push(("colour", "red"));
    let r = server.post_form("/v1/prepare", &[], &fields, Some(&png));
    assert_rejection(&r, 400, "bad_request");
    // A bad engine option.
    let mut fields = FIELDS.to_vec();
    fields.push(("resolution", "ultra"));
    let r = server.post_form("/v1/prepare", &[], &fields, Some(&png));
    assert_rejection(&r, 400, "bad_request");
    let mut fields = FIELDS.to_vec();
    fields.push(("date", "yesterday"));
    let r = server.post_form("/v1/prepare", &[], &fields, Some(&png));
    assert_rejection(&r, 400, "bad_request");
    let mut fields = FIELDS.to_vec();
    fields.push(("output", "png"));
    let r = server.post_form("/v1/prepare", &[], &fields, Some(&png));
    assert_rejection(&r, 400, "bad_request");
    // Not a document.
    let r = server.post_form("/v1/prepare", &[], FIELDS, Some(b"just some text, no PDF"));
    assert_rejection(&r, 400, "bad_request");
    // Over the body cap: 413 with the API's body.
    let big = vec![b'%'; 5 * 1024 * 1024];
    let r = server.post_form("/v1/prepare", &[], FIELDS, Some(&big));
    assert_rejection(&r, 413, "payload_too_large");
    // Over the file cap but under the body cap: 413 too.
    let over = vec![b'%'; 4 * 1024 * 1024 + 10];
    let r = server.post_form("/v1/prepare", &[], FIELDS, Some(&over));
    assert_rejection(&r, 413, "payload_too_large");
    // The free plan's five pages.
    let mut fields = FIELDS.to_vec();
    fields.push(("plan", "free"));
    let r = server.post_form("/v1/prepare", &[], &fields, Some(&fixture("ten-pages.pdf")));
    assert_rejection(&r, 402, "payment_required");
    // A decompression bomb stops at intake's limits in the worker.
    let bomb = faxprep_testkit::bombs::shared_content(200, 100, 400);
    let r = server.post_form("/v1/prepare", &[], FIELDS, Some(&bomb));
    let error_type = r.json()["error_type"].as_str().unwrap().to_owned();
    assert!(
        ["bad_request", "document_too_complex"].contains(&error_type.as_str()),
        "{}",
        r.text()
    );
    assert_rejection(&r, status_of(&error_type), &error_type);
    // No such route.
    assert_rejection(&server.get("/v2/prepare", &[]), 404, "not_found");
}

#[test]
fn request_ids_and_the_log() {
    let server = Server::start(&[]);
    let png = fixture("letter-page.png");
    let r = server.post_form(
        "/v1/prepare",
        &[("X-Request-Id", "client-id-42")],
        FIELDS,
        Some(&png),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-request-id"), Some("client-id-42"));
    // An absent or unusable ID is replaced by a fresh one.
    let a = server.get("/v2/nothing", &[("X-Request-Id", "has spaces in it")]);
    let b = server.get("/v2/nothing", &[]);
    let (a, b) = (
        a.header("x-request-id").unwrap(),
        b.header("x-request-id").unwrap(),
    );
    assert_ne!(a, b);
    for id in [a, b] {
        assert_eq!(id.len(), 24);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    }
    let lines = wait_for(5, || {
        let lines = server.log_lines();
        lines
            .iter()
            .any(|l| l.contains("client-id-42"))
            .then_some(lines)
    })
    .expect("the request is logged");
    let line: serde_json::Value = lines
        .iter()
        .find(|l| l.contains("client-id-42"))
        .map(|l| serde_json::from_str(l).unwrap())
        .unwrap();
    assert_eq!(line["route"], "/v1/prepare");
    assert_eq!(line["status"], 200);
    assert_eq!(line["pages"], 1);
    assert_eq!(line["upload_bytes"].as_u64(), Some(png.len() as u64));
    // Neither the number nor the email, in any form.
    for l in &lines {
        for secret in ["5551234", "555-1234", "sender@example.com", "example.com"] {
            assert!(!l.contains(secret), "the log shows {secret}: {l}");
        }
    }
}

#[test]
fn bearer_token_guards_v1_and_metrics() {
    let server = Server::start(&["--token", "s3cret-token"]);
    let png = fixture("letter-page.png");
    let r = server.post_form("/v1/prepare", &[], FIELDS, Some(&png));
    assert_rejection(&r, 401, "unauthorized");
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    let r = server.post_form(
        "/v1/prepare",
        &[("Authorization", "Bearer wrong-token!")],
        FIELDS,
        Some(&png),
    );
    assert_rejection(&r, 401, "unauthorized");
    assert_eq!(server.get("/metrics", &[]).status, 401);
    let r = server.post_form(
        "/v1/prepare",
        &[("Authorization", "Bearer s3cret-token")],
        FIELDS,
        Some(&png),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // Health stays open for load balancers.
    assert_eq!(server.get("/healthz", &[]).status, 200);
}

#[test]
fn health_metrics_and_the_full_queue() {
    let server = Server::start(&["--jobs", "1", "--queue", "0"]);
    let h = server.get("/healthz", &[]);
    assert_eq!(h.status, 200, "{}", h.text());
    assert_eq!(h.json()["status"], "ok");
    // One slow job holds the only slot; the next request finds no place.
    let slow = fixture("ten-pages.pdf");
    let mut limited = None;
    let mut pages_answered = 0.0;
    for _attempt in 0..5 {
        let addr = server.addr;
        let body = slow.clone();
        let mut fields = FIELDS.to_vec();
        fields.push(("resolution", "superfine"));
        let fields: Vec<(String, String)> = fields
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
        let first = std::thread::spawn(move || {
            let f: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (&a[..], &b[..])).collect();
            let (ct, b) = serve_support::multipart(&f, Some(&body));
            serve_support::request(
                addr,
                "POST",
                "/v1/prepare",
                &[("Content-Type", &ct)],
                Some(&b),
            )
        });
        let busy = wait_for(20, || {
            (server.metric("faxprep_jobs_in_flight") >= 1.0).then_some(())
        });
        let r = server.post_form(
            "/v1/prepare",
            &[],
            FIELDS,
            Some(&fixture("letter-page.png")),
        );
        let first = first.join().unwrap();
        assert_eq!(first.status, 200, "{}", first.text());
        for answer in [&first, &r] {
            if answer.status == 200 {
                pages_answered += answer
                    .header("x-fax-pages")
                    .unwrap()
                    .parse::<f64>()
                    .unwrap();
            }
        }
        if busy.is_some() && r.status == 429 {
            limited = Some(r);
            break;
        }
    }
    let r = limited.expect("a request finds the only slot taken");
    assert_rejection(&r, 429, "rate_limited");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(retry >= 1);
    assert_eq!(r.json()["retry_after"].as_u64(), Some(retry));

    let text = String::from_utf8(server.get("/metrics", &[]).body).unwrap();
    let m = |name: &str| serve_support::metric_in(&text, name);
    assert!(m("faxprep_http_requests_total{route=\"/v1/prepare\",status=\"429\"}") >= 1.0);
    assert_eq!(
        m("faxprep_http_requests_total{route=\"/healthz\",status=\"200\"}"),
        1.0
    );
    let ok = m("faxprep_http_requests_total{route=\"/v1/prepare\",status=\"200\"}");
    // Every prepare that ran is in the histogram (the health check's too).
    assert_eq!(m("faxprep_prepare_seconds_count"), ok + 1.0);
    assert_eq!(m("faxprep_jobs_total{outcome=\"ok\"}"), ok + 1.0);
    assert_eq!(m("faxprep_pages_total"), pages_answered);
    assert_eq!(m("faxprep_jobs_in_flight"), 0.0);
    assert_eq!(m("faxprep_queue_depth"), 0.0);
    assert!(text.contains("# TYPE faxprep_prepare_seconds histogram"));
}

#[test]
fn a_job_over_its_wall_clock_loses_its_worker() {
    // A worker that never answers.
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("worker.sh");
    std::fs::write(&script, "#!/bin/sh\nexec sleep 30\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let server = Server::start(&["--job-timeout", "1", "--worker", script.to_str().unwrap()]);
    let start = std::time::Instant::now();
    let r = server.post_form(
        "/v1/prepare",
        &[],
        FIELDS,
        Some(&fixture("letter-page.png")),
    );
    assert_rejection(&r, 422, "document_too_complex");
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(server.metric("faxprep_workers_killed_total"), 1.0);
    assert_eq!(
        server.metric("faxprep_jobs_total{outcome=\"document_too_complex\"}"),
        1.0
    );
    // The health check starts a worker too, and says it failed.
    let h = server.get("/healthz", &[]);
    assert_eq!(h.status, 503, "{}", h.text());
}

#[test]
fn inspect_and_quote() {
    let server = Server::start(&[]);
    let ten = fixture("ten-pages.pdf");
    let r = server.post_form("/v1/inspect", &[], &[], Some(&ten));
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["kind"], "upload", "{v}");
    let pages = v["pages"].as_u64().unwrap();
    if let Some(n) = pdf_pages(&ten) {
        assert_eq!(pages as usize, n);
    }
    // One credit per started block of ten pages, the cover counted; the
    // free plan sends at most five.
    let r = server.post_form("/v1/quote", &[], &[], Some(&ten));
    assert_eq!(r.status, 200, "{}", r.text());
    let q = r.json();
    assert_eq!(q["pages"].as_u64(), Some(pages));
    assert_eq!(
        q["quotes"]["paid"]["credits"].as_u64(),
        Some(pages.div_ceil(10))
    );
    assert_eq!(
        q["quotes"]["paid_with_cover"]["credits"].as_u64(),
        Some((pages + 1).div_ceil(10))
    );
    assert!(q["quotes"]["free"].is_null(), "{q}");
    // A fax TIFF is checked, not preflighted.
    let mut fields = FIELDS.to_vec();
    fields.push(("includeCover", "true"));
    let fax = server.post_form("/v1/prepare", &[], &fields, Some(&fixture("letter.pdf")));
    let fax_pages: u64 = fax.header("x-fax-pages").unwrap().parse().unwrap();
    let r = server.post_form("/v1/inspect", &[], &[], Some(&fax.body));
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["kind"], "fax_tiff", "{v}");
    assert_eq!(v["valid_class_f"], true, "{v}");
    assert_eq!(v["pages"].as_array().unwrap().len() as u64, fax_pages);
    let r = server.post_form("/v1/quote", &[], &[], Some(&fax.body));
    assert_eq!(r.status, 400, "{}", r.text());
    let r = server.post_form("/v1/inspect", &[], &[("colour", "red")], Some(&ten));
    assert_eq!(r.status, 400, "{}", r.text());
}

#[test]
fn tiff_uploads_only_when_the_service_takes_them() {
    if !faxprep_testkit::require_tool("convert") || !faxprep_testkit::require_tool("tiffcp") {
        return;
    }
    // Two colour pages (LZW and JPEG), made by ImageMagick and libtiff.
    let tmp = tempfile::tempdir().unwrap();
    let run = |program: &str, args: &[&str]| {
        let ok = Command::new(program)
            .args(args)
            .current_dir(tmp.path())
            .status()
            .unwrap()
            .success();
        assert!(ok, "{program} {args:?}");
    };
    run(
        "convert",
        &[
            "-size",
            "600x400",
            "gradient:#ffe0a0-#2040a0",
            "-depth",
            "8",
            "-compress",
            "LZW",
            "a.tif",
        ],
    );
    run("tiffcp", &["-c", "jpeg", "a.tif", "b.tif"]);
    run("tiffcp", &["a.tif", "b.tif", "two.tif"]);
    let upload = std::fs::read(tmp.path().join("two.tif")).unwrap();

    let public = Server::start(&[]);
    let r = public.post_form("/v1/prepare", &[], FIELDS, Some(&upload));
    assert_rejection(&r, 400, "bad_request");
    assert!(
        r.json()["hint"].as_str().unwrap().contains("PDF"),
        "{}",
        r.text()
    );

    let server = Server::start(&["--accept-tiff"]);
    let r = server.post_form("/v1/prepare", &[], FIELDS, Some(&upload));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-fax-pages"), Some("2"));
    if let Some(dirs) = tiff_directories(&r.body) {
        assert_eq!(dirs, 2);
    }
    let q = server.post_form("/v1/quote", &[], &[], Some(&upload));
    assert_eq!(q.status, 200, "{}", q.text());
    assert_eq!(q.json()["pages"].as_u64(), Some(2));
}
