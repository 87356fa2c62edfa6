//! `faxprep serve` under load, on 127.0.0.1: 200 requests from 8 clients
//! at once, real documents mixed with bombs, malformed files, bad fields
//! and oversized bodies. Every request is answered with the status the
//! CLI (the same library, without HTTP) gives the same upload and fields,
//! none is lost, the service's peak memory stays bounded and /metrics
//! counts what the clients saw. Then SIGTERM in the middle of load: the
//! jobs in flight finish and are answered, and the process exits 0.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

mod serve_support;

use serve_support::{BIN, FIELDS, Server, fixture, multipart, try_request, wait_for};
use std::collections::BTreeMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One kind of request of the mix.
struct Kind {
    name: String,
    upload: Vec<u8>,
    fields: Vec<(&'static str, &'static str)>,
    /// How many of the 200.
    count: usize,
}

/// The status the CLI's `prepare --json` gives this upload and these
/// fields: 200 when it succeeds, else the status of its error_type.
fn oracle_status(kind: &Kind) -> u16 {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("upload");
    std::fs::write(&input, &kind.upload).unwrap();
    let mut cmd = Command::new(BIN);
    cmd.arg("prepare")
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("fax.tif"))
        .arg("--json");
    for (name, value) in &kind.fields {
        let flag = match *name {
            "recipientNumber" => "--recipient-number",
            "senderName" => "--sender-name",
            "senderEmail" => "--sender-email",
            other => panic!("no flag for {other}"),
        };
        cmd.arg(flag).arg(value);
    }
    let out = cmd.output().unwrap();
    match out.status.code() {
        Some(0) => 200,
        Some(1) => {
            let body: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
            match body["error_type"].as_str().unwrap() {
                "bad_request" => 400,
                "payment_required" => 402,
                "payload_too_large" => 413,
                "document_too_complex" => 422,
                other => panic!("{}: unexpected error_type {other}", kind.name),
            }
        }
        other => panic!(
            "{}: the CLI failed ({other:?}): {}",
            kind.name,
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// Files of the shared corpus, when it is there: a bomb, a nesting, a
/// loop, a fuzzed file and a damaged real document.
const CORPUS: [&str; 5] = [
    "pdfjs-bomb_giant.pdf",
    "qpdf-issue-146.pdf",
    "qpdf-pages-loop.pdf",
    "pdfjs-REDHAT-1531897-0.pdf",
    "pdfminer-zen_of_python_corrupted.pdf",
];

fn mix() -> Vec<Kind> {
    let fields = FIELDS.to_vec();
    let corpus: Vec<Kind> = faxprep_testkit::corpus_dir()
        .map(|dir| {
            CORPUS
                .iter()
                .filter_map(|name| std::fs::read(dir.join(name)).ok().map(|b| (name, b)))
                .map(|(name, upload)| Kind {
                    name: (*name).into(),
                    upload,
                    fields: fields.clone(),
                    count: 4,
                })
                .collect()
        })
        .unwrap_or_default();
    let from_corpus: usize = corpus.iter().map(|k| k.count).sum();
    let letter = fixture("letter.pdf");
    let mut truncated = letter.clone();
    truncated.truncate(letter.len() / 2);
    vec![
        Kind {
            name: "png".into(),
            upload: fixture("letter-page.png"),
            fields: fields.clone(),
            count: 60 - from_corpus,
        },
        Kind {
            name: "jpeg".into(),
            upload: fixture("photo.jpg"),
            fields: fields.clone(),
            count: 20,
        },
        Kind {
            name: "pdf".into(),
            upload: letter,
            fields: fields.clone(),
            count: 30,
        },
        Kind {
            name: "truncated pdf".into(),
            upload: truncated,
            fields: fields.clone(),
            count: 15,
        },
        Kind {
            name: "text".into(),
            upload: b"Dear Sir, this is not a PDF.".to_vec(),
            fields: fields.clone(),
            count: 15,
        },
        Kind {
            name: "empty".into(),
            upload: Vec::new(),
            fields: fields.clone(),
            count: 10,
        },
        Kind {
            name: "decompression bomb".into(),
            upload: faxprep_testkit::bombs::shared_content(200, 100, 400),
            fields: fields.clone(),
            count: 15,
        },
        Kind {
            name: "xobject bomb".into(),
            upload: faxprep_testkit::bombs::xobject_fan_out(4, 16),
            fields: fields.clone(),
            count: 15,
        },
        Kind {
            name: "bad number".into(),
            upload: fixture("letter-page.png"),
            fields: vec![
                ("recipientNumber", "12"),
                ("senderName", "Test Sender"),
                ("senderEmail", "sender@example.com"),
            ],
            count: 10,
        },
    ]
    .into_iter()
    .chain(corpus)
    .collect()
}

/// Peak resident memory of a process, in KiB (`VmHWM`).
fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn two_hundred_requests_from_eight_clients() {
    let mut kinds = mix();
    let mut expected: BTreeMap<String, u16> = kinds
        .iter()
        .map(|k| (k.name.clone(), oracle_status(k)))
        .collect();
    // Over the body cap: refused before any job, with the API's 413.
    kinds.push(Kind {
        name: "oversized".into(),
        upload: vec![b'%'; 5 * 1024 * 1024],
        fields: FIELDS.to_vec(),
        count: 10,
    });
    expected.insert("oversized".into(), 413);
    assert_eq!(expected["png"], 200);
    assert_eq!(expected["text"], 400);
    let total: usize = kinds.iter().map(|k| k.count).sum();
    assert_eq!(total, 200);

    // Queue places for every client: no request is refused as busy.
    let server = Server::start(&["--jobs", "2", "--queue", "16"]);
    let bodies: Vec<(String, Vec<u8>)> = kinds
        .iter()
        .map(|k| multipart(&k.fields, Some(&k.upload)))
        .collect();
    // Interleave the kinds so every client meets all of them.
    let mut plan: Vec<usize> = Vec::new();
    let mut left: Vec<usize> = kinds.iter().map(|k| k.count).collect();
    while plan.len() < total {
        for (i, n) in left.iter_mut().enumerate() {
            if *n > 0 {
                *n -= 1;
                plan.push(i);
            }
        }
    }
    let plan = Arc::new(Mutex::new(plan));
    let bodies = Arc::new(bodies);
    let results: Arc<Mutex<Vec<(usize, u16, serde_json::Value)>>> = Arc::default();
    let start = Instant::now();
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let (plan, bodies, results) =
                (Arc::clone(&plan), Arc::clone(&bodies), Arc::clone(&results));
            let addr = server.addr;
            std::thread::spawn(move || {
                // At most the whole plan, each request within 120 s.
                while let Some(kind) = plan.lock().unwrap().pop() {
                    let (ct, body) = &bodies[kind];
                    let r = try_request(
                        addr,
                        "POST",
                        "/v1/prepare",
                        &[("Content-Type", ct), ("Accept", "application/json")],
                        Some(body),
                    )
                    .expect("every request is answered");
                    let json: serde_json::Value =
                        serde_json::from_slice(&r.body).unwrap_or(serde_json::Value::Null);
                    results.lock().unwrap().push((kind, r.status, json));
                }
            })
        })
        .collect();
    for c in clients {
        c.join().unwrap();
    }
    let seconds = start.elapsed().as_secs_f64();
    let results = results.lock().unwrap();
    assert_eq!(results.len(), 200, "no request is lost");
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    let mut pages = 0u64;
    for (kind, status, json) in results.iter() {
        let k = &kinds[*kind];
        assert_eq!(*status, expected[&k.name], "{}: {json}", k.name);
        if *status == 200 {
            pages += json["total_pages"].as_u64().unwrap();
        } else {
            assert!(
                json["error_type"].is_string() && json["hint"].is_string(),
                "{json}"
            );
        }
        *by_status.entry(*status).or_default() += 1;
    }
    let peak = peak_rss_kib(server.child.id());
    eprintln!(
        "200 requests, 8 clients, 2 jobs: {seconds:.1} s; statuses {by_status:?}; service peak \
         RSS {} MiB",
        peak / 1024
    );
    // The uploads in flight (at most 18 of at most 5 MiB) and the answers;
    // the documents are parsed in the workers, not here.
    assert!(peak < 256 * 1024, "service peak RSS {peak} KiB");

    let text = String::from_utf8(server.get("/metrics", &[]).body).unwrap();
    let m = |name: &str| serve_support::metric_in(&text, name);
    for (status, n) in &by_status {
        assert_eq!(
            m(&format!(
                "faxprep_http_requests_total{{route=\"/v1/prepare\",status=\"{status}\"}}"
            )),
            *n as f64,
            "{text}"
        );
    }
    assert_eq!(
        m("faxprep_jobs_total{outcome=\"ok\"}"),
        by_status[&200] as f64
    );
    // Every request but the oversized ones reached a job.
    assert_eq!(m("faxprep_prepare_seconds_count"), 190.0);
    assert_eq!(m("faxprep_pages_total"), pages as f64);
    assert_eq!(m("faxprep_jobs_in_flight"), 0.0);
    assert_eq!(m("faxprep_queue_depth"), 0.0);
}

