//! A drawing device for hayro's interpreter that paints straight into the
//! 8-bit gray page.
//!
//! hayro renders a page by driving its `Renderer` device with
//! `hayro_interpret::interpret_page`; that device records vello_cpu
//! commands, vello rasterises them into RGBA and we convert to gray. This
//! device takes the same calls and draws the common part of fax pages
//! (solid fills, strokes, outline and Type3 glyphs, rectangular and path
//! clips) straight into the gray page with the same rules, so the pixels
//! stay hayro's:
//!
//! - paths, strokes and clips go through vello_common's strip generator and
//!   clip stack (`ViewportState`), the code vello_cpu itself runs, with the
//!   stroke width rules, the single-segment stroke outline and the
//!   rectangle fast path of hayro 0.9.0;
//! - glyphs use hayro's decision to hint (horizontal text, 4-128 ppem, no
//!   skew), its outline cache key (glyph identifier, ppem), its glyph cache
//!   key (glyph, hinted, linear part, quarter-pixel x position) and its
//!   rasteriser (`ab_glyph_rasterizer`, coverage rounded to 8 bits), placed
//!   at the same integer pixel;
//! - coverage is composited with vello_cpu's 8-bit source-over arithmetic
//!   (`(x + 255) >> 8` for a division by 255), per channel as vello does:
//!   where only gray paint has been, the three channels are equal and one
//!   gray byte per pixel holds them; where coloured paint reaches (in
//!   64-pixel pieces of rows), the device also keeps R, G and B (reused
//!   from page to page) and reduces them to gray with [`crate::gray`]'s
//!   weights, as the full renderer's RGBA-to-gray pass does.
//!
//! What it does not draw is left to hayro and vello in one of two ways,
//! each with the [`FallbackReason`] of the first such operation:
//! - an operation that paints only inside its own bounds (an image; a fill
//!   or stroke with a shading or pattern, a soft mask or a blend mode
//!   other than normal) is skipped, and its bounds (within an axis-aligned
//!   clip, widened by [`PATCH_MARGIN`] pixels for anti-aliasing) join the
//!   patch, at most [`MAX_PATCHES`] rectangles ([`Outcome::Patched`]):
//!   the caller draws those rectangles again with hayro and vello,
//!   everything in them, so pixels there are the full renderer's and
//!   pixels outside them never met a skipped operation;
//! - anything else (a transparency group with an opacity below one, a
//!   soft mask or blend mode on one, a pattern on text) stops the device,
//!   and the caller renders the page again whole.
//!
//! The decision depends on the page's content only, so it is the same on
//! every run and every thread.
//!
//! hayro's interpreter has no way to stop early, so the device stops it by
//! unwinding with [`std::panic::resume_unwind`] (which runs no panic hook:
//! nothing is printed) and a private payload that [`draw`] catches; any
//! other panic goes on to the caller's `catch_unwind`.
//!
//! Hostile content stays bounded: every path element and glyph drawn is
//! charged against [`WORK_BUDGET`]; past it interpretation stops and the
//! page is refused with
//! [`LimitKind::PageContent`](crate::LimitKind::PageContent). Caches are
//! dropped when they hold more than [`MAX_CACHED_GLYPH_BYTES`], which
//! costs time, never pixels.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::rc::Rc;

use ab_glyph_rasterizer::{Rasterizer, point};
use foldhash::fast::RandomState;
use hayro::hayro_syntax::page::Page;
use hayro_interpret::font::{Glyph, GlyphRun, HintingCache, OutlineGlyph};
use hayro_interpret::hayro_cmap::WritingMode;
use hayro_interpret::util::RectExt;
use hayro_interpret::{
    BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, FillRule, Image, ImageDrawProps,
    InterpreterCache, InterpreterSettings, Paint, SoftMask, StrokeProps, interpret_page,
};
use vello_common::clip::ClipShape;
use vello_common::fearless_simd::Level;
use vello_common::geometry::RectU16;
use vello_common::kurbo::{self, Affine, BezPath, ParamCurveExtrema, PathEl, Point, Rect, Shape};
use vello_common::peniko::Fill;
use vello_common::strip::visit_strip_fill_segments;
use vello_common::strip_generator::StripStorage;
use vello_common::util::into_fast_path_rect;
use vello_common::viewport::ViewportState;

use crate::FallbackReason;
use faxprep_page::WHITE_TILE;

/// Path elements plus glyphs one page may draw: 100 times a dense page of
/// text (about 10 000 glyphs and 100 000 path elements); content streams
/// that repeat forms into millions of drawings stop here rather than
/// occupying a worker for minutes.
pub(crate) const WORK_BUDGET: u64 = 10_000_000;

/// Bytes of rasterised glyphs kept per document before the cache is
/// emptied (a glyph is at most 128 x 128 bytes).
pub(crate) const MAX_CACHED_GLYPH_BYTES: usize = 64 << 20;

/// Outlines kept per document before the outline cache is emptied.
const MAX_CACHED_OUTLINES: usize = 200_000;

// hayro 0.9.0's glyph rules (hayro/src/glyph.rs, glyph_cache.rs).
const MIN_HINTING_PPEM: f64 = 4.0;
const MAX_HINTING_PPEM: f64 = 128.0;
const SUBPIXEL_STEPS: f64 = 4.0;
const MAX_CACHED_SIZE: f64 = 128.0;

/// How a page drawn by the device ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Every operation was drawn.
    Drawn,
    /// Every operation was drawn except some that only paint inside
    /// `areas` (images, pattern fills, soft-masked or blended fills; at
    /// most [`MAX_PATCHES`] rectangles that do not overlap): the full
    /// renderer must draw those rectangles of the page again, over what
    /// the device drew there. `reason` is the first such operation.
    Patched {
        areas: Vec<PixelRect>,
        reason: FallbackReason,
    },
    /// The page needs the full renderer.
    Fallback(FallbackReason),
    /// The page draws more than [`WORK_BUDGET`].
    TooComplex,
}

/// Pixels `x0..x1` of rows `y0..y1` of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PixelRect {
    pub(crate) x0: usize,
    pub(crate) y0: usize,
    pub(crate) x1: usize,
    pub(crate) y1: usize,
}

impl PixelRect {
    pub(crate) fn width(&self) -> usize {
        self.x1 - self.x0
    }

    pub(crate) fn height(&self) -> usize {
        self.y1 - self.y0
    }

    pub(crate) fn area(&self) -> usize {
        self.width() * self.height()
    }

    pub(crate) fn union(&self, o: &PixelRect) -> PixelRect {
        PixelRect {
            x0: self.x0.min(o.x0),
            y0: self.y0.min(o.y0),
            x1: self.x1.max(o.x1),
            y1: self.y1.max(o.y1),
        }
    }

