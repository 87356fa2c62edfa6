//! Running the untrusted stages in a child process with hard limits.
//!
//! The parent starts `PROGRAM worker --setup JSON` (the `faxprep` binary's
//! hidden subcommand) in a process group of its own, with an environment
//! of one variable (`MALLOC_ARENA_MAX=3`: glibc's per-thread arenas
//! reserve 64 MiB of address space each, which would make the address-space
//! limit depend on the thread count; three keep the main thread and two
//! page threads on arenas of their own) and `/` as its working directory. The
//! worker sets up its sandbox ([`crate::sandbox`]) and its resource limits
//! ([`apply_worker_limits`]) before it reads a byte, and says what holds in
//! its first frame. The parent then writes the job to its stdin and reads
//! its answer from stdout, both without ever blocking past the wall-clock
//! limit (`poll` with a deadline): when the limit passes, or the worker
//! exits, the whole process group is killed, and a descendant that holds
//! the pipe open cannot hold the request. Every frame is checked against
//! a budget before it is read: the answer can never be larger than the
//! page count allows ([`crate::max_coded_page`]).
//!
//! At most [`crate::max_workers`] workers run at once in a process (a semaphore
//! shared by every caller; [`crate::set_max_workers`]); a request that waits
//! longer than [`WorkerLimits::queue_wait`] for its turn is refused as
//! busy. A child killed by a limit, crashed or silent becomes
//! [`IsolationError`], which the top-level error maps to
//! `document_too_complex`; a worker that answers what a sound worker never
//! does (a frame over its budget, an unknown error type) is an internal
//! error.

use crate::sandbox::{SandboxOptions, WorkerSetup};
use crate::slots::Slot;
use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::os::unix::process::CommandExt;
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
    /// Wall-clock limit; the parent kills the worker's process group after
    /// it. Default 60 s.
    pub wall: Duration,
    /// How long a request may wait for a free worker slot
    /// ([`crate::max_workers`]) before it is refused as busy. Default 60 s.
    pub queue_wait: Duration,
}

impl Default for WorkerLimits {
    fn default() -> Self {
        WorkerLimits {
            address_space_mib: 1024,
            cpu_seconds: 60,
            wall: Duration::from_secs(60),
            queue_wait: Duration::from_secs(60),
        }
    }
}

/// How to run the untrusted stages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Isolation {
    /// In this process, under intake's limits only: for input you trust
    /// (your own documents, tests, fuzzing, benches). A hostile file can
    /// take this process's memory and time, and a bug in a parser is a bug
    /// in this process. Never the default.
    InProcess,
    /// In a sandboxed `faxprep worker` child process (the default).
    Process(Worker),
}

impl Default for Isolation {
    fn default() -> Self {
        Isolation::Process(Worker::default())
    }
}

/// The worker process: which program, its limits and its sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Worker {
    /// The `faxprep` binary (or any program that speaks the worker
    /// protocol). `None` finds it: the `FAXPREP_WORKER` environment
    /// variable, else `faxprep` in the directory of the running executable
    /// ([`find_worker_program`]).
    pub program: Option<PathBuf>,
    /// The limits applied to the child.
    pub limits: WorkerLimits,
    /// The sandbox's options (a dedicated user; simulated missing layers
    /// for tests).
    pub sandbox: SandboxOptions,
}

impl Worker {
    /// A worker run from `program`, with the default limits and sandbox.
    pub fn with_program(program: impl Into<PathBuf>) -> Worker {
        Worker {
            program: Some(program.into()),
            ..Worker::default()
        }
    }
}

/// The environment variable that names the worker program.
pub const WORKER_ENV: &str = "FAXPREP_WORKER";

/// The worker program when none is configured: `$FAXPREP_WORKER` (which
/// must name a file), else `faxprep` beside the running executable.
pub fn find_worker_program() -> Result<PathBuf, IsolationError> {
    locate_worker(std::env::var_os(WORKER_ENV), std::env::current_exe().ok())
}

/// [`find_worker_program`] given the variable's value and the running
/// executable.
fn locate_worker(
    env: Option<std::ffi::OsString>,
    exe: Option<PathBuf>,
) -> Result<PathBuf, IsolationError> {
    if let Some(path) = env {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(IsolationError::NoWorker {
                message: format!("{WORKER_ENV} names {}, which is not a file", path.display()),
            })
        };
    }
    let beside = exe
        .and_then(|exe| Some(exe.parent()?.join("faxprep")))
        .filter(|p| p.is_file());
    beside.ok_or_else(|| IsolationError::NoWorker {
        message: format!(
            "no faxprep binary beside this program and {WORKER_ENV} is not set \
             (set it, configure Worker::program, or choose Isolation::InProcess for \
             trusted input)"
        ),
    })
}

