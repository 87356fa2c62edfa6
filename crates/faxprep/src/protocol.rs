//! The isolated worker's protocol: a job in on stdin, frames out on stdout.
//!
//! Job: one line of JSON (`{"job": ..., "bytes": N}`, at most 64 KiB) and
//! then exactly N bytes of upload. Answer: frames of a tag byte, a
//! little-endian u32 length and that many bytes: `B` the sandbox report
//! (JSON, written before the job is read), `S` the preflight summary
//! (JSON), `P` a page (three length-prefixed parts: JSON facts, the strip,
//! the G4 strip or nothing), `E` a typed rejection (JSON API body and
//! status), `Z` the end (JSON with the worker's peak memory).
//!
//! The parent takes the frames in that order only, each within its cap
//! before a byte of it is read: 4 KiB for `B` and `Z`, 256 KiB for `S`,
//! 16 KiB for `E`, and for each of the summary's pages (never more `P`
//! frames than that) the largest page the job's resolution can code
//! ([`max_coded_page`]) plus 64 KiB of facts. So the whole answer is
//! bounded by the page count, and a confused or hostile child cannot make
//! the parent allocate more. A rejection is accepted only with a known
//! type and status and bounded text; anything else is an internal error.
use crate::error::{Error, WireError};
use crate::fax::Warning;
use crate::pipeline::{CodedPage, DocJob, DocSummary, Event, process_document};
use crate::sandbox::{SandboxReport, WorkerSetup, enter_sandbox};
use crate::spawn::{Reply, Worker, run_worker};
use faxprep_page::{FAX_WIDTH, Paper, Resolution};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Read, Write};

const MAX_HEADER: u64 = 64 * 1024;
/// The worker never takes more than this, whatever the job says.
const MAX_JOB_BYTES: u64 = 256 << 20;

#[derive(Serialize, Deserialize)]
struct JobHeader {
    job: DocJob,
    bytes: u64,
}

/// What the worker did, for the corpus sweep and the CLI's `--json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerStats {
    /// Peak resident memory of the worker process, in KiB (0 if unknown).
    pub peak_rss_kib: u64,
    /// What the worker's sandbox held (`None` in-process).
    pub sandbox: Option<SandboxReport>,
}

/// The end frame's content.
#[derive(Serialize, Deserialize)]
struct End {
    peak_rss_kib: u64,
}

/// `faxprep worker --setup JSON`: set up the sandbox and the limits
/// ([`enter_sandbox`]), report them in the first frame, then run one job
/// ([`worker_main`]). Returns the exit code: 0 done, 1 rejected, 2 a
/// protocol or I/O error, 3 the sandbox could not be set up (nothing is
/// read then).
pub fn worker_process(setup: &str, input: impl Read, mut output: impl Write) -> i32 {
    let Ok(setup) = serde_json::from_str::<WorkerSetup>(setup) else {
        return 2;
    };
    let Ok(report) = enter_sandbox(&setup) else {
        return 3;
    };
    let Ok(json) = serde_json::to_vec(&report) else {
        return 2;
    };
    if write_frame(&mut output, b'B', &json)
        .and_then(|()| output.flush())
        .is_err()
    {
        return 2;
    }
    worker_main(input, output)
}

/// Run a job read from `input`, writing frames to `output`; returns the
/// process exit code (0 done, 1 rejected, 2 protocol or I/O error). This is
/// all that `faxprep worker` does after applying its limits.
pub fn worker_main(input: impl Read, mut output: impl Write) -> i32 {
    let mut input = std::io::BufReader::new(input);
    let mut line = Vec::new();
    if (&mut input)
        .take(MAX_HEADER)
        .read_until(b'\n', &mut line)
        .is_err()
    {
        return 2;
    }
    let Ok(header) = serde_json::from_slice::<JobHeader>(&line) else {
        return 2;
    };
    // Intake enforces the caller's upload limit with its own error; this
    // cap only bounds what the worker reads before intake runs.
    if header.bytes > MAX_JOB_BYTES {
        let e = Error::Internal {
            message: "job larger than the upload limit".into(),
        };
        return finish_with_error(&mut output, &e);
    }
    let mut bytes = Vec::new();
    match (&mut input).take(header.bytes).read_to_end(&mut bytes) {
        Ok(n) if n as u64 == header.bytes => {}
        _ => return 2,
    }
    let mut frame = Vec::new();
    let result = process_document(&bytes, &header.job, &mut |event| {
        frame.clear();
        let tag = match event {
            Event::Summary(summary) => {
                frame.extend(serde_json::to_vec(&summary).map_err(json_error)?);
                b'S'
            }
            Event::Page(page) => {
                encode_page(&page, &mut frame)?;
                b'P'
            }
        };
        write_frame(&mut output, tag, &frame).map_err(io_error)
    });
    drop(bytes);
    if let Err(e) = result {
        return finish_with_error(&mut output, &e);
    }
    let end = End {
        peak_rss_kib: peak_rss_kib(),
    };
    let Ok(end) = serde_json::to_vec(&end) else {
        return 2;
    };
    if write_frame(&mut output, b'Z', &end)
        .and_then(|()| output.flush())
        .is_err()
    {
        return 2;
    }
    0
}

