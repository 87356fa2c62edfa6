//! Running independent row bands on however many threads the caller allows.
//!
//! Every method splits the page into bands whose size is fixed by the
//! method (never by the thread count), and each band is computed from the
//! input alone, so the output is the same for 1 thread or 64.

use crate::HalftoneOptions;

/// Call `f(first_row, band)` for consecutive bands of `band_rows` rows of
/// `data` (rows of `stride` bytes), in parallel unless `opts.threads == 1`.
pub(crate) fn for_each_band<F>(
    opts: &HalftoneOptions,
    data: &mut [u8],
    stride: usize,
    band_rows: usize,
    f: F,
) where
    F: Fn(usize, &mut [u8]) + Sync,
{
    let band_bytes = stride.saturating_mul(band_rows.max(1)).max(1);
    let sequential = |data: &mut [u8]| {
        for (i, band) in data.chunks_mut(band_bytes).enumerate() {
            f(i * band_rows, band);
        }
    };
    // A single band gains nothing from threads.
    if opts.threads == 1 || data.len() <= band_bytes {
        sequential(data);
        return;
    }
    use rayon::prelude::*;
    data.par_chunks_mut(band_bytes)
        .enumerate()
        .for_each(|(i, band)| f(i * band_rows, band));
}

/// Map `f` over `0..n` in parallel when `opts` allows, keeping the order.
pub(crate) fn map_indices<T, F>(opts: &HalftoneOptions, n: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize) -> T + Sync,
{
    if opts.threads == 1 || n <= 1 {
        return (0..n).map(f).collect();
    }
    use rayon::prelude::*;
    (0..n).into_par_iter().map(&f).collect()
}

/// Run `f` on a pool of `opts.threads` threads (0: the current rayon pool,
/// 1: this thread only). The helpers above use whichever pool is current.
pub(crate) fn install<T: Send>(opts: &HalftoneOptions, f: impl FnOnce() -> T + Send) -> T {
    if opts.threads <= 1 {
        return f();
    }
    match rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
    {
        Ok(pool) => pool.install(f),
        // No threads to be had (resource limits): the same result, slower.
        Err(_) => f(),
    }
}

/// Run `f` compiled for the best vector instructions this CPU has (SSE2
/// to AVX-512 on x86-64, NEON on ARM, plain code elsewhere), chosen at run
/// time. `f` must be an `#[inline(always)]` closure, and whatever it calls
/// that should use those instructions `#[inline(always)]` too: only code
/// inlined into `f` is compiled for them. The result is the same on every
/// level; only the speed differs.
#[inline(always)]
pub(crate) fn vectorized<R>(f: impl FnOnce() -> R) -> R {
    use fearless_simd::Simd;
    fearless_simd::dispatch!(fearless_simd::Level::new(), simd => simd.vectorize(f))
}
