//! Writes the metadata of the +1 (NANP) regions out of libphonenumber's
//! database (the `phonenumber` crate's own) for `fields::phone`, which
//! loads only those 25 regions at run time instead of all 250.
//!
//! `phonenumber`'s full database checks the syntax of every region's
//! patterns when first used, which costs about 60 ms of CPU; the +1
//! regions alone take a small part of that. US and CA are copied field
//! for field (patterns without their layout, `[0-9]` for `\d`:
//! [`compact`]); of the 23 other regions only what names a number's
//! region and parses it is kept ([`other_region`]), since `fields::phone`
//! refuses a number as soon as its region is not US or CA. So the numbers
//! accepted, the regions named and the types given are those of the full
//! database, which a test checks number by number. Number formats are
//! left out: `fields::phone` writes its numbers itself.

use phonenumber::metadata::loader;
use phonenumber::metadata::{DATABASE, Descriptor, Metadata};
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
        formats: Vec::new(),
        international_formats: Vec::new(),
        main_country_for_code: m.is_main_country_for_code(),
        leading_digits: m.leading_digits().map(|r| compact(r.as_str())),
        mobile_number_portable: m.is_mobile_number_portable(),
        defaults: loader::Defaults::default(),
    }
}

/// A +1 region other than US and CA, as far as `phonenumber` reads it to
/// parse a number and name its region: `validator::source_for` takes the
/// first region whose leading digits (area codes) begin the number, and
/// the parser then strips that region's national prefix, checking the
/// general pattern and lengths. Its number types are read only once the
/// number is known to be in that region, where `fields::phone` has
/// already refused it, so they are left out, and with them most of the
/// patterns to check when the database loads. A region without leading
/// digits would be named by its number types: the build stops there.
fn other_region(m: &Metadata) -> loader::Metadata {
    assert!(
        m.leading_digits().is_some(),
        "region {} is found by its number types, not its area codes",
        m.id()
    );
    let whole = metadata(m);
    loader::Metadata {
        general: whole.general,
        id: whole.id,
        country_code: whole.country_code,
        international_prefix: whole.international_prefix,
        preferred_international_prefix: whole.preferred_international_prefix,
        national_prefix: whole.national_prefix,
        preferred_extension_prefix: whole.preferred_extension_prefix,
        national_prefix_for_parsing: whole.national_prefix_for_parsing,
        national_prefix_transform_rule: whole.national_prefix_transform_rule,
        main_country_for_code: whole.main_country_for_code,
        leading_digits: whole.leading_digits,
        mobile_number_portable: whole.mobile_number_portable,
        ..loader::Metadata::default()
    }
}

fn main() {
    let regions: Vec<loader::Metadata> = DATABASE
        .by_code(&1u16)
        .expect("libphonenumber has the +1 regions")
        .into_iter()
        .map(|m| match m.id() {
            "US" | "CA" => metadata(m),
            _ => other_region(m),
        })
        .collect();
    let json = serde_json::to_string(&regions).expect("metadata serialises");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("nanp-metadata.json"), json).expect("OUT_DIR is writable");
    println!("cargo::rerun-if-changed=build.rs");
}