fn finish_with_error(output: &mut impl Write, e: &Error) -> i32 {
    let mut wire = WireError::from(e);
    if matches!(e, Error::Intake(_)) && wire.status >= 500 {
        // Intake fails internally in the worker only when a resource limit
        // (address space, threads) stops it: the document is too complex
        // for the limits, as when the worker is killed.
        wire = WireError::from(&Error::Isolation(crate::spawn::IsolationError::Killed {
            signal: 0,
        }));
        wire.error = format!("The document needs more resources than allowed ({}).", e);
    }
    let Ok(json) = serde_json::to_vec(&wire) else {
        return 2;
    };
    let end = serde_json::to_vec(&End {
        peak_rss_kib: peak_rss_kib(),
    })
    .unwrap_or_default();
    let ok = write_frame(output, b'E', &json)
        .and_then(|()| write_frame(output, b'Z', &end))
        .and_then(|()| output.flush());
    if ok.is_err() { 2 } else { 1 }
}

fn io_error(e: std::io::Error) -> Error {
    Error::Internal {
        message: format!("worker output: {e}"),
    }
}

fn json_error(e: serde_json::Error) -> Error {
    Error::Internal {
        message: format!("worker json: {e}"),
    }
}

fn write_frame(out: &mut impl Write, tag: u8, payload: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(payload.len())
        .map_err(|_| std::io::Error::other("frame larger than 4 GiB"))?;
    out.write_all(&[tag])?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(payload)
}

fn put_part(out: &mut Vec<u8>, part: &[u8]) -> Result<(), Error> {
    let len = u32::try_from(part.len()).map_err(|_| Error::Internal {
        message: "page part larger than 4 GiB".into(),
    })?;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(part);
    Ok(())
}

fn encode_page(page: &CodedPage, out: &mut Vec<u8>) -> Result<(), Error> {
    put_part(out, &serde_json::to_vec(page).map_err(json_error)?)?;
    put_part(out, &page.strip)?;
    match &page.g4 {
        Some(g4) => {
            out.push(1);
            put_part(out, g4)
        }
        None => {
            out.push(0);
            Ok(())
        }
    }
}

/// A cursor over a frame's payload whose every read is bounds-checked.
struct Parts<'a>(&'a [u8]);

impl<'a> Parts<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if n > self.0.len() {
            return Err(bad("truncated frame"));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, Error> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn part(&mut self) -> Result<&'a [u8], Error> {
        let n = self.u32()? as usize;
        self.take(n)
    }
}

fn bad(reason: &str) -> Error {
    Error::Isolation(crate::spawn::IsolationError::BadResponse {
        reason: reason.into(),
    })
}

fn decode_page(payload: &[u8]) -> Result<CodedPage, Error> {
    let mut parts = Parts(payload);
    let mut page: CodedPage =
        serde_json::from_slice(parts.part()?).map_err(|_| bad("page facts are not json"))?;
    page.strip = parts.part()?.to_vec();
    page.g4 = match parts.take(1)?[0] {
        0 => None,
        1 => Some(parts.part()?.to_vec()),
        _ => return Err(bad("bad g4 flag")),
    };
    Ok(page)
}

/// The largest strip the codec can make of one page at `resolution`:
/// every coding mode spends at most 7 bits a pixel (T.4 vertical mode
/// VL3/VR3 for a changing element on every pixel; horizontal mode on runs
/// of 1 is 12 bits for 2 pixels), plus per row a start, end-of-line and
/// fill of under 16 bytes; the longest paper at the finest rows.
pub fn max_coded_page(resolution: Resolution) -> u64 {
    let rows = Paper::ALL
        .into_iter()
        .map(|p| u64::from(p.rows(resolution)))
        .max()
        .unwrap_or(0);
    rows * (u64::from(FAX_WIDTH) + 16)
}

const SANDBOX_CAP: u64 = 4 << 10;
const SUMMARY_CAP: u64 = 256 << 10;
const ERROR_CAP: u64 = 16 << 10;
const END_CAP: u64 = 4 << 10;
const FACTS_CAP: u64 = 64 << 10;
/// Bounds on the text of what the worker reports (API messages are one or
/// two sentences; intake's warnings are deduplicated).
const MAX_MESSAGE_CHARS: usize = 2000;
const MAX_WARNINGS: usize = 1000;

