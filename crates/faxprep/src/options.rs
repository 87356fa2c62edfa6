//! What a caller can choose about a fax.

use crate::spawn::Isolation;
use faxprep_codec::Compression;
use faxprep_cover::{Brand, CoverDate, HeaderLine};
use faxprep_halftone::Method;
use faxprep_intake::{Limits, Plan};
use faxprep_page::Resolution;
use faxprep_raster::PaperChoice;

/// Options of [`crate::prepare`]. The defaults are the product's: paid plan,
/// no cover unless the form asks for one, fine resolution, G4, Letter,
/// `auto` halftone, and the untrusted stages in a sandboxed worker process
/// ([`Isolation::Process`]; in-process only when the caller chooses
/// [`Isolation::InProcess`] for input it trusts).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// Free or paid: the free plan always carries the branded cover and at
    /// most five pages.
    pub plan: Plan,
    /// Vertical resolution (default fine, 204 x 196 dpi).
    pub resolution: Resolution,
    /// Coding of the TIFF pages (default G4).
    pub compression: Compression,
    /// Paper, or `Auto` per page (default Letter).
    pub paper: PaperChoice,
    /// Gray to 1 bit (default `auto`).
    pub halftone: Method,
    /// Seconds a page may take on the line at 14.4 kbit/s (default
    /// [`crate::DEFAULT_LINE_BUDGET_SECONDS`]; `None`: no budget). A
    /// page with continuous tone over it is halftoned again with a coarser
    /// line screen (periods 5, 6, 7, then 8 pixels, each wider than the
    /// page's own: an error-diffused page starts at 5) until it fits; a page
    /// still over it (or with no continuous tone, such as dense text, whose
    /// rules stay as they are) gets a [`crate::Warning::OverLineBudget`].
    pub line_budget: Option<u32>,
    /// Intake's resource caps (4 MiB upload, pages, pixels, decompression).
    pub limits: Limits,
    /// Threads for rendering; `None` uses the available parallelism. The
    /// output is the same for every value.
    pub threads: Option<usize>,
    /// User password of an encrypted PDF.
    pub password: Option<String>,
    /// Brand of the free plan's cover (name, line, optional PNG logo).
    pub brand: Brand,
    /// Date, time and time zone printed on the cover and written as the
    /// TIFF's DateTime. faxprep never reads the clock: the same upload and
    /// options give the same bytes.
    pub date: CoverDate,
    /// Also produce the fax as a PDF of the same G4 pages.
    pub want_pdf: bool,
    /// The identification line printed across the top (or bottom) of
    /// every page, the cover included (default `None`: the carrier may
    /// stamp its own). [`HeaderLine::default`] prints the date, time and
    /// zone of [`Options::date`], the sender, the sender's telephone
    /// number and "Page N of M", what 47 CFR 68.318(d) asks for; a
    /// missing part gets a [`crate::Warning::Header`]. Every document
    /// page is placed in the rows below (or above) the band by the
    /// renderer, scaled with its aspect ratio kept to fit them, so the
    /// band covers nothing of it; the band is
    /// [`faxprep_cover::band_rows`] rows high (5.2 mm at every
    /// resolution). The cover's margins already leave room for it.
    pub header: Option<HeaderLine>,
    /// Where the untrusted stages (preflight, render) run (default: a
    /// sandboxed `faxprep worker` found as [`crate::find_worker_program`]
    /// says).
    pub isolation: Isolation,
    /// The TIFF's Software tag.
    pub software: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            plan: Plan::Paid,
            resolution: Resolution::Fine,
            compression: Compression::G4,
            paper: PaperChoice::default(),
            halftone: Method::Auto,
            line_budget: Some(crate::fax::DEFAULT_LINE_BUDGET_SECONDS),
            limits: Limits::default(),
            threads: None,
            password: None,
            brand: default_brand(),
            date: CoverDate {
                year: 2026,
                month: 1,
                day: 1,
                hour: 0,
                minute: 0,
                utc_offset_minutes: 0,
                zone: Some("UTC".into()),
            },
            want_pdf: false,
            header: None,
            isolation: Isolation::default(),
            software: concat!("faxprep ", env!("CARGO_PKG_VERSION")).into(),
        }
    }
}

/// The brand the free plan's cover carries unless the caller sets its own.
pub fn default_brand() -> Brand {
    Brand {
        name: "faxprep".into(),
        line: "Sent free with faxprep. Send your own fax online.".into(),
        logo_png: None,
    }
}

impl Options {
    /// Rows at the top and bottom of every document page kept white for
    /// the identification line.
    pub(crate) fn reserved_rows(&self) -> (u32, u32) {
        match &self.header {
            None => (0, 0),
            Some(h) => {
                let rows = faxprep_cover::band_rows(self.resolution);
                match h.position {
                    faxprep_cover::HeaderPosition::Top => (rows, 0),
                    faxprep_cover::HeaderPosition::Bottom => (0, rows),
                }
            }
        }
    }

    /// TIFF DateTime ("YYYY:MM:DD HH:MM:SS") from the cover date.
    pub(crate) fn tiff_date_time(&self) -> String {
        let d = &self.date;
        format!(
            "{:04}:{:02}:{:02} {:02}:{:02}:00",
            d.year, d.month, d.day, d.hour, d.minute
        )
    }
}
