//! Test helpers shared by faxprep's crates (not a pipeline stage; a
//! dev-dependency only).
//!
//! - Reference images with a bless step: [`assert_gray_matches`] and
//!   [`assert_bits_match`] compare a page with `fixtures/ref/<case>.png` at
//!   the workspace root. A missing or different reference fails the test and
//!   writes `target/faxprep-diffs/<case>.png` (expected | red mask | actual).
//!   `FAXPREP_BLESS=1 cargo test` rewrites the references **and still fails
//!   that run**, so a changed picture is never accepted silently: the next
//!   run, after a human has looked at the new PNGs in `git diff`, passes.
//! - The shared corpus (`../shared/corpus` beside the repository):
//!   [`corpus_dir`] and [`corpus_index`].
//! - Raw PBM, the bridge to the oracle tools' output: [`read_pbm`],
//!   [`read_pbm_pages`], [`write_pbm`].
//! - Small PDFs that cost a renderer far more than their size, built at
//!   test time ([`bombs`]).
//! - External oracle tools (libtiff, Ghostscript, poppler, tesseract):
//!   [`require_tool`].
//!
//! Skipping policy: a test whose corpus or tool is missing prints a notice
//! and passes, unless `FAXPREP_REQUIRE_ORACLES=1` is set (CI sets it), in
//! which case it fails. Oracles are never skipped silently in CI.
//!
//! # Safety
//! Unsafe code is forbidden.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bombs;
mod pbm;
pub mod pictures;
mod refimg;
mod tiff;

pub use pbm::{read_pbm, read_pbm_pages, write_pbm};
pub use refimg::{assert_bits_match, assert_gray_matches};
pub use tiff::{AT_DATA, hand_made_tiff};

use std::path::{Path, PathBuf};

/// The workspace root (where the top-level `Cargo.toml` is).
pub fn workspace_root() -> PathBuf {
    // This crate lives in <root>/crates/faxprep-testkit.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .components()
        .collect()
}

/// Whether CI asked for every oracle to run (`FAXPREP_REQUIRE_ORACLES=1`).
pub fn oracles_required() -> bool {
    std::env::var_os("FAXPREP_REQUIRE_ORACLES").is_some_and(|v| v == "1")
}

/// The shared corpus directory, or `None` (with a notice on stderr) when it
/// is absent. Panics when it is absent and oracles are required.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = workspace_root().join("../shared/corpus");
    if dir.join("INDEX.tsv").is_file() {
        return Some(dir.components().collect());
    }
    assert!(
        !oracles_required(),
        "FAXPREP_REQUIRE_ORACLES=1 but the corpus is missing at {}",
        dir.display()
    );
    eprintln!("note: corpus not found at {}, skipping", dir.display());
    None
}

/// One row of the corpus's `INDEX.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusEntry {
    /// File name inside the corpus directory.
    pub file: String,
    /// The kind column (`pdf-text`, `bad-bomb`, ...).
    pub kind: String,
    /// The page count, when the index states one.
    pub pages: Option<u32>,
    /// The notes column.
    pub notes: String,
}

impl CorpusEntry {
    /// Full path of the file (inside [`corpus_dir`]).
    pub fn path(&self, corpus: &Path) -> PathBuf {
        corpus.join(&self.file)
    }
}

/// The bytes of a PDF that tests draw themselves: `doc` with the page
/// objects `kids` (whose /Parent is `pages_id`) under a page tree at
/// `pages_id`, a catalog and a trailer.
pub fn finish_pdf(
    doc: lopdf::Document,
    pages_id: lopdf::ObjectId,
    kids: Vec<lopdf::Object>,
) -> Vec<u8> {
    finish_pdf_with_catalog(doc, pages_id, kids, lopdf::Dictionary::new())
}