/// The error types and statuses a worker may answer with.
const KNOWN_REJECTIONS: &[(&str, u16)] = &[
    ("bad_request", 400),
    ("payment_required", 402),
    ("document_too_complex", 422),
    ("internal_error", 500),
];

fn bounded(text: &str) -> bool {
    text.chars().count() <= MAX_MESSAGE_CHARS && !text.chars().any(char::is_control)
}

fn warnings_bounded(warnings: &[Warning]) -> bool {
    warnings.len() <= MAX_WARNINGS
        && warnings.iter().all(|w| match w {
            Warning::Document { message }
            | Warning::Page { message, .. }
            | Warning::Cover { message } => bounded(message),
            Warning::NearlyBlank { .. } | Warning::OverLineBudget { .. } => true,
            // The identification line is the parent's: a worker never
            // reports on it.
            Warning::Header { .. } => false,
        })
}

/// A rejection from the worker, if it is one the worker can give.
fn accept_rejection(payload: &[u8]) -> Result<Error, Error> {
    let wire: WireError = serde_json::from_slice(payload).map_err(|_| bad("error is not json"))?;
    if !KNOWN_REJECTIONS.contains(&(wire.error_type.as_str(), wire.status)) {
        return Err(bad("an error of unknown type or status"));
    }
    if !bounded(&wire.error) || !bounded(&wire.hint) || !bounded(&wire.error_type) {
        return Err(bad("an error whose text is over its bounds"));
    }
    wire.into_error()
        .ok_or_else(|| bad("an error of unknown type"))
}

/// The parent's side of one job's answer.
struct Answer<'a> {
    sink: &'a mut dyn FnMut(Event) -> Result<(), Error>,
    max_pages: u32,
    page_cap: u64,
    max_rows: u32,
    sandbox: Option<SandboxReport>,
    pages: Option<u32>,
    pages_seen: u32,
    rejection: Option<Error>,
    end: Option<End>,
    /// The job stops after the summary: no page may come.
    inspect_only: bool,
}

impl Reply for Answer<'_> {
    type Error = Error;

    fn frame_cap(&self, tag: u8) -> Option<u64> {
        let open = self.rejection.is_none() && self.end.is_none();
        match tag {
            b'B' if self.sandbox.is_none() => Some(SANDBOX_CAP),
            // The sandbox report comes first, before the job is read.
            _ if self.sandbox.is_none() => None,
            b'S' if open && self.pages.is_none() => Some(SUMMARY_CAP),
            b'P' if open
                && !self.inspect_only
                && self.pages.is_some_and(|n| self.pages_seen < n) =>
            {
                Some(self.page_cap)
            }
            b'E' if open => Some(ERROR_CAP),
            b'Z' if self.end.is_none() => Some(END_CAP),
            _ => None,
        }
    }

    fn frame(&mut self, tag: u8, payload: Vec<u8>) -> Result<(), Error> {
        match tag {
            b'B' => {
                self.sandbox = Some(
                    serde_json::from_slice(&payload)
                        .map_err(|_| bad("sandbox report is not json"))?,
                );
                Ok(())
            }
            b'S' => {
                let summary: DocSummary =
                    serde_json::from_slice(&payload).map_err(|_| bad("summary is not json"))?;
                if summary.pages > self.max_pages || !warnings_bounded(&summary.warnings) {
                    return Err(bad("summary over its bounds"));
                }
                self.pages = Some(summary.pages);
                (self.sink)(Event::Summary(summary))
            }
            b'P' => {
                let page = decode_page(&payload)?;
                let f = &page.facts;
                if f.width != FAX_WIDTH
                    || f.height > self.max_rows
                    || !warnings_bounded(&page.warnings)
                    || !bounded(&f.halftone)
                    || !bounded(&f.content)
                {
                    return Err(bad("page facts over their bounds"));
                }
                self.pages_seen += 1;
                (self.sink)(Event::Page(page))
            }
            b'E' => {
                self.rejection = Some(accept_rejection(&payload)?);
                Ok(())
            }
            b'Z' => {
                self.end =
                    Some(serde_json::from_slice(&payload).map_err(|_| bad("end is not json"))?);
                Ok(())
            }
            _ => Err(bad("unknown frame")),
        }
    }
}

