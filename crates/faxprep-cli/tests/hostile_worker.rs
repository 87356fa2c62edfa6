//! Issue 16: a worker that turns on its parent. A fake worker program (a
//! shell script that the parent runs in place of `faxprep worker`) leaves a
//! grandchild holding its stdout, floods the parent, forges an error body
//! or never answers; the parent must answer on time, hold no more than the
//! page budget and never pass on what a sound worker cannot say.
#![allow(clippy::unwrap_used)] // helpers of tests: a failed unwrap fails the test

use faxprep::{FormFields, Isolation, Options, Worker, WorkerLimits, prepare};
use faxprep_testkit::workspace_root;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_faxprep");

fn fields() -> FormFields {
    FormFields {
        recipient_number: Some("2125550123".into()),
        sender_name: Some("A".into()),
        sender_email: Some("a@example.com".into()),
        ..FormFields::default()
    }
}

fn letter() -> Vec<u8> {
    std::fs::read(workspace_root().join("fixtures/docs/letter.pdf")).unwrap()
}

fn frame(tag: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![tag];
    f.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    f.extend_from_slice(payload);
    f
}

/// The first frame of a sound worker.
fn sandbox_frame() -> Vec<u8> {
    frame(
        b'B',
        br#"{"fds_closed":0,"parent_death_signal":true,"user":null,"no_new_privs":true,"not_dumpable":true,"landlock":{"status":"enforced","detail":"fake"},"seccomp":{"status":"enforced","detail":"fake"}}"#,
    )
}

/// A fake worker in `dir`: writes `frames` (kept in a file beside it),
/// then runs `then` (shell).
fn fake_worker(dir: &Path, frames: &[u8], then: &str) -> PathBuf {
    let data = dir.join("frames.bin");
    std::fs::write(&data, frames).unwrap();
    let script = dir.join("worker.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\ncat '{}'\n{then}\n", data.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

fn options(program: &Path, wall: Duration) -> Options {
    let mut worker = Worker::with_program(program);
    worker.limits = WorkerLimits {
        wall,
        ..WorkerLimits::default()
    };
    let mut opts = Options::default();
    opts.isolation = Isolation::Process(worker);
    opts
}

fn alive(pid: i32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("State:"))
        .is_some_and(|s| !s.trim().starts_with('Z'))
}

fn read_pid(path: &Path) -> i32 {
    let until = Instant::now() + Duration::from_secs(2);
    loop {
        if let Some(pid) = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| t.trim().parse().ok())
        {
            return pid;
        }
        assert!(Instant::now() < until, "no pid written");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_grandchild_holding_stdout_cannot_hold_the_request() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("grandchild.pid");
    // The worker exits at once; its child sleeps with the pipe open.
    let worker = fake_worker(
        dir.path(),
        &sandbox_frame(),
        &format!("sleep 30 & echo $! > '{}'\nexit 0", pidfile.display()),
    );
    let start = Instant::now();
    let err = prepare(
        &letter(),
        &fields(),
        &options(&worker, Duration::from_secs(20)),
    )
    .unwrap_err();
    let took = start.elapsed();
    assert_eq!(err.http_status(), 500, "{err}");
    assert!(took < Duration::from_secs(3), "held for {took:?}");
    // The grandchild was in the worker's process group: killed with it.
    let pid = read_pid(&pidfile);
    std::thread::sleep(Duration::from_millis(100));
    assert!(!alive(pid), "the grandchild {pid} survived");
}

#[test]
fn a_grandchild_that_leaves_the_group_cannot_hold_the_request() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("grandchild.pid");
    // setsid: out of the worker's process group, out of reach of killpg.
    let worker = fake_worker(
        dir.path(),
        &sandbox_frame(),
        &format!(
            "setsid sleep 30 & echo $! > '{}'\nexit 0",
            pidfile.display()
        ),
    );
    let start = Instant::now();
    let err = prepare(
        &letter(),
        &fields(),
        &options(&worker, Duration::from_secs(20)),
    )
    .unwrap_err();
    let took = start.elapsed();
    let pid = read_pid(&pidfile);
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    );
    assert_eq!(err.http_status(), 500, "{err}");
    assert!(took < Duration::from_secs(3), "held for {took:?}");
}

#[test]
fn a_silent_worker_is_killed_with_its_group_at_the_wall() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("grandchild.pid");
    let worker = fake_worker(
        dir.path(),
        &sandbox_frame(),
        &format!("sleep 30 & echo $! > '{}'\nsleep 30", pidfile.display()),
    );
    let start = Instant::now();
    let err = prepare(
        &letter(),
        &fields(),
        &options(&worker, Duration::from_secs(1)),
    )
    .unwrap_err();
    let took = start.elapsed();
    assert_eq!(err.api_error().error_type, "document_too_complex", "{err}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
    let pid = read_pid(&pidfile);
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        !alive(pid),
        "the grandchild {pid} survived the wall-clock kill"
    );
}