#[test]
fn sigterm_during_load_finishes_the_jobs_in_flight() {
    let mut server = Server::start(&["--jobs", "2", "--queue", "16"]);
    let (ct, body) = multipart(FIELDS, Some(&fixture("ten-pages.pdf")));
    let body = Arc::new((ct, body));
    let outcomes: Arc<Mutex<Vec<Result<u16, std::io::ErrorKind>>>> = Arc::default();
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let (body, outcomes) = (Arc::clone(&body), Arc::clone(&outcomes));
            let addr = server.addr;
            std::thread::spawn(move || {
                for _ in 0..30 {
                    let r = try_request(
                        addr,
                        "POST",
                        "/v1/prepare",
                        &[("Content-Type", &body.0)],
                        Some(&body.1),
                    );
                    let stop = r.is_err();
                    outcomes
                        .lock()
                        .unwrap()
                        .push(r.map(|r| r.status).map_err(|e| e.kind()));
                    if stop {
                        break;
                    }
                }
            })
        })
        .collect();
    // Some answered, and jobs running right now.
    wait_for(60, || {
        let done = outcomes.lock().unwrap().len();
        (done >= 4 && server.metric("faxprep_jobs_in_flight") >= 1.0).then_some(())
    })
    .expect("jobs in flight under load");
    let pid = nix::unistd::Pid::from_raw(server.child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "the service did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit after SIGTERM: {status}");
    for c in clients {
        c.join().unwrap();
    }
    let outcomes = outcomes.lock().unwrap();
    let answered: Vec<u16> = outcomes.iter().filter_map(|o| o.ok()).collect();
    // Every answer is a whole fax: nothing cut off or failed by the drain.
    assert!(answered.iter().all(|s| *s == 200), "{outcomes:?}");
    // After the signal, requests are refused at the door.
    for o in outcomes.iter() {
        if let Err(kind) = o {
            assert!(
                matches!(
                    kind,
                    std::io::ErrorKind::ConnectionRefused
                        | std::io::ErrorKind::ConnectionReset
                        | std::io::ErrorKind::UnexpectedEof
                        | std::io::ErrorKind::InvalidData
                ),
                "{kind:?}"
            );
        }
    }
    let log = wait_for(5, || {
        let log = server.log_lines();
        log.iter().any(|l| l.contains("\"stopped\"")).then_some(log)
    })
    .expect("the log says the service stopped");
    let shutdown = log
        .iter()
        .position(|l| l.contains("\"shutdown\""))
        .expect("the log says the service drains");
    let finished_after = log[shutdown..]
        .iter()
        .filter(|l| l.contains("\"route\":\"/v1/prepare\"") && l.contains("\"status\":200"))
        .count();
    assert!(
        finished_after >= 1,
        "the jobs in flight finish after SIGTERM"
    );
    // Every 200 the service logged reached its client.
    let logged_ok = log
        .iter()
        .filter(|l| l.contains("\"route\":\"/v1/prepare\"") && l.contains("\"status\":200"))
        .count();
    assert_eq!(logged_ok, answered.len());
    eprintln!(
        "SIGTERM under load: {} answered ({finished_after} finished after the signal), {} \
         refused; exit in {:.1} s",
        answered.len(),
        outcomes.len() - answered.len(),
        start.elapsed().as_secs_f64()
    );
}
