//! The path jail against what an agent (or a prompt injected into one)
//! might try: `..`, absolute paths outside, symlinks out, FIFOs,
//! directories, files that are too large or grow while read, and files
//! that are not documents.
#![allow(clippy::unwrap_used)] // helpers of tests: a failed unwrap fails the test

use faxprep_mcp::jail::{JailError, canonical_root, read_bounded, read_in_jail};
use std::io::Read;
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const LIMIT: u64 = 4 * 1024 * 1024;
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// A temporary directory with `root/` (the jail, holding doc.pdf) and a
/// file beside it, outside the jail.
struct Setup {
    _dir: tempfile::TempDir,
    root: PathBuf,
    outside: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("doc.pdf"), PDF).unwrap();
    let outside = dir.path().join("secret.pdf");
    std::fs::write(&outside, PDF).unwrap();
    Setup {
        root: canonical_root(&root).unwrap(),
        outside: outside.canonicalize().unwrap(),
        _dir: dir,
    }
}

#[test]
fn a_document_inside_is_read() {
    let s = setup();
    assert_eq!(read_in_jail(&s.root, "doc.pdf", LIMIT).unwrap(), PDF);
    let abs = s.root.join("doc.pdf");
    assert_eq!(
        read_in_jail(&s.root, abs.to_str().unwrap(), LIMIT).unwrap(),
        PDF
    );
    // `..` that stays inside is fine.
    std::fs::create_dir(s.root.join("sub")).unwrap();
    assert_eq!(read_in_jail(&s.root, "sub/../doc.pdf", LIMIT).unwrap(), PDF);
    // A symlink whose target is inside is followed.
    symlink(s.root.join("doc.pdf"), s.root.join("link.pdf")).unwrap();
    assert_eq!(read_in_jail(&s.root, "link.pdf", LIMIT).unwrap(), PDF);
}

#[test]
fn dot_dot_out_is_refused() {
    let s = setup();
    assert!(matches!(
        read_in_jail(&s.root, "../secret.pdf", LIMIT),
        Err(JailError::OutsideRoot { .. })
    ));
    assert!(matches!(
        read_in_jail(&s.root, "sub/../../secret.pdf", LIMIT),
        Err(JailError::NotFound { .. } | JailError::OutsideRoot { .. })
    ));
}

#[test]
fn absolute_paths_outside_are_refused() {
    let s = setup();
    for path in [s.outside.to_str().unwrap(), "/etc/passwd", "/"] {
        let err = read_in_jail(&s.root, path, LIMIT).unwrap_err();
        assert!(
            matches!(err, JailError::OutsideRoot { .. }),
            "{path}: {err:?}"
        );
    }
}

#[test]
fn symlinks_leaving_the_root_are_refused() {
    let s = setup();
    symlink(&s.outside, s.root.join("innocent.pdf")).unwrap();
    symlink(s.outside.parent().unwrap(), s.root.join("dir")).unwrap();
    for path in ["innocent.pdf", "dir/secret.pdf"] {
        let err = read_in_jail(&s.root, path, LIMIT).unwrap_err();
        assert!(
            matches!(err, JailError::OutsideRoot { .. }),
            "{path}: {err:?}"
        );
    }
}

#[test]
fn a_fifo_is_refused_without_blocking() {
    let s = setup();
    let fifo = s.root.join("pipe.pdf");
    nix::unistd::mkfifo(
        &fifo,
        nix::sys::stat::Mode::S_IRUSR | nix::sys::stat::Mode::S_IWUSR,
    )
    .unwrap();
    // No writer ever opens it: a blocking open would hang here.
    let (tx, rx) = std::sync::mpsc::channel();
    let root = s.root.clone();
    std::thread::spawn(move || tx.send(read_in_jail(&root, "pipe.pdf", LIMIT)));
    let got = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the FIFO blocked the read");
    assert_eq!(
        got,
        Err(JailError::NotRegular {
            path: "pipe.pdf".into(),
            kind: "FIFO"
        })
    );
}

