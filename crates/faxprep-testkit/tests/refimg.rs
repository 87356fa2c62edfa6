//! The comparator itself: a missing reference fails, a matching one passes.

use faxprep_page::{BitPage, GrayPage, Resolution};
use faxprep_testkit::{assert_bits_match, assert_gray_matches};

#[test]
#[should_panic(expected = "no reference image")]
fn missing_reference_fails() {
    if std::env::var_os("FAXPREP_BLESS").is_some() {
        panic!("no reference image (blessing never creates this test's reference)");
    }
    let page = BitPage::new(8, 8, Resolution::Fine).unwrap();
    assert_bits_match("testkit/never-blessed", &page);
}

#[test]
fn tolerance_and_budget_apply() {
    // A blank reference is created on the fly in a scratch case directory so
    // the test does not depend on committed files.
    let root = faxprep_testkit::workspace_root();
    let dir = root.join("fixtures/ref/testkit");
    std::fs::create_dir_all(&dir).unwrap();
    let white = image::GrayImage::from_pixel(4, 4, image::Luma([255]));
    white.save(dir.join("scratch-white.png")).unwrap();
    let mut page = GrayPage::new(4, 4, Resolution::Fine).unwrap();
    page.set(0, 0, 254);
    page.set(1, 1, 0);
    assert_gray_matches("testkit/scratch-white", &page, 1, 1);
    let result = std::panic::catch_unwind(|| {
        assert_gray_matches("testkit/scratch-white", &page, 1, 0);
    });
    std::fs::remove_file(dir.join("scratch-white.png")).unwrap();
    assert!(
        result.is_err(),
        "one pixel over tolerance with budget 0 must fail"
    );
}
