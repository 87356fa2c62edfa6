//! PDF pages through hayro, straight into the fax geometry.
//!
//! hayro's `render` only offers a scale factor per axis from the page's
//! own size; `hayro::render_into` takes any `kurbo::Affine` and a
//! `vello_cpu::RenderContext` of our size, so scaling to fit, centring,
//! the landscape turn and the non-square fax pixels are one transform
//! composed with `Page::initial_transform` (which applies `/Rotate`, the
//! crop box origin and the y flip). hayro clips to the crop box itself.
//!
//! Each page is first drawn by the gray device ([`crate::device`]) in the
//! same transform, straight into the gray page; a page it cannot draw
//! whole is drawn again by `hayro::render_into` and vello_cpu, and the
//! page's [`PageRenderer`] says which one drew it and why.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, OnceLock};

use faxprep_page::{FAX_WIDTH, GrayPage};
use hayro::hayro_interpret::font::{FallbackFontQuery, FontData, FontQuery};
use hayro::hayro_interpret::hayro_cmap::CidFamily;
use hayro::hayro_interpret::util::TransformExt;
use hayro::hayro_interpret::{InterpreterCache, InterpreterSettings, InterpreterWarning};
use hayro::hayro_syntax::object::dict::keys::{ANNOTS, AP, AS, N};
use hayro::hayro_syntax::object::{Array, Dict, Name, Object};
use hayro::hayro_syntax::{DecryptionError, LoadPdfError, Pdf};
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::vello_cpu::{Pixmap, RasterizerSettings, RenderContext, Resources, TargetInit};
use hayro::{RenderCache, RenderSettings, render_into};

use crate::device::{self, DeviceState, Outcome};
use crate::geometry::{Scaling, place};
use crate::{
    CjkFont, Error, FallbackReason, Fit, LimitKind, PageErrorKind, PageRenderer, PdfRenderer,
    RasterOptions, RenderedPage, Result, Warning, gray,
};

/// Parse a PDF, turning hayro's errors and panics into ours.
pub(crate) fn open(bytes: Arc<Vec<u8>>, password: Option<&str>) -> Result<Pdf> {
    let supplied = password.is_some();
    let pw = password.unwrap_or("");
    let parsed = catch_unwind(AssertUnwindSafe(|| Pdf::new_with_password(bytes, pw)))
        .map_err(|_| Error::RendererPanicked { page: 0 })?;
    match parsed {
        Ok(pdf) => Ok(pdf),
        Err(LoadPdfError::Decryption(DecryptionError::PasswordProtected)) => {
            Err(Error::Password { supplied })
        }
        Err(LoadPdfError::Decryption(DecryptionError::UnsupportedAlgorithm)) => {
            Err(Error::Encryption)
        }
        Err(_) => Err(Error::Pdf),
    }
}

/// Pages of a parsed PDF.
pub(crate) fn count(pdf: &Pdf) -> Result<u32> {
    let n = catch_unwind(AssertUnwindSafe(|| pdf.pages().len()))
        .map_err(|_| Error::RendererPanicked { page: 0 })?;
    match u32::try_from(n) {
        Ok(0) => Err(Error::NoPages),
        Ok(n) => Ok(n),
        Err(_) => Err(Error::Pdf),
    }
}

