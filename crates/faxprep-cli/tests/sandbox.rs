//! Issue 16: the worker's sandbox, attacked from inside. `faxprep worker
//! --probe ACTION` sets up exactly the sandbox a job gets and then tries
//! what a compromised renderer would; each layer is also tried alone
//! (the other simulated missing) and with both missing, which shows that
//! each check can fail and which layer stops what. Where the kernel can be
//! asked from outside (`/proc/PID/status`, `/proc/PID/fd`, a listening
//! socket that sees no connection, a file left unchanged), the tests ask
//! it rather than trust the worker's word. These tests need a kernel with
//! Landlock (ABI 4 or later for TCP) and seccomp, as CI's has.
#![allow(clippy::unwrap_used)] // helpers of tests: a failed unwrap fails the test

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::os::fd::AsRawFd;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_faxprep");

/// Which layers a probe runs with.
#[derive(Clone, Copy, Debug)]
enum Layers {
    Both,
    LandlockOnly,
    SeccompOnly,
    Neither,
}

fn setup(layers: Layers, user: Option<(u32, u32)>) -> String {
    let (no_landlock, no_seccomp) = match layers {
        Layers::Both => (false, false),
        Layers::LandlockOnly => (false, true),
        Layers::SeccompOnly => (true, false),
        Layers::Neither => (true, true),
    };
    serde_json::json!({
        "address_space_mib": 1024,
        "cpu_seconds": 10,
        "parent_pid": null,
        "sandbox": {
            "simulate_no_landlock": no_landlock,
            "simulate_no_seccomp": no_seccomp,
            "user": user,
        }
    })
    .to_string()
}

fn worker(layers: Layers, action: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(["worker", "--setup", &setup(layers, None), "--probe", action])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    cmd
}

/// The sandbox report and the probe's outcome (`None` when the probe
/// ended the process, as a successful exec does).
fn probe(layers: Layers, action: &str) -> (Value, Option<Value>) {
    let out = worker(layers, action).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let report = serde_json::from_str(lines.next().expect("a sandbox report")).unwrap();
    let outcome = lines.next().map(|l| serde_json::from_str(l).unwrap());
    (report, outcome)
}

fn allowed(layers: Layers, action: &str) -> bool {
    let (_, outcome) = probe(layers, action);
    outcome.is_some_and(|o| o["allowed"] == true)
}

#[test]
fn every_layer_is_reported_enforced() {
    let (report, outcome) = probe(Layers::Both, "thread");
    assert_eq!(report["landlock"]["status"], "enforced", "{report}");
    assert_eq!(report["seccomp"]["status"], "enforced", "{report}");
    assert_eq!(report["no_new_privs"], true);
    assert_eq!(report["not_dumpable"], true);
    assert_eq!(report["parent_death_signal"], true);
    // Threads still work under the allow-list (the render pool needs them).
    assert_eq!(outcome.unwrap()["allowed"], true);
}

#[test]
fn simulated_missing_layers_are_reported_not_hidden() {
    let (report, outcome) = probe(Layers::Neither, "thread");
    assert_eq!(report["landlock"]["status"], "unavailable", "{report}");
    assert_eq!(report["seccomp"]["status"], "unavailable", "{report}");
    assert!(
        report["landlock"]["detail"]
            .as_str()
            .unwrap()
            .contains("simulated")
    );
    // The rest of the sandbox still holds, and the worker still works.
    assert_eq!(report["no_new_privs"], true);
    assert_eq!(outcome.unwrap()["allowed"], true);
}

#[test]
fn a_compromised_worker_cannot_read_files() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "the parent's secret").unwrap();
    let read = format!("read:{}", secret.display());
    // Landlock is the layer that stops reading (seccomp allows read-only
    // opens, for the system CJK font).
    assert!(!allowed(Layers::Both, &read));
    assert!(!allowed(Layers::LandlockOnly, &read));
    assert!(allowed(Layers::SeccompOnly, &read));
    assert!(allowed(Layers::Neither, &read));
    if std::path::Path::new("/etc/shadow").exists() {
        assert!(!allowed(Layers::Both, "read:/etc/shadow"));
    }
    // The fonts the renderer may need stay readable.
    if let Some(font) = ["/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"]
        .iter()
        .find(|p| std::path::Path::new(p).exists())
    {
        assert!(allowed(Layers::Both, &format!("read:{font}")));
    }
}

#[test]
fn a_compromised_worker_cannot_create_or_truncate_files() {
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("kept.txt");
    let new = dir.path().join("new.txt");
    for layers in [Layers::Both, Layers::LandlockOnly, Layers::SeccompOnly] {
        std::fs::write(&kept, "keep").unwrap();
        probe(layers, &format!("write:{}", kept.display()));
        probe(layers, &format!("write:{}", new.display()));
        assert_eq!(
            std::fs::read_to_string(&kept).unwrap(),
            "keep",
            "{layers:?}"
        );
        assert!(!new.exists(), "{layers:?}");
    }
    // Resource limits alone (RLIMIT_FSIZE = 0) stop the file growing, not
    // its creation or truncation.
    probe(Layers::Neither, &format!("write:{}", kept.display()));
    probe(Layers::Neither, &format!("write:{}", new.display()));
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "");
    assert!(new.exists());
}

