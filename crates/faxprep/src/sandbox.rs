//! The worker's sandbox: what `faxprep worker` does to itself before it
//! reads the first byte of a job.
//!
//! In this order ([`enter_sandbox`]): every descriptor above 2 is closed
//! (nothing the parent left open reaches the parser); the parent-death
//! signal is SIGKILL (a worker never outlives the process that waits for
//! it); the worker switches to a dedicated user when one is configured and
//! it runs as root; `no_new_privs` is set and the process is made
//! undumpable (no core holding the upload, no ptrace by the same user);
//! the resource limits are set ([`crate::apply_worker_limits`]); then two
//! kernel policies lock it down:
//!
//! - **Landlock**: no filesystem access at all except reading
//!   `/usr/share/fonts` (the renderer loads a system CJK font on demand),
//!   no TCP bind or connect, no abstract Unix sockets or signals outside
//!   the sandbox (as far as the kernel's Landlock ABI goes);
//! - **seccomp**: a system-call allow-list of what the renderer, the
//!   allocator and the thread pool use. `open`ing is allowed read-only
//!   (the font), `clone` only for threads (`CLONE_THREAD`; `clone3`, whose
//!   flags a filter cannot read, answers `ENOSYS` so that glibc falls back
//!   to `clone`), and nothing else: no `socket`, `execve`, `fork`, `kill`,
//!   `ptrace`, `setuid`. A refused call fails with `EPERM`.
//!
//! A layer the kernel lacks is reported as unavailable in the
//! [`SandboxReport`] (the worker's first frame, written before the job is
//! read), never skipped silently; [`SandboxOptions`] can simulate a kernel
//! without Landlock or seccomp, for tests of that degraded mode.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the parent asks of the worker's sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SandboxOptions {
    /// Behave as on a kernel without Landlock (the layer is reported as
    /// unavailable). For tests of the degraded mode only.
    pub simulate_no_landlock: bool,
    /// Behave as on a kernel without seccomp. For tests only.
    pub simulate_no_seccomp: bool,
    /// Run as this user id and group id. Applied only when the worker
    /// starts as root (otherwise it cannot switch, and the report says so).
    pub user: Option<(u32, u32)>,
}

/// The state of one kernel policy in the worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "detail")]
#[non_exhaustive]
pub enum Layer {
    /// Enforced in full.
    Enforced(String),
    /// Enforced, but the kernel lacks part of what was asked (named here).
    Partial(String),
    /// Not enforced: the kernel lacks it, or it failed (why, here).
    Unavailable(String),
}

impl Layer {
    /// Whether the layer is enforced in full.
    pub fn is_enforced(&self) -> bool {
        matches!(self, Layer::Enforced(_))
    }
}

impl std::fmt::Display for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Layer::Enforced(d) => write!(f, "enforced ({d})"),
            Layer::Partial(d) => write!(f, "partly enforced ({d})"),
            Layer::Unavailable(d) => write!(f, "unavailable ({d})"),
        }
    }
}

/// What the worker's sandbox holds, as the worker set it up before it read
/// its job (the first frame of its answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SandboxReport {
    /// Descriptors above 2 that the worker found open and closed.
    pub fds_closed: u32,
    /// `PR_SET_PDEATHSIG(SIGKILL)` is set.
    pub parent_death_signal: bool,
    /// The user id the worker switched to, if it did.
    pub user: Option<u32>,
    /// `PR_SET_NO_NEW_PRIVS` is set.
    pub no_new_privs: bool,
    /// The process is not dumpable.
    pub not_dumpable: bool,
    /// Landlock: filesystem and network policy.
    pub landlock: Layer,
    /// seccomp: the system-call allow-list.
    pub seccomp: Layer,
}

impl SandboxReport {
    /// What is missing from the full sandbox, one phrase each (empty when
    /// every layer holds).
    pub fn degraded(&self) -> Vec<String> {
        let mut missing = Vec::new();
        for (flag, name) in [
            (self.parent_death_signal, "parent-death signal"),
            (self.no_new_privs, "no_new_privs"),
            (self.not_dumpable, "not dumpable"),
        ] {
            if !flag {
                missing.push(format!("{name} not set"));
            }
        }
        if !self.landlock.is_enforced() {
            missing.push(format!("landlock {}", self.landlock));
        }
        if !self.seccomp.is_enforced() {
            missing.push(format!("seccomp {}", self.seccomp));
        }
        missing
    }
}