/// Open the document (unless `parsed` is it already) and hand `body` a
/// function that renders page `i`.
///
/// Everything that borrows the parsed document (pages, hayro's caches, the
/// vello context and pixmap, reused from page to page) lives in this
/// frame, so each worker thread calls this once and keeps its own caches:
/// hayro's `RenderCache` is `!Send` by design.
pub(crate) fn with_renderer<R>(
    bytes: &Arc<Vec<u8>>,
    opts: &RasterOptions,
    parsed: Option<Pdf>,
    body: impl FnOnce(&mut dyn FnMut(u32) -> Result<RenderedPage>) -> R,
) -> R {
    let pdf = parsed.map_or_else(|| open(bytes.clone(), opts.password.as_deref()), Ok);
    let warnings = Arc::new(Mutex::new(Vec::<Warning>::new()));
    let settings = interpreter_settings(opts, &warnings);
    let cache = RenderCache::new();
    let mut full = Full {
        cache: &cache,
        ctx: RenderContext::new(1, 1),
        pixmap: Pixmap::new(1, 1),
        resources: Resources::default(),
    };
    let device_cache = InterpreterCache::new();
    let mut device_state = DeviceState::new();
    let mut render = |index: u32| -> Result<RenderedPage> {
        let pdf = pdf.as_ref().map_err(Clone::clone)?;
        let page = catch_unwind(AssertUnwindSafe(|| {
            render_page(
                pdf,
                index,
                opts,
                &settings,
                &device_cache,
                &mut device_state,
                &mut full,
            )
        }))
        .map_err(|_| Error::RendererPanicked { page: index })?;
        let mut page = page?;
        let mut w = warnings.lock().unwrap_or_else(|e| e.into_inner());
        for warning in w.drain(..) {
            let by_design = warning == Warning::AnnotationAppearance
                && appearances_all_found(pdf.pages().get(index as usize).map(|p| p.raw()));
            if !by_design && !page.warnings.contains(&warning) {
                page.warnings.push(warning);
            }
        }
        Ok(page)
    };
    body(&mut render)
}

/// Pages larger than this are rejected before rendering (ISO 32000-1
/// Annex C.2: 14 400 units, 200 in, is the largest page a conforming
/// reader must handle).
const MAX_PAGE_PT: f64 = 14_400.0;

/// hayro + vello_cpu's state, reused from page to page.
struct Full<'c, 'a> {
    cache: &'c RenderCache<'a>,
    ctx: RenderContext,
    pixmap: Pixmap,
    resources: Resources,
}

fn render_page<'a>(
    pdf: &'a Pdf,
    index: u32,
    opts: &RasterOptions,
    settings: &InterpreterSettings,
    device_cache: &InterpreterCache<'a>,
    device_state: &mut DeviceState,
    full: &mut Full<'_, 'a>,
) -> Result<RenderedPage> {
    let page = pdf.pages().get(index as usize).ok_or(Error::Page {
        index,
        kind: PageErrorKind::Missing,
    })?;
    let crop = page.intersected_crop_box();
    let (w, h) = page.render_dimensions();
    let (w, h) = (f64::from(w), f64::from(h));
    let sane = |v: f64| (1.0..=MAX_PAGE_PT).contains(&v);
    if !(sane(w)
        && sane(h)
        && [crop.x0, crop.y0, crop.x1, crop.y1]
            .iter()
            .all(|v| v.is_finite()))
    {
        return Err(Error::Page {
            index,
            kind: PageErrorKind::BadPageBox,
        });
    }
    let scaling = match opts.fit {
        Fit::Fit => Scaling::Fit,
        Fit::ActualSize => Scaling::NaturalIfFits,
    };
    let placement = place(w, h, opts, scaling);
    let rows = placement.rows;
    // Paper::rows is at most 4301 (Legal at superfine), far below u16::MAX.
    let (width16, rows16) = (FAX_WIDTH as u16, u16::try_from(rows).unwrap_or(u16::MAX));
    let transform = placement.transform * page.initial_transform(true).to_kurbo();
    let mut data = crate::spare::white_buffer(FAX_WIDTH as usize, rows as usize);
    let renderer = match opts.pdf_renderer {
        PdfRenderer::Full => PageRenderer::Full(FallbackReason::Requested),
        PdfRenderer::Auto => {
            match device::draw(
                page,
                settings,
                device_cache,
                device_state,
                transform,
                &mut data,
                width16,
                rows16,
            ) {
                Outcome::Drawn => PageRenderer::Device,
                // A patch over more than half the page costs more than
                // drawing the page whole.
                Outcome::Patched { areas, reason }
                    if areas.iter().map(|a| a.area()).sum::<usize>() * 2
                        > FAX_WIDTH as usize * rows as usize =>
                {
                    PageRenderer::Full(reason)
                }
                Outcome::Patched { areas, reason } => {
                    for pass in patch_passes(areas) {
                        render_patch(page, settings, full, transform, &pass, &mut data);
                    }
                    PageRenderer::Patched(reason)
                }
                Outcome::Fallback(reason) => PageRenderer::Full(reason),
                Outcome::TooComplex => {
                    return Err(Error::Limits(LimitKind::PageContent { page: index }));
                }
            }
        }
    };
    if let PageRenderer::Full(_) = renderer {
        render_full(page, settings, full, transform, width16, rows16, &mut data);
    }
    let mut page =
        GrayPage::from_raw(FAX_WIDTH, rows, opts.resolution, data).map_err(|_| Error::Page {
            index,
            kind: PageErrorKind::BadPageBox,
        })?;
    // The device knows which tiles it never drew into (a patch's tiles
    // count as drawn).
    if matches!(renderer, PageRenderer::Device | PageRenderer::Patched(_)) {
        page.set_white_tiles(device_state.white_tiles());
    }
    Ok(RenderedPage {
        index,
        page,
        paper: placement.paper,
        rotated: placement.rotated,
        warnings: Vec::new(),
        renderer,
    })
}