    /// Whether the two share a pixel.
    fn overlaps(&self, o: &PixelRect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    /// The smallest rectangle holding all of `rects` (`None` for none).
    pub(crate) fn bounds(rects: &[PixelRect]) -> Option<PixelRect> {
        let (first, rest) = rects.split_first()?;
        Some(rest.iter().fold(*first, |b, r| b.union(r)))
    }
}

/// The pair `i < j` of `0..n` whose `cost` is least (the first such), with
/// that cost; `None` when there is no pair.
pub(crate) fn cheapest_pair(
    n: usize,
    cost: impl Fn(usize, usize) -> usize,
) -> Option<(usize, usize, usize)> {
    let mut best: Option<(usize, usize, usize)> = None;
    for i in 0..n {
        for j in i + 1..n {
            let c = cost(i, j);
            if best.is_none_or(|b| c < b.0) {
                best = Some((c, i, j));
            }
        }
    }
    best
}

/// The most rectangles a page's patch is drawn in: operations far apart
/// (a letterhead's logo, a signature at the foot) get their own, and
/// beyond this many the closest are merged. The caller draws rectangles
/// close together in one pass (each pass interprets the page once more).
pub(crate) const MAX_PATCHES: usize = 4;

/// Add `px` to the patch rectangles `areas`: merged with every rectangle
/// it overlaps (again, until none does), then, past [`MAX_PATCHES`], the
/// two whose union adds the least area are merged.
fn add_patch(areas: &mut Vec<PixelRect>, mut px: PixelRect) {
    while let Some(i) = areas.iter().position(|a| a.overlaps(&px)) {
        px = px.union(&areas.swap_remove(i));
    }
    areas.push(px);
    while areas.len() > MAX_PATCHES {
        let added = |i: usize, j: usize| {
            let (a, b) = (&areas[i], &areas[j]);
            a.union(b).area().saturating_sub(a.area() + b.area())
        };
        let Some((_, i, j)) = cheapest_pair(areas.len(), added) else {
            return;
        };
        let b = areas.swap_remove(j);
        let a = areas.swap_remove(i);
        // The union may now overlap a third rectangle.
        add_patch(areas, a.union(&b));
    }
}

/// Pixels around an operation left to the full renderer that its
/// anti-aliasing may reach beyond its bounds.
const PATCH_MARGIN: f64 = 2.0;

/// hayro's glyph cache key: the glyph, whether hinted, the linear part of
/// its transform (as bits) and its quarter-pixel position.
#[derive(Clone, Copy, PartialEq, Eq)]
struct GlyphKey {
    glyph: u128,
    hinted: bool,
    linear: [u64; 4],
    subpixel: u8,
}

impl std::hash::Hash for GlyphKey {
    /// One word for the hasher rather than one a field: the glyph's
    /// identifier is itself a hash (hayro's), and the rest is folded in so
    /// that the sizes and positions of one glyph hash apart (keys that
    /// fold alike are still told apart by `Eq`).
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let [a, b, c, d] = self.linear;
        let linear = a ^ b.rotate_left(16) ^ c.rotate_left(32) ^ d.rotate_left(48);
        let place = u64::from(self.subpixel) << 1 | u64::from(self.hinted);
        state.write_u64(self.glyph as u64 ^ (self.glyph >> 64) as u64 ^ linear ^ place);
    }
}

/// A glyph's 8-bit coverage at its pixel offset.
struct CachedGlyph {
    /// `height` rows of `stride` bytes: `width` of coverage, then zeros
    /// (coverage 0 leaves a pixel as it is).
    coverage: Vec<u8>,
    width: usize,
    height: usize,
    /// `width` rounded up to whole [`GLYPH_LANES`].
    stride: usize,
    x: i32,
    y: i32,
}

/// Pixels a glyph row is blended in at once: rows are padded to whole
/// vectors, so that a glyph away from the page's right edge blends without
/// a pixel-by-pixel tail.
const GLYPH_LANES: usize = 16;

/// What the device keeps from page to page of one document: glyph caches
/// (hayro's keys), the strip generator with its clip stack, and scratch
/// strip storage.
pub(crate) struct DeviceState {
    outlines: HashMap<(u128, u32), Option<Rc<BezPath>>, RandomState>,
    glyphs: HashMap<GlyphKey, Option<Rc<CachedGlyph>>, RandomState>,
    glyph_bytes: usize,
    hinting: HintingCache,
    viewport: ViewportState,
    strips: StripStorage,
    colour: ColourPage,
    /// Which [`WHITE_TILE`]-pixel tiles of the page being drawn paint
    /// may have reached (the bounds of each fill and glyph, so possibly
    /// more than it did): the others are still paper white.
    touched: Vec<bool>,
    /// The glyph rasteriser's coverage grid, kept for the next glyph.
    rasterizer: Rasterizer,
}

/// R, G and B of the page being drawn where coloured paint reached.
#[derive(Default)]
struct ColourPage {
    rgb: Vec<u8>,
    /// Which [`COLOUR_CHUNK`]-pixel pieces of each row of `rgb` hold the
    /// page (a piece is filled from the gray page the first time coloured
    /// paint reaches it; elsewhere the three channels equal the gray).
    pieces: Vec<bool>,
}

/// Pixels of a row kept in colour together: a coloured link or heading
/// makes only the pieces of the rows it covers colour.
const COLOUR_CHUNK: usize = 64;

impl DeviceState {
    pub(crate) fn new() -> Self {
        let level = Level::try_detect().unwrap_or(Level::baseline());
        DeviceState {
            outlines: HashMap::default(),
            glyphs: HashMap::default(),
            glyph_bytes: 0,
            hinting: HintingCache::new(),
            viewport: ViewportState::new(1, 1, level),
            strips: StripStorage::default(),
            colour: ColourPage::default(),
            touched: Vec::new(),
            rasterizer: Rasterizer::new(0, 0),
        }
    }
}

impl DeviceState {
    /// After [`draw`]: per tile of the page, whether no paint reached it.
    pub(crate) fn white_tiles(&self) -> Vec<bool> {
        self.touched.iter().map(|&t| !t).collect()
    }
}

/// Draw `page` with `transform` into `gray` (`width` x `height`, white),
/// as `hayro::render_into` would (including its crop box clip).
#[allow(clippy::too_many_arguments)]
pub(crate) fn draw<'a>(
    page: &Page<'a>,
    settings: &InterpreterSettings,
    cache: &InterpreterCache<'a>,
    state: &mut DeviceState,
    transform: Affine,
    gray: &mut [u8],
    width: u16,
    height: u16,
) -> Outcome {
    let target = Rect::new(0.0, 0.0, f64::from(width), f64::from(height));
    let mut context = Context::new(transform, target, cache, page.xref(), settings.clone());
    state.viewport.reset(width, height);
    let tile = WHITE_TILE as usize;
    state.touched.clear();
    state.touched.resize(
        usize::from(width).div_ceil(tile) * usize::from(height).div_ceil(tile),
        false,
    );
    let mut device = GrayDevice {
        state,
        gray,
        colour: false,
        width: usize::from(width),
        height: usize::from(height),
        in_type3_glyph: false,
        clips: 0,
        groups: 0,
        work: 0,
        patch: None,
    };
    // hayro's render_into: clip to the crop box unless it covers the
    // target with an axis-aligned transform.
    let crop_box = page.intersected_crop_box().to_kurbo();
    let [a, b, c, d, _, _] = transform.as_coeffs();
    let axis_aligned = (b == 0.0 && c == 0.0) || (a == 0.0 && d == 0.0);
    let mapped = transform
        .transform_rect_bbox(crop_box)
        .inflate(1.0 / 256.0, 1.0 / 256.0);
    if !axis_aligned || !mapped.contains_rect(target) {
        device.clip_rect(crop_box, transform);
    }
    let run = catch_unwind(AssertUnwindSafe(|| {
        interpret_page(page, &mut context, &mut device);
    }));
    match run {
        Ok(()) => match device.patch {
            None => Outcome::Drawn,
            Some((areas, reason)) => Outcome::Patched { areas, reason },
        },
        Err(payload) => match payload.downcast_ref::<Stop>() {
            Some(Stop::Fallback(reason)) => Outcome::Fallback(*reason),
            Some(Stop::Budget) => Outcome::TooComplex,
            None => resume_unwind(payload),
        },
    }
}

/// Why the device stopped interpreting (the unwinding payload).
#[derive(Clone, Copy)]
enum Stop {
    Fallback(FallbackReason),
    Budget,
}

/// A source colour as vello_cpu composites it: premultiplied R, G, B
/// and alpha, and the gray of the premultiplied colour.
#[derive(Clone, Copy)]
struct Src {
    rgb: [u8; 3],
    gray: u8,
    alpha: u8,
}

impl Src {
    fn new(rgb: [u8; 3], alpha: u8) -> Src {
        Src {
            rgb,
            gray: crate::gray::luma(rgb[0], rgb[1], rgb[2]),
            alpha,
        }
    }

    fn is_gray(self) -> bool {
        self.rgb[0] == self.rgb[1] && self.rgb[1] == self.rgb[2]
    }

    /// The source scaled by a coverage, as vello_cpu's alpha-mask tint.
    #[inline(always)]
    fn scaled(self, cov: u8) -> Src {
        let c = u32::from(cov);
        let s = |v: u8| div255(u32::from(v) * c) as u8;
        Src {
            rgb: [s(self.rgb[0]), s(self.rgb[1]), s(self.rgb[2])],
            gray: s(self.gray),
            alpha: s(self.alpha),
        }
    }
}

