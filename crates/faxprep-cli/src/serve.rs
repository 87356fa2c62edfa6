//! `faxprep serve`: the engine as an HTTP service (and with `--sandbox`, a
//! local sandbox of the send-fax API). Parses the flags and runs
//! `faxprep_http`.

use crate::Outcome;
use anyhow::Context;
use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Also answer POST /api/send-fax and GET /api/v1/fax/{faxId} as the
    /// public API does, with browser pages under /sandbox/faxes.
    #[arg(long)]
    pub sandbox: bool,
    /// A sandbox API key on the free plan (repeatable); other keys are paid.
    #[arg(long = "free-key", value_name = "KEY")]
    pub free_keys: Vec<String>,
    /// Require `Authorization: Bearer TOKEN` on /v1/* and /metrics (or set
    /// FAXPREP_TOKEN).
    #[arg(long, env = "FAXPREP_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// How much faster than real time sandbox faxes change state.
    #[arg(long, default_value_t = 1.0)]
    pub speedup: f64,
    /// Prepares at once (default: the cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Requests that may wait for a job slot before 429 (default: 4 a slot).
    #[arg(long)]
    pub queue: Option<usize>,
    /// Wall-clock seconds of one job before its worker is killed.
    #[arg(long, default_value_t = 60)]
    pub job_timeout: u64,
    /// Minutes sandbox faxes are kept in memory.
    #[arg(long, default_value_t = 60)]
    pub retain_minutes: u64,
    /// Parse and render in this process instead of isolated workers (only
    /// for files you trust).
    #[arg(long)]
    pub in_process: bool,
    /// The worker program (default: this binary).
    #[arg(long, value_name = "PROGRAM", conflicts_with = "in_process")]
    pub worker: Option<std::path::PathBuf>,
    /// Take TIFF uploads (fax, colour and gray TIFFs) on every route; off,
    /// a TIFF is refused as the public API refuses it.
    #[arg(long)]
    pub accept_tiff: bool,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let mut config = faxprep_http::Config::default();
    config.isolation = if args.in_process {
        faxprep::Isolation::InProcess
    } else {
        let program = match args.worker {
            Some(program) => program,
            None => std::env::current_exe().context("finding the faxprep binary")?,
        };
        faxprep::Isolation::Process(faxprep::Worker::with_program(program))
    };
    if let Some(jobs) = args.jobs {
        config.jobs = jobs;
        config.queue = jobs * 4;
    }
    if let Some(queue) = args.queue {
        config.queue = queue;
    }
    config.job_timeout = Duration::from_secs(args.job_timeout.max(1));
    config.token = args.token.filter(|t| !t.is_empty());
    config.sandbox = args.sandbox;
    config.free_keys = args.free_keys;
    config.speedup = args.speedup;
    config.retain = Duration::from_secs(args.retain_minutes.max(1) * 60);
    config.accept_tiff = args.accept_tiff;
    faxprep_http::run(args.listen, config, |addr| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "faxprep serve: listening on http://{addr}");
        let _ = out.flush();
    })?;
    Ok(Outcome::Done)
}
