//! Writes the metadata of the +1 (NANP) regions out of libphonenumber's
//! database (the `phonenumber` crate's own) for `fields::phone`, which
//! loads only those 25 regions at run time instead of all 250.
//!
//! `phonenumber`'s full database checks the syntax of every region's
//! patterns when first used, which costs about 60 ms of CPU; the +1
//! regions alone take a tenth of that. The regions are copied field for
//! field (patterns without their layout, `[0-9]` for `\d`: [`compact`]),
//! so the numbers they accept, the regions they name and the types they
//! give are those of the full database, which a test checks number by
//! number.

use phonenumber::metadata::loader;
use phonenumber::metadata::{DATABASE, Descriptor, Format, Metadata};
use std::path::PathBuf;

/// A pattern as `fields::phone` needs it, quicker to load and compile.
/// libphonenumber writes its patterns over many indented lines, which
/// `phonenumber` compiles in verbose mode (whitespace ignored); it checks
/// the syntax of every pattern when the database loads, in time that
/// grows with the pattern's length, and most of that length is
/// indentation. Without it the pattern is the same regex: none of them
/// escapes whitespace or has a `#` comment, which verbose mode would read
/// otherwise. `\d` (every Unicode decimal digit, a large automaton) becomes
/// `[0-9]`: `fields::phone` hands `phonenumber` ASCII digits only.
fn compact(pattern: &str) -> String {
    let escaped_space = pattern
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'\\' && w[1].is_ascii_whitespace());
    assert!(
        !pattern.contains('#') && !escaped_space,
        "a pattern whose whitespace may matter: {pattern}"
    );
    pattern
        .split_ascii_whitespace()
        .collect::<String>()
        .replace("\\d", "[0-9]")
}

fn descriptor(d: &Descriptor) -> loader::Descriptor {
    loader::Descriptor {
        national_number: Some(compact(d.national_number().as_str())),
        possible_length: d.possible_length().to_vec(),
        possible_local_length: d.possible_local_length().to_vec(),
        example: d.example().map(str::to_owned),
    }
}

fn format(f: &Format) -> loader::Format {
    loader::Format {
        pattern: Some(f.pattern().as_str().to_owned()),
        format: Some(f.format().to_owned()),
        leading_digits: f
            .leading_digits()
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        national_prefix_formatting_rule: f.national_prefix().map(str::to_owned),
        national_prefix_optional_when_formatting: f.is_national_prefix_optional(),
        domestic_carrier: f.domestic_carrier().map(str::to_owned),
    }
}

fn metadata(m: &Metadata) -> loader::Metadata {
    let d = m.descriptors();
    let opt = |x: Option<&Descriptor>| x.map(descriptor);
    let owned = |x: Option<&str>| x.map(str::to_owned);
    loader::Metadata {
        general: Some(descriptor(d.general())),
        fixed_line: opt(d.fixed_line()),
        mobile: opt(d.mobile()),
        toll_free: opt(d.toll_free()),
        premium_rate: opt(d.premium_rate()),
        shared_cost: opt(d.shared_cost()),
        personal_number: opt(d.personal_number()),
        voip: opt(d.voip()),
        pager: opt(d.pager()),
        uan: opt(d.uan()),
        emergency: opt(d.emergency()),
        voicemail: opt(d.voicemail()),
        short_code: opt(d.short_code()),
        standard_rate: opt(d.standard_rate()),
        carrier: opt(d.carrier()),
        no_international: opt(d.no_international()),
        id: Some(m.id().to_owned()),
        country_code: Some(m.country_code()),
        international_prefix: m.international_prefix().map(|r| compact(r.as_str())),
        preferred_international_prefix: owned(m.preferred_international_prefix()),
        national_prefix: owned(m.national_prefix()),
        preferred_extension_prefix: owned(m.preferred_extension_prefix()),
        national_prefix_for_parsing: m.national_prefix_for_parsing().map(|r| compact(r.as_str())),
        national_prefix_transform_rule: owned(m.national_prefix_transform_rule()),
        formats: m.formats().iter().map(format).collect(),
        international_formats: m.international_formats().iter().map(format).collect(),
        main_country_for_code: m.is_main_country_for_code(),
        leading_digits: m.leading_digits().map(|r| compact(r.as_str())),
        mobile_number_portable: m.is_mobile_number_portable(),
        defaults: loader::Defaults::default(),
    }
}

fn main() {
    let regions: Vec<loader::Metadata> = DATABASE
        .by_code(&1u16)
        .expect("libphonenumber has the +1 regions")
        .into_iter()
        .map(metadata)
        .collect();
    let json = serde_json::to_string(&regions).expect("metadata serialises");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("nanp-metadata.json"), json).expect("OUT_DIR is writable");
    println!("cargo::rerun-if-changed=build.rs");
}
