//! Issue 17, part 2's default: the public API takes PDF, JPEG and PNG
//! only, so every fax TIFF of the corpus (kinds `fax-chart` and
//! `fax-g3g4`) gets the typed unsupported-format rejection, with the
//! API's hint, when nothing turns TIFF uploads on.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

use faxprep::{Error, FormFields, Isolation, Options, prepare};
use faxprep_testkit::{corpus_dir, corpus_index};

#[test]
fn corpus_fax_tiffs_are_refused_by_default() {
    let Some(dir) = corpus_dir() else {
        return;
    };
    let fields = FormFields {
        recipient_number: Some("(212) 555-0123".into()),
        sender_name: Some("Dr. Maria Gonzalez".into()),
        sender_email: Some("maria@example.com".into()),
        ..FormFields::default()
    };
    let mut o = Options::default();
    o.isolation = Isolation::InProcess;
    let mut seen = 0;
    for entry in corpus_index() {
        let tiff = entry.file.ends_with(".tif") || entry.file.ends_with(".tiff");
        if !tiff || !matches!(entry.kind.as_str(), "fax-chart" | "fax-g3g4") {
            continue;
        }
        let bytes = std::fs::read(dir.join(&entry.file)).unwrap();
        let err = prepare(&bytes, &fields, &o).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Intake(faxprep::intake::Error::UnsupportedFormat {
                    detected: Some("TIFF"),
                    ..
                })
            ),
            "{}: {err}",
            entry.file
        );
        let body = err.api_error();
        assert_eq!(body.error_type, "bad_request", "{}", entry.file);
        assert!(body.error.contains("TIFF"), "{}", body.error);
        assert!(
            body.hint.contains("Supported formats: PDF, JPG, PNG"),
            "{}",
            body.hint
        );
        seen += 1;
    }
    assert!(seen >= 20, "{seen} fax TIFFs in the corpus");
}
