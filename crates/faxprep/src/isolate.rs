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

/// One frame of the worker's answer: its tag and payload.
pub(crate) type Frame = (u8, Vec<u8>);

/// Read one frame (tag, u32 length, payload) within `budget` bytes;
/// `None` at a clean end of the stream.
fn read_frame(input: &mut impl Read, budget: &mut u64) -> std::io::Result<Option<Frame>> {
    let mut head = [0u8; 5];
    match input.read_exact(&mut head[..1]) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    input.read_exact(&mut head[1..])?;
    let len = u64::from(u32::from_le_bytes([head[1], head[2], head[3], head[4]]));
    if len + 5 > *budget {
        return Err(std::io::Error::other("answer larger than allowed"));
    }
    *budget -= len + 5;
    let mut payload = Vec::new();
    input.take(len).read_to_end(&mut payload)?;
    if payload.len() as u64 != len {
        return Err(std::io::Error::other("frame cut short"));
    }
    Ok(Some((head[0], payload)))
}

/// Run `program worker` on `job` under `limits`, handing each frame of its
/// answer to `on_frame` as it arrives (so progress shows while the worker
/// renders). An `on_frame` error stops and kills the worker.
pub(crate) fn run_worker<E>(
    program: &std::path::Path,
    limits: &WorkerLimits,
    job: &[u8],
    on_frame: &mut dyn FnMut(Frame) -> Result<(), E>,
) -> Result<Result<(), E>, IsolationError> {
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
    let mut stdin = child.stdin.take().ok_or_else(|| IsolationError::Spawn {
        message: "no stdin pipe".into(),
    })?;
    let stdout = child.stdout.take().ok_or_else(|| IsolationError::Spawn {
        message: "no stdout pipe".into(),
    })?;
    let max = limits.max_response_bytes;
    let deadline = Instant::now() + limits.wall;
    // Stdin is fed and stdout read on their own threads so that neither
    // side can block the other; this thread keeps the clock and hands the
    // frames on.
    std::thread::scope(|scope| {
        scope.spawn(move || {
            // A worker that dies early closes the pipe: not an error here,
            // its exit status tells what happened.
            let _ = stdin.write_all(job);
        });
        let (tx, rx) = std::sync::mpsc::channel::<std::io::Result<Frame>>();
        scope.spawn(move || {
            let mut stdout = std::io::BufReader::new(stdout);
            let mut budget = max;
            loop {
                match read_frame(&mut stdout, &mut budget) {
                    Ok(Some(frame)) => {
                        if tx.send(Ok(frame)).is_err() {
                            return;
                        }
                    }
                    Ok(None) => return,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        });
        let kill = |child: &mut std::process::Child| {
            let _ = child.kill();
            let _ = child.wait();
        };
        let mut bad_answer = None;
        let mut handled = Ok(());
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(Ok(frame)) => {
                    if handled.is_ok() {
                        handled = on_frame(frame);
                        if handled.is_err() {
                            kill(&mut child);
                        }
                    }
                }
                Ok(Err(e)) => {
                    bad_answer = Some(e.to_string());
                    kill(&mut child);
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    kill(&mut child);
                    return Err(IsolationError::TimedOut {
                        seconds: limits.wall.as_secs(),
                    });
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        // Stdout is closed: the worker is exiting (or was killed above).
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    kill(&mut child);
                    return Err(IsolationError::TimedOut {
                        seconds: limits.wall.as_secs(),
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => {
                    kill(&mut child);
                    return Err(IsolationError::Spawn {
                        message: e.to_string(),
                    });
                }
            }
        };
        if handled.is_err() {
            return Ok(handled);
        }
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return Err(IsolationError::Killed { signal });
        }
        if let Some(reason) = bad_answer {
            return Err(IsolationError::BadResponse { reason });
        }
        match status.code() {
            // 0: success; 1: a typed rejection, also carried in the answer.
            Some(0 | 1) => Ok(Ok(())),
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
