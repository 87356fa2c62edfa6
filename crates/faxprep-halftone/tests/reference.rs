//! Reference images: every method on the drawn form page
//! (`fixtures/ref/halftone/<method>_form.png`, 1-bit, exact match).
//! Bless with `FAXPREP_BLESS=1 cargo test -p faxprep-halftone --test reference`.

mod common;

use faxprep_halftone::{Method, halftone};
use faxprep_testkit::assert_bits_match;

fn check(method: Method) {
    let page = common::draw::form(400, 200);
    let case = format!("halftone/{}_form", method.name().replace('-', "_"));
    assert_bits_match(&case, &halftone(&page, method));
}

#[test]
fn auto_form() {
    check(Method::Auto);
}

#[test]
fn threshold_form() {
    check(Method::Threshold(128));
}

#[test]
fn adaptive_form() {
    check(Method::Adaptive);
}

#[test]
fn floyd_steinberg_form() {
    check(Method::FloydSteinberg);
}

#[test]
fn atkinson_form() {
    check(Method::Atkinson);
}

#[test]
fn stucki_form() {
    check(Method::Stucki);
}

#[test]
fn ordered_form() {
    check(Method::Ordered);
}

#[test]
fn line_form() {
    check(Method::Line(Method::LINE_PERIOD));
}