#[inline(always)]
fn div255(v: u32) -> u32 {
    (v + 255) >> 8
}

/// [`div255`] in 16 bits, for `v` up to 65 280.
#[inline(always)]
fn div255_16(v: u16) -> u16 {
    (v + 255) >> 8
}

/// vello_cpu's masked source-over (`alpha_composite_inner`). vello
/// composites each of R, G and B; over a gray backdrop (white paper, or
/// anything drawn in gray) the channels of a gray source stay equal, so
/// one channel is the whole result; a coloured source is composited per
/// channel and reduced to gray, which is exact over a gray backdrop too.
#[inline(always)]
fn blend(bg: u8, src: Src, mask: u8) -> u8 {
    let m = u32::from(mask);
    let inv = 255 - div255(u32::from(src.alpha) * m);
    let bg = u32::from(bg) * inv;
    if src.is_gray() {
        return div255(bg + u32::from(src.gray) * m) as u8;
    }
    let c = |v: u8| div255(bg + u32::from(v) * m) as u8;
    crate::gray::luma(c(src.rgb[0]), c(src.rgb[1]), c(src.rgb[2]))
}

/// [`blend`] for gray paint.
#[inline(always)]
fn blend_gray_masked(bg: u8, src: Src, mask: u8) -> u8 {
    let m = u32::from(mask);
    let inv = 255 - div255(u32::from(src.alpha) * m);
    div255(u32::from(bg) * inv + u32::from(src.gray) * m) as u8
}

/// Widen `reach` (x0, x1, y0, y1) by a strip segment's pixels (four rows
/// from `y`).
fn grow(reach: &mut (usize, usize, usize, usize), x0: u16, x1: u16, y: u16) {
    let (x0, x1, y) = (usize::from(x0), usize::from(x1), usize::from(y));
    *reach = (
        reach.0.min(x0),
        reach.1.max(x1),
        reach.2.min(y),
        reach.3.max(y + 4),
    );
}

/// [`blend`] of a gray `src` scaled by coverage `cov` with a full mask,
/// without branches (the same arithmetic: `src.scaled(cov)` keeps the
/// channels equal).
#[inline(always)]
fn blend_gray(bg: u8, src: Src, cov: u8) -> u8 {
    let c = u32::from(cov);
    let gray = div255(u32::from(src.gray) * c);
    let alpha = div255(u32::from(src.alpha) * c);
    let inv = 255 - div255(alpha * 255);
    div255(u32::from(bg) * inv + gray * 255) as u8
}

/// [`blend_gray`] for an opaque `src` of gray `gray` (text's usual
/// paint): the scaled alpha is the coverage itself (`(255 c + 255) >> 8`
/// is `c` for every byte), which leaves the backdrop's product and the
/// paint's (zero for black).
///
/// In 16 bits, so that a vector holds twice the pixels: the paint's
/// product is at most `c` (`(255 c + 255) >> 8 <= c`), so the sum is at
/// most `255 (255 - c) + 255 c`, and with the rounding 65 280.
#[inline(always)]
fn blend_gray_opaque(bg: u8, gray: u8, cov: u8) -> u8 {
    let c = u16::from(cov);
    div255_16(u16::from(bg) * (255 - c) + div255_16(u16::from(gray) * c) * 255) as u8
}

/// [`blend_gray_opaque`] over a run of pixels (a glyph row's piece, or one
/// vector of a padded row, whose length the compiler then knows).
#[inline(always)]
fn blend_opaque(dst: &mut [u8], cov: &[u8], gray: u8) {
    if gray == 0 {
        // Black text, most glyphs of most pages: the paint's term is zero
        // (a constant here).
        for (d, &c) in dst.iter_mut().zip(cov) {
            *d = blend_gray_opaque(*d, 0, c);
        }
    } else {
        for (d, &c) in dst.iter_mut().zip(cov) {
            *d = blend_gray_opaque(*d, gray, c);
        }
    }
}

/// vello_cpu's unmasked source-over for a solid run.
#[inline(always)]
fn over(bg: u8, src: Src) -> u8 {
    if src.alpha == 255 {
        return src.gray;
    }
    let bg = div255(u32::from(bg) * (255 - u32::from(src.alpha)));
    let c = |v: u8| (u32::from(v) + bg).min(255) as u8;
    if src.is_gray() {
        return c(src.gray);
    }
    crate::gray::luma(c(src.rgb[0]), c(src.rgb[1]), c(src.rgb[2]))
}

/// The page being drawn: gray, and from the first coloured paint on, the
/// R, G, B that vello_cpu would hold where colour has reached, so that
/// paint over colour composites per channel as vello's does.
struct Target<'t> {
    gray: &'t mut [u8],
    /// The colour page and which of its pieces hold the page.
    rgb: Option<(&'t mut [u8], &'t [bool])>,
    width: usize,
}

impl<'t> Target<'t> {
    fn new(gray: &'t mut [u8], page: &'t mut ColourPage, colour: bool, width: usize) -> Self {
        Target {
            gray,
            rgb: colour.then_some((&mut page.rgb[..], &page.pieces[..])),
            width,
        }
    }

    /// The colour page, when pixel (`x`, `y`) is in a piece that holds
    /// colour (elsewhere the gray alone is exact: its channels are equal,
    /// and only gray paint reaches it, see [`GrayDevice::colour_rect`]).
    #[inline(always)]
    fn rgb_at(&mut self, x: usize, y: usize) -> Option<&mut [u8]> {
        let width = self.width;
        match &mut self.rgb {
            Some((rgb, chunks)) if chunks[y * width.div_ceil(COLOUR_CHUNK) + x / COLOUR_CHUNK] => {
                Some(&mut rgb[..])
            }
            _ => None,
        }
    }

    #[inline(always)]
    fn blend(&mut self, x: usize, y: usize, src: Src, mask: u8) {
        let i = y * self.width + x;
        match self.rgb_at(x, y) {
            None => self.gray[i] = blend(self.gray[i], src, mask),
            Some(rgb) => {
                let px = &mut rgb[3 * i..3 * i + 3];
                let m = u32::from(mask);
                let inv = 255 - div255(u32::from(src.alpha) * m);
                for (c, s) in px.iter_mut().zip(src.rgb) {
                    *c = div255(u32::from(*c) * inv + u32::from(s) * m) as u8;
                }
                self.gray[i] = crate::gray::luma(px[0], px[1], px[2]);
            }
        }
    }

    #[inline(always)]
    fn over(&mut self, x: usize, y: usize, src: Src) {
        let i = y * self.width + x;
        match self.rgb_at(x, y) {
            None => self.gray[i] = over(self.gray[i], src),
            Some(rgb) => {
                let px = &mut rgb[3 * i..3 * i + 3];
                let inv = 255 - u32::from(src.alpha);
                for (c, s) in px.iter_mut().zip(src.rgb) {
                    *c = (u32::from(s) + div255(u32::from(*c) * inv)).min(255) as u8;
                }
                self.gray[i] = luma3(px);
            }
        }
    }
}

fn luma3(px: &[u8]) -> u8 {
    crate::gray::luma(px[0], px[1], px[2])
}

struct GrayDevice<'s, 'g> {
    state: &'s mut DeviceState,
    gray: &'g mut [u8],
    /// Whether a coloured paint was drawn (then `state.colour` holds the
    /// page's colours where it reached).
    colour: bool,
    width: usize,
    height: usize,
    in_type3_glyph: bool,
    clips: usize,
    groups: usize,
    work: u64,
    /// What the full renderer must draw again ([`Outcome::Patched`]).
    patch: Option<(Vec<PixelRect>, FallbackReason)>,
}

impl GrayDevice<'_, '_> {
    /// Stop interpreting: the page needs the full renderer.
    fn fallback(&mut self, reason: FallbackReason) -> ! {
        resume_unwind(Box::new(Stop::Fallback(reason)))
    }

