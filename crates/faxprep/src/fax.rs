//! What `prepare` returns: the fax, its pages' facts, warnings and price.

use faxprep_page::{DocumentFormat, Paper, Resolution};
use serde::Serialize;

/// Line rate the transmission estimate assumes (V.17, 14.4 kbit/s).
pub const LINE_BITS_PER_SECOND: u32 = 14_400;

/// Bytes of coded page a second at 14.4 kbit/s.
pub const LINE_BYTES_PER_SECOND: u64 = LINE_BITS_PER_SECOND as u64 / 8;

/// The default line budget of a page, in seconds (see
/// [`crate::Options::line_budget`]): 180 s, 324,000 coded bytes. A dense
/// text page takes 20 to 40 s and a full-page photo under the line
/// screen 105 to 130 s (`docs/line-budget.md`), so only pages that would
/// tie up the line for minutes (a photo diffused with Floyd-Steinberg,
/// 500 to 680 s) are halftoned coarser.
pub const DEFAULT_LINE_BUDGET_SECONDS: u32 = 180;

/// Call set-up and T.30 negotiation before the first page, in seconds.
pub const CALL_SETUP_SECONDS: f64 = 15.0;

/// T.30 post-page exchange (MPS/MCF) and training per page, in seconds.
pub const PER_PAGE_OVERHEAD_SECONDS: f64 = 1.5;

/// A prepared fax.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct PreparedFax {
    /// The fax as a multi-page TIFF Class F file.
    #[serde(skip)]
    pub tiff: Vec<u8>,
    /// The same pages as a PDF of G4 images, when asked for.
    #[serde(skip)]
    pub pdf: Option<Vec<u8>>,
    /// Bytes of the TIFF file.
    pub tiff_bytes: u64,
    /// Bytes of the PDF, when there is one.
    pub pdf_bytes: Option<u64>,
    /// The recipient's number in E.164, to echo back to the user.
    pub recipient_number: String,
    /// What the upload was.
    pub format: DocumentFormat,
    /// Pages of the uploaded document.
    pub document_pages: u32,
    /// Pages transmitted, cover included.
    pub total_pages: u32,
    /// Whether the first page is the generated cover.
    pub cover: bool,
    /// Credits charged ([`crate::billing::quote`]).
    pub credits: u32,
    /// Estimated transmission time at 14.4 kbit/s, in seconds: call set-up
    /// ([`CALL_SETUP_SECONDS`]) plus, per page, its coded bits at
    /// [`LINE_BITS_PER_SECOND`] and [`PER_PAGE_OVERHEAD_SECONDS`]. The coded
    /// bits are those of the TIFF's compression; a real call may negotiate
    /// another coding and rate.
    pub transmission_seconds: f64,
    /// Facts about every page, cover first.
    pub pages: Vec<PageFacts>,
    /// What the sender should know.
    pub warnings: Vec<Warning>,
    /// The identification line, when [`crate::Options::header`] asked
    /// for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<HeaderFacts>,
}

/// Facts about the identification line of a fax (each page's text is in
/// its [`PageFacts::header`]).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct HeaderFacts {
    /// The template printed.
    pub template: String,
    /// `top` or `bottom`.
    pub position: String,
    /// Rows of the band at the fax's resolution.
    pub band_rows: u32,
    /// The band's height in inches.
    pub band_inches: f64,
    /// What 47 CFR 68.318(d) asks for that the line does not print
    /// (empty when it prints all of it).
    pub missing_for_rule: Vec<String>,
}

