//! What `GET /metrics` reports, in Prometheus' text format: requests by endpoint and status,
//! the queue's depth, sequences in flight, and tokens generated and read. Counters are atomics
//! the handlers and the engine thread bump without locks (the status map takes a short lock).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

#[derive(Default)]
pub struct Metrics {
    /// (endpoint, status) → requests answered.
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    /// Sequences waiting for a slot.
    pub queued: AtomicUsize,
    /// Sequences holding a slot.
    pub in_flight: AtomicUsize,
    pub generated_tokens: AtomicU64,
    pub prompt_tokens: AtomicU64,
    /// Sequences ended because their client went away.
    pub cancelled: AtomicU64,
    /// Decode steps run.
    pub steps: AtomicU64,
}

impl Metrics {
    pub fn record(&self, endpoint: &str, status: u16) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((endpoint.to_string(), status)).or_insert(0) += 1;
        }
    }

    /// Requests answered with `status` on any endpoint.
    pub fn requests_with_status(&self, status: u16) -> u64 {
        self.requests.lock().map(|m| m.iter().filter(|((_, s), _)| *s == status).map(|(_, n)| n).sum()).unwrap_or(0)
    }

    /// The Prometheus exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# HELP deepthink_requests_total Requests answered, by endpoint and HTTP status.");
        let _ = writeln!(out, "# TYPE deepthink_requests_total counter");
        if let Ok(m) = self.requests.lock() {
            for ((endpoint, status), n) in m.iter() {
                let _ = writeln!(out, "deepthink_requests_total{{endpoint=\"{endpoint}\",status=\"{status}\"}} {n}");
            }
        }
        let gauges = [
            (
                "deepthink_queue_depth",
                "Sequences waiting for a decode slot.",
                self.queued.load(Ordering::Relaxed) as u64,
            ),
            (
                "deepthink_sequences_in_flight",
                "Sequences holding a decode slot.",
                self.in_flight.load(Ordering::Relaxed) as u64,
            ),
        ];
        for (name, help, v) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        }
        let counters = [
            ("deepthink_generated_tokens_total", "Tokens generated.", self.generated_tokens.load(Ordering::Relaxed)),
            ("deepthink_prompt_tokens_total", "Prompt tokens computed.", self.prompt_tokens.load(Ordering::Relaxed)),
            (
                "deepthink_cancelled_sequences_total",
                "Sequences ended because the client went away.",
                self.cancelled.load(Ordering::Relaxed),
            ),
            ("deepthink_decode_steps_total", "Decode steps run.", self.steps.load(Ordering::Relaxed)),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        }
        out
    }
}