    /// Charge `units` of work; stops interpreting past the budget.
    fn charge(&mut self, units: usize) {
        self.work = self.work.saturating_add(units as u64);
        if self.work > WORK_BUDGET {
            resume_unwind(Box::new(Stop::Budget));
        }
    }

    /// The source colour of a paint. A paint the device does not draw (a
    /// pattern, a soft mask, a blend mode) is left to the full renderer:
    /// with the operation's bounds in pixels, `area()`, as a patch (and
    /// `None`: nothing to draw), else by stopping.
    fn source(
        &mut self,
        props: &DrawProps<'_>,
        area: impl FnOnce() -> Option<Rect>,
    ) -> Option<Src> {
        let reason = if props.soft_mask.is_some() {
            FallbackReason::SoftMask
        } else if props.blend_mode != BlendMode::Normal {
            FallbackReason::BlendMode
        } else {
            match &props.paint {
                Paint::Color(c) => return Some(solid(c.to_rgba().to_rgba8())),
                Paint::Pattern(_) => FallbackReason::Pattern,
            }
        };
        match area() {
            Some(area) => {
                self.patch(area, reason);
                None
            }
            None => self.fallback(reason),
        }
    }

    /// Leave the pixels of `area` (page pixels, before the clip) to the
    /// full renderer. The device goes on drawing everything else.
    fn patch(&mut self, area: Rect, reason: FallbackReason) {
        self.charge(1);
        let mut r = area.inflate(PATCH_MARGIN, PATCH_MARGIN);
        if let Some(clip) = self.state.viewport.clip()
            && let ClipShape::AxisAlignedRect(c) = clip.shape
        {
            r = r.intersect(c);
        }
        let r = r.intersect(Rect::new(0.0, 0.0, self.width as f64, self.height as f64));
        // NaN bounds (a degenerate transform) compare false: nothing.
        if !(r.x0 < r.x1 && r.y0 < r.y1) {
            return;
        }
        let px = PixelRect {
            x0: r.x0.floor() as usize,
            y0: r.y0.floor() as usize,
            x1: (r.x1.ceil() as usize).min(self.width),
            y1: (r.y1.ceil() as usize).min(self.height),
        };
        self.touch(px.x0, px.x1, px.y0, px.y1);
        let (areas, _) = self.patch.get_or_insert_with(|| (Vec::new(), reason));
        add_patch(areas, px);
    }

    fn clip_rect(&mut self, rect: Rect, transform: Affine) {
        // vello_cpu's push_clip_rect.
        if let Some(r) = into_fast_path_rect(rect, &transform, None) {
            self.state.viewport.push_clip_rect(&r);
        } else {
            self.state
                .viewport
                .push_clip_path(&rect_path(rect), Fill::NonZero, transform, None);
        }
        self.clips += 1;
    }

    fn fill_path(&mut self, path: &BezPath, transform: Affine, rule: FillRule, src: Src) {
        self.charge(path.elements().len());
        let state = &mut *self.state;
        state.strips.clear();
        let strips = &mut state.strips;
        state.viewport.with_generator_and_clip(|g, clip| {
            g.generate_filled_path(
                path,
                fill_rule(rule),
                transform,
                None,
                strips,
                clip.map(|c| c.path),
            );
        });
        self.composite(src);
    }

    fn stroke_path_raw(
        &mut self,
        path: &BezPath,
        transform: Affine,
        stroke: &kurbo::Stroke,
        src: Src,
    ) {
        self.charge(path.elements().len().saturating_mul(4));
        let state = &mut *self.state;
        state.strips.clear();
        let strips = &mut state.strips;
        state.viewport.with_generator_and_clip(|g, clip| {
            g.generate_stroked_path(path, stroke, transform, None, strips, clip.map(|c| c.path));
        });
        self.composite(src);
    }

    /// vello_cpu's fill_rect: the rectangle fast path for axis-aligned
    /// transforms, a path otherwise.
    fn fill_rect(&mut self, rect: Rect, transform: Affine, rule: FillRule, src: Src) {
        match into_fast_path_rect(rect, &transform, None) {
            Some(r) => {
                self.charge(4);
                let state = &mut *self.state;
                state.strips.clear();
                let strips = &mut state.strips;
                state.viewport.with_generator_and_clip(|g, clip| {
                    g.generate_filled_rect_fast(&r, strips, clip);
                });
                self.composite(src);
            }
            None => self.fill_path(&rect_path(rect), transform, rule, src),
        }
    }

    /// From the first coloured paint on, keep the page's colours too
    /// (everything before was gray, so the channels start equal).
    fn note_colour(&mut self, src: Src) {
        if self.colour || src.is_gray() {
            return;
        }
        self.colour = true;
        let rgb = &mut self.state.colour.rgb;
        if rgb.len() < 3 * self.gray.len() {
            // Only the pieces colour reaches are ever written or read: a
            // new zeroed allocation leaves the rest of the pages untouched
            // (`resize` would write all three channels of the page).
            *rgb = vec![0; 3 * self.gray.len()];
        }
        self.state.colour.pieces.clear();
        let pieces = self.height * self.width.div_ceil(COLOUR_CHUNK);
        self.state.colour.pieces.resize(pieces, false);
    }

    /// Note that paint reaches pixels `x0..x1` of rows `y0..y1`.
    fn touch(&mut self, x0: usize, x1: usize, y0: usize, y1: usize) {
        let (x1, y1) = (x1.min(self.width), y1.min(self.height));
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        let tile = WHITE_TILE as usize;
        let cols = self.width.div_ceil(tile);
        for ty in y0 / tile..y1.div_ceil(tile) {
            self.state.touched[ty * cols + x0 / tile..ty * cols + x1.div_ceil(tile)].fill(true);
        }
    }

    /// Before coloured paint `src` reaches pixels `x0..x1` of rows
    /// `y0..y1`: make the pieces of the colour page there hold the page
    /// (until colour reaches a piece, its channels all equal its gray).
    /// Gray paint needs nothing: over gray it stays gray, and over colour
    /// the piece already holds it.
    fn colour_rect(&mut self, src: Src, x0: usize, x1: usize, y0: usize, y1: usize) {
        if !self.colour || src.is_gray() || x0 >= x1.min(self.width) {
            return;
        }
        let w = self.width;
        let per_row = w.div_ceil(COLOUR_CHUNK);
        let (c0, c1) = (x0 / COLOUR_CHUNK, x1.min(w).div_ceil(COLOUR_CHUNK));
        for y in y0..y1.min(self.height) {
            for c in c0..c1 {
                let flag = &mut self.state.colour.pieces[y * per_row + c];
                if !*flag {
                    let (a, b) = (
                        y * w + c * COLOUR_CHUNK,
                        y * w + ((c + 1) * COLOUR_CHUNK).min(w),
                    );
                    let gray = &self.gray[a..b];
                    let rgb = &mut self.state.colour.rgb[3 * a..3 * b];
                    for (px, &g) in rgb.chunks_exact_mut(3).zip(gray) {
                        px.fill(g);
                    }
                    *flag = true;
                }
            }
        }
    }

