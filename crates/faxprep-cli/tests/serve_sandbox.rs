//! `faxprep serve --sandbox` against the public API's documented calls:
//! the repository's example scripts (curl with every field, Python
//! `requests`, Node `fetch`) run unchanged but for the base URL, then the
//! API key's shape, the per-key rate limits and their headers, the free
//! plan, the status of other keys' faxes and the test numbers.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

mod serve_support;

use serve_support::{FIELDS, FREE_KEY, OTHER_KEY, PAID_KEY, Server, fixture, wait_for};
use std::process::Command;

fn examples() -> std::path::PathBuf {
    faxprep_testkit::workspace_root().join("examples/api")
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn with_env<'a>(cmd: &'a mut Command, server: &Server) -> &'a mut Command {
    cmd.env("FAXDROP_BASE_URL", format!("http://{}", server.addr))
        .env("FAXDROP_API_KEY", PAID_KEY)
}

#[test]
fn the_documented_calls_run_against_the_sandbox() {
    let (curl, python, node) = (
        faxprep_testkit::require_tool("curl"),
        faxprep_testkit::require_tool("python3"),
        faxprep_testkit::require_tool("node"),
    );
    if !curl {
        return;
    }
    let server = Server::start(&["--sandbox", "--speedup", "1000"]);
    let letter = faxprep_testkit::workspace_root().join("fixtures/docs/letter.pdf");
    let out = run(with_env(
        Command::new("sh")
            .arg(examples().join("send-fax.sh"))
            .arg(&letter),
        &server,
    ));
    let sent: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(sent["success"], true, "{sent}");
    assert_eq!(
        sent["deliveryEmail"], "suppressed",
        "the script sends sendEmail=false"
    );
    let fax_id = sent["faxId"].as_str().unwrap().to_owned();
    assert!(fax_id.starts_with("fax_") && fax_id.len() > 12, "{fax_id}");

    // The same upload and fields through /v1 give the page count the
    // status must report.
    let pdf = std::fs::read(&letter).unwrap();
    let facts = server.post_form(
        "/v1/prepare",
        &[],
        &[
            ("recipientNumber", "+12125551234"),
            ("senderName", "Your App"),
            ("senderEmail", "you@example.com"),
            ("includeCover", "true"),
            ("output", "json"),
        ],
        Some(&pdf),
    );
    let pages = facts.json()["total_pages"].as_u64().unwrap();

    let status = wait_for(30, || {
        let r = server.get(&format!("/api/v1/fax/{fax_id}"), &[("X-API-Key", PAID_KEY)]);
        (r.json()["status"] == "completed").then(|| r.json())
    })
    .expect("the fax completes");
    assert_eq!(status["pages"].as_u64(), Some(pages));
    let completed = status["completedAt"].as_str().unwrap();
    assert!(
        completed.contains('T') && completed.ends_with('Z'),
        "{completed}"
    );

    if python {
        let out = run(with_env(
            Command::new("python3")
                .arg(examples().join("fax_status.py"))
                .arg(&fax_id),
            &server,
        ));
        assert_eq!(out.trim(), format!("completed {pages} {completed}"));
    }
    if node {
        let out = run(with_env(
            Command::new("node")
                .arg(examples().join("fax-status.mjs"))
                .arg(&fax_id),
            &server,
        ));
        assert_eq!(out.trim(), format!("completed {pages} {completed}"));
    }
}