/// Draw a page with hayro and vello_cpu into `data` (gray, white).
fn render_full<'a>(
    page: &'a hayro::hayro_syntax::page::Page<'a>,
    settings: &InterpreterSettings,
    full: &mut Full<'_, 'a>,
    transform: hayro::kurbo::Affine,
    width: u16,
    rows: u16,
    data: &mut [u8],
) {
    let rgba = render_rgba(page, settings, full, transform, width, rows);
    gray::premul_rgba_to_gray(rgba, data);
}

/// Pixels of white a pass over a patch's bounds may draw for nothing
/// before it costs more than a pass of its own: a pass interprets the
/// whole page again (1.5 to 2 ms on a figure page of the corpus), a white
/// pixel of vello's costs a few nanoseconds.
const PASS_SPARE_PIXELS: usize = 300_000;

/// The patch rectangles `areas` in groups, each drawn in one pass over its
/// bounds: two groups are joined while the bounds of both together hold
/// at most [`PASS_SPARE_PIXELS`] more pixels than their rectangles.
fn patch_passes(areas: Vec<device::PixelRect>) -> Vec<Vec<device::PixelRect>> {
    use device::PixelRect;
    let mut passes: Vec<Vec<PixelRect>> = areas.into_iter().map(|a| vec![a]).collect();
    let inside = |g: &[PixelRect]| g.iter().map(PixelRect::area).sum::<usize>();
    loop {
        let spare = |i: usize, j: usize| {
            let both = PixelRect::bounds(&passes[i]).zip(PixelRect::bounds(&passes[j]));
            let inside = inside(&passes[i]) + inside(&passes[j]);
            both.map_or(0, |(a, b)| a.union(&b).area().saturating_sub(inside))
        };
        match device::cheapest_pair(passes.len(), spare) {
            Some((spare, i, j)) if spare <= PASS_SPARE_PIXELS => {
                let joined = passes.swap_remove(j);
                passes[i].extend(joined);
            }
            _ => return passes,
        }
    }
}