    /// Composite the strips in scratch storage with a solid source.
    fn composite(&mut self, src: Src) {
        if src.alpha == 0 {
            return;
        }
        self.note_colour(src);
        let (w, h) = (self.width, self.height);
        let tiles = RectU16::new(0, 0, w.div_ceil(4) as u16, h.div_ceil(4) as u16);
        // What the paint reaches, from the strips' bounds.
        let mut reach = (usize::MAX, 0, usize::MAX, 0);
        visit_strip_fill_segments(
            &self.state.strips.strips,
            tiles,
            &mut reach,
            |r, seg| grow(r, seg.x0(), seg.x1(), seg.y()),
            |r, seg| grow(r, seg.x0(), seg.x1(), seg.y()),
        );
        self.touch(reach.0, reach.1, reach.2, reach.3);
        self.colour_rect(src, reach.0, reach.1, reach.2, reach.3);
        let state = &mut *self.state;
        let alphas = &state.strips.alphas;
        let mut target = Target::new(&mut *self.gray, &mut state.colour, self.colour, w);
        visit_strip_fill_segments(
            &state.strips.strips,
            tiles,
            &mut target,
            |t, seg| {
                let (x0, y0) = (usize::from(seg.x0()), usize::from(seg.y()));
                let x1 = usize::from(seg.x1()).min(w);
                let base = seg.alpha_idx as usize;
                if x0 >= x1 {
                    return;
                }
                let columns = alphas.get(base..base + 4 * (x1 - x0));
                if let (None, true, Some(columns)) = (&t.rgb, src.is_gray(), columns) {
                    // Gray paint on a page without colour: row by row, the
                    // gray channel alone (a zero mask leaves a pixel as it
                    // is, so none is skipped).
                    for r in 0..4.min(h.saturating_sub(y0)) {
                        let y = y0 + r;
                        let row = &mut t.gray[y * w + x0..y * w + x1];
                        for (px, mask) in row.iter_mut().zip(columns.as_chunks::<4>().0) {
                            *px = blend_gray_masked(*px, src, mask[r]);
                        }
                    }
                    return;
                }
                for x in x0..x1 {
                    let col = base + (x - x0) * 4;
                    for r in 0..4 {
                        let y = y0 + r;
                        let m = alphas.get(col + r).copied().unwrap_or(0);
                        if y < h && m != 0 {
                            t.blend(x, y, src, m);
                        }
                    }
                }
            },
            |t, seg| {
                let (x0, y0) = (usize::from(seg.x0()), usize::from(seg.y()));
                let x1 = usize::from(seg.x1()).min(w);
                for y in y0..(y0 + 4).min(h) {
                    if t.rgb.is_none() && src.alpha == 255 {
                        t.gray[y * w + x0..y * w + x1].fill(src.gray);
                        continue;
                    }
                    for x in x0..x1 {
                        t.over(x, y, src);
                    }
                }
            },
        );
    }

    /// hayro's `set_stroke_properties`.
    fn stroke_for(&self, props: &StrokeProps, transform: &Affine, is_text: bool) -> kurbo::Stroke {
        let threshold = if is_text { 0.25 } else { 1.0 };
        let min_factor = max_factor(transform);
        let mut line_width = props.line_width.max(0.01 / min_factor);
        let transformed_width = line_width * min_factor;
        if transformed_width < threshold && !self.in_type3_glyph {
            line_width /= transformed_width;
            line_width *= threshold;
        }
        let is_thin = transformed_width <= 1.0;
        let cap = match props.line_cap {
            kurbo::Cap::Round if is_thin => kurbo::Cap::Square,
            cap => cap,
        };
        let join = match props.line_join {
            kurbo::Join::Round if is_thin => kurbo::Join::Bevel,
            join => join,
        };
        kurbo::Stroke {
            width: f64::from(line_width),
            join,
            miter_limit: f64::from(props.miter_limit),
            start_cap: cap,
            end_cap: cap,
            dash_pattern: props.dash_array.iter().map(|n| f64::from(*n)).collect(),
            dash_offset: f64::from(props.dash_offset),
        }
    }

    /// hayro's `stroke_path`.
    fn stroke(&mut self, path: &BezPath, props: &DrawProps<'_>, sp: &StrokeProps, is_text: bool) {
        let stroke = self.stroke_for(sp, &props.transform, is_text);
        let extent = stroke.width / 2.0 * stroke.miter_limit.max(std::f64::consts::SQRT_2);
        let reach = props
            .transform
            .transform_rect_bbox(path.control_box().inflate(extent, extent));
        let Some(src) = self.source(props, || Some(reach)) else {
            return;
        };
        let target = Rect::new(0.0, 0.0, self.width as f64, self.height as f64);
        if !reach.overlaps(target) {
            return;
        }
        if let Some(outline) = single_segment_outline(path, &stroke) {
            self.fill_path(&outline, props.transform, FillRule::NonZero, src);
        } else {
            self.stroke_path_raw(path, props.transform, &stroke, src);
        }
    }

    fn fill(&mut self, path: &BezPath, props: &DrawProps<'_>, rule: FillRule) {
        let area = || Some(props.transform.transform_rect_bbox(path.control_box()));
        if let Some(src) = self.source(props, area) {
            self.fill_path(path, props.transform, rule, src);
        }
    }

    fn cached_path(
        &mut self,
        id: u128,
        ppem: f32,
        make: impl FnOnce(&HintingCache) -> Option<BezPath>,
    ) -> Option<Rc<BezPath>> {
        let key = (id, ppem.to_bits());
        if let Some(path) = self.state.outlines.get(&key) {
            return path.clone();
        }
        if self.state.outlines.len() >= MAX_CACHED_OUTLINES {
            self.state.outlines.clear();
        }
        let path = make(&self.state.hinting).map(Rc::new);
        self.state.outlines.insert(key, path.clone());
        path
    }

    fn outline(&mut self, glyph: &OutlineGlyph, id: u128) -> Rc<BezPath> {
        self.cached_path(id, 0.0, |_| Some(glyph.outline()))
            .unwrap_or_default()
    }

    /// hayro's `fill_outline`: the hinted outline where hayro hints.
    fn fill_outline(
        &mut self,
        glyph: &OutlineGlyph,
        id: u128,
        transform: Affine,
        hint: bool,
    ) -> (Rc<BezPath>, Affine, bool) {
        let [a, b, c, d, e, f] = transform.as_coeffs();
        let ppem = d.abs() * 1000.0;
        if hint && b == 0.0 && (MIN_HINTING_PPEM..=MAX_HINTING_PPEM).contains(&ppem) {
            let ppem = ppem as f32;
            if let Some(hinted) = self.cached_path(id, ppem, |h| glyph.hinted_outline(ppem, h)) {
                return (hinted, Affine::new([a, b, c, d, e, f.round()]), true);
            }
        }
        (self.outline(glyph, id), transform, false)
    }

    /// hayro's `fill_cached_glyph`: false when the glyph is too large to
    /// cache (then it is filled as a path).
    fn fill_cached_glyph(
        &mut self,
        glyph: u128,
        hinted: bool,
        outline: &BezPath,
        transform: Affine,
        src: Src,
    ) -> bool {
        let [a, b, c, d, e, f] = transform.as_coeffs();
        if ![a, b, c, d, e, f].iter().all(|v| v.is_finite()) {
            return false;
        }
        let steps = (e * SUBPIXEL_STEPS).round() as i64;
        let x = steps.div_euclid(SUBPIXEL_STEPS as i64) as i32;
        let subpixel = steps.rem_euclid(SUBPIXEL_STEPS as i64) as u8;
        let y = f.round() as i32;
        let key = GlyphKey {
            glyph,
            hinted,
            linear: [a.to_bits(), b.to_bits(), c.to_bits(), d.to_bits()],
            subpixel,
        };
        let cached = match self.state.glyphs.get(&key) {
            Some(cached) => cached.clone(),
            None => {
                let offset = f64::from(subpixel) / SUBPIXEL_STEPS;
                let at = Affine::new([a, b, c, d, offset, 0.0]);
                let Some(raster) = rasterize(outline, at, &mut self.state.rasterizer) else {
                    return false;
                };
                let raster = raster.map(Rc::new);
                let bytes = raster.as_ref().map_or(0, |g| g.coverage.len());
                if self.state.glyph_bytes + bytes > MAX_CACHED_GLYPH_BYTES {
                    self.state.glyphs.clear();
                    self.state.glyph_bytes = 0;
                }
                self.state.glyph_bytes += bytes;
                self.state.glyphs.insert(key, raster.clone());
                raster
            }
        };
        if let Some(g) = cached {
            self.blit(
                &g,
                i64::from(x) + i64::from(g.x),
                i64::from(y) + i64::from(g.y),
                src,
            );
        }
        true
    }

