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

/// Render `pages` pages of the PDF in `bytes` on `threads` threads.
pub(crate) fn render_pdf<E>(
    bytes: &Arc<Vec<u8>>,
    pages: u32,
    threads: usize,
    opts: &RasterOptions,
    sink: &mut dyn FnMut(RenderedPage) -> std::result::Result<(), E>,
) -> std::result::Result<(), RenderError<E>> {
    if threads <= 1 || pages <= 1 {
        return sequential(bytes, pages, opts, sink);
    }
    let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(threads).build() else {
        // No threads to be had: still render, just on this one.
        return sequential(bytes, pages, opts, sink);
    };
    let window = u32::try_from(threads.saturating_mul(2)).unwrap_or(u32::MAX);
    let queue = Queue {
        pages,
        window,
        state: Mutex::new(State { next: 0, delivered: 0, stop: false }),
        cv: Condvar::new(),
    };
    let (tx, rx) = mpsc::channel::<(u32, Result<RenderedPage>)>();
    pool.in_place_scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let queue = &queue;
            scope.spawn(move |_| {
                pdf::with_renderer(bytes, opts, |render| {
                    while let Some(i) = queue.claim() {
                        if tx.send((i, render(i))).is_err() {
                            break;
                        }
                    }
                });
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

fn sequential<E>(
    bytes: &Arc<Vec<u8>>,
    pages: u32,
    opts: &RasterOptions,
    sink: &mut dyn FnMut(RenderedPage) -> std::result::Result<(), E>,
) -> std::result::Result<(), RenderError<E>> {
    pdf::with_renderer(bytes, opts, |render| {
        for i in 0..pages {
            sink(render(i)?).map_err(RenderError::Sink)?;
        }
        Ok(())
    })
}