/// Draw the rectangles `areas` of a page with hayro and vello_cpu into the
/// same pixels of `data` (gray, `FAX_WIDTH` a row), replacing what the
/// device drew there: one pass over their bounds, the page's transform
/// moved by whole pixels into a context of the bounds' size, of which only
/// the rectangles are copied.
fn render_patch<'a>(
    page: &'a hayro::hayro_syntax::page::Page<'a>,
    settings: &InterpreterSettings,
    full: &mut Full<'_, 'a>,
    transform: hayro::kurbo::Affine,
    areas: &[device::PixelRect],
    data: &mut [u8],
) {
    let Some(bounds) = device::PixelRect::bounds(areas) else {
        return;
    };
    // The bounds lie inside the page, whose size fits u16.
    let (Ok(w), Ok(h)) = (
        u16::try_from(bounds.width()),
        u16::try_from(bounds.height()),
    ) else {
        return;
    };
    let moved =
        hayro::kurbo::Affine::translate((-(bounds.x0 as f64), -(bounds.y0 as f64))) * transform;
    let rgba = render_rgba(page, settings, full, moved, w, h);
    let stride = FAX_WIDTH as usize;
    for area in areas {
        for y in area.y0..area.y1 {
            let from = 4 * ((y - bounds.y0) * bounds.width() + (area.x0 - bounds.x0));
            let at = y * stride + area.x0;
            gray::premul_rgba_to_gray(
                &rgba[from..from + 4 * area.width()],
                &mut data[at..at + area.width()],
            );
        }
    }
}

/// The page drawn by hayro and vello_cpu with `transform` into
/// premultiplied RGBA of `width` x `rows` over white (the pixmap is
/// reused from page to page).
fn render_rgba<'f, 'a>(
    page: &'a hayro::hayro_syntax::page::Page<'a>,
    settings: &InterpreterSettings,
    full: &'f mut Full<'_, 'a>,
    transform: hayro::kurbo::Affine,
    width: u16,
    rows: u16,
) -> &'f [u8] {
    full.ctx.reset_and_resize(width, rows);
    full.pixmap.resize(width, rows);
    // Defaults: hinting and glyph caching on; measured fastest (turning
    // either off costs 10-50 % on text pages).
    render_into(
        page,
        full.cache,
        settings,
        &RenderSettings::default(),
        &mut full.ctx,
        transform,
    );
    full.ctx.flush();
    full.ctx.render_with(
        &mut full.pixmap,
        &mut full.resources,
        RasterizerSettings {
            target_init: TargetInit::Clear(WHITE),
            ..Default::default()
        },
    );
    full.pixmap.data_as_u8_slice()
}

/// Whether every annotation of the page with an /AP either has a normal
/// appearance stream or is in a state that has none: a check box in its
/// /Off state whose /N holds only /Yes (every unticked box of the IRS
/// forms) draws nothing by design, and hayro reports it like an appearance
/// it could not find. Then that report is no news for the sender.
fn appearances_all_found(page: Option<&Dict<'_>>) -> bool {
    let Some(annots) = page.and_then(|p| p.get::<Array<'_>>(ANNOTS)) else {
        return true;
    };
    annots.iter::<Dict<'_>>().all(|annot| {
        let Some(ap) = annot.get::<Dict<'_>>(AP) else {
            return true;
        };
        match ap.get::<Object<'_>>(N) {
            Some(Object::Stream(_)) => true,
            // hayro draws the /AS state, else /Off: with an /AS that names
            // a state without an appearance nothing is drawn, as the file
            // says. Without /AS (which the standard requires here) only an
            // /Off appearance is found.
            Some(Object::Dict(states)) => {
                annot.get::<Name<'_>>(AS).is_some() || states.get::<Object<'_>>(b"Off").is_some()
            }
            _ => false,
        }
    })
}