    /// Composite a glyph's coverage at pixel (`gx`, `gy`), tinted with
    /// `src`, through the current clip (vello_cpu fills the glyph's pixel
    /// rectangle with the glyph as an image).
    fn blit(&mut self, g: &CachedGlyph, gx: i64, gy: i64, src: Src) {
        let (w, h) = (self.width as i64, self.height as i64);
        let (gw, gh) = (g.width as i64, g.height as i64);
        if gx >= w || gy >= h || gx + gw <= 0 || gy + gh <= 0 {
            return;
        }
        self.note_colour(src);
        let (x0, x1) = (gx.max(0), (gx + gw).min(w));
        let (y0, y1) = (gy.max(0), (gy + gh).min(h));
        self.touch(x0 as usize, x1 as usize, y0 as usize, y1 as usize);
        self.colour_rect(src, x0 as usize, x1 as usize, y0 as usize, y1 as usize);
        let pixel = |cov: u8| src.scaled(cov);
        let rect = Rect::new(gx as f64, gy as f64, (gx + gw) as f64, (gy + gh) as f64);
        let inside_clip = match self.state.viewport.clip() {
            None => true,
            Some(clip) => match clip.shape {
                ClipShape::AxisAlignedRect(r) => r.contains_rect(rect),
                ClipShape::Path => false,
            },
        };
        let padded_fits = gx >= 0 && gx as usize + g.stride <= w as usize;
        if inside_clip && padded_fits && !self.colour && src.alpha == 255 {
            // Opaque gray paint on a gray page: whole padded rows, the
            // padding's zero coverage leaving its pixels as they are.
            let (gx, stride) = (gx as usize, g.stride);
            for y in y0..y1 {
                let row = g.coverage[(y - gy) as usize * stride..][..stride]
                    .as_chunks::<GLYPH_LANES>()
                    .0;
                let at = y as usize * w as usize + gx;
                let dst = self.gray[at..at + stride].as_chunks_mut::<GLYPH_LANES>().0;
                for (d, c) in dst.iter_mut().zip(row) {
                    blend_opaque(d, c, src.gray);
                }
            }
            return;
        }
        if inside_clip {
            let state = &mut *self.state;
            let mut target =
                Target::new(&mut *self.gray, &mut state.colour, self.colour, w as usize);
            for y in y0..y1 {
                let row = &g.coverage[(y - gy) as usize * g.stride..][..g.width];
                let (y, mut x) = (y as usize, x0 as usize);
                while x < x1 as usize {
                    let end = ((x / COLOUR_CHUNK + 1) * COLOUR_CHUNK).min(x1 as usize);
                    let cov = &row[x - gx as usize..end - gx as usize];
                    if target.rgb_at(x, y).is_none() {
                        // Gray paint (coloured paint made its pieces
                        // colour above) on gray: one channel, without
                        // branches (coverage 0 leaves the pixel as it is).
                        let at = y * w as usize;
                        let dst = &mut target.gray[at + x..at + end];
                        if src.alpha == 255 {
                            blend_opaque(dst, cov, src.gray);
                        } else {
                            for (d, &c) in dst.iter_mut().zip(cov) {
                                *d = blend_gray(*d, src, c);
                            }
                        }
                    } else {
                        for (i, &c) in cov.iter().enumerate() {
                            if c != 0 {
                                target.blend(x + i, y, pixel(c), 255);
                            }
                        }
                    }
                    x = end;
                }
            }
            return;
        }
        // Through the clip: the clipped rectangle's coverage is the mask.
        let state = &mut *self.state;
        state.strips.clear();
        let strips = &mut state.strips;
        state.viewport.with_generator_and_clip(|generator, clip| {
            generator.generate_filled_rect_fast(&rect, strips, clip);
        });
        let tiles = RectU16::new(
            0,
            0,
            (w as usize).div_ceil(4) as u16,
            (h as usize).div_ceil(4) as u16,
        );
        let state = &mut *self.state;
        let alphas = &state.strips.alphas;
        let mut target = Target::new(&mut *self.gray, &mut state.colour, self.colour, w as usize);
        let (width, height) = (self.width, self.height);
        let at = |x: usize, y: usize| -> Option<u8> {
            let (dx, dy) = (x as i64 - gx, y as i64 - gy);
            (dx >= 0 && dy >= 0 && dx < gw && dy < gh)
                .then(|| g.coverage[dy as usize * g.stride + dx as usize])
        };
        visit_strip_fill_segments(
            &state.strips.strips,
            tiles,
            &mut target,
            |t, seg| {
                let (x0, y0) = (usize::from(seg.x0()), usize::from(seg.y()));
                let x1 = usize::from(seg.x1()).min(width);
                let base = seg.alpha_idx as usize;
                for x in x0..x1 {
                    for r in 0..4 {
                        let y = y0 + r;
                        let m = alphas.get(base + (x - x0) * 4 + r).copied().unwrap_or(0);
                        if y < height
                            && m != 0
                            && let Some(cov) = at(x, y)
                            && cov != 0
                        {
                            t.blend(x, y, pixel(cov), m);
                        }
                    }
                }
            },
            |t, seg| {
                let (x0, y0) = (usize::from(seg.x0()), usize::from(seg.y()));
                let x1 = usize::from(seg.x1()).min(width);
                for y in y0..(y0 + 4).min(height) {
                    for x in x0..x1 {
                        if let Some(cov) = at(x, y)
                            && cov != 0
                        {
                            t.blend(x, y, pixel(cov), 255);
                        }
                    }
                }
            },
        );
    }

    fn hint(run: &GlyphRun<'_, '_>) -> bool {
        run.writing_mode() == WritingMode::Horizontal
    }

    /// hayro's `fill_outline_run` for a solid paint.
    fn fill_outline_run(&mut self, run: &GlyphRun<'_, '_>, props: &DrawProps<'_>) {
        let Some(src) = self.source(props, || None) else {
            return;
        };
        let hint = Self::hint(run);
        let use_cache = run.writing_mode() == WritingMode::Horizontal;
        for glyph in run.glyphs() {
            self.charge(1);
            let Glyph::Outline(outline) = &**glyph else {
                continue;
            };
            let id = outline.identifier().cache_key();
            let (path, transform, hinted) =
                self.fill_outline(outline, id, props.transform * glyph.transform(), hint);
            if !use_cache || !self.fill_cached_glyph(id, hinted, &path, transform, src) {
                self.fill_path(&path, transform, FillRule::NonZero, src);
            }
        }
    }

    /// hayro's `stroke_outline_run` for a solid paint.
    fn stroke_outline_run(
        &mut self,
        run: &GlyphRun<'_, '_>,
        props: &DrawProps<'_>,
        sp: &StrokeProps,
    ) {
        let Some(src) = self.source(props, || None) else {
            return;
        };
        let stroke = self.stroke_for(sp, &props.transform, true);
        for glyph in run.glyphs() {
            let Glyph::Outline(outline) = &**glyph else {
                continue;
            };
            let path = self.outline(outline, outline.identifier().cache_key());
            let path = glyph.transform() * path.as_ref().clone();
            self.stroke_path_raw(&path, props.transform, &stroke, src);
        }
    }

    /// hayro's `fill_glyph`.
    fn fill_glyph<'a>(
        &mut self,
        glyph: &Glyph<'a>,
        props: &DrawProps<'a>,
        transform: Affine,
        hint: bool,
    ) {
        match glyph {
            Glyph::Outline(outline) => {
                let id = outline.identifier().cache_key();
                let (path, transform, _) =
                    self.fill_outline(outline, id, props.transform * transform, hint);
                if let Some(src) = self.source(props, || None) {
                    self.fill_path(&path, transform, FillRule::NonZero, src);
                }
            }
            Glyph::Type3(t3) => {
                self.in_type3_glyph = true;
                t3.interpret(self, props.transform, transform, &props.paint);
                self.in_type3_glyph = false;
            }
        }
    }

    /// hayro's `stroke_glyph`.
    fn stroke_glyph<'a>(
        &mut self,
        glyph: &Glyph<'a>,
        props: &DrawProps<'a>,
        transform: Affine,
        sp: &StrokeProps,
    ) {
        match glyph {
            Glyph::Outline(outline) => {
                let path = self.outline(outline, outline.identifier().cache_key());
                self.stroke(&(transform * path.as_ref().clone()), props, sp, true);
            }
            Glyph::Type3(t3) => t3.interpret(self, props.transform, transform, &props.paint),
        }
    }
}

