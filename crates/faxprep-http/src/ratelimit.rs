//! Per-key sliding-window rate limits: a request takes a place in every
//! window of its policy at once, and gives it back when it is rejected
//! later (rejected requests do not count).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One window: at most `limit` requests in `seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub limit: usize,
    pub seconds: u64,
}

/// The windows of one kind of request, tightest first.
#[derive(Debug)]
pub(crate) struct Policy {
    pub windows: Vec<Window>,
}

impl Policy {
    /// The `X-RateLimit-Policy` value: `10;w=60, 30;w=3600, 500;w=86400`.
    pub fn header(&self) -> String {
        self.windows
            .iter()
            .map(|w| format!("{};w={}", w.limit, w.seconds))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn longest(&self) -> Duration {
        Duration::from_secs(self.windows.iter().map(|w| w.seconds).max().unwrap_or(0))
    }
}

/// What the `X-RateLimit-*` headers say after a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Standing {
    /// The window with the fewest places left.
    pub limit: usize,
    pub remaining: usize,
    /// Seconds until that window has a place again (its full length when
    /// it is empty).
    pub reset: u64,
    pub policy: String,
}

/// The outcome of [`Limiter::take`].
#[derive(Debug)]
pub(crate) enum Decision {
    /// Allowed; the place taken is given back with [`Limiter::give_back`].
    Allowed { standing: Standing, taken: Instant },
    /// Over a window: wait `retry_after` seconds.
    Limited {
        standing: Standing,
        retry_after: u64,
    },
}

/// The most keys remembered; beyond it, keys with no request in the
/// longest window are forgotten first.
const MAX_KEYS: usize = 10_000;

pub(crate) struct Limiter {
    policy: Policy,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Limiter {
    pub fn new(policy: Policy) -> Limiter {
        Limiter {
            policy,
            hits: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        self.hits.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Take a place for `key` at `now` in every window, or say how long to
    /// wait.
    pub fn take(&self, key: &str, now: Instant) -> Decision {
        let longest = self.policy.longest();
        let mut map = self.lock();
        if map.len() >= MAX_KEYS && !map.contains_key(key) {
            map.retain(|_, hits| {
                hits.back()
                    .is_some_and(|t| now.duration_since(*t) < longest)
            });
        }
        let hits = map.entry(key.to_owned()).or_default();
        while hits
            .front()
            .is_some_and(|t| now.duration_since(*t) >= longest)
        {
            hits.pop_front();
        }
        let mut standing: Option<Standing> = None;
        let mut retry_after = 0;
        for w in &self.policy.windows {
            let span = Duration::from_secs(w.seconds);
            let inside: Vec<&Instant> = hits
                .iter()
                .filter(|t| now.duration_since(**t) < span)
                .collect();
            let oldest_frees = inside.first().map_or(w.seconds, |t| {
                (span - now.duration_since(**t)).as_secs_f64().ceil() as u64
            });
            if inside.len() >= w.limit {
                retry_after = retry_after.max(oldest_frees.max(1));
            }
            let remaining = w.limit.saturating_sub(inside.len());
            if standing.as_ref().is_none_or(|s| remaining < s.remaining) {
                standing = Some(Standing {
                    limit: w.limit,
                    remaining,
                    reset: oldest_frees,
                    policy: self.policy.header(),
                });
            }
        }
        let mut standing = standing.unwrap_or(Standing {
            limit: 0,
            remaining: 0,
            reset: 0,
            policy: String::new(),
        });
        if retry_after > 0 {
            return Decision::Limited {
                standing,
                retry_after,
            };
        }
        hits.push_back(now);
        standing.remaining = standing.remaining.saturating_sub(1);
        Decision::Allowed {
            standing,
            taken: now,
        }
    }

    /// Give back the place taken at `taken` (the request was rejected).
    pub fn give_back(&self, key: &str, taken: Instant) {
        let mut map = self.lock();
        if let Some(hits) = map.get_mut(key)
            && let Some(i) = hits.iter().rposition(|t| *t == taken)
        {
            hits.remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send_policy() -> Policy {
        Policy {
            windows: vec![
                Window {
                    limit: 10,
                    seconds: 60,
                },
                Window {
                    limit: 30,
                    seconds: 3600,
                },
                Window {
                    limit: 500,
                    seconds: 86_400,
                },
            ],
        }
    }

    #[test]
    fn minute_then_hour_windows() {
        let limiter = Limiter::new(send_policy());
        let t0 = Instant::now();
        for i in 0..10 {
            match limiter.take("k", t0 + Duration::from_secs(i)) {
                Decision::Allowed { standing, .. } => {
                    assert_eq!(standing.limit, 10);
                    assert_eq!(standing.remaining, 9 - i as usize);
                }
                Decision::Limited { .. } => panic!("request {i} limited"),
            }
        }
        // The 11th within the minute waits until the first leaves it.
        match limiter.take("k", t0 + Duration::from_secs(20)) {
            Decision::Limited {
                retry_after,
                standing,
            } => {
                assert_eq!(retry_after, 40);
                assert_eq!(standing.remaining, 0);
                assert_eq!(standing.policy, "10;w=60, 30;w=3600, 500;w=86400");
            }
            Decision::Allowed { .. } => panic!("11th request allowed"),
        }
        // Another key is not affected.
        assert!(matches!(
            limiter.take("other", t0),
            Decision::Allowed { .. }
        ));
        // 30 in the hour, spread over minutes: the 31st waits for the hour.
        for i in 1..3u64 {
            for j in 0..10u64 {
                let at = t0 + Duration::from_secs(i * 61 + j);
                assert!(matches!(limiter.take("k", at), Decision::Allowed { .. }));
            }
        }
        match limiter.take("k", t0 + Duration::from_secs(400)) {
            Decision::Limited { retry_after, .. } => assert_eq!(retry_after, 3200),
            Decision::Allowed { .. } => panic!("31st request in the hour allowed"),
        }
    }

    #[test]
    fn given_back_places_do_not_count() {
        let limiter = Limiter::new(send_policy());
        let t0 = Instant::now();
        for i in 0..25 {
            let at = t0 + Duration::from_millis(i);
            match limiter.take("k", at) {
                Decision::Allowed { taken, .. } => limiter.give_back("k", taken),
                Decision::Limited { .. } => panic!("a given-back place counted"),
            }
        }
    }
}
