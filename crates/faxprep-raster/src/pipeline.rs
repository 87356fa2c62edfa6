//! Parallel rendering with in-order delivery and a bounded window.
//!
//! Workers of a local rayon pool claim page indices in order from a
//! shared counter, render them with their own hayro caches and send them
//! to the calling thread, which hands them to the sink strictly in page
//! order. A worker may not claim page `i` until page `i - window` has been
//! delivered, so at most `window` rendered pages exist at once whatever the
//! document length. Pages are rendered independently (caches only save
//! work, they key on everything that affects pixels), so the output is the
//! same for any thread count; errors are delivered in page order too, so
//! the first failing page is reported whichever thread met it first.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};

use crate::{RasterOptions, RenderError, RenderedPage, Result, pdf};

struct State {
    next: u32,
    delivered: u32,
    stop: bool,
}

struct Queue {
    pages: u32,
    window: u32,
    state: Mutex<State>,
    cv: Condvar,
}

impl Queue {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next page to render, waiting while the window is full; `None`
    /// when all pages are claimed or rendering stopped.
    fn claim(&self) -> Option<u32> {
        let mut s = self.lock();
        loop {
            if s.stop || s.next >= self.pages {
                return None;
            }
            if s.next < s.delivered.saturating_add(self.window) {
                s.next += 1;
                return Some(s.next - 1);
            }
            s = self.cv.wait(s).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn delivered(&self, count: u32) {
        self.lock().delivered = count;
        self.cv.notify_all();
    }

    fn stop(&self) {
        self.lock().stop = true;
        self.cv.notify_all();
    }
}

/// Stops the workers however the consumer loop ends (error, sink error,
/// or a panic in the sink), so none waits forever on the window.
struct StopOnDrop<'a>(&'a Queue);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// Per-thread rendering state: `run` sets it up on the calling thread
/// and lends `body` a function rendering page `i` (for PDFs, the parsed
/// document and hayro's `!Send` caches live in that frame).
/// Renders page `i` (lent to a worker's body).
pub(crate) type RenderFn<'f, T> = dyn FnMut(u32) -> Result<T> + 'f;

pub(crate) trait Worker: Sync {
    /// What one page renders to.
    type Item: Send;
    /// Set up, then call `body` once.
    fn run(&self, body: &mut dyn FnMut(&mut RenderFn<'_, Self::Item>));
}

/// The PDF worker: each thread parses its own copy of the document, but
/// the first to start takes the one parsed to count the pages.
pub(crate) struct PdfWorker<'a> {
    pub bytes: &'a Arc<Vec<u8>>,
    pub opts: &'a RasterOptions,
    pub parsed: Mutex<Option<hayro::hayro_syntax::Pdf>>,
}

impl Worker for PdfWorker<'_> {
    type Item = RenderedPage;
    fn run(&self, body: &mut dyn FnMut(&mut RenderFn<'_, RenderedPage>)) {
        let parsed = self.parsed.lock().unwrap_or_else(|e| e.into_inner()).take();
        pdf::with_renderer(self.bytes, self.opts, parsed, |render| body(render));
    }
}

/// A worker whose pages go through `then` on the worker thread, right
/// after rendering (the caller's per-page work, in parallel with the
/// rendering of other pages).
pub(crate) struct Then<'a, W, F> {
    pub worker: &'a W,
    pub then: F,
}

impl<W, F, T> Worker for Then<'_, W, F>
where
    W: Worker,
    F: Fn(W::Item) -> T + Sync,
    T: Send,
{
    type Item = T;
    fn run(&self, body: &mut dyn FnMut(&mut RenderFn<'_, T>)) {
        self.worker.run(&mut |render| {
            body(&mut |i| render(i).map(&self.then));
        });
    }
}

/// Render `pages` pages on `threads` threads, calling `sink` in order,
/// with at most `ahead` items a thread alive at once.
pub(crate) fn run<W: Worker, E>(
    worker: &W,
    pages: u32,
    threads: usize,
    ahead: usize,
    sink: &mut dyn FnMut(W::Item) -> std::result::Result<(), E>,
) -> std::result::Result<(), RenderError<E>> {
    if threads <= 1 || pages <= 1 {
        return sequential(worker, pages, sink);
    }
    let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(threads).build() else {
        // No threads to be had: still render, just on this one.
        return sequential(worker, pages, sink);
    };
    let window = u32::try_from(threads.saturating_mul(ahead.max(1))).unwrap_or(u32::MAX);
    let queue = Queue {
        pages,
        window,
        state: Mutex::new(State {
            next: 0,
            delivered: 0,
            stop: false,
        }),
        cv: Condvar::new(),
    };
    let (tx, rx) = mpsc::channel::<(u32, Result<W::Item>)>();
    pool.in_place_scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let queue = &queue;
            scope.spawn(move |_| {
                worker.run(&mut |render| {
                    while let Some(i) = queue.claim() {
                        if tx.send((i, render(i))).is_err() {
                            break;
                        }
                    }
                });
                // The page buffer this thread kept goes before `run`
                // returns, not when the pool's threads end.
                crate::spare::forget();
            });
        }
        drop(tx);
        let _stop = StopOnDrop(&queue);
        let rx = rx;
        let mut pending = BTreeMap::new();
        let mut next = 0u32;
        for (i, page) in rx.iter() {
            pending.insert(i, page);
            while let Some(page) = pending.remove(&next) {
                next += 1;
                sink(page?).map_err(RenderError::Sink)?;
                queue.delivered(next);
            }
        }
        Ok(())
    })
}