/// How the worker process is started: its limits, its parent and its
/// sandbox. The parent passes this as JSON on the worker's command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WorkerSetup {
    /// Address space in MiB.
    pub address_space_mib: u64,
    /// CPU seconds.
    pub cpu_seconds: u64,
    /// The parent's process id: a worker whose parent is already gone
    /// exits at once.
    pub parent_pid: Option<u32>,
    /// The sandbox's options.
    pub sandbox: SandboxOptions,
}

/// The sandbox could not be set up (the worker then refuses to run).
#[derive(Debug)]
pub struct SandboxError {
    step: &'static str,
    message: String,
}

impl std::fmt::Display for SandboxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "worker sandbox, {}: {}", self.step, self.message)
    }
}

impl std::error::Error for SandboxError {}

fn fail(step: &'static str) -> impl FnOnce(nix::Error) -> SandboxError {
    move |e| SandboxError {
        step,
        message: e.desc().to_lowercase(),
    }
}

/// Directories the worker may read after lockdown: the system fonts the
/// renderer falls back to for non-embedded CJK text.
pub const READABLE_DIRS: &[&str] = &["/usr/share/fonts"];

/// Set up the whole sandbox in the calling process, which must be
/// single-threaded (Landlock and seccomp apply to the calling thread and
/// the threads it starts later). Called by `faxprep worker` first thing.
pub fn enter_sandbox(setup: &WorkerSetup) -> Result<SandboxReport, SandboxError> {
    let fds_closed = close_inherited_fds()?;
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
        .map_err(fail("parent-death signal"))?;
    if let Some(parent) = setup.parent_pid
        && nix::unistd::getppid().as_raw() != parent as i32
    {
        // The parent died before the signal was armed.
        return Err(SandboxError {
            step: "parent-death signal",
            message: "the parent is gone".into(),
        });
    }
    let user = switch_user(setup.sandbox.user)?;
    nix::sys::prctl::set_no_new_privs().map_err(fail("no_new_privs"))?;
    nix::sys::prctl::set_dumpable(false).map_err(fail("dumpable"))?;
    crate::spawn::apply_worker_limits(setup.address_space_mib, setup.cpu_seconds).map_err(|e| {
        SandboxError {
            step: "resource limits",
            message: e.to_string(),
        }
    })?;
    let no_new_privs = nix::sys::prctl::get_no_new_privs().unwrap_or(false);
    let not_dumpable = !nix::sys::prctl::get_dumpable().unwrap_or(true);
    let landlock = if setup.sandbox.simulate_no_landlock {
        Layer::Unavailable("simulated: the caller asked to run as without landlock".into())
    } else {
        restrict_filesystem()
    };
    let seccomp = if setup.sandbox.simulate_no_seccomp {
        Layer::Unavailable("simulated: the caller asked to run as without seccomp".into())
    } else {
        restrict_syscalls()
    };
    Ok(SandboxReport {
        fds_closed,
        parent_death_signal: true,
        user,
        no_new_privs,
        not_dumpable,
        landlock,
        seccomp,
    })
}

/// Close every descriptor above 2 (those listed in `/proc/self/fd`, or the
/// first 4096 without `/proc`), then check that none is left.
fn close_inherited_fds() -> Result<u32, SandboxError> {
    let list = || -> Option<Vec<i32>> {
        let dir = std::fs::read_dir("/proc/self/fd").ok()?;
        Some(
            dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .filter(|&fd| fd > 2)
                .collect(),
        )
    };
    let open = list().unwrap_or_else(|| (3..4096).collect());
    let mut closed = 0;
    for fd in open {
        // The listing's own descriptor is in the list and already closed
        // (EBADF), as is every one that was not open without /proc.
        if nix::unistd::close(fd).is_ok() {
            closed += 1;
        }
    }
    // Listing again opens one descriptor: the listing's own.
    if let Some(left) = list()
        && left.len() > 1
    {
        return Err(SandboxError {
            step: "closing inherited descriptors",
            message: format!("{} still open", left.len() - 1),
        });
    }
    Ok(closed)
}

/// Switch to the dedicated user when one is given and this process runs
/// as root; the uid switched to, or `None`.
fn switch_user(user: Option<(u32, u32)>) -> Result<Option<u32>, SandboxError> {
    use nix::unistd::{Gid, Uid};
    let Some((uid, gid)) = user else {
        return Ok(None);
    };
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    nix::unistd::setgroups(&[]).map_err(fail("dropping groups"))?;
    nix::unistd::setgid(Gid::from_raw(gid)).map_err(fail("setgid"))?;
    nix::unistd::setuid(Uid::from_raw(uid)).map_err(fail("setuid"))?;
    if nix::unistd::setuid(Uid::from_raw(0)).is_ok() {
        return Err(SandboxError {
            step: "setuid",
            message: "root could be regained".into(),
        });
    }
    Ok(Some(uid))
}

