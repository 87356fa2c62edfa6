//! The isolated worker's protocol: a job in on stdin, frames out on stdout.
//!
//! Job: one line of JSON (`{"job": ..., "bytes": N}`, at most 64 KiB) and
//! then exactly N bytes of upload. Answer: frames of a tag byte, a
//! little-endian u32 length and that many bytes: `S` the preflight summary
//! (JSON), `P` a page (three length-prefixed parts: JSON facts, the strip,
//! the G4 strip or nothing), `E` a typed rejection (JSON API body and
//! status), `Z` the end (JSON with the worker's peak memory). Every length
//! is checked against what is left and against the caller's limits, so a
//! confused or hostile child cannot make the parent allocate without bound.

use crate::error::{Error, WireError};
use crate::isolate::{WorkerLimits, run_worker};
use crate::process::{CodedPage, DocJob, Event, process_document};
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerStats {
    /// Peak resident memory of the worker process, in KiB (0 if unknown).
    pub peak_rss_kib: u64,
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
        let e = Error::Usage {
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
    let end = WorkerStats {
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
        wire = WireError::from(&Error::Isolation(crate::isolate::IsolationError::Killed {
            signal: 0,
        }));
        wire.error = format!("The document needs more resources than allowed ({}).", e);
    }
    let Ok(json) = serde_json::to_vec(&wire) else {
        return 2;
    };
    let end = serde_json::to_vec(&WorkerStats {
        peak_rss_kib: peak_rss_kib(),
    })
    .unwrap_or_default();
    let ok = write_frame(output, b'E', &json)
        .and_then(|()| write_frame(output, b'Z', &end))
        .and_then(|()| output.flush());
    if ok.is_err() { 2 } else { 1 }
}

fn io_error(e: std::io::Error) -> Error {
    Error::Usage {
        message: format!("worker output: {e}"),
    }
}

fn json_error(e: serde_json::Error) -> Error {
    Error::Usage {
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
    let len = u32::try_from(part.len()).map_err(|_| Error::Usage {
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
    Error::Isolation(crate::isolate::IsolationError::BadResponse {
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

/// Run `job` on `bytes` in a `faxprep worker` child, handing its results
/// to `sink` as [`process_document`] would in this process.
pub(crate) fn process_isolated(
    program: &std::path::Path,
    limits: &WorkerLimits,
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
    let mut stats = None;
    let mut rejection = None;
    let mut on_frame = |(tag, payload): crate::isolate::Frame| -> Result<(), Error> {
        match tag {
            b'S' => sink(Event::Summary(
                serde_json::from_slice(&payload).map_err(|_| bad("summary is not json"))?,
            )),
            b'P' => sink(Event::Page(decode_page(&payload)?)),
            b'E' => {
                let wire: WireError =
                    serde_json::from_slice(&payload).map_err(|_| bad("error is not json"))?;
                rejection = Some(Error::from(wire));
                Ok(())
            }
            b'Z' => {
                stats = Some(serde_json::from_slice(&payload).map_err(|_| bad("end is not json"))?);
                Ok(())
            }
            _ => Err(bad("unknown frame")),
        }
    };
    run_worker(program, limits, &input, &mut on_frame).map_err(Error::Isolation)??;
    drop(input);
    if let Some(e) = rejection {
        return Err(e);
    }
    stats.ok_or_else(|| bad("the worker stopped before the end"))
}

/// Peak resident memory of this process (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