/// Run `job` on `bytes` in a `faxprep worker` child, handing its results
/// to `sink` as [`process_document`] would in this process.
pub(crate) fn process_isolated(
    worker: &Worker,
    bytes: &[u8],
    job: &DocJob,
    sink: &mut dyn FnMut(Event) -> Result<(), Error>,
) -> Result<WorkerStats, Error> {
    let header = JobHeader {
        job: job.clone(),
        bytes: bytes.len() as u64,
    };
    let mut input = serde_json::to_vec(&header).map_err(json_error)?;
    input.push(b'\n');
    input.extend_from_slice(bytes);
    let strip = max_coded_page(job.resolution);
    let page_cap = strip * if job.want_g4 { 2 } else { 1 } + FACTS_CAP;
    let mut answer = Answer {
        sink,
        max_pages: job.limits.max_pages,
        page_cap,
        max_rows: Paper::ALL
            .into_iter()
            .map(|p| p.rows(job.resolution))
            .max()
            .unwrap_or(0),
        sandbox: None,
        pages: None,
        pages_seen: 0,
        rejection: None,
        end: None,
        inspect_only: job.inspect_only,
    };
    run_worker(worker, &input, &mut answer).map_err(Error::Isolation)??;
    drop(input);
    if let Some(e) = answer.rejection {
        return Err(e);
    }
    let end = answer
        .end
        .ok_or_else(|| bad("the worker stopped before the end"))?;
    if !job.inspect_only && answer.pages != Some(answer.pages_seen) {
        return Err(bad("the worker sent fewer pages than it counted"));
    }
    Ok(WorkerStats {
        peak_rss_kib: end.peak_rss_kib,
        sandbox: answer.sandbox,
    })
}

/// Peak resident memory of this process, in KiB (`getrusage`, which needs
/// no file: the sandbox allows none).
fn peak_rss_kib() -> u64 {
    nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF)
        .map_or(0, |u| u64::try_from(u.max_rss()).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorType;
    use faxprep_codec::{Compression, EncodeOptions, encode};
    use faxprep_page::BitPage;

    /// The worst patterns for each coding (a checkerboard: a change on
    /// every pixel; pairs of 1-pixel runs shifted row to row; noise) stay
    /// within `max_coded_page` at the longest paper and finest rows.
    #[test]
    fn the_page_cap_holds_for_the_worst_pages() {
        let res = Resolution::Superfine;
        let rows = Paper::Legal.rows(res);
        type Pattern = fn(u32, u32, u64) -> bool;
        let patterns: [(&str, Pattern); 3] = [
            ("checkerboard", |x, y, _| (x + y) % 2 == 0),
            ("shifted pairs", |x, y, _| (x + y / 2) % 3 == 0),
            ("noise", |_, _, r| r >> 63 == 1),
        ];
        for (name, black) in patterns {
            let mut page = BitPage::new(FAX_WIDTH, rows, res).unwrap();
            let mut state = 0x9E37_79B9_7F4A_7C15u64;
            for y in 0..rows {
                for x in 0..FAX_WIDTH {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    if black(x, y, state) {
                        page.set(x, y, true);
                    }
                }
            }
            for c in Compression::ALL {
                let coded = encode(&page, &EncodeOptions::tiff(c)).len() as u64;
                assert!(
                    coded <= max_coded_page(res),
                    "{name} {c:?}: {coded} > {}",
                    max_coded_page(res)
                );
            }
        }
    }

    #[test]
    fn a_decoders_message_over_lines_reaches_the_parent_as_one_line() {
        // zune-jpeg's messages end in a line break; the parent refuses
        // control characters, so the worker sends one line.
        let err = Error::from_raster(faxprep_raster::Error::Image {
            message: "compressed data is corrupt: i/o errors\nnot enough bytes\n".into(),
        });
        let wire = serde_json::to_vec(&WireError::from(&err)).unwrap();
        let back = accept_rejection(&wire).unwrap();
        assert_eq!(back.http_status(), 400);
        let text = back.api_error().error;
        assert!(text.contains("i/o errors not enough bytes"), "{text}");
        assert!(!text.contains('\n'));
        let long = Error::from_raster(faxprep_raster::Error::Image {
            message: "x".repeat(5000),
        });
        let wire = serde_json::to_vec(&WireError::from(&long)).unwrap();
        assert!(accept_rejection(&wire).is_ok());
    }

    #[test]
    fn only_known_rejections_with_bounded_text_are_accepted() {
        let wire = |error: &str, error_type: &str, status: u16| {
            serde_json::to_vec(&WireError {
                error: error.into(),
                error_type: error_type.into(),
                hint: "Try again.".into(),
                status,
            })
            .unwrap()
        };
        let ok = accept_rejection(&wire("The file is empty.", "bad_request", 400)).unwrap();
        assert_eq!(ok.http_status(), 400);
        assert_eq!(ok.api_error().error, "The file is empty.");
        for forged in [
            wire("Your fax was sent.", "bad_request", 200),
            wire("x", "accepted", 400),
            wire("x", "payment_required", 400),
            wire(&"A".repeat(5 << 20), "bad_request", 400),
            wire("line\u{1b}[2Jbreak", "bad_request", 400),
        ] {
            let e = accept_rejection(&forged).unwrap_err();
            assert_eq!(e.error_type(), ErrorType::InternalError, "{e}");
            assert_eq!(e.http_status(), 500);
        }
    }
}