fn sequential<W: Worker, E>(
    worker: &W,
    pages: u32,
    sink: &mut dyn FnMut(W::Item) -> std::result::Result<(), E>,
) -> std::result::Result<(), RenderError<E>> {
    let mut result = Ok(());
    worker.run(&mut |render| {
        result = (0..pages).try_for_each(|i| sink(render(i)?).map_err(RenderError::Sink));
    });
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts live items, remembering the most alive at once.
    struct Tracked<'a>(u32, &'a Live);
    struct Live {
        now: AtomicUsize,
        max: AtomicUsize,
    }
    impl Drop for Tracked<'_> {
        fn drop(&mut self) {
            self.1.now.fetch_sub(1, Ordering::SeqCst);
        }
    }

    struct Fake<'a> {
        live: &'a Live,
        fail_at: Option<u32>,
    }

    impl<'a> Worker for Fake<'a> {
        type Item = Tracked<'a>;
        fn run(&self, body: &mut dyn FnMut(&mut RenderFn<'_, Tracked<'a>>)) {
            body(&mut |i| {
                // Uneven work so that pages finish out of order.
                std::thread::sleep(std::time::Duration::from_micros(
                    u64::from((i * 7919) % 13) * 50,
                ));
                if Some(i) == self.fail_at {
                    return Err(Error::Pdf);
                }
                let n = self.live.now.fetch_add(1, Ordering::SeqCst) + 1;
                self.live.max.fetch_max(n, Ordering::SeqCst);
                Ok(Tracked(i, self.live))
            });
        }
    }

    #[test]
    fn in_order_and_bounded_for_any_thread_count() {
        for (threads, ahead) in [(1, 2), (2, 2), (3, 2), (5, 2), (2, 8), (3, 8)] {
            let live = Live {
                now: AtomicUsize::new(0),
                max: AtomicUsize::new(0),
            };
            let mut seen = Vec::new();
            run(
                &Fake {
                    live: &live,
                    fail_at: None,
                },
                300,
                threads,
                ahead,
                &mut |t: Tracked<'_>| {
                    seen.push(t.0);
                    Ok::<(), ()>(())
                },
            )
            .unwrap();
            assert_eq!(seen, (0..300).collect::<Vec<_>>());
            let max = live.max.load(Ordering::SeqCst);
            assert!(
                max <= ahead * threads,
                "{max} pages alive with {threads} threads, {ahead} each"
            );
        }
    }

    /// A worker whose page 0 waits (up to `patience`) until `wanted` other
    /// pages are rendered, as a slow page does, and says how many it saw.
    struct SlowFirst {
        rendered: Mutex<u32>,
        more: Condvar,
        wanted: u32,
        patience: std::time::Duration,
    }

    impl Worker for SlowFirst {
        type Item = u32;
        fn run(&self, body: &mut dyn FnMut(&mut RenderFn<'_, u32>)) {
            body(&mut |i| {
                let mut rendered = self.rendered.lock().unwrap();
                if i == 0 {
                    let deadline = std::time::Instant::now() + self.patience;
                    while *rendered < self.wanted {
                        let left = deadline.saturating_duration_since(std::time::Instant::now());
                        if left.is_zero() {
                            break;
                        }
                        rendered = self.more.wait_timeout(rendered, left).unwrap().0;
                    }
                    return Ok(*rendered);
                }
                *rendered += 1;
                self.more.notify_all();
                Ok(*rendered)
            });
        }
    }

    #[test]
    fn other_threads_run_ahead_of_a_slow_page_up_to_the_window() {
        // Two threads, eight ahead each: while page 0 is slow, the other
        // thread renders pages 1 to 15 (the window of 16 counts from the
        // undelivered page 0) and not one more.
        for (ahead, patience_ms, seen) in [(8, 10_000, 15), (2, 300, 3)] {
            let worker = SlowFirst {
                rendered: Mutex::new(0),
                more: Condvar::new(),
                wanted: 15,
                patience: std::time::Duration::from_millis(patience_ms),
            };
            let mut first = None;
            run(&worker, 40, 2, ahead, &mut |n| {
                first.get_or_insert(n);
                Ok::<(), ()>(())
            })
            .unwrap();
            assert_eq!(first, Some(seen), "{ahead} ahead a thread");
        }
    }

    #[test]
    fn first_error_in_page_order_wins() {
        for threads in [1, 2, 4] {
            let live = Live {
                now: AtomicUsize::new(0),
                max: AtomicUsize::new(0),
            };
            let mut seen = 0;
            let r = run(
                &Fake {
                    live: &live,
                    fail_at: Some(17),
                },
                100,
                threads,
                2,
                &mut |_| {
                    seen += 1;
                    Ok::<(), ()>(())
                },
            );
            assert!(matches!(r, Err(RenderError::Raster(Error::Pdf))));
            assert_eq!(seen, 17, "pages before the failing one are delivered");
        }
    }

    #[test]
    fn sink_error_stops() {
        let live = Live {
            now: AtomicUsize::new(0),
            max: AtomicUsize::new(0),
        };
        let mut seen = 0;
        let r = run(
            &Fake {
                live: &live,
                fail_at: None,
            },
            1000,
            2,
            2,
            &mut |_| {
                seen += 1;
                if seen == 3 { Err("full") } else { Ok(()) }
            },
        );
        assert!(matches!(r, Err(RenderError::Sink("full"))));
        assert_eq!(seen, 3);
    }
}
