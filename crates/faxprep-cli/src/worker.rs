//! `faxprep worker`: the isolated child. It sets up its sandbox and limits
//! before it reads a byte, then runs one job from stdin (see
//! `faxprep::worker_process`). With `--probe ACTION` it sets up the same
//! sandbox and then tries one forbidden thing, printing the sandbox report
//! and the outcome as JSON lines (for tests, and to check a kernel).

use crate::Outcome;
use std::io::Write;

#[derive(clap::Args)]
pub struct Args {
    /// The worker's setup (limits, parent, sandbox) as JSON.
    #[arg(long)]
    setup: String,
    /// Try ACTION inside the sandbox instead of running a job.
    #[arg(long)]
    probe: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    if let Some(action) = args.probe {
        let setup: faxprep::sandbox::WorkerSetup = serde_json::from_str(&args.setup)?;
        let report = faxprep::sandbox::enter_sandbox(&setup)?;
        let mut out = std::io::stdout().lock();
        // The report first: a probe that succeeds may end the process.
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
        out.flush()?;
        let outcome = faxprep::sandbox::probe(&action);
        serde_json::to_writer(&mut out, &outcome)?;
        writeln!(out)?;
        return Ok(Outcome::Done);
    }
    let code = faxprep::worker_process(
        &args.setup,
        std::io::stdin().lock(),
        std::io::stdout().lock(),
    );
    match code {
        0 => Ok(Outcome::Done),
        1 => Ok(Outcome::Rejected),
        3 => anyhow::bail!("worker sandbox could not be set up"),
        _ => anyhow::bail!("worker protocol error"),
    }
}
