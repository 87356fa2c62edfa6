//! Issue 16: one bound on concurrent workers for the whole process. Its own
//! test binary, because the bound is global to the process.
#![allow(clippy::unwrap_used)] // helpers of tests: a failed unwrap fails the test

use faxprep::{FormFields, Isolation, Options, Worker, WorkerLimits, prepare, set_max_workers};
use std::path::Path;
use std::time::{Duration, Instant};

/// A worker that takes `seconds` and then answers nothing.
fn slow_worker(dir: &Path, seconds: &str) -> std::path::PathBuf {
    let script = dir.join("worker.sh");
    std::fs::write(&script, format!("#!/bin/sh\nsleep {seconds}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

fn run_together(n: usize, opts: &Options) -> (Duration, Vec<u16>) {
    let fields = FormFields {
        recipient_number: Some("2125550123".into()),
        sender_name: Some("A".into()),
        sender_email: Some("a@example.com".into()),
        ..FormFields::default()
    };
    let start = Instant::now();
    let statuses = std::thread::scope(|s| {
        let runs: Vec<_> = (0..n)
            .map(|_| {
                s.spawn(|| {
                    prepare(b"%PDF-1.4\n", &fields, opts)
                        .unwrap_err()
                        .http_status()
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    (start.elapsed(), statuses)
}

#[test]
fn workers_wait_for_a_slot_and_give_up_when_busy() {
    let dir = tempfile::tempdir().unwrap();
    let mut worker = Worker::with_program(slow_worker(dir.path(), "0.4"));
    worker.limits = WorkerLimits {
        queue_wait: Duration::from_secs(10),
        ..WorkerLimits::default()
    };
    let mut opts = Options::default();
    opts.isolation = Isolation::Process(worker.clone());
    // One slot: three requests run one after the other.
    set_max_workers(1);
    let (took, statuses) = run_together(3, &opts);
    assert!(took >= Duration::from_millis(1200), "{took:?}");
    assert!(statuses.iter().all(|&s| s == 500), "{statuses:?}");
    // Three slots: side by side.
    set_max_workers(3);
    let (took, _) = run_together(3, &opts);
    assert!(took < Duration::from_millis(1150), "{took:?}");
    // One slot and a short wait: the second request is refused as busy.
    set_max_workers(1);
    worker.limits.queue_wait = Duration::from_millis(100);
    opts.isolation = Isolation::Process(worker);
    let (_, mut statuses) = run_together(2, &opts);
    statuses.sort_unstable();
    assert_eq!(statuses, vec![500, 503]);
    set_max_workers(0);
}
