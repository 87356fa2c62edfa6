//! `faxprep mcp`: the MCP server on stdio (see the `faxprep-mcp` crate).

use crate::Outcome;
use anyhow::Context;

#[derive(clap::Args)]
pub struct Args {
    /// Parse and render in this process instead of an isolated worker
    /// (only for files you trust).
    #[arg(long)]
    pub in_process: bool,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let isolation = if args.in_process {
        faxprep::Isolation::InProcess
    } else {
        let program = std::env::current_exe().context("finding the faxprep binary")?;
        faxprep::Isolation::Process(faxprep::Worker::with_program(program))
    };
    let config = faxprep_mcp::Config::from_env(isolation).map_err(anyhow::Error::msg)?;
    faxprep_mcp::run_stdio(config).map_err(|e| anyhow::anyhow!("mcp: {e}"))?;
    Ok(Outcome::Done)
}
