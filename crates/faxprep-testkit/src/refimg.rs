//! Reference-image comparison with a bless step that never accepts silently.

use crate::workspace_root;
use faxprep_page::{BitPage, GrayPage};
use image::{GrayImage, Rgb, RgbImage};
use std::path::PathBuf;

fn blessing() -> bool {
    std::env::var_os("FAXPREP_BLESS").is_some_and(|v| v == "1")
}

fn ref_path(case: &str) -> PathBuf {
    workspace_root()
        .join("fixtures/ref")
        .join(format!("{case}.png"))
}

fn diff_path(case: &str) -> PathBuf {
    workspace_root()
        .join("target/faxprep-diffs")
        .join(format!("{case}.png"))
}

/// Compare a gray page with `fixtures/ref/<case>.png`: pixels whose values
/// differ by more than `tolerance` count as different, and more than
/// `max_differing_pixels` of them fail the test. See the crate docs for
/// blessing.
#[track_caller]
pub fn assert_gray_matches(case: &str, page: &GrayPage, tolerance: u8, max_differing_pixels: u64) {
    let actual = GrayImage::from_raw(page.width(), page.height(), page.data().to_vec())
        .expect("page buffer matches its dimensions");
    compare(case, &actual, tolerance, max_differing_pixels);
}

/// Compare a 1-bit page with `fixtures/ref/<case>.png` exactly (black = 0,
/// white = 255 in the PNG). See the crate docs for blessing.
#[track_caller]
pub fn assert_bits_match(case: &str, page: &BitPage) {
    let actual = GrayImage::from_raw(page.width(), page.height(), page.to_gray_bytes())
        .expect("page buffer matches its dimensions");
    compare(case, &actual, 0, 0);
}

#[track_caller]
fn compare(case: &str, actual: &GrayImage, tolerance: u8, budget: u64) {
    let path = ref_path(case);
    if blessing() {
        std::fs::create_dir_all(path.parent().expect("reference has a parent")).expect("mkdir");
        let unchanged = image::open(&path).is_ok_and(|img| img.to_luma8() == *actual);
        if !unchanged {
            actual.save(&path).expect("write reference");
            panic!(
                "FAXPREP_BLESS=1: wrote {}; look at it (git diff), then run the tests again \
                 without FAXPREP_BLESS",
                path.display()
            );
        }
        return;
    }
    let expected = match image::open(&path) {
        Ok(img) => img.to_luma8(),
        Err(err) => {
            save_diff(case, None, actual);
            panic!(
                "no reference image {} ({err}); actual written to {}; run with FAXPREP_BLESS=1 \
                 to create it",
                path.display(),
                diff_path(case).display()
            );
        }
    };
    if expected.dimensions() != actual.dimensions() {
        save_diff(case, None, actual);
        panic!(
            "{case}: reference is {:?}, actual is {:?}; see {}",
            expected.dimensions(),
            actual.dimensions(),
            diff_path(case).display()
        );
    }
    let differing = expected
        .as_raw()
        .iter()
        .zip(actual.as_raw())
        .filter(|(e, a)| e.abs_diff(**a) > tolerance)
        .count() as u64;
    if differing > budget {
        save_diff(case, Some((&expected, tolerance)), actual);
        panic!(
            "{case}: {differing} pixels differ by more than {tolerance} (budget {budget}); \
             see {} (expected | difference | actual)",
            diff_path(case).display()
        );
    }
}

/// Write expected | red mask of differences | actual side by side.
fn save_diff(case: &str, expected: Option<(&GrayImage, u8)>, actual: &GrayImage) {
    let (w, h) = actual.dimensions();
    let (ew, eh) = expected.map_or((0, 0), |(e, _)| e.dimensions());
    let mut out = RgbImage::from_pixel(ew + w * 2, h.max(eh), Rgb([255, 255, 255]));
    if let Some((e, tolerance)) = expected {
        for (x, y, p) in e.enumerate_pixels() {
            out.put_pixel(x, y, Rgb([p[0]; 3]));
            let a = actual.get_pixel_checked(x, y).map_or(255, |a| a[0]);
            let mask = if a.abs_diff(p[0]) > tolerance {
                Rgb([255, 0, 0])
            } else {
                Rgb([a; 3])
            };
            out.put_pixel(ew + x, y, mask);
        }
    }
    for (x, y, p) in actual.enumerate_pixels() {
        out.put_pixel(ew + w + x, y, Rgb([p[0]; 3]));
    }
    let path = diff_path(case);
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = out.save(&path);
}