/// [`finish_pdf`] with more entries in the catalog (an /AcroForm).
pub fn finish_pdf_with_catalog(
    mut doc: lopdf::Document,
    pages_id: lopdf::ObjectId,
    kids: Vec<lopdf::Object>,
    extra: lopdf::Dictionary,
) -> Vec<u8> {
    use lopdf::{Dictionary, Object};
    let count = kids.len() as i64;
    let mut pages = Dictionary::new();
    pages.set("Type", Object::Name(b"Pages".to_vec()));
    pages.set("Kids", Object::Array(kids));
    pages.set("Count", Object::Integer(count));
    doc.objects.insert(pages_id, Object::Dictionary(pages));
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(pages_id));
    for (k, v) in extra {
        catalog.set(k, v);
    }
    let catalog = doc.add_object(catalog);
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("write pdf");
    out
}

/// A one-page Letter PDF whose page carries the widget annotations
/// `widgets` (each gets /Type /Annot, /Subtype /Widget and /P; the ones
/// without a /Parent are the form's /Fields), a 1-point frame drawn in the
/// page content around each widget's /Rect, and `acro_form` as the
/// catalog's /AcroForm (its /Fields are set here).
pub fn form_pdf(widgets: Vec<lopdf::Dictionary>, mut acro_form: lopdf::Dictionary) -> Vec<u8> {
    use lopdf::{Object, Stream};
    let mut doc = lopdf::Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let page_id = doc.new_object_id();
    let mut frames = String::new();
    let mut annots = Vec::new();
    let mut fields = Vec::new();
    for mut w in widgets {
        w.set("Type", Object::Name(b"Annot".to_vec()));
        w.set("Subtype", Object::Name(b"Widget".to_vec()));
        w.set("P", Object::Reference(page_id));
        if let Ok(Object::Array(r)) = w.get(b"Rect")
            && let [x0, y0, x1, y1] = &r[..]
            && let (Ok(x0), Ok(y0), Ok(x1), Ok(y1)) =
                (x0.as_float(), y0.as_float(), x1.as_float(), y1.as_float())
        {
            frames += &format!("{x0} {y0} {} {} re S\n", x1 - x0, y1 - y0);
        }
        // A stream must be an object of its own: the streams of an /AP /N
        // given inline (one, or a dictionary of states) become objects.
        if let Ok(Object::Dictionary(ap)) = w.get_mut(b"AP")
            && let Ok(n) = ap.get_mut(b"N")
        {
            lift_streams(&mut doc, n);
        }
        let top = !w.has(b"Parent");
        let id = doc.add_object(w);
        annots.push(Object::Reference(id));
        if top {
            fields.push(Object::Reference(id));
        }
    }
    let content = doc.add_object(Stream::new(lopdf::Dictionary::new(), frames.into_bytes()));
    let mut page = lopdf::Dictionary::new();
    page.set("Type", Object::Name(b"Page".to_vec()));
    page.set("Parent", Object::Reference(pages_id));
    let media = [0, 0, 612, 792].map(Object::Integer).to_vec();
    page.set("MediaBox", Object::Array(media));
    page.set("Contents", Object::Reference(content));
    page.set("Annots", Object::Array(annots));
    doc.objects.insert(page_id, Object::Dictionary(page));
    acro_form.set("Fields", Object::Array(fields));
    let mut catalog = lopdf::Dictionary::new();
    catalog.set("AcroForm", Object::Dictionary(acro_form));
    finish_pdf_with_catalog(doc, pages_id, vec![Object::Reference(page_id)], catalog)
}

/// Move `obj` into an object of its own if it is a stream, or each stream
/// value of it if it is a dictionary, leaving references behind.
fn lift_streams(doc: &mut lopdf::Document, obj: &mut lopdf::Object) {
    use lopdf::Object;
    match obj {
        Object::Stream(_) => {
            let s = std::mem::replace(obj, Object::Null);
            *obj = Object::Reference(doc.add_object(s));
        }
        Object::Dictionary(d) => {
            for (_, v) in d.iter_mut() {
                if matches!(v, Object::Stream(_)) {
                    lift_streams(doc, v);
                }
            }
        }
        _ => {}
    }
}

