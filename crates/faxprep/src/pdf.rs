//! The fax as a PDF: the same 1-bit pages, embedded losslessly as CCITT G4
//! image XObjects, one page each, sized to the paper at the fax resolution.
//!
//! lopdf writes it rather than printpdf because lopdf lets us put the G4
//! bytes into the image stream untouched (`/Filter /CCITTFaxDecode`):
//! printpdf's image API takes decoded pixels and re-compresses them, which
//! would make the PDF bigger and no longer the exact bytes that were faxed.

use lopdf::{Document, Object, Stream, dictionary};

/// One page for [`write_pdf`]: its size and its G4 (T.6) data without EOFB
/// requirements (PDF readers accept either).
#[derive(Debug, Clone, Copy)]
pub struct PdfPage<'a> {
    /// Width in pixels (1728 for fax).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Horizontal dpi (204).
    pub x_dpi: u32,
    /// Vertical dpi (98, 196 or 391).
    pub y_dpi: u32,
    /// The page's T.6 data, 1 = black in the bitmap it encodes.
    pub g4: &'a [u8],
}

/// Write pages as a PDF whose pages are the G4 images at their physical size.
pub fn write_pdf(pages: &[PdfPage<'_>]) -> Result<Vec<u8>, lopdf::Error> {
    let mut doc = Document::with_version("1.4");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::with_capacity(pages.len());
    for page in pages {
        // Physical size in points: pixels / dpi * 72.
        let w_pt = f64::from(page.width) * 72.0 / f64::from(page.x_dpi);
        let h_pt = f64::from(page.height) * 72.0 / f64::from(page.y_dpi);
        let mut image = Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => i64::from(page.width),
                "Height" => i64::from(page.height),
                "ColorSpace" => "DeviceGray",
                "BitsPerComponent" => 1,
                "Filter" => "CCITTFaxDecode",
                // K < 0: pure two-dimensional (T.6). BlackIs1 false (the
                // default): a decoded 0 is black, which DeviceGray shows as
                // black, matching TIFF's Photometric 0 for the same bytes.
                "DecodeParms" => dictionary! {
                    "K" => -1,
                    "Columns" => i64::from(page.width),
                    "Rows" => i64::from(page.height),
                },
            },
            page.g4.to_vec(),
        );
        image.allows_compression = false;
        let image_id = doc.add_object(image);
        let content = format!("q {w_pt:.4} 0 0 {h_pt:.4} 0 0 cm /Im0 Do Q\n");
        let mut content = Stream::new(dictionary! {}, content.into_bytes());
        content.allows_compression = false;
        let content_id = doc.add_object(content);
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(w_pt as f32), Object::Real(h_pt as f32)],
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => image_id } },
            "Contents" => content_id,
        });
        kids.push(Object::Reference(page_id));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}
