//! The bound on concurrent workers: one semaphore for the whole process,
//! shared by every caller of [`crate::prepare`].

use crate::spawn::IsolationError;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Worker slots in use and allowed (0: not set, the default applies).
static SLOTS: Mutex<(usize, usize)> = Mutex::new((0, 0));
static SLOT_FREED: Condvar = Condvar::new();

fn slots() -> std::sync::MutexGuard<'static, (usize, usize)> {
    // The counters stay consistent whatever panicked while holding them.
    SLOTS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Allow at most `n` workers at once in this process, for every caller
/// (0 restores the default, the number of CPUs).
pub fn set_max_workers(n: usize) {
    slots().1 = n;
    SLOT_FREED.notify_all();
}

/// How many workers may run at once in this process.
pub fn max_workers() -> usize {
    effective_max(slots().1)
}

fn effective_max(set: usize) -> usize {
    if set > 0 {
        set
    } else {
        std::thread::available_parallelism().map_or(2, usize::from)
    }
}

/// A worker slot, given back on drop.
pub(crate) struct Slot;

impl Slot {
    pub(crate) fn take(wait: Duration) -> Result<Slot, IsolationError> {
        let give_up = Instant::now() + wait;
        let mut state = slots();
        while state.0 >= effective_max(state.1) {
            let left = give_up.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(IsolationError::Busy {
                    seconds: wait.as_secs(),
                });
            }
            state = SLOT_FREED
                .wait_timeout(state, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        state.0 += 1;
        Ok(Slot)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        slots().0 -= 1;
        SLOT_FREED.notify_one();
    }
}