/// Whether a connection reached `listener` within half a second.
fn connection_arrived(listener: &std::net::TcpListener) -> bool {
    let until = Instant::now() + Duration::from_millis(500);
    while Instant::now() < until {
        if listener.accept().is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

#[test]
fn a_compromised_worker_cannot_open_connections() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let connect = format!("connect:{}", listener.local_addr().unwrap());
    for layers in [Layers::Both, Layers::SeccompOnly, Layers::LandlockOnly] {
        let (report, outcome) = probe(layers, &connect);
        if matches!(layers, Layers::LandlockOnly) && report["landlock"]["status"] != "enforced" {
            continue; // Landlock before ABI 4 has no network rights.
        }
        assert_eq!(outcome.unwrap()["allowed"], false, "{layers:?}");
        assert!(!connection_arrived(&listener), "{layers:?}");
    }
    assert!(allowed(Layers::Neither, &connect));
    assert!(connection_arrived(&listener));
}

#[test]
fn a_compromised_worker_cannot_start_processes() {
    // seccomp refuses the fork (clone without CLONE_THREAD) and execve;
    // Landlock refuses to execute anything.
    assert!(!allowed(Layers::Both, "spawn:/bin/true"));
    assert!(!allowed(Layers::SeccompOnly, "spawn:/bin/true"));
    assert!(!allowed(Layers::LandlockOnly, "spawn:/bin/true"));
    assert!(allowed(Layers::Neither, "spawn:/bin/true"));
    for layers in [Layers::Both, Layers::SeccompOnly, Layers::LandlockOnly] {
        let (_, outcome) = probe(layers, "exec:/bin/true");
        assert_eq!(outcome.unwrap()["allowed"], false, "{layers:?}");
    }
    // Unsandboxed, exec replaces the worker: no outcome line comes back.
    assert!(probe(Layers::Neither, "exec:/bin/true").1.is_none());
}

/// `/proc/PID/status` lines of a running process.
fn status(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default()
}

fn status_field(pid: u32, name: &str) -> String {
    status(pid)
        .lines()
        .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
        .unwrap_or_default()
}

fn open_fds(pid: u32) -> Vec<i32> {
    let mut fds: Vec<i32> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    fds.sort_unstable();
    fds
}

#[test]
fn inherited_descriptors_are_closed_and_the_kernel_sees_the_sandbox() {
    // A listening socket and an open file, inheritable as a server's
    // systemd socket or a leaked descriptor would be.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(dir.path().join("open.txt")).unwrap();
    use nix::fcntl::{FcntlArg, FdFlag, fcntl};
    fcntl(&listener, FcntlArg::F_SETFD(FdFlag::empty())).unwrap();
    fcntl(&file, FcntlArg::F_SETFD(FdFlag::empty())).unwrap();
    let leaked = [listener.as_raw_fd(), file.as_raw_fd()];
    // Control: an ordinary child does inherit them.
    let mut plain = Command::new("sleep").arg("5").spawn().unwrap();
    let plain_fds = open_fds(plain.id());
    plain.kill().unwrap();
    plain.wait().unwrap();
    assert!(
        leaked.iter().all(|fd| plain_fds.contains(fd)),
        "{plain_fds:?}"
    );
    // The worker closes them before its sandbox report.
    let mut child = worker(Layers::Both, "sleep:5000").spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let report: Value = serde_json::from_str(&line).unwrap();
    let pid = child.id();
    let fds = open_fds(pid);
    let status_text = status(pid);
    let no_new_privs = status_field(pid, "NoNewPrivs:");
    let seccomp = status_field(pid, "Seccomp:");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(fds, vec![0, 1, 2], "{status_text}");
    assert!(report["fds_closed"].as_u64().unwrap() >= 2, "{report}");
    assert_eq!(no_new_privs, "1");
    assert_eq!(seccomp, "2", "mode 2 is filter");
    drop(file);
}

#[test]
fn the_worker_dies_with_its_parent() {
    // A shell stands in for the parent; the worker is its child.
    let script = format!(
        "{BIN} worker --setup '{}' --probe sleep:10000 & echo $!; wait",
        setup(Layers::Both, None)
    );
    let mut shell = Command::new("sh")
        .args(["-c", &script])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(shell.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let worker_pid: u32 = line.trim().parse().unwrap();
    // The sandbox report: the parent-death signal is armed.
    line.clear();
    out.read_line(&mut line).unwrap();
    assert!(line.contains("\"parent_death_signal\":true"), "{line}");
    shell.kill().unwrap();
    shell.wait().unwrap();
    let until = Instant::now() + Duration::from_secs(3);
    let gone = || {
        let state = status_field(worker_pid, "State:");
        state.is_empty() || state.starts_with('Z')
    };
    while !gone() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(gone(), "the worker outlived its parent");
}

#[test]
fn a_dedicated_user_is_applied_when_root() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("note: not root, the user switch is not tried");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("root-only.txt");
    std::fs::write(&secret, "root only").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let read = format!("read:{}", secret.display());
    let run = |user| {
        let out = Command::new(BIN)
            .args(["worker", "--setup", &setup(Layers::Neither, user)])
            .args(["--probe", &read])
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let mut lines = text
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap());
        (lines.next().unwrap(), lines.next().unwrap())
    };
    // Without Landlock, only the user's own rights stop the read.
    let (report, outcome) = run(Some((65534, 65534)));
    assert_eq!(report["user"], 65534);
    assert_eq!(outcome["allowed"], false);
    let (report, outcome) = run(None);
    assert_eq!(report["user"], Value::Null);
    assert_eq!(outcome["allowed"], true);
}