/// Landlock: read-only access to [`READABLE_DIRS`], nothing else on the
/// filesystem, no TCP, no abstract Unix sockets or signals outward.
fn restrict_filesystem() -> Layer {
    use landlock::{
        ABI, Access, AccessFs, AccessNet, Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus,
        Scope, path_beneath_rules,
    };
    let abi = ABI::V6;
    let result = (|| {
        Ruleset::default()
            .handle_access(AccessFs::from_all(abi))?
            .handle_access(AccessNet::from_all(abi))?
            .scope(Scope::from_all(abi))?
            .create()?
            .add_rules(path_beneath_rules(
                READABLE_DIRS,
                AccessFs::ReadFile | AccessFs::ReadDir,
            ))?
            .restrict_self()
    })();
    match result {
        Ok(status) => {
            let abi = match status.landlock {
                landlock::LandlockStatus::Available { effective_abi, .. } => {
                    format!("abi {}", effective_abi as i32)
                }
                _ => "no abi".into(),
            };
            match status.ruleset {
                RulesetStatus::FullyEnforced => Layer::Enforced(abi),
                RulesetStatus::PartiallyEnforced => Layer::Partial(format!(
                    "{abi}: the kernel lacks part of the filesystem, network or scope rights"
                )),
                _ => Layer::Unavailable(format!("{abi}: the kernel does not enforce landlock")),
            }
        }
        Err(e) => Layer::Unavailable(e.to_string().to_lowercase()),
    }
}

/// The system calls the worker makes once locked down: reading its job and
/// writing its answer, memory, threads, time, signals for its own threads.
const ALLOWED_SYSCALLS: &[libc::c_long] = &[
    libc::SYS_read,
    libc::SYS_readv,
    libc::SYS_pread64,
    libc::SYS_write,
    libc::SYS_writev,
    libc::SYS_close,
    libc::SYS_lseek,
    libc::SYS_fstat,
    libc::SYS_newfstatat,
    libc::SYS_statx,
    libc::SYS_fcntl,
    libc::SYS_mmap,
    libc::SYS_munmap,
    libc::SYS_mremap,
    libc::SYS_mprotect,
    libc::SYS_madvise,
    libc::SYS_brk,
    libc::SYS_futex,
    libc::SYS_sched_yield,
    libc::SYS_sched_getaffinity,
    libc::SYS_set_robust_list,
    libc::SYS_rseq,
    libc::SYS_set_tid_address,
    libc::SYS_rt_sigaction,
    libc::SYS_rt_sigprocmask,
    libc::SYS_rt_sigreturn,
    libc::SYS_sigaltstack,
    libc::SYS_gettid,
    libc::SYS_getpid,
    libc::SYS_getppid,
    libc::SYS_getrandom,
    libc::SYS_getrusage,
    libc::SYS_clock_gettime,
    libc::SYS_clock_getres,
    libc::SYS_clock_nanosleep,
    libc::SYS_nanosleep,
    libc::SYS_restart_syscall,
    libc::SYS_exit,
    libc::SYS_exit_group,
    libc::SYS_membarrier,
    // Answered ENOSYS by the second filter (see `restrict_syscalls`).
    libc::SYS_clone3,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_poll,
    libc::SYS_ppoll,
];