/// The worker did not give an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IsolationError {
    /// No worker program was configured or found (a deployment problem).
    NoWorker {
        /// What was looked for.
        message: String,
    },
    /// The worker could not be started (a deployment problem, not the
    /// upload's fault).
    Spawn {
        /// The operating system's message.
        message: String,
    },
    /// Every worker slot stayed taken for [`WorkerLimits::queue_wait`].
    Busy {
        /// How long the request waited, in seconds.
        seconds: u64,
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
    /// The answer broke the protocol: a frame over its budget, out of
    /// order or malformed, an error body of an unknown type.
    BadResponse {
        /// What was wrong.
        reason: String,
    },
}

impl std::fmt::Display for IsolationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IsolationError::NoWorker { message } => write!(f, "no worker program: {message}"),
            IsolationError::Spawn { message } => write!(f, "cannot start the worker: {message}"),
            IsolationError::Busy { seconds } => {
                write!(f, "every worker stayed busy for {seconds} s")
            }
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

/// What the parent accepts from the worker, frame by frame.
pub(crate) trait Reply {
    /// The error a frame's handling may end with.
    type Error;
    /// The most bytes a frame with this tag may carry now; `None` refuses
    /// the tag here.
    fn frame_cap(&self, tag: u8) -> Option<u64>;
    /// Handle one frame.
    fn frame(&mut self, tag: u8, payload: Vec<u8>) -> Result<(), Self::Error>;
}

/// How long the parent keeps reading after the worker exited (what it
/// wrote is in the pipe already; only a descendant could keep it open).
const AFTER_EXIT: Duration = Duration::from_millis(500);

/// The size asked for each pipe to the worker: 1 MiB, Linux's default
/// `fs.pipe-max-size` for unprivileged processes.
const PIPE_BYTES: i32 = 1 << 20;
/// The longest single wait in `poll`, so that the worker's exit is seen.
const POLL_SLICE: Duration = Duration::from_millis(50);

/// Why reading stopped early.
enum Stop {
    TimedOut,
    Protocol(String),
}

/// The worker's pipes, read and written without blocking past a deadline.
struct Pipes<'a> {
    child: &'a mut std::process::Child,
    group: Pid,
    stdin: Option<std::process::ChildStdin>,
    job: &'a [u8],
    stdout: std::process::ChildStdout,
    deadline: Instant,
    status: Option<std::process::ExitStatus>,
    exited_at: Option<Instant>,
    buf: Vec<u8>,
    pos: usize,
}