impl<'a> Device<'a> for GrayDevice<'_, '_> {
    fn draw_path(&mut self, path: &BezPath, props: DrawProps<'a>, draw_mode: &DrawMode) {
        match draw_mode {
            DrawMode::Fill(f) => self.fill(path, &props, *f),
            DrawMode::Stroke(s) => self.stroke(path, &props, s, false),
            DrawMode::FillAndStroke(f, s) => {
                self.fill(path, &props, *f);
                self.stroke(path, &props, s, false);
            }
            DrawMode::Invisible => {}
        }
    }

    fn draw_rect(&mut self, rect: &Rect, props: DrawProps<'a>, draw_mode: &DrawMode) {
        let fill = |dev: &mut Self, rule: FillRule| {
            let area = || Some(props.transform.transform_rect_bbox(*rect));
            if let Some(src) = dev.source(&props, area) {
                dev.fill_rect(*rect, props.transform, rule, src);
            }
        };
        match draw_mode {
            DrawMode::Fill(f) => fill(self, *f),
            DrawMode::Stroke(s) => self.stroke(&rect.to_path(0.1), &props, s, false),
            DrawMode::FillAndStroke(f, s) => {
                fill(self, *f);
                self.stroke(&rect.to_path(0.1), &props, s, false);
            }
            DrawMode::Invisible => {}
        }
    }

    fn push_clip_path(&mut self, clip_path: &ClipPath) {
        self.charge(clip_path.path.elements().len());
        self.state.viewport.push_clip_path(
            &clip_path.path,
            fill_rule(clip_path.fill),
            Affine::IDENTITY,
            None,
        );
        self.clips += 1;
    }

    fn push_clip_rect(&mut self, rect: &Rect) {
        self.clip_rect(*rect, Affine::IDENTITY);
    }

    fn pop_clip(&mut self) {
        if self.clips == 0 {
            return;
        }
        self.state.viewport.pop_clip();
        self.clips -= 1;
    }

    fn push_transparency_group(
        &mut self,
        opacity: f32,
        mask: Option<SoftMask<'a>>,
        blend: BlendMode,
    ) {
        // A group at full opacity, without a mask, in the normal blend
        // mode composites exactly like its content drawn in place.
        if mask.is_some() {
            self.fallback(FallbackReason::SoftMask);
        } else if blend != BlendMode::Normal {
            self.fallback(FallbackReason::BlendMode);
        } else if opacity < 1.0 {
            self.fallback(FallbackReason::TransparencyGroup);
        }
        self.groups += 1;
    }

    fn pop_transparency_group(&mut self) {
        self.groups = self.groups.saturating_sub(1);
    }

    fn draw_glyph_run(
        &mut self,
        run: &GlyphRun<'_, 'a>,
        props: DrawProps<'a>,
        draw_mode: &DrawMode,
    ) {
        let outlines_only = run
            .glyphs()
            .iter()
            .all(|glyph| matches!(&**glyph, Glyph::Outline(_)));
        if !outlines_only {
            let hint = Self::hint(run);
            for glyph in run.glyphs() {
                self.charge(1);
                let transform = glyph.transform();
                match draw_mode {
                    DrawMode::Fill(_) => self.fill_glyph(glyph, &props, transform, hint),
                    DrawMode::Stroke(s) => self.stroke_glyph(glyph, &props, transform, s),
                    DrawMode::FillAndStroke(_, s) => {
                        self.fill_glyph(glyph, &props, transform, hint);
                        self.stroke_glyph(glyph, &props, transform, s);
                    }
                    DrawMode::Invisible => {}
                }
            }
            return;
        }
        match draw_mode {
            DrawMode::Fill(_) => self.fill_outline_run(run, &props),
            DrawMode::Stroke(s) => self.stroke_outline_run(run, &props, s),
            DrawMode::FillAndStroke(_, s) => {
                self.fill_outline_run(run, &props);
                self.stroke_outline_run(run, &props, s);
            }
            DrawMode::Invisible => {}
        }
    }

    fn draw_image(&mut self, image: Image<'a, '_>, props: ImageDrawProps<'a>) {
        // hayro draws an image (with its soft mask and blend mode) inside
        // the bounds of its pixel grid.
        let grid = Rect::new(
            0.0,
            0.0,
            f64::from(image.width()),
            f64::from(image.height()),
        );
        self.patch(
            props.transform.transform_rect_bbox(grid),
            FallbackReason::Image,
        );
    }
}

/// vello_cpu's premultiplied paint, reduced to gray (Rec. 601, as
/// [`crate::gray`]).
fn solid([r, g, b, a]: [u8; 4]) -> Src {
    let pm = |c: u8| ((f32::from(c) * f32::from(a)) / 255.0 + 0.5) as u8;
    Src::new([pm(r), pm(g), pm(b)], a)
}

fn fill_rule(rule: FillRule) -> Fill {
    match rule {
        FillRule::NonZero => Fill::NonZero,
        FillRule::EvenOdd => Fill::EvenOdd,
    }
}

/// vello_cpu's `rect_to_temp_path`.
fn rect_path(rect: Rect) -> BezPath {
    BezPath::from_vec(vec![
        PathEl::MoveTo(Point::new(rect.x0, rect.y0)),
        PathEl::LineTo(Point::new(rect.x1, rect.y0)),
        PathEl::LineTo(Point::new(rect.x1, rect.y1)),
        PathEl::LineTo(Point::new(rect.x0, rect.y1)),
        PathEl::ClosePath,
    ])
}

/// hayro's `max_factor`: the longer image of a unit vector.
fn max_factor(transform: &Affine) -> f32 {
    let c = transform.as_coeffs();
    let m = Affine::new([c[0], c[1], c[2], c[3], 0.0, 0.0]);
    let x = (m * Point::new(1.0, 0.0)).to_vec2().length();
    let y = (m * Point::new(0.0, 1.0)).to_vec2().length();
    x.max(y) as f32
}

/// hayro's `single_segment_outline`: a one-segment stroke as a quad.
fn single_segment_outline(path: &BezPath, stroke: &kurbo::Stroke) -> Option<BezPath> {
    use kurbo::Cap;
    if !stroke.dash_pattern.is_empty() || stroke.start_cap != stroke.end_cap {
        return None;
    }
    let (p0, p1) = match path.elements() {
        [PathEl::MoveTo(p0), PathEl::LineTo(p1)] => (*p0, *p1),
        _ => return None,
    };
    let d = p1 - p0;
    let len = d.hypot();
    if len <= 0.0 || !len.is_finite() {
        return None;
    }
    let half = 0.5 * stroke.width;
    let dir = d / len;
    let n = kurbo::Vec2::new(-dir.y, dir.x) * half;
    let (a, b) = match stroke.start_cap {
        Cap::Butt => (p0, p1),
        Cap::Square => (p0 - dir * half, p1 + dir * half),
        Cap::Round => return None,
    };
    Some(BezPath::from_vec(vec![
        PathEl::MoveTo(a + n),
        PathEl::LineTo(b + n),
        PathEl::LineTo(b - n),
        PathEl::LineTo(a - n),
        PathEl::ClosePath,
    ]))
}

