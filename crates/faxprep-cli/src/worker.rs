//! `faxprep worker`: the isolated child. It applies its limits before it
//! reads a byte, then runs one job from stdin (see `faxprep::worker_main`).

use crate::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// Address space limit in MiB.
    #[arg(long = "as-mib", default_value_t = 1024)]
    as_mib: u64,
    /// CPU time limit in seconds.
    #[arg(long = "cpu-secs", default_value_t = 60)]
    cpu_secs: u64,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    faxprep::apply_worker_limits(args.as_mib, args.cpu_secs)?;
    let code = faxprep::worker_main(std::io::stdin().lock(), std::io::stdout().lock());
    match code {
        0 => Ok(Outcome::Done),
        1 => Ok(Outcome::Rejected),
        _ => anyhow::bail!("worker protocol error"),
    }
}