/// `pdf` encrypted by qpdf (AES-256) with these passwords (an empty user
/// password opens it without one). Call [`require_tool`]`("qpdf")` first.
pub fn qpdf_encrypt(pdf: &[u8], user: &str, owner: &str) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!(
        "faxprep-qpdf-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (src, enc) = (dir.join("plain.pdf"), dir.join("enc.pdf"));
    std::fs::write(&src, pdf).expect("write plain pdf");
    let status = std::process::Command::new("qpdf")
        .args(["--encrypt", user, owner, "256", "--"])
        .arg(&src)
        .arg(&enc)
        .status()
        .expect("run qpdf");
    assert!(status.success(), "qpdf --encrypt failed");
    let out = std::fs::read(&enc).expect("read encrypted pdf");
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// The user passwords of the corpus's encrypted PDFs (from its README).
pub const CORPUS_PASSWORDS: &[(&str, &str)] = &[
    ("qpdf-enc-R3_V2_U-view_O-master.pdf", "view"),
    ("qpdf-enc-XI-R6_V5_U-view_O-master.pdf", "view"),
    ("pypdf-libreoffice-writer-password.pdf", "openpassword"),
];

/// The user password of corpus file `file`, if it needs one.
pub fn corpus_password(file: &str) -> Option<&'static str> {
    CORPUS_PASSWORDS
        .iter()
        .find(|(f, _)| *f == file)
        .map(|(_, pw)| *pw)
}

/// The rows of `INDEX.tsv`, or an empty list when the corpus is absent
/// (see [`corpus_dir`] for the policy).
pub fn corpus_index() -> Vec<CorpusEntry> {
    let Some(dir) = corpus_dir() else {
        return Vec::new();
    };
    let text = std::fs::read_to_string(dir.join("INDEX.tsv")).expect("read INDEX.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (file, kind, pages, notes) = (col("file"), col("kind"), col("pages"), col("notes"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let get =
                |i: Option<usize>| i.and_then(|i| f.get(i)).copied().unwrap_or("").to_string();
            CorpusEntry {
                file: get(file),
                kind: get(kind),
                pages: get(pages).parse().ok(),
                notes: get(notes),
            }
        })
        .collect()
}

/// Whether the command-line tool `name` is on the PATH. When it is not,
/// prints a notice and returns false, or panics when oracles are required.
pub fn require_tool(name: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()));
    if !found {
        assert!(
            !oracles_required(),
            "FAXPREP_REQUIRE_ORACLES=1 but `{name}` is not installed"
        );
        eprintln!("note: `{name}` not installed, skipping this oracle");
    }
    found
}

/// A 4-page PDF as a reader sees it (object 1 the page tree, 2 a font
/// shared by the pages, 3 + 2i and 4 + 2i the content and page object of
/// page i + 1, 11 the catalog), written with a classic cross-reference
/// table whose entries `offset` may change.
pub fn four_pages(offset: impl Fn(u32, usize) -> usize, free: &[u32]) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Pages /Kids [4 0 R 6 0 R 8 0 R 10 0 R] /Count 4 >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    for i in 0..4u32 {
        let text = format!("BT /F1 48 Tf 72 600 Td (Page {}) Tj ET", i + 1);
        objects
            .push(format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()).into_bytes());
        objects.push(
            format!(
                "<< /Type /Page /Parent 1 0 R /MediaBox [0 0 612 792] /Contents {} 0 R \
                 /Resources << /Font << /F1 2 0 R >> >> >>",
                3 + 2 * i
            )
            .into_bytes(),
        );
    }
    objects.push(b"<< /Type /Catalog /Pages 1 0 R >>".to_vec());
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for (i, o) in offsets.iter().enumerate() {
        let id = i as u32 + 1;
        if free.contains(&id) {
            out.extend_from_slice(b"0000000000 65535 f \n");
        } else {
            out.extend_from_slice(format!("{:010} 00000 n \n", offset(id, *o)).as_bytes());
        }
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 11 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}
