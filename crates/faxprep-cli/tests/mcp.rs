//! `faxprep mcp` end to end with a client nobody here wrote: the official
//! MCP Python SDK runs crates/faxprep-mcp/tests/e2e_client.py, which starts
//! this binary, lists and checks the tools, prepares a corpus PDF and a
//! photo, decodes the PNG pages, provokes typed errors (a bad number, paths
//! outside the jail) and sends through a stub of the fax API and through
//! `faxprep serve --sandbox`.
#![allow(clippy::unwrap_used)] // helpers of tests: a failed unwrap fails the test

use faxprep_testkit::{corpus_dir, oracles_required, workspace_root};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_faxprep");

/// Whether python3 with the `mcp` package is there; a notice when not (a
/// failure when oracles are required).
fn python_mcp() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import mcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            !oracles_required(),
            "FAXPREP_REQUIRE_ORACLES=1 but python3 cannot import mcp (pip install mcp)"
        );
        eprintln!("note: python3 with the mcp package not found, skipping (pip install mcp)");
    }
    ok
}

#[test]
fn python_sdk_client_end_to_end() {
    let Some(corpus) = corpus_dir() else { return };
    if !python_mcp() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let script = workspace_root().join("crates/faxprep-mcp/tests/e2e_client.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .arg(BIN)
        .arg(&corpus)
        .arg(work.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The script bounds itself at 240 s; this is the backstop.
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(300) {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "e2e_client.py failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(stdout.contains("e2e ok"), "{stdout}");
    eprintln!("{stdout}");
}
