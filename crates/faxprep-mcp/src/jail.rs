//! The path jail: an agent names a file, and only a regular file under one
//! root directory, at most the upload limit, that starts like a PDF, JPEG
//! or PNG, is read.
//!
//! The path is joined to the root when relative, canonicalised (every
//! symlink and `..` resolved), and refused unless the result lies under the
//! canonical root. The file is then opened with `O_NOFOLLOW` (a symlink
//! swapped in after the check fails the open) and `O_NONBLOCK` (opening a
//! FIFO never waits for a writer), and everything else is decided on the
//! opened descriptor: it must be a regular file, its size from the
//! descriptor's metadata at most the limit, and the read itself stops at
//! the limit plus one byte, so a file that grows while it is read is
//! refused rather than read without bound.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Why a path was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JailError {
    /// The path is empty or holds a NUL byte.
    BadPath,
    /// Nothing is at the path (or it cannot be resolved).
    NotFound {
        /// The path as given.
        path: String,
    },
    /// The path resolves outside the root.
    OutsideRoot {
        /// The path as given.
        path: String,
    },
    /// A directory, FIFO, socket or device.
    NotRegular {
        /// The path as given.
        path: String,
        /// What it is.
        kind: &'static str,
    },
    /// Larger than the limit (before or while reading).
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// Not a PDF, JPEG or PNG by its first bytes.
    NotADocument,
    /// The file could not be opened or read.
    Io {
        /// What the system said.
        message: String,
    },
}

impl std::fmt::Display for JailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JailError::BadPath => f.write_str("the path is empty or not valid"),
            JailError::NotFound { path } => write!(f, "no file at {path:?}"),
            JailError::OutsideRoot { path } => {
                write!(f, "{path:?} is outside the directory this server may read")
            }
            JailError::NotRegular { path, kind } => {
                write!(f, "{path:?} is a {kind}, not a regular file")
            }
            JailError::TooLarge { limit } => {
                write!(f, "the file is larger than {limit} bytes")
            }
            JailError::NotADocument => {
                f.write_str("the file is not a PDF, JPEG or PNG (judged by its content)")
            }
            JailError::Io { message } => write!(f, "the file could not be read: {message}"),
        }
    }
}

impl std::error::Error for JailError {}

impl JailError {
    /// What the agent can do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            JailError::OutsideRoot { .. } | JailError::NotFound { .. } => {
                "Pass a path relative to the server's root directory (FAXPREP_MCP_ROOT), or \
                 send the file's bytes as content_base64."
            }
            JailError::TooLarge { .. } => {
                "Uploads are limited to 4 MB: compress the PDF, export fewer pages or save \
                 images as JPEG."
            }
            JailError::NotADocument => "Convert the document to PDF, JPEG or PNG first.",
            _ => "Pass a regular PDF, JPEG or PNG file inside the server's root directory.",
        }
    }
}

/// The canonical root: `dir` must exist and be a directory.
pub fn canonical_root(dir: &Path) -> Result<PathBuf, JailError> {
    let root = dir.canonicalize().map_err(|e| JailError::Io {
        message: format!("root {}: {e}", dir.display()),
    })?;
    if !root.is_dir() {
        return Err(JailError::NotRegular {
            path: root.display().to_string(),
            kind: "file (the root must be a directory)",
        });
    }
    Ok(root)
}

/// Read the file at `path` (relative to `root`, or absolute) if it lies
/// under `root` (canonical, from [`canonical_root`]), is a regular file of
/// at most `limit` bytes, and starts like a PDF, JPEG or PNG.
pub fn read_in_jail(root: &Path, path: &str, limit: u64) -> Result<Vec<u8>, JailError> {
    if path.is_empty() || path.contains('\0') {
        return Err(JailError::BadPath);
    }
    let shown = || path.to_owned();
    let joined = root.join(path);
    let canonical = joined.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => JailError::NotFound { path: shown() },
        _ => JailError::Io {
            message: e.to_string(),
        },
    })?;
    if !canonical.starts_with(root) {
        return Err(JailError::OutsideRoot { path: shown() });
    }
    // The canonical path has no symlink left; O_NOFOLLOW refuses one
    // swapped in since, O_NONBLOCK keeps a FIFO from blocking the open.
    let file = File::options()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&canonical)
        .map_err(|e| JailError::Io {
            message: e.to_string(),
        })?;
    let meta = file.metadata().map_err(|e| JailError::Io {
        message: e.to_string(),
    })?;
    let ft = meta.file_type();
    if !ft.is_file() {
        use std::os::unix::fs::FileTypeExt;
        let kind = if ft.is_dir() {
            "directory"
        } else if ft.is_fifo() {
            "FIFO"
        } else if ft.is_socket() {
            "socket"
        } else if ft.is_block_device() || ft.is_char_device() {
            "device"
        } else {
            "special file"
        };
        return Err(JailError::NotRegular {
            path: shown(),
            kind,
        });
    }
    if meta.len() > limit {
        return Err(JailError::TooLarge { limit });
    }
    let bytes = read_bounded(file, meta.len(), limit)?;
    if !looks_like_document(&bytes) {
        return Err(JailError::NotADocument);
    }
    Ok(bytes)
}

/// Read what `reader` holds, `declared` bytes by its metadata, refusing
/// more than `limit`: at most `limit + 1` bytes are read, and one more
/// than the limit means the file grew past it since its size was taken.
pub fn read_bounded(reader: impl Read, declared: u64, limit: u64) -> Result<Vec<u8>, JailError> {
    if declared > limit {
        return Err(JailError::TooLarge { limit });
    }
    let mut bytes = Vec::with_capacity(declared as usize);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| JailError::Io {
            message: e.to_string(),
        })?;
    if bytes.len() as u64 > limit {
        return Err(JailError::TooLarge { limit });
    }
    Ok(bytes)
}

/// The magic bytes of the three accepted formats: PNG's signature, JPEG's
/// SOI and first marker, `%PDF-` within the first 1024 bytes (intake's
/// window). Intake checks the whole file; this keeps anything else (a key
/// file, a database) from being read into the server at all.
pub fn looks_like_document(bytes: &[u8]) -> bool {
    const PNG: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    if bytes.starts_with(&PNG) || bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        return true;
    }
    let window = &bytes[..bytes.len().min(1024 + 5)];
    window.windows(5).any(|w| w == b"%PDF-")
}