fn interpreter_settings(
    opts: &RasterOptions,
    warnings: &Arc<Mutex<Vec<Warning>>>,
) -> InterpreterSettings {
    let sink = warnings.clone();
    // The system font is read only when a page asks for it (a CJK font
    // file is 5-20 MB; reading it for every document cost a one-page
    // fax 10 ms).
    let given = match &opts.cjk_font {
        CjkFont::Data { data, index } => Some((data.clone() as FontData, *index)),
        CjkFont::System | CjkFont::None => None,
    };
    let use_system = matches!(opts.cjk_font, CjkFont::System);
    let cjk = move || {
        given
            .clone()
            .or_else(|| use_system.then(|| system_cjk_font().clone()).flatten())
    };
    let missing = warnings.clone();
    InterpreterSettings {
        font_resolver: Arc::new(move |query| match query {
            FontQuery::Standard(s) => Some(s.get_font_data()),
            FontQuery::Fallback(f) => {
                if is_cjk(f) {
                    if let Some(font) = cjk() {
                        return Some(font);
                    }
                    push(&missing, Warning::NoCjkFont);
                }
                Some(f.pick_standard_font().get_font_data())
            }
        }),
        warning_sink: Arc::new(move |w| {
            let w = match w {
                InterpreterWarning::UnsupportedFont => Warning::UnsupportedFont,
                InterpreterWarning::ImageDecodeFailure => Warning::ImageDecodeFailure,
                InterpreterWarning::UnresolvedAnnotationAppearance => Warning::AnnotationAppearance,
                _ => Warning::Other,
            };
            push(&sink, w);
        }),
        ..InterpreterSettings::default()
    }
}

fn push(warnings: &Mutex<Vec<Warning>>, w: Warning) {
    let mut v = warnings.lock().unwrap_or_else(|e| e.into_inner());
    if !v.contains(&w) {
        v.push(w);
    }
}

fn is_cjk(f: &FallbackFontQuery) -> bool {
    f.character_collection.as_ref().is_some_and(|cc| {
        matches!(
            cc.family,
            CidFamily::AdobeJapan1
                | CidFamily::AdobeGB1
                | CidFamily::AdobeCNS1
                | CidFamily::AdobeKorea1
        )
    })
}

/// Where Debian and most Linux distributions put fonts with CJK coverage,
/// best first. `fonts-droid-fallback` comes with Ghostscript, so it is
/// present wherever `gs` is.
const SYSTEM_CJK_FONTS: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
];

/// The first system CJK font found, read once per process.
fn system_cjk_font() -> &'static Option<(FontData, u32)> {
    static FONT: OnceLock<Option<(FontData, u32)>> = OnceLock::new();
    FONT.get_or_init(|| {
        SYSTEM_CJK_FONTS.iter().find_map(|path| {
            let data = std::fs::read(path).ok()?;
            Some((Arc::new(data) as FontData, 0))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use device::PixelRect;

    fn rect(x0: usize, y0: usize, w: usize, h: usize) -> PixelRect {
        PixelRect {
            x0,
            y0,
            x1: x0 + w,
            y1: y0 + h,
        }
    }

    #[test]
    fn patches_close_together_share_a_pass_and_far_apart_do_not() {
        // Two graphs side by side in a figure (GeoTopo's page 13): one pass
        // over both, whose bounds add 59,940 pixels to their 44,289.
        let side_by_side = vec![rect(779, 176, 66, 333), rect(1025, 176, 67, 333)];
        let passes = patch_passes(side_by_side.clone());
        assert_eq!(passes.len(), 1);
        assert_eq!(passes[0].len(), 2);
        // A logo at the top left and a signature at the foot right: their
        // bounds hold over two million pixels, most of them drawn already.
        let far = vec![rect(60, 60, 300, 150), rect(1200, 1900, 400, 130)];
        assert_eq!(patch_passes(far.clone()).len(), 2);
        // Grouping keeps every rectangle exactly once.
        let mut all = side_by_side;
        all.extend(far);
        let mut kept: Vec<PixelRect> = patch_passes(all.clone()).concat();
        let key = |r: &PixelRect| (r.x0, r.y0, r.x1, r.y1);
        kept.sort_by_key(key);
        all.sort_by_key(key);
        assert_eq!(kept, all);
        assert_eq!(patch_passes(Vec::new()).len(), 0);
    }
}