#[test]
fn a_forged_error_body_is_an_internal_error() {
    let five_mb = "A".repeat(5 << 20);
    let cases = [
        // A "success" status with 5 MB of text.
        serde_json::json!({"error": five_mb, "error_type": "bad_request", "hint": "", "status": 200}),
        // Short, but a status the worker never gives.
        serde_json::json!({"error": "Your fax was sent.", "error_type": "bad_request", "hint": "", "status": 200}),
        // A made-up type.
        serde_json::json!({"error": "x", "error_type": "sent", "hint": "", "status": 400}),
    ];
    for body in cases {
        let dir = tempfile::tempdir().unwrap();
        let mut frames = sandbox_frame();
        frames.extend(frame(b'E', body.to_string().as_bytes()));
        frames.extend(frame(b'Z', br#"{"peak_rss_kib":1}"#));
        let worker = fake_worker(dir.path(), &frames, "exit 1");
        let err = prepare(
            &letter(),
            &fields(),
            &options(&worker, Duration::from_secs(20)),
        )
        .unwrap_err();
        assert_eq!(err.http_status(), 500, "{err}");
        let api = err.api_error();
        assert_eq!(api.error_type, "internal_error");
        assert!(api.error.len() < 200, "{}", api.error);
        assert!(!api.error.contains("sent") && !api.error.contains("AAAA"));
    }
    // Control: a rejection a sound worker gives goes through as it is.
    let dir = tempfile::tempdir().unwrap();
    let mut frames = sandbox_frame();
    let body = serde_json::json!({"error": "The file is empty.", "error_type": "bad_request", "hint": "Upload a file.", "status": 400});
    frames.extend(frame(b'E', body.to_string().as_bytes()));
    frames.extend(frame(b'Z', br#"{"peak_rss_kib":1}"#));
    let worker = fake_worker(dir.path(), &frames, "exit 1");
    let err = prepare(
        &letter(),
        &fields(),
        &options(&worker, Duration::from_secs(20)),
    )
    .unwrap_err();
    assert_eq!(err.http_status(), 400);
    assert_eq!(err.api_error().error, "The file is empty.");
}

/// The parent's own peak memory (KiB) running `faxprep prepare` with
/// `worker`, measured by GNU time around the CLI process.
fn parent_peak_kib(worker: &Path) -> (u64, i32, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("time.txt");
    let letter = workspace_root().join("fixtures/docs/letter.pdf");
    let start = Instant::now();
    let status = std::process::Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&out)
        .arg(BIN)
        .args(["prepare", letter.to_str().unwrap(), "-o"])
        .arg(dir.path().join("fax.tif"))
        .arg("--worker")
        .arg(worker)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    let took = start.elapsed();
    let kib = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (kib, status.code().unwrap_or(-1), took)
}

#[test]
fn a_flood_stops_at_the_page_budget() {
    if !Path::new("/usr/bin/time").exists() {
        assert!(
            std::env::var_os("FAXPREP_REQUIRE_ORACLES").is_none(),
            "/usr/bin/time is needed"
        );
        return;
    }
    // One page counted, then a page frame of 800 MB (under any fixed cap of
    // 1 GiB) and an endless stream of zeros.
    let dir = tempfile::tempdir().unwrap();
    let mut frames = sandbox_frame();
    frames.extend(frame(b'S', br#"{"format":"pdf","pages":1,"warnings":[]}"#));
    frames.push(b'P');
    frames.extend_from_slice(&(800u32 << 20).to_le_bytes());
    let flood = fake_worker(dir.path(), &frames, "exec cat /dev/zero");
    let (kib, code, took) = parent_peak_kib(&flood);
    // Exit 2: an internal error, not a rejection of the upload.
    assert_eq!(code, 2);
    // The budget of one fine page is under 4 MB; the CLI itself, with its
    // libraries, about 20 MB.
    assert!(kib < 64 * 1024, "the parent reached {kib} KiB");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    // A page frame within the budget whose bytes are nonsense: read (at
    // most the budget), refused, and nothing more read.
    let dir = tempfile::tempdir().unwrap();
    let mut frames = sandbox_frame();
    frames.extend(frame(b'S', br#"{"format":"pdf","pages":1,"warnings":[]}"#));
    frames.push(b'P');
    let cap = faxprep::max_coded_page(faxprep::page::Resolution::Fine) as u32;
    frames.extend_from_slice(&cap.to_le_bytes());
    let flood = fake_worker(dir.path(), &frames, "exec cat /dev/zero");
    let (kib, code, _) = parent_peak_kib(&flood);
    assert_eq!(code, 2);
    assert!(kib < 64 * 1024, "the parent reached {kib} KiB");
}

#[test]
fn frames_out_of_order_are_refused() {
    let summary = frame(b'S', br#"{"format":"pdf","pages":1,"warnings":[]}"#);
    // No sandbox report first; a second summary.
    for frames in [
        summary.clone(),
        [sandbox_frame(), summary.clone(), summary].concat(),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let worker = fake_worker(dir.path(), &frames, "exit 0");
        let err = prepare(
            &letter(),
            &fields(),
            &options(&worker, Duration::from_secs(20)),
        )
        .unwrap_err();
        assert_eq!(err.http_status(), 500, "{err}");
        assert!(err.to_string().contains("unexpected frame"), "{err}");
    }
}

#[test]
fn a_worker_without_its_sandbox_is_an_internal_error() {
    // Exit 3: the worker could not set its sandbox up and read nothing.
    let dir = tempfile::tempdir().unwrap();
    let worker = fake_worker(dir.path(), b"", "exit 3");
    let err = prepare(
        &letter(),
        &fields(),
        &options(&worker, Duration::from_secs(20)),
    )
    .unwrap_err();
    assert_eq!(err.http_status(), 500, "{err}");
}
