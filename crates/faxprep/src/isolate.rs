//! Running the untrusted stages in a child process with hard limits.
//!
//! The parent starts `PROGRAM worker --as-mib N --cpu-secs N` (the `faxprep`
//! binary's hidden subcommand) with an empty environment and `/` as its
//! working directory, writes the job to its stdin, reads its answer from
//! stdout, and kills it when the wall-clock limit passes. The child applies
//! its resource limits ([`apply_worker_limits`]) before it reads a byte:
//! address space (`RLIMIT_AS`), CPU seconds (`RLIMIT_CPU`), no file writes
//! (`RLIMIT_FSIZE` = 0) and no new descriptors beyond a handful
//! (`RLIMIT_NOFILE`). A child killed by a limit, crashed or silent becomes
//! [`IsolationError`], which the top-level error maps to
//! `document_too_complex`.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Hard limits for the worker process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerLimits {
    /// Address space in MiB (`RLIMIT_AS`). Default 1024: the corpus's largest
    /// accepted documents peak far below it, and a bomb stops at it.
    pub address_space_mib: u64,
    /// CPU seconds (`RLIMIT_CPU`), summed over the worker's threads.
    /// Default 60.
    pub cpu_seconds: u64,
    /// Wall-clock limit; the parent kills the worker after it. Default 60 s.
    pub wall: Duration,
    /// The most bytes the parent reads back (1-bit pages of the largest
    /// allowed document, with room to spare). Default 1 GiB.
    pub max_response_bytes: u64,
}

impl Default for WorkerLimits {
    fn default() -> Self {
        WorkerLimits {
            address_space_mib: 1024,
            cpu_seconds: 60,
            wall: Duration::from_secs(60),
            max_response_bytes: 1 << 30,
        }
    }
}

/// How to run the untrusted stages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Isolation {
    /// In this process: for trusted input, tests and fuzzing.
    #[default]
    InProcess,
    /// In a child process: `program worker ...` (the `faxprep` binary).
    Process {
        /// Path of the `faxprep` binary (the CLI passes its own).
        program: PathBuf,
        /// The limits applied to the child.
        limits: WorkerLimits,
    },
}

/// The worker did not give an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IsolationError {
    /// The worker could not be started (a deployment problem, not the
    /// upload's fault).
    Spawn {
        /// The operating system's message.
        message: String,
    },
    /// The wall-clock limit passed and the worker was killed.
    TimedOut {
        /// The limit, in seconds.
        seconds: u64,
    },
    /// The worker died from a signal: SIGXCPU (CPU limit), SIGKILL, SIGSEGV
    /// or SIGABRT (out of address space or a crash in a dependency).
    Killed {
        /// The signal number.
        signal: i32,
    },
    /// The worker exited with a status but no valid answer.
    Failed {
        /// Its exit code.
        code: i32,
    },
    /// The answer was larger than [`WorkerLimits::max_response_bytes`] or
    /// malformed.
    BadResponse {
        /// What was wrong.
        reason: String,
    },
}

impl std::fmt::Display for IsolationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IsolationError::Spawn { message } => write!(f, "cannot start the worker: {message}"),
            IsolationError::TimedOut { seconds } => {
                write!(f, "the document took longer than {seconds} s to render")
            }
            IsolationError::Killed { signal } => {
                write!(
                    f,
                    "the worker was stopped by signal {signal} (a resource limit)"
                )
            }
            IsolationError::Failed { code } => write!(f, "the worker failed with exit code {code}"),
            IsolationError::BadResponse { reason } => write!(f, "bad answer from worker: {reason}"),
        }
    }
}

impl std::error::Error for IsolationError {}

/// Run `program worker` on `job` under `limits`; returns its stdout.
pub(crate) fn run_worker(
    program: &std::path::Path,
    limits: &WorkerLimits,
    job: &[u8],
) -> Result<Vec<u8>, IsolationError> {
    let mut child = Command::new(program)
        .arg("worker")
        .arg("--as-mib")
        .arg(limits.address_space_mib.to_string())
        .arg("--cpu-secs")
        .arg(limits.cpu_seconds.to_string())
        .env_clear()
        .current_dir("/")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| IsolationError::Spawn {
            message: e.to_string(),
        })?;

    // Feed stdin and drain stdout on their own threads so that neither side
    // can block the other, while this thread keeps the clock.
    let mut stdin = child.stdin.take().ok_or_else(|| IsolationError::Spawn {
        message: "no stdin pipe".into(),
    })?;
    let mut stdout = child.stdout.take().ok_or_else(|| IsolationError::Spawn {
        message: "no stdout pipe".into(),
    })?;
    let max = limits.max_response_bytes;
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || {
            // A worker that dies early closes the pipe: not an error here,
            // its exit status tells what happened.
            let _ = stdin.write_all(job);
        });
        let reader = scope.spawn(move || {
            let mut out = Vec::new();
            let read = (&mut stdout).take(max + 1).read_to_end(&mut out);
            (read, out)
        });
        let start = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) if start.elapsed() >= limits.wall => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(IsolationError::TimedOut {
                        seconds: limits.wall.as_secs(),
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(IsolationError::Spawn {
                        message: e.to_string(),
                    });
                }
            }
        };
        let _ = writer.join();
        let (read, out) = reader.join().unwrap_or((Ok(0), Vec::new()));
        let status = status?;
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return Err(IsolationError::Killed { signal });
        }
        if read.is_err() || out.len() as u64 > max {
            return Err(IsolationError::BadResponse {
                reason: "answer too large".into(),
            });
        }
        match status.code() {
            // 0: success; 1: a typed rejection, also carried in the answer.
            Some(0 | 1) => Ok(out),
            Some(code) => Err(IsolationError::Failed { code }),
            None => Err(IsolationError::Failed { code: -1 }),
        }
    })
}

/// Apply the worker's limits to the current process (called by `faxprep
/// worker` first thing, before it reads its job).
pub fn apply_worker_limits(address_space_mib: u64, cpu_seconds: u64) -> std::io::Result<()> {
    use rlimit::Resource;
    let bytes = address_space_mib.saturating_mul(1 << 20);
    Resource::AS.set(bytes, bytes)?;
    // The soft CPU limit sends SIGXCPU; the hard one a second later SIGKILL.
    Resource::CPU.set(cpu_seconds, cpu_seconds.saturating_add(1))?;
    // No file may grow: any write to a regular file fails with SIGXFSZ.
    Resource::FSIZE.set(0, 0)?;
    // stdin, stdout, stderr and a few for the runtime; no new files.
    Resource::NOFILE.set(16, 16)?;
    Resource::CORE.set(0, 0)?;
    Ok(())
}