#[test]
fn a_directory_or_device_is_refused() {
    let s = setup();
    std::fs::create_dir(s.root.join("folder.pdf")).unwrap();
    assert!(matches!(
        read_in_jail(&s.root, "folder.pdf", LIMIT),
        Err(JailError::NotRegular {
            kind: "directory",
            ..
        })
    ));
    assert!(matches!(
        read_in_jail(&s.root, ".", LIMIT),
        Err(JailError::NotRegular { .. })
    ));
    // A device inside the jail (here the jail is /dev).
    let dev = canonical_root(std::path::Path::new("/dev")).unwrap();
    assert!(matches!(
        read_in_jail(&dev, "zero", LIMIT),
        Err(JailError::NotRegular { kind: "device", .. })
    ));
}

#[test]
fn size_is_checked_before_reading() {
    let s = setup();
    // A sparse file of 5 MB: refused by its metadata, nothing read.
    let big = std::fs::File::create(s.root.join("big.pdf")).unwrap();
    big.set_len(LIMIT + 1).unwrap();
    assert_eq!(
        read_in_jail(&s.root, "big.pdf", LIMIT),
        Err(JailError::TooLarge { limit: LIMIT })
    );
    // Exactly the limit is accepted (a PDF header then zeros).
    let mut exact = PDF.to_vec();
    exact.resize(LIMIT as usize, 0);
    std::fs::write(s.root.join("exact.pdf"), &exact).unwrap();
    assert_eq!(
        read_in_jail(&s.root, "exact.pdf", LIMIT).unwrap().len() as u64,
        LIMIT
    );
}

#[test]
fn a_file_that_grows_while_read_is_refused() {
    // A reader that yields its declared 100 bytes and then never ends, as
    // a file that keeps growing does: refused after limit + 1 bytes.
    let declared = std::io::Cursor::new(vec![b'x'; 100]);
    let endless = declared.chain(std::io::repeat(b'y'));
    let start = Instant::now();
    assert_eq!(
        read_bounded(endless, 100, 1000),
        Err(JailError::TooLarge { limit: 1000 })
    );
    assert!(start.elapsed() < Duration::from_secs(5));

    // A real file appended to by another thread while the jail reads it:
    // whatever the interleaving, the result is the whole file as it was
    // when read to its end, at most the limit, or TooLarge.
    let s = setup();
    let path = s.root.join("growing.pdf");
    std::fs::write(&path, PDF).unwrap();
    let limit = 64 * 1024;
    let writer = {
        let path = path.clone();
        std::thread::spawn(move || {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
            for _ in 0..512 {
                f.write_all(&[b'z'; 1024]).unwrap();
            }
        })
    };
    let mut refused = false;
    for _ in 0..1000 {
        match read_in_jail(&s.root, "growing.pdf", limit) {
            Ok(bytes) => assert!(bytes.len() as u64 <= limit && bytes.starts_with(PDF)),
            Err(JailError::TooLarge { .. }) => {
                refused = true;
                break;
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    writer.join().unwrap();
    // Once the writer is done the file is 512 KB: over the limit.
    assert_eq!(
        read_in_jail(&s.root, "growing.pdf", limit),
        Err(JailError::TooLarge { limit })
    );
    eprintln!("refused while growing: {refused}");
}

#[test]
fn only_documents_by_their_magic_bytes() {
    let s = setup();
    std::fs::write(
        s.root.join("id_rsa.pdf"),
        b"-----BEGIN OPENSSH PRIVATE KEY-----\n",
    )
    .unwrap();
    std::fs::write(s.root.join("empty.pdf"), b"").unwrap();
    for name in ["id_rsa.pdf", "empty.pdf"] {
        assert_eq!(
            read_in_jail(&s.root, name, LIMIT),
            Err(JailError::NotADocument),
            "{name}"
        );
    }
    std::fs::write(s.root.join("photo.bin"), [0xff, 0xd8, 0xff, 0xe0, 0, 0x10]).unwrap();
    assert!(read_in_jail(&s.root, "photo.bin", LIMIT).is_ok());
    assert_eq!(read_in_jail(&s.root, "", LIMIT), Err(JailError::BadPath));
    assert_eq!(
        read_in_jail(&s.root, "a\0b", LIMIT),
        Err(JailError::BadPath)
    );
}