/// hayro's glyph rasterisation: `None` when too large to cache,
/// `Some(None)` for an empty glyph. The outline is transformed element by
/// element as it is measured and drawn (the same points as transforming
/// the path), into `raster`'s grid.
fn rasterize(
    outline: &BezPath,
    transform: Affine,
    raster: &mut Rasterizer,
) -> Option<Option<CachedGlyph>> {
    let path = || outline.elements().iter().map(move |&el| transform * el);
    let bbox = bounding_box(path());
    if !(bbox.x0.is_finite() && bbox.y0.is_finite() && bbox.x1.is_finite() && bbox.y1.is_finite()) {
        return None;
    }
    if bbox.width() > MAX_CACHED_SIZE || bbox.height() > MAX_CACHED_SIZE {
        return None;
    }
    if bbox.is_zero_area() {
        return Some(None);
    }
    let x0 = bbox.x0.floor();
    let y0 = bbox.y0.floor();
    let width = (bbox.x1.ceil() - x0) as u16;
    let height = (bbox.y1.ceil() - y0) as u16;
    raster.reset(usize::from(width), usize::from(height));
    let to_point = |p: Point| point((p.x - x0) as f32, (p.y - y0) as f32);
    let mut start = Point::ZERO;
    let mut last = Point::ZERO;
    for el in path() {
        match el {
            PathEl::MoveTo(p) => {
                if last != start {
                    raster.draw_line(to_point(last), to_point(start));
                }
                start = p;
                last = p;
            }
            PathEl::LineTo(p) => {
                raster.draw_line(to_point(last), to_point(p));
                last = p;
            }
            PathEl::QuadTo(p1, p2) => {
                raster.draw_quad(to_point(last), to_point(p1), to_point(p2));
                last = p2;
            }
            PathEl::CurveTo(p1, p2, p3) => {
                raster.draw_cubic(to_point(last), to_point(p1), to_point(p2), to_point(p3));
                last = p3;
            }
            PathEl::ClosePath => {
                if last != start {
                    raster.draw_line(to_point(last), to_point(start));
                }
                last = start;
            }
        }
    }
    if last != start {
        raster.draw_line(to_point(last), to_point(start));
    }
    let (width, height) = (usize::from(width), usize::from(height));
    let stride = width.div_ceil(GLYPH_LANES) * GLYPH_LANES;
    let mut coverage = vec![0u8; stride * height];
    // The grid's pixels come row by row, `width` a row.
    let (mut row, mut col) = (0, 0);
    raster.for_each_pixel(|idx, c| {
        debug_assert_eq!(idx, row * width + col);
        if let Some(v) = coverage.get_mut(row * stride + col) {
            *v = round_to_u8(c.min(1.0) * 255.0);
        }
        col += 1;
        if col == width {
            (row, col) = (row + 1, 0);
        }
    });
    Some(Some(CachedGlyph {
        coverage,
        width,
        height,
        stride,
        x: x0 as i32,
        y: y0 as i32,
    }))
}

/// The bounding box of a path given as elements, as kurbo's
/// `BezPath::bounding_box` computes it: the union of its segments' boxes
/// (their extrema), empty for a path without segments.
fn bounding_box(path: impl Iterator<Item = PathEl>) -> Rect {
    kurbo::segments(path)
        .map(|seg| ParamCurveExtrema::bounding_box(&seg))
        .reduce(|a, b| a.union(b))
        .unwrap_or_default()
}

/// `v.round() as u8` (halves away from zero, saturating, NaN to 0) without
/// a call into libm, whose `roundf` the baseline x86-64 target cannot
/// inline: for `0 <= v < 2^24` the fraction `v - trunc(v)` is exact, and
/// below zero or NaN both give 0.
#[inline(always)]
fn round_to_u8(v: f32) -> u8 {
    let whole = v as u32;
    let rounded = whole.saturating_add(u32::from(v - whole as f32 >= 0.5));
    rounded.min(255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_rounds_as_f32_round_does() {
        let mut values = vec![f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0, 0.0, 255.0];
        // Every halfway point and the floats around it, then a fine sweep.
        for k in -2..=257 {
            let half = k as f32 + 0.5;
            let (mut down, mut up) = (half, half);
            for _ in 0..4 {
                values.extend([down, up]);
                (down, up) = (down.next_down(), up.next_up());
            }
        }
        values.extend((0..=300_000).map(|i| i as f32 / 1000.0 - 10.0));
        for v in values {
            assert_eq!(round_to_u8(v), v.round() as u8, "{v:e}");
        }
    }

    #[test]
    fn bounding_boxes_are_kurbos() {
        let mut glyph = BezPath::new();
        glyph.move_to((1.0, 2.0));
        glyph.curve_to((5.0, -3.0), (9.5, 11.0), (3.0, 7.25));
        glyph.quad_to((-2.5, 9.0), (0.5, 4.0));
        glyph.close_path();
        glyph.move_to((20.0, 20.0));
        glyph.line_to((21.0, 26.0));
        let mut open_end = BezPath::new();
        open_end.move_to((0.0, 0.0));
        open_end.quad_to((3.0, -4.0), (6.0, 0.0));
        let t = Affine::new([
            0.0290774555215251,
            0.0,
            0.0,
            -0.02793716314813196,
            0.25,
            0.0,
        ]);
        for path in [glyph, open_end, BezPath::new()] {
            for transform in [Affine::IDENTITY, t, t * Affine::rotate(0.3)] {
                let mapped = path.elements().iter().map(|&el| transform * el);
                assert_eq!(
                    bounding_box(mapped),
                    (transform * &path).bounding_box(),
                    "{path:?} under {transform:?}"
                );
            }
        }
    }

    #[test]
    fn compositing_matches_vello_on_the_extremes() {
        let black = Src::new([0; 3], 255);
        assert_eq!(blend(255, black, 255), 0);
        assert_eq!(blend(255, black, 0), 255);
        assert_eq!(over(200, black), 0);
        let clear = Src::new([0; 3], 0);
        for g in 0..=255u8 {
            assert_eq!(blend(g, clear, 255), g, "transparent paint leaves {g}");
            assert_eq!(over(g, clear), g);
        }
    }

    fn rect(x0: usize, y0: usize, x1: usize, y1: usize) -> PixelRect {
        PixelRect { x0, y0, x1, y1 }
    }

    #[test]
    fn patches_merge_what_overlaps_and_keep_at_most_four() {
        let mut areas = Vec::new();
        // A logo at the top and a signature at the foot stay apart.
        add_patch(&mut areas, rect(100, 100, 300, 200));
        add_patch(&mut areas, rect(1200, 1900, 1500, 2000));
        assert_eq!(areas.len(), 2);
        // A rectangle across both of two others makes one of all three.
        add_patch(&mut areas, rect(50, 50, 120, 120));
        add_patch(&mut areas, rect(280, 150, 400, 160));
        assert_eq!(areas.len(), 2);
        assert!(areas.contains(&rect(50, 50, 400, 200)), "{areas:?}");
        // Touching edges share no pixel: apart.
        add_patch(&mut areas, rect(400, 50, 450, 60));
        assert_eq!(areas.len(), 3);
        // Past four, the two whose union adds least are merged (the two
        // small ones near the top left), and nothing overlaps after.
        add_patch(&mut areas, rect(1600, 100, 1700, 150));
        add_patch(&mut areas, rect(800, 1000, 900, 1100));
        assert_eq!(areas.len(), MAX_PATCHES);
        assert!(areas.contains(&rect(50, 50, 450, 200)), "{areas:?}");
        for (i, a) in areas.iter().enumerate() {
            for b in &areas[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} and {b:?} overlap");
            }
        }
        // Every rectangle added lies inside one kept.
        for r in [
            rect(100, 100, 300, 200),
            rect(1200, 1900, 1500, 2000),
            rect(800, 1000, 900, 1100),
        ] {
            assert!(
                areas.iter().any(|a| a.union(&r) == *a),
                "{r:?} not covered by {areas:?}"
            );
        }
    }

    #[test]
    fn the_gray_glyph_blend_is_the_general_one() {
        // Some translucent paints, and every opaque one (the 16-bit
        // opaque blend, for every paint, backdrop and coverage).
        let translucent = [(128, 128), (30, 0), (200, 90)];
        let opaque = (0..=255u8).map(|gray| (gray, 255));
        for (gray, alpha) in translucent.into_iter().chain(opaque) {
            let src = Src::new([gray; 3], alpha);
            for bg in 0..=255u8 {
                for cov in 0..=255u8 {
                    let general = blend(bg, src.scaled(cov), 255);
                    let at = || format!("gray {gray} alpha {alpha} over {bg} at coverage {cov}");
                    assert_eq!(blend_gray(bg, src, cov), general, "{}", at());
                    if alpha == 255 {
                        assert_eq!(blend_gray_opaque(bg, gray, cov), general, "{}", at());
                    }
                }
            }
        }
    }
}
