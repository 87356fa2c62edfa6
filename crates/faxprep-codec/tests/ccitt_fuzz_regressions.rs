//! Replays every input kept in `fixtures/fuzz-regressions/ccitt_decode/`
//! and `.../ccitt_roundtrip/` (crashers the fuzz targets found, minimised)
//! through the same harness the targets use, so a fixed bug stays fixed.

#![allow(clippy::unwrap_used)] // test code: a panic is a failure report
mod ccitt_common;

use ccitt_common::fuzz_harness;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = faxprep_testkit::workspace_root()
        .join("fixtures/fuzz-regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        panic!("{} is missing", dir.display());
    };
    let mut files: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    // Dotfiles (.gitkeep) and notes are not inputs.
    let is_input = |f: &&std::path::PathBuf| {
        let name = f.file_name().unwrap_or_default().to_string_lossy();
        f.is_file() && !name.starts_with('.') && !name.ends_with(".md")
    };
    for file in files.iter().filter(is_input) {
        let data = std::fs::read(file).unwrap();
        eprintln!("replaying {}", file.display());
        run(&data);
    }
}

#[test]
fn ccitt_decode_regressions() {
    replay("ccitt_decode", fuzz_harness::decode_one);
}

#[test]
fn ccitt_roundtrip_regressions() {
    replay("ccitt_roundtrip", fuzz_harness::roundtrip_one);
}