fn seccomp_filters() -> Result<Vec<seccompiler::BpfProgram>, seccompiler::Error> {
    use seccompiler::{
        SeccompAction, SeccompCmpArgLen as Len, SeccompCmpOp as Op, SeccompCondition as Cond,
        SeccompFilter, SeccompRule as Rule,
    };
    let arch = std::env::consts::ARCH.try_into().map_err(|_| {
        seccompiler::Error::Backend(seccompiler::BackendError::InvalidTargetArch(
            std::env::consts::ARCH.into(),
        ))
    })?;
    let mut rules: BTreeMap<i64, Vec<Rule>> = ALLOWED_SYSCALLS
        .iter()
        .map(|&nr| (nr, Vec::new()))
        .collect();
    // Threads only: a clone without CLONE_THREAD is a new process.
    let thread = libc::CLONE_THREAD as u64;
    rules.insert(
        libc::SYS_clone,
        vec![Rule::new(vec![Cond::new(
            0,
            Len::Qword,
            Op::MaskedEq(thread),
            thread,
        )?])?],
    );
    // Opening read-only: no write access, creation, truncation, appending
    // or path-only descriptors.
    let writing = (libc::O_WRONLY
        | libc::O_RDWR
        | libc::O_CREAT
        | libc::O_TRUNC
        | libc::O_APPEND
        | libc::O_PATH) as u64;
    rules.insert(
        libc::SYS_openat,
        vec![Rule::new(vec![Cond::new(
            2,
            Len::Dword,
            Op::MaskedEq(writing),
            0,
        )?])?],
    );
    // Naming a thread (PR_SET_NAME) and nothing else of prctl.
    rules.insert(
        libc::SYS_prctl,
        vec![Rule::new(vec![Cond::new(
            0,
            Len::Dword,
            Op::Eq,
            libc::PR_SET_NAME as u64,
        )?])?],
    );
    // Reading a resource limit (glibc's pthread_create), never setting one.
    rules.insert(
        libc::SYS_prlimit64,
        vec![Rule::new(vec![Cond::new(2, Len::Qword, Op::Eq, 0)?])?],
    );
    let allow_list = SeccompFilter::new(
        rules,
        SeccompAction::Errno(libc::EPERM as u32),
        SeccompAction::Allow,
        arch,
    )?;
    let no_clone3 = SeccompFilter::new(
        BTreeMap::from([(libc::SYS_clone3, Vec::new())]),
        SeccompAction::Allow,
        SeccompAction::Errno(libc::ENOSYS as u32),
        arch,
    )?;
    // The allow-list goes last: once it holds, no other filter can be
    // installed (neither `prctl(PR_SET_NO_NEW_PRIVS)` nor `seccomp` is on it).
    Ok(vec![no_clone3.try_into()?, allow_list.try_into()?])
}

/// seccomp: install the filters on this (only) thread.
fn restrict_syscalls() -> Layer {
    let filters = match seccomp_filters() {
        Ok(filters) => filters,
        Err(e) => return Layer::Unavailable(format!("filter: {e}").to_lowercase()),
    };
    for filter in &filters {
        if let Err(e) = seccompiler::apply_filter(filter) {
            return Layer::Unavailable(e.to_string().to_lowercase());
        }
    }
    Layer::Enforced(format!(
        "{} system calls allowed, clone for threads only, open read-only",
        ALLOWED_SYSCALLS.len() + 4
    ))
}

/// What a [`probe`] tried and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeOutcome {
    /// The action.
    pub action: String,
    /// Whether the sandbox let it happen.
    pub allowed: bool,
    /// The error that stopped it.
    pub error: Option<String>,
}

/// Try one thing a compromised renderer would, from inside the sandbox, and
/// say whether it worked (`faxprep worker --probe ACTION`, for the tests
/// and for checking a deployment's kernel). Actions: `read:PATH`,
/// `write:PATH`, `connect:HOST:PORT`, `spawn:PROGRAM`, `exec:PROGRAM`,
/// `thread`, `sleep:MS` (at most 10 s).
pub fn probe(action: &str) -> ProbeOutcome {
    use std::os::unix::process::CommandExt;
    let (verb, arg) = action.split_once(':').unwrap_or((action, ""));
    let result: std::io::Result<()> = match verb {
        "read" => std::fs::read(arg).map(drop),
        "write" => std::fs::write(arg, b"written from the sandbox"),
        "connect" => std::net::TcpStream::connect(arg).map(drop),
        // Inherited stdio: opening /dev/null would be refused first.
        "spawn" => std::process::Command::new(arg)
            .spawn()
            .and_then(|mut child| child.wait())
            .map(drop),
        // Returns only if it failed.
        "exec" => Err(std::process::Command::new(arg).exec()),
        "thread" => std::thread::Builder::new()
            .spawn(|| 6 * 7)
            .and_then(|t| {
                t.join()
                    .map_err(|_| std::io::Error::other("thread panicked"))
            })
            .map(drop),
        "sleep" => {
            let ms = arg.parse::<u64>().unwrap_or(0).min(10_000);
            std::thread::sleep(std::time::Duration::from_millis(ms));
            Ok(())
        }
        _ => Err(std::io::Error::other("unknown probe")),
    };
    ProbeOutcome {
        action: action.into(),
        allowed: result.is_ok(),
        error: result.err().map(|e| e.to_string()),
    }
}
