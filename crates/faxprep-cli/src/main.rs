//! The `faxprep` command: a thin layer over the `faxprep` library.
//!
//! Exit codes: 0 done; 1 the input was rejected (with `--json`, the API's
//! error body on stderr); 2 a usage or internal error. A closed stdout
//! (`faxprep ... | head`) is not an error.
#![forbid(unsafe_code)]

mod args;
mod cover;
mod inspect;
mod mcp;
mod prepare;
mod preview;
mod serve;
mod worker;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Turn PDFs, JPEGs and PNGs into the pages a fax machine prints.
#[derive(Parser)]
#[command(name = "faxprep", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Prepare a fax: write it as TIFF Class F (and optionally PDF).
    Prepare(prepare::Args),
    /// Write PNGs of every page as the receiving machine will print them.
    Preview(preview::Args),
    /// Show what intake sees in an upload, or check a fax TIFF.
    Inspect(inspect::Args),
    /// Draw the cover page alone, as PNG.
    Cover(cover::Args),
    /// Run the engine as an HTTP service (and the send-fax API's sandbox).
    Serve(serve::Args),
    /// Serve the tools to AI agents over MCP on stdio (configured by
    /// FAXPREP_MCP_ROOT, FAXPREP_API_BASE, FAXPREP_API_KEY, FAXPREP_MCP_SEND,
    /// FAXPREP_MCP_AUDIT).
    Mcp(mcp::Args),
    /// Internal: run one isolated job from stdin (used by `prepare`).
    #[command(hide = true)]
    Worker(worker::Args),
}

/// How a command ended when it did not fail outright.
pub enum Outcome {
    /// Exit 0.
    Done,
    /// Exit 1: the upload or the fields were rejected.
    Rejected,
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Prepare(args) => prepare::run(args),
        Command::Preview(args) => preview::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Cover(args) => cover::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Mcp(args) => mcp::run(args),
        Command::Worker(args) => worker::run(args),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Rejected) => ExitCode::from(1),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("faxprep: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
