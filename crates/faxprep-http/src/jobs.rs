//! The job slots: at most `jobs` prepares at once on tokio's blocking pool,
//! at most `queue` requests waiting for a slot, a wall clock per job.

use crate::body::ApiFailure;
use crate::metrics::Metrics;
use faxprep::ErrorType;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

pub(crate) struct Jobs {
    slots: Arc<Semaphore>,
    jobs: usize,
    queue: usize,
    /// Requests holding a slot or waiting for one.
    admitted: AtomicUsize,
    /// Requests waiting for a slot.
    waiting: Arc<AtomicUsize>,
    /// Jobs running.
    running: Arc<AtomicUsize>,
}

/// A finished job: its result and how long it ran.
pub(crate) struct Done<T> {
    pub result: T,
    pub seconds: f64,
}

/// A request's place among the running and waiting ones, taken before its
/// body is read (so at most `jobs + queue` uploads are in memory) and given
/// back when it is answered, dropped or cancelled.
pub(crate) struct Admission<'a>(&'a AtomicUsize);

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A running job, counted down on drop.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Jobs {
    pub fn new(jobs: usize, queue: usize) -> Jobs {
        Jobs {
            slots: Arc::new(Semaphore::new(jobs)),
            jobs,
            queue,
            admitted: AtomicUsize::new(0),
            waiting: Arc::new(AtomicUsize::new(0)),
            running: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// A place for a request, or 429 when every slot and queue place is
    /// taken.
    pub fn admit(&self, metrics: &Metrics) -> Result<Admission<'_>, ApiFailure> {
        let admitted = self.admitted.fetch_add(1, Ordering::SeqCst);
        let admission = Admission(&self.admitted);
        if admitted >= self.jobs + self.queue {
            // A rough wait: the queue ahead of this request, one mean job
            // each per slot.
            let per_job = metrics.mean_prepare_seconds().unwrap_or(2.0);
            let ahead = (admitted + 1).div_ceil(self.jobs) as f64;
            return Err(ApiFailure::queue_full((per_job * ahead).ceil() as u64));
        }
        Ok(admission)
    }

    /// Run `job` on the blocking pool once a slot is free. The slot is held
    /// until `job` returns, even when the caller stops waiting for it
    /// (`timeout`).
    pub async fn run<T: Send + 'static>(
        &self,
        _admission: Admission<'_>,
        timeout: Duration,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<Done<T>, ApiFailure> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let permit = Arc::clone(&self.slots).acquire_owned().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let permit = permit.map_err(|_| ApiFailure::internal("The job slots are closed."))?;
        self.running.fetch_add(1, Ordering::SeqCst);
        // Counted down when the job ends, even by a panic.
        let running = Running(Arc::clone(&self.running));
        let task = tokio::task::spawn_blocking(move || {
            let start = Instant::now();
            let result = job();
            let seconds = start.elapsed().as_secs_f64();
            drop(running);
            drop(permit);
            Done { result, seconds }
        });
        // The worker's own wall clock stops a job first; this bound is for
        // a job that never reaches a worker.
        match tokio::time::timeout(timeout + Duration::from_secs(10), task).await {
            Ok(Ok(done)) => Ok(done),
            Ok(Err(_)) => Err(ApiFailure::internal(
                "The document could not be prepared because of an internal error.",
            )),
            Err(_) => Err(ApiFailure::new(
                ErrorType::ServiceUnavailable,
                "The job did not finish in time.",
                "Try again later.",
            )
            .retry_after(timeout.as_secs())),
        }
    }
}
