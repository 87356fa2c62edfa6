//! Counters for `GET /metrics`, written in the Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Upper bounds of the prepare-seconds histogram's buckets.
const BUCKETS: [f64; 10] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

#[derive(Default)]
pub(crate) struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Requests answered, by route and status.
    requests: BTreeMap<(String, u16), u64>,
    /// Jobs finished, by outcome (`ok` or the error_type).
    jobs: BTreeMap<String, u64>,
    pages: u64,
    upload_bytes: u64,
    output_bytes: u64,
    /// Per bucket, then the count above the last bound.
    prepare_buckets: [u64; BUCKETS.len()],
    prepare_count: u64,
    prepare_sum: f64,
    /// Workers stopped by a limit (wall clock, CPU, memory, a crash).
    workers_killed: u64,
}

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn request(&self, route: &str, status: u16) {
        *self
            .lock()
            .requests
            .entry((route.to_owned(), status))
            .or_default() += 1;
    }

    /// A job ran for `seconds`: `outcome` is `ok` or the error_type.
    pub fn job(&self, outcome: &str, seconds: f64, upload_bytes: u64) {
        let mut m = self.lock();
        *m.jobs.entry(outcome.to_owned()).or_default() += 1;
        m.upload_bytes += upload_bytes;
        m.prepare_count += 1;
        m.prepare_sum += seconds;
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            m.prepare_buckets[i] += 1;
        }
    }

    pub fn prepared(&self, pages: u32, output_bytes: u64) {
        let mut m = self.lock();
        m.pages += u64::from(pages);
        m.output_bytes += output_bytes;
    }

    pub fn worker_killed(&self) {
        self.lock().workers_killed += 1;
    }

    pub fn mean_prepare_seconds(&self) -> Option<f64> {
        let m = self.lock();
        (m.prepare_count > 0).then(|| m.prepare_sum / m.prepare_count as f64)
    }

    /// The text format, with the gauges read now.
    pub fn render(&self, queue_depth: usize, in_flight: usize) -> String {
        let m = self.lock();
        let mut out = String::new();
        let mut line = |text: String| {
            out.push_str(&text);
            out.push('\n');
        };
        line("# HELP faxprep_http_requests_total Requests answered, by route and status.".into());
        line("# TYPE faxprep_http_requests_total counter".into());
        for ((route, status), n) in &m.requests {
            line(format!(
                "faxprep_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            ));
        }
        line(
            "# HELP faxprep_jobs_total Prepare jobs finished, by outcome (ok or error_type)."
                .into(),
        );
        line("# TYPE faxprep_jobs_total counter".into());
        for (outcome, n) in &m.jobs {
            line(format!("faxprep_jobs_total{{outcome=\"{outcome}\"}} {n}"));
        }
        for (name, help, value) in [
            (
                "faxprep_pages_total",
                "Fax pages prepared, covers included.",
                m.pages,
            ),
            (
                "faxprep_upload_bytes_total",
                "Bytes of uploads given to jobs.",
                m.upload_bytes,
            ),
            (
                "faxprep_output_bytes_total",
                "Bytes of TIFF and PDF answered.",
                m.output_bytes,
            ),
            (
                "faxprep_workers_killed_total",
                "Workers stopped by a limit (wall clock, CPU, memory) or a crash.",
                m.workers_killed,
            ),
        ] {
            line(format!("# HELP {name} {help}"));
            line(format!("# TYPE {name} counter"));
            line(format!("{name} {value}"));
        }
        line("# HELP faxprep_prepare_seconds Wall clock of prepare jobs, queue excluded.".into());
        line("# TYPE faxprep_prepare_seconds histogram".into());
        let mut cumulative = 0;
        for (bound, n) in BUCKETS.iter().zip(m.prepare_buckets) {
            cumulative += n;
            line(format!(
                "faxprep_prepare_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            ));
        }
        line(format!(
            "faxprep_prepare_seconds_bucket{{le=\"+Inf\"}} {}",
            m.prepare_count
        ));
        line(format!("faxprep_prepare_seconds_sum {}", m.prepare_sum));
        line(format!("faxprep_prepare_seconds_count {}", m.prepare_count));
        for (name, help, value) in [
            (
                "faxprep_queue_depth",
                "Requests waiting for a job slot.",
                queue_depth,
            ),
            ("faxprep_jobs_in_flight", "Jobs running.", in_flight),
        ] {
            line(format!("# HELP {name} {help}"));
            line(format!("# TYPE {name} gauge"));
            line(format!("{name} {value}"));
        }
        let _ = write!(out, "");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_counts_agree() {
        let m = Metrics::default();
        m.job("ok", 0.07, 10);
        m.job("ok", 3.0, 20);
        m.job("bad_request", 100.0, 5);
        m.request("/v1/prepare", 200);
        m.request("/v1/prepare", 200);
        m.request("/v1/prepare", 400);
        let text = m.render(1, 2);
        assert!(text.contains("faxprep_prepare_seconds_bucket{le=\"0.05\"} 0\n"));
        assert!(text.contains("faxprep_prepare_seconds_bucket{le=\"0.1\"} 1\n"));
        assert!(text.contains("faxprep_prepare_seconds_bucket{le=\"5\"} 2\n"));
        assert!(text.contains("faxprep_prepare_seconds_bucket{le=\"60\"} 2\n"));
        assert!(text.contains("faxprep_prepare_seconds_bucket{le=\"+Inf\"} 3\n"));
        assert!(text.contains("faxprep_prepare_seconds_count 3\n"));
        assert!(text.contains("faxprep_upload_bytes_total 35\n"));
        assert!(
            text.contains("faxprep_http_requests_total{route=\"/v1/prepare\",status=\"200\"} 2\n")
        );
        assert!(text.contains("faxprep_jobs_total{outcome=\"bad_request\"} 1\n"));
        assert!(text.contains("faxprep_queue_depth 1\n"));
        assert!(text.contains("faxprep_jobs_in_flight 2\n"));
    }
}
