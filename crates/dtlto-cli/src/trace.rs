//! `--time-trace FILE`: a Chrome trace (the JSON `chrome://tracing` and
//! Perfetto read, as LLVM's `--time-trace` writes), one complete event per
//! stage and per backend, with the thread it ran on.

use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::Result;
use serde_json::json;

use crate::output::write_atomic;

static NEXT_THREAD_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

thread_local! {
    /// A small stable number per thread, for the trace's `tid`.
    static THREAD_ID: u64 = NEXT_THREAD_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

pub struct Trace {
    start: Instant,
    events: Mutex<Vec<serde_json::Value>>,
}

impl Trace {
    pub fn new(start: Instant) -> Trace {
        Trace {
            start,
            events: Mutex::new(Vec::new()),
        }
    }

    /// Records a span from `begin` to now.
    pub fn span(&self, name: &str, detail: Option<&str>, begin: Instant) {
        let ts = (begin - self.start).as_micros() as u64;
        let dur = begin.elapsed().as_micros() as u64;
        let tid = THREAD_ID.with(|id| *id);
        let mut event =
            json!({"ph": "X", "pid": 1, "tid": tid, "ts": ts, "dur": dur, "name": name});
        if let Some(d) = detail {
            event["args"] = json!({ "detail": d });
        }
        if let Ok(mut events) = self.events.lock() {
            events.push(event);
        }
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        let mut events = self.events.lock().map(|e| e.clone()).unwrap_or_default();
        events.sort_by_key(|e| e["ts"].as_u64());
        let doc = json!({ "traceEvents": events, "displayTimeUnit": "ms" });
        write_atomic(path, serde_json::to_string(&doc)?.as_bytes())
    }
}