impl Pipes<'_> {
    /// Wait for output (feeding the job meanwhile) and read what is there;
    /// 0 at the end of the stream.
    fn fill(&mut self) -> Result<usize, Stop> {
        loop {
            let now = Instant::now();
            if now >= self.deadline {
                return Err(Stop::TimedOut);
            }
            if self.status.is_none()
                && let Ok(Some(status)) = self.child.try_wait()
            {
                self.status = Some(status);
                self.exited_at = Some(now);
                // Whatever the worker started dies with it.
                let _ = killpg(self.group, Signal::SIGKILL);
            }
            if self.exited_at.is_some_and(|t| now >= t + AFTER_EXIT) {
                return Ok(0);
            }
            let slice = self.deadline.min(now + POLL_SLICE) - now;
            let timeout = PollTimeout::try_from(slice).unwrap_or(PollTimeout::ZERO);
            let (readable, writable) = {
                let mut fds = vec![PollFd::new(self.stdout.as_fd(), PollFlags::POLLIN)];
                if let Some(stdin) = &self.stdin {
                    fds.push(PollFd::new(stdin.as_fd(), PollFlags::POLLOUT));
                }
                match nix::poll::poll(&mut fds, timeout) {
                    Ok(_) => {}
                    Err(nix::errno::Errno::EINTR) => continue,
                    Err(e) => return Err(Stop::Protocol(format!("poll: {e}"))),
                }
                let ready = |fd: &PollFd| fd.revents().is_some_and(|r| !r.is_empty());
                (ready(&fds[0]), fds.get(1).is_some_and(ready))
            };
            if writable {
                self.feed();
            }
            if readable {
                // poll said there is data or the end: this read does not block.
                self.buf.resize(64 * 1024, 0);
                self.pos = 0;
                let n = self
                    .stdout
                    .read(&mut self.buf)
                    .map_err(|e| Stop::Protocol(format!("reading: {e}")))?;
                self.buf.truncate(n);
                return Ok(n);
            }
        }
    }

    /// Write what the pipe takes of the job (non-blocking); close stdin
    /// when it is all written or the worker stopped reading.
    fn feed(&mut self) {
        let Some(stdin) = &mut self.stdin else { return };
        match stdin.write(self.job) {
            Ok(n) if n < self.job.len() => self.job = &self.job[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            _ => self.stdin = None,
        }
    }

    /// Exactly `out.len()` bytes, or `Ok(false)` at a clean end before the
    /// first byte.
    fn read_exact(&mut self, out: &mut [u8]) -> Result<bool, Stop> {
        let mut done = 0;
        while done < out.len() {
            if self.pos == self.buf.len() && self.fill()? == 0 {
                return if done == 0 {
                    Ok(false)
                } else {
                    Err(Stop::Protocol("frame cut short".into()))
                };
            }
            let n = (self.buf.len() - self.pos).min(out.len() - done);
            out[done..done + n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            done += n;
        }
        Ok(true)
    }

    /// The next frame within `reply`'s caps; `None` at the end.
    fn frame<R: Reply>(&mut self, reply: &R) -> Result<Option<Frame>, Stop> {
        let mut head = [0u8; 5];
        if !self.read_exact(&mut head)? {
            return Ok(None);
        }
        let len = u64::from(u32::from_le_bytes([head[1], head[2], head[3], head[4]]));
        match reply.frame_cap(head[0]) {
            None => {
                return Err(Stop::Protocol(format!(
                    "unexpected frame {:?}",
                    head[0] as char
                )));
            }
            Some(cap) if len > cap => {
                return Err(Stop::Protocol(format!(
                    "a {:?} frame of {len} bytes is over its budget of {cap}",
                    head[0] as char
                )));
            }
            Some(_) => {}
        }
        let mut payload = vec![0; len as usize];
        if !self.read_exact(&mut payload)? && len > 0 {
            return Err(Stop::Protocol("frame cut short".into()));
        }
        Ok(Some((head[0], payload)))
    }
}

/// One frame of the worker's answer: its tag and payload.
pub(crate) type Frame = (u8, Vec<u8>);

/// Run the worker on `job`, handing each frame of its answer to `reply` as
/// it arrives (so progress shows while the worker renders). A `reply` error
/// stops and kills the worker.
pub(crate) fn run_worker<R: Reply>(
    worker: &Worker,
    job: &[u8],
    reply: &mut R,
) -> Result<Result<(), R::Error>, IsolationError> {
    let program = match &worker.program {
        Some(p) => p.clone(),
        None => find_worker_program()?,
    };
    let limits = &worker.limits;
    let _slot = Slot::take(limits.queue_wait)?;
    let setup = WorkerSetup {
        address_space_mib: limits.address_space_mib,
        cpu_seconds: limits.cpu_seconds,
        parent_pid: Some(std::process::id()),
        sandbox: worker.sandbox.clone(),
    };
    let setup = serde_json::to_string(&setup).map_err(|e| IsolationError::Spawn {
        message: e.to_string(),
    })?;
    let mut child = Command::new(&program)
        .arg("worker")
        .arg("--setup")
        .arg(setup)
        .env_clear()
        .env("MALLOC_ARENA_MAX", "3")
        .current_dir("/")
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| IsolationError::Spawn {
            message: format!("{}: {e}", program.display()),
        })?;
    let group = Pid::from_raw(child.id() as i32);
    let stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let (Some(stdin), Some(stdout)) = (stdin, stdout) else {
        let _ = killpg(group, Signal::SIGKILL);
        let _ = child.wait();
        return Err(IsolationError::Spawn {
            message: "no pipes to the worker".into(),
        });
    };
    let _ = nix::fcntl::fcntl(
        &stdin,
        nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
    );
    // Pipes of 1 MiB where the system allows (the default 64 KiB took a
    // wake-up of each side per 64 KiB: 3.8 ms for a 1.8 MB upload): most
    // uploads are written while the worker sets up its sandbox, and page
    // frames never wait for the parent. Without it, the same bytes in
    // more turns.
    for fd in [stdin.as_fd(), stdout.as_fd()] {
        let _ = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_SETPIPE_SZ(PIPE_BYTES));
    }
    let mut pipes = Pipes {
        child: &mut child,
        group,
        stdin: Some(stdin),
        job,
        stdout,
        deadline: Instant::now() + limits.wall,
        status: None,
        exited_at: None,
        buf: Vec::new(),
        pos: 0,
    };
    let mut handled = Ok(());
    let stop = loop {
        match pipes.frame(reply) {
            Ok(Some((tag, payload))) => {
                handled = reply.frame(tag, payload);
                if handled.is_err() {
                    break None;
                }
            }
            Ok(None) => break None,
            Err(stop) => break Some(stop),
        }
    };
    let deadline = pipes.deadline;
    let mut exited = pipes.status;
    drop(pipes);
    if exited.is_none() && stop.is_none() && handled.is_ok() {
        // The answer ended: the worker is exiting; give it a moment. It
        // takes a fraction of a millisecond, so the first looks come soon
        // and the pause between them doubles up to 2 ms.
        let until = deadline.min(Instant::now() + AFTER_EXIT);
        let mut pause = Duration::from_micros(50);
        while exited.is_none() && Instant::now() < until {
            exited = child.try_wait().ok().flatten();
            if exited.is_none() {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(2));
            }
        }
    }
    // The whole group, whatever state it is in: nothing outlives the call.
    let _ = killpg(group, Signal::SIGKILL);
    let status = match exited {
        Some(status) => status,
        None => child.wait().map_err(|e| IsolationError::Spawn {
            message: e.to_string(),
        })?,
    };
    use std::os::unix::process::ExitStatusExt;
    // A signal counts only when the worker died of it before the parent
    // killed the group (a limit, a crash).
    let own_signal = exited.and_then(|s| s.signal());
    match stop {
        Some(Stop::TimedOut) => {
            return Err(IsolationError::TimedOut {
                seconds: limits.wall.as_secs(),
            });
        }
        Some(Stop::Protocol(reason)) => {
            // A worker killed by a limit mid-frame is the limit's doing.
            if let Some(signal) = own_signal {
                return Err(IsolationError::Killed { signal });
            }
            return Err(IsolationError::BadResponse { reason });
        }
        None => {}
    }
    if handled.is_err() {
        return Ok(handled);
    }
    if let Some(signal) = status.signal() {
        return Err(IsolationError::Killed { signal });
    }
    match status.code() {
        // 0: success; 1: a typed rejection, also carried in the answer.
        Some(0 | 1) => Ok(Ok(())),
        // The worker could not set up its sandbox: a deployment problem.
        Some(3) => Err(IsolationError::Spawn {
            message: "the worker could not set up its sandbox".into(),
        }),
        Some(code) => Err(IsolationError::Failed { code }),
        None => Err(IsolationError::Failed { code: -1 }),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isolated_is_the_default() {
        assert_eq!(
            crate::Options::default().isolation,
            Isolation::Process(Worker::default())
        );
        assert_eq!(Worker::default().program, None);
    }

    #[test]
    fn the_worker_program_is_found_or_a_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        let faxprep = dir.path().join("faxprep");
        std::fs::write(&faxprep, "").unwrap();
        let exe = Some(dir.path().join("server"));
        // Beside the running executable.
        assert_eq!(locate_worker(None, exe.clone()).unwrap(), faxprep);
        // The variable wins, and must name a file.
        let other = dir.path().join("other");
        std::fs::write(&other, "").unwrap();
        assert_eq!(
            locate_worker(Some(other.clone().into()), exe).unwrap(),
            other
        );
        let missing = locate_worker(Some(dir.path().join("nope").into()), None).unwrap_err();
        assert!(
            matches!(missing, IsolationError::NoWorker { .. }),
            "{missing}"
        );
        // Nothing found: never in-process, a typed internal error.
        let none = locate_worker(None, Some(PathBuf::from("/nonexistent/server"))).unwrap_err();
        let e = crate::Error::Isolation(none);
        assert_eq!(
            (e.error_type().as_str(), e.http_status()),
            ("internal_error", 500)
        );
    }
}