#[test]
fn keys_rate_limits_and_the_free_plan() {
    let server = Server::start(&["--sandbox", "--free-key", FREE_KEY, "--speedup", "1000"]);
    let png = fixture("letter-page.png");
    // The key's shape.
    for key in [
        "",
        "fd_live_123",
        "fd_test_0123456789abcdef0123456789abcdef",
    ] {
        let headers: Vec<(&str, &str)> = if key.is_empty() {
            vec![]
        } else {
            vec![("X-API-Key", key)]
        };
        let r = server.post_form("/api/send-fax", &headers, FIELDS, Some(&png));
        assert_eq!(r.status, 401, "{}", r.text());
        assert_eq!(r.json()["error_type"], "unauthorized");
        assert!(r.header("x-ratelimit-limit").is_none());
    }
    // Rejected sends do not count.
    for _ in 0..12 {
        let r = server.post_form("/api/send-fax", &[("X-API-Key", PAID_KEY)], FIELDS, None);
        assert_eq!(r.status, 400, "{}", r.text());
        assert_eq!(r.header("x-ratelimit-remaining"), Some("10"));
    }
    // Ten a minute, then 429 until the first leaves the window.
    for n in 0..10 {
        let r = server.post_form(
            "/api/send-fax",
            &[("X-API-Key", PAID_KEY)],
            FIELDS,
            Some(&png),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["deliveryEmail"], "enabled");
        assert_eq!(r.header("x-ratelimit-limit"), Some("10"));
        assert_eq!(
            r.header("x-ratelimit-remaining"),
            Some((9 - n).to_string().as_str())
        );
        assert_eq!(
            r.header("x-ratelimit-policy"),
            Some("10;w=60, 30;w=3600, 500;w=86400")
        );
    }
    let r = server.post_form(
        "/api/send-fax",
        &[("X-API-Key", PAID_KEY)],
        FIELDS,
        Some(&png),
    );
    assert_eq!(r.status, 429, "{}", r.text());
    assert_eq!(r.json()["error_type"], "rate_limited");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(r.json()["retry_after"].as_u64(), Some(retry));
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    // Another key has its own windows.
    let r = server.post_form(
        "/api/send-fax",
        &[("X-API-Key", OTHER_KEY)],
        FIELDS,
        Some(&png),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let other_fax = r.json()["faxId"].as_str().unwrap().to_owned();
    // ... and its faxes are unknown to the first key.
    let r = server.get(
        &format!("/api/v1/fax/{other_fax}"),
        &[("X-API-Key", PAID_KEY)],
    );
    assert_eq!(r.status, 404, "{}", r.text());
    assert_eq!(r.json()["error_type"], "not_found");
    assert_eq!(
        server.get(&format!("/api/v1/fax/{other_fax}"), &[]).status,
        401
    );

    // The free plan: five pages with its cover, then two faxes a month.
    let r = server.post_form(
        "/api/send-fax",
        &[("X-API-Key", FREE_KEY)],
        FIELDS,
        Some(&fixture("ten-pages.pdf")),
    );
    assert_eq!(r.status, 402, "{}", r.text());
    assert_eq!(r.json()["error_type"], "payment_required");
    let mut free_faxes = Vec::new();
    for _ in 0..2 {
        let r = server.post_form(
            "/api/send-fax",
            &[("X-API-Key", FREE_KEY)],
            FIELDS,
            Some(&png),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        free_faxes.push(r.json()["faxId"].as_str().unwrap().to_owned());
    }
    let r = server.post_form(
        "/api/send-fax",
        &[("X-API-Key", FREE_KEY)],
        FIELDS,
        Some(&png),
    );
    assert_eq!(r.status, 402, "{}", r.text());
    let body = r.json();
    assert_eq!(body["error_type"], "payment_required");
    let retry = body["retry_after"].as_u64().unwrap();
    // At most a month away.
    assert!((1..=31 * 86_400).contains(&retry), "{retry}");
    assert_eq!(r.header("retry-after"), Some(retry.to_string().as_str()));
    // A free fax carries the cover: the one-page PNG is two pages.
    let status = wait_for(20, || {
        let r = server.get(
            &format!("/api/v1/fax/{}", free_faxes[0]),
            &[("X-API-Key", FREE_KEY)],
        );
        (r.json()["status"] == "completed").then(|| r.json())
    })
    .expect("the free fax completes");
    assert_eq!(status["pages"], 2);
}

#[test]
fn status_limits_and_test_numbers() {
    let server = Server::start(&["--sandbox", "--speedup", "1000"]);
    let send = |number: &str| {
        let r = server.post_form(
            "/api/send-fax",
            &[("X-API-Key", PAID_KEY)],
            &[
                ("recipientNumber", number),
                ("senderName", "Test Sender"),
                ("senderEmail", "sender@example.com"),
                ("includeCover", "true"),
            ],
            Some(&fixture("ten-pages.pdf")),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["faxId"].as_str().unwrap().to_owned()
    };
    let failed = send("+12125550190");
    let partial = send("+12125550193");
    let terminal = |id: &str| {
        wait_for(30, || {
            let r = server.get(&format!("/api/v1/fax/{id}"), &[("X-API-Key", PAID_KEY)]);
            let v = r.json();
            (v["status"] != "queued" && v["status"] != "sending").then_some(v)
        })
        .expect("a terminal state")
    };
    let f = terminal(&failed);
    assert_eq!(f["status"], "failed", "{f}");
    assert_eq!(f["errorCode"], "line_busy");
    assert_eq!(f["errorType"], "temporary");
    assert!(!f["error"].as_str().unwrap().is_empty());
    let p = terminal(&partial);
    assert_eq!(p["status"], "partial", "{p}");
    assert_eq!(p["pages"], 11);
    assert_eq!(p["pagesSent"], 5);
    assert_eq!(p["errorCode"], "call_dropped");
    assert!(p["completedAt"].as_str().is_some());

    // Sixty status calls a minute; a 404 gives its place back.
    let mut last = None;
    for i in 0..61 {
        let r = server.get("/api/v1/fax/fax_unknown", &[("X-API-Key", FREE_KEY)]);
        assert_eq!(r.status, 404, "request {i}");
        last = Some(r);
    }
    let last = last.unwrap();
    assert_eq!(last.header("x-ratelimit-remaining"), Some("60"));
    assert_eq!(
        last.header("x-ratelimit-policy"),
        Some("60;w=60, 500;w=3600, 2000;w=86400")
    );
    let mut statuses = Vec::new();
    for _ in 0..61 {
        let r = server.get(&format!("/api/v1/fax/{failed}"), &[("X-API-Key", PAID_KEY)]);
        statuses.push(r.status);
        if r.status == 429 {
            assert!(r.header("retry-after").is_some());
            break;
        }
    }
    // The key has read the status a few times already this minute.
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert!(statuses.len() <= 60, "{}", statuses.len());
    assert!(statuses[..statuses.len() - 1].iter().all(|s| *s == 200));
}
