//! `faxprep cover [fields] -o cover.png`: the cover page alone.

use crate::Outcome;
use crate::args::{FaxArgs, FieldArgs};
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the PNG.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Pages of the whole fax, cover included, printed on the cover.
    #[arg(long, default_value_t = 1)]
    pub pages: u32,
    #[command(flatten)]
    pub fields: FieldArgs,
    #[command(flatten)]
    pub fax: FaxArgs,
    /// The API error body as JSON on stderr when the fields are rejected.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let form = args.fields.form_fields(args.json)?;
    let mut options = args.fax.options()?;
    options.isolation = faxprep::Isolation::InProcess;
    let (page, warnings) = match faxprep::cover_page(&form, &options, args.pages) {
        Ok(done) => done,
        Err(e) if e.http_status() >= 500 => return Err(e.into()),
        Err(e) => {
            crate::prepare::report_rejection(&e, args.json)?;
            return Ok(Outcome::Rejected);
        }
    };
    crate::preview::to_image(&page)
        .save(&args.output)
        .with_context(|| format!("writing {}", args.output.display()))?;
    let mut err = std::io::stderr().lock();
    for w in warnings {
        writeln!(err, "warning: {w}")?;
    }
    Ok(Outcome::Done)
}
