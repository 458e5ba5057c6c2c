//! `--time-trace FILE`: a Chrome trace (the JSON `chrome://tracing` and
//! Perfetto read, as LLVM's `--time-trace` writes), one complete event per
//! stage and per backend, with the thread it ran on.

use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::Result;
use serde_json::json;

use crate::output::write_atomic;

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
        let tid = rayon::current_thread_index().map_or(0, |i| i + 1);
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