/// Facts about one transmitted page.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct PageFacts {
    /// Index in the fax, from 0 (the cover, when there is one, is 0).
    pub index: u32,
    /// The page of the upload it shows, from 0; `None` for the cover.
    pub source_page: Option<u32>,
    /// Width in pixels (1728).
    pub width: u32,
    /// Height in rows.
    pub height: u32,
    /// The resolution.
    pub resolution: Resolution,
    /// The paper it is laid out for.
    pub paper: Paper,
    /// Whether it was turned upright from landscape.
    pub rotated: bool,
    /// Bytes of the page coded with the TIFF's compression.
    pub coded_bytes: u64,
    /// Bytes of the page coded as G4 (what a G4 carrier or the PDF gets).
    pub g4_bytes: u64,
    /// No black pixel at all.
    pub blank: bool,
    /// The halftone method ("auto", "threshold", ...); `cover` for the cover.
    pub halftone: String,
    /// Share of the page dithered as continuous tone (0 to 1).
    pub photo_fraction: f32,
    /// What the page holds as the halftone treated it: `text`, `mixed`,
    /// `photo`, `paper-photo` (a picture of paper made into a document
    /// page), or `cover`.
    pub content: String,
    /// Seconds the coded page takes on the line at 14.4 kbit/s
    /// (`coded_bytes / 1800`), without the T.30 exchange around it.
    pub line_seconds: f64,
    /// The period in pixels of the line screen that dithered the page's
    /// continuous tone (wider than 5 when the page was over its line
    /// budget); `None` when nothing on the page came from it.
    pub screen_period: Option<u8>,
    /// The identification line printed on the page, its sections joined
    /// by " | " (an ellipsis ends a cut one); `None` without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// Which renderer drew the page: `device` (the gray device),
    /// `patched:` and a reason (the device, with a rectangle around images
    /// or pattern fills drawn by hayro + vello: `patched:image`), `full:`
    /// and the reason hayro + vello drew it all (`full:transparency-group`,
    /// ...), or `picture` (JPEG, PNG, TIFF); `None` for the cover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renderer: Option<String>,
}

/// Something the sender should know about their fax; none stops it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Warning {
    /// From intake: repaired cross-references, a corrupt stream, junk
    /// before the header, a truncated JPEG...
    Document {
        /// What intake said.
        message: String,
    },
    /// From the renderer: a missing font, an image that would not decode.
    Page {
        /// Page of the upload, from 0.
        page: u32,
        /// What the renderer said.
        message: String,
    },
    /// A page came out blank or nearly so.
    NearlyBlank {
        /// Page of the upload, from 0.
        page: u32,
    },
    /// From the cover: replaced characters, truncated text.
    Cover {
        /// What the cover said.
        message: String,
    },
    /// From the identification line: text cut or characters replaced, or
    /// a part 47 CFR 68.318(d) asks for that it does not print.
    Header {
        /// What the line lacks.
        message: String,
    },
    /// A page takes longer on the line than the budget allows, even
    /// halftoned as coarsely as faxprep goes (or it has no continuous
    /// tone to coarsen: dense text).
    OverLineBudget {
        /// Page of the upload, from 0.
        page: u32,
        /// Seconds the page takes at 14.4 kbit/s, rounded up.
        seconds: u32,
        /// The budget, in seconds.
        budget_seconds: u32,
    },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::Document { message }
            | Warning::Cover { message }
            | Warning::Header { message } => f.write_str(message),
            Warning::Page { page, message } => write!(f, "page {}: {message}", page + 1),
            Warning::NearlyBlank { page } => {
                write!(f, "page {} is blank or nearly blank", page + 1)
            }
            Warning::OverLineBudget {
                page,
                seconds,
                budget_seconds,
            } => write!(
                f,
                "page {} takes about {seconds} s on the line at 14.4 kbit/s, over the \
                 budget of {budget_seconds} s",
                page + 1
            ),
        }
    }
}

/// Seconds `coded_bytes` of a page take on the line at 14.4 kbit/s.
pub fn line_seconds(coded_bytes: u64) -> f64 {
    coded_bytes as f64 / LINE_BYTES_PER_SECOND as f64
}

/// The transmission estimate for pages of `coded_bytes` each.
pub fn transmission_seconds(coded_bytes: impl IntoIterator<Item = u64>) -> f64 {
    let mut seconds = CALL_SETUP_SECONDS;
    for bytes in coded_bytes {
        seconds += bytes as f64 * 8.0 / f64::from(LINE_BITS_PER_SECOND);
        seconds += PER_PAGE_OVERHEAD_SECONDS;
    }
    seconds
}
