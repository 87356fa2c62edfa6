//! The sandbox's fax page in a real browser (Debian's headless Chromium):
//! the page loads, shows one image per fax page, and the browser decodes
//! every image at the page's width to the same dark pixels as the image
//! crate decodes from the same PNG; a screenshot is kept under the target
//! directory as the test's artefact.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

mod serve_support;

use serve_support::{PAID_KEY, Server, fixture};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Run chromium headless with `args` on `url`, killed after 90 s.
fn chromium(args: &[String], url: &str) -> String {
    let mut child = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut out = String::new();
            std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
            assert!(status.success(), "chromium failed: {status}");
            return out;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish in 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The value of `name="..."` in the `<body>` tag of `dom`.
fn body_attr(dom: &str, name: &str) -> Option<String> {
    let start = dom.find("<body")?;
    let tag = &dom[start..start + dom[start..].find('>')?];
    let key = format!("{name}=\"");
    let at = tag.find(&key)? + key.len();
    Some(tag[at..at + tag[at..].find('"')?].to_owned())
}

fn artefact_dir() -> PathBuf {
    // <target>/debug/deps/this-test -> <target>/test-artefacts
    let exe = std::env::current_exe().unwrap();
    let target = exe.ancestors().nth(3).unwrap().to_path_buf();
    let dir = target.join("test-artefacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_fax_page_shows_every_page_in_a_browser() {
    if !faxprep_testkit::require_tool("chromium") {
        return;
    }
    let server = Server::start(&["--sandbox", "--speedup", "1000"]);
    let pdf = fixture("ten-pages.pdf");
    let r = server.post_form(
        "/api/send-fax",
        &[("X-API-Key", PAID_KEY)],
        &[
            ("recipientNumber", "+12125551234"),
            ("senderName", "Test Sender"),
            ("senderEmail", "sender@example.com"),
            ("includeCover", "true"),
            ("subject", "Browser test"),
        ],
        Some(&pdf),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["faxId"].as_str().unwrap().to_owned();
    let url = format!("http://{}/sandbox/faxes/{id}", server.addr);
    // The images, fetched once outside the browser: PNGs of the fax's
    // width halved (this also draws them before the browser asks).
    let mut ink = Vec::new();
    for n in 1..=11 {
        let png = server.get(&format!("/sandbox/faxes/{id}/pages/{n}"), &[]);
        assert_eq!(png.status, 200);
        assert_eq!(png.header("content-type"), Some("image/png"));
        let page = image::load_from_memory(&png.body).unwrap().to_luma8();
        assert_eq!(page.width(), 864);
        ink.push(page.pixels().filter(|p| p.0[0] < 128).count());
    }
    assert!(
        ink.iter().all(|n| *n > 1000),
        "every page has print: {ink:?}"
    );

    let dom = chromium(
        &["--virtual-time-budget=20000".into(), "--dump-dom".into()],
        &url,
    );
    assert!(dom.contains(&format!("Fax {id}")), "{dom}");
    // Ten pages and the cover: eleven images, each decoded by the browser
    // at 864 pixels (half the fax's 1728).
    assert_eq!(dom.matches("<img class=\"page\"").count(), 11, "{dom}");
    assert_eq!(
        body_attr(&dom, "data-decoded").as_deref(),
        Some("11"),
        "{dom}"
    );
    let widths = body_attr(&dom, "data-widths").unwrap();
    assert_eq!(
        widths.split(',').filter(|w| *w == "864").count(),
        11,
        "{widths}"
    );
    // The browser's pixels are the PNGs' (its dark pixels, counted on a
    // canvas, against the image crate's decoding of the same files).
    let browser_ink: Vec<usize> = body_attr(&dom, "data-ink")
        .unwrap()
        .split(',')
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(browser_ink, ink);
    assert!(dom.contains("cover included"));

    // The list page links to it.
    let list = chromium(
        &["--dump-dom".into()],
        &format!("http://{}/sandbox/faxes", server.addr),
    );
    assert!(
        list.contains(&format!("href=\"/sandbox/faxes/{id}\"")),
        "{list}"
    );

    let shot = artefact_dir().join("sandbox-fax-page.png");
    let _ = std::fs::remove_file(&shot);
    chromium(
        &[
            "--virtual-time-budget=20000".into(),
            "--window-size=1280,1800".into(),
            format!("--screenshot={}", shot.display()),
        ],
        &url,
    );
    let image = image::open(&shot).expect("the screenshot is a PNG");
    assert_eq!((image.width(), image.height()), (1280, 1800));
    eprintln!("screenshot: {}", shot.display());
}
