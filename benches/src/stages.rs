//! Where a link's time goes, as the tools themselves report it in their
//! Chrome traces (`--time-trace`): the thin link and the backends.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stages {
    pub thin_link_s: f64,
    pub backends_s: f64,
}

/// Complete events (`ph: X`) as (name, start µs, duration µs).
fn events(trace: &Value) -> Vec<(&str, f64, f64)> {
    trace["traceEvents"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["ph"] == "X")
                .filter_map(|e| Some((e["name"].as_str()?, e["ts"].as_f64()?, e["dur"].as_f64()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// lld: "Run ThinLTO" covers the thin link and the backends; the thin link
/// ends where the first "Thin backend" starts, the backends end with the
/// last one.
pub fn lld(trace: &Value) -> Option<Stages> {
    let ev = events(trace);
    let run = ev.iter().find(|e| e.0 == "Run ThinLTO")?;
    let backends: Vec<_> = ev.iter().filter(|e| e.0 == "Thin backend").collect();
    let first = backends.iter().map(|e| e.1).fold(f64::INFINITY, f64::min);
    let last = backends.iter().map(|e| e.1 + e.2).fold(0.0, f64::max);
    if backends.is_empty() {
        return None;
    }
    Some(Stages {
        thin_link_s: (first - run.1) / 1e6,
        backends_s: (last - first) / 1e6,
    })
}

/// dtlto: its "Thin link" and "Backends" spans.
pub fn dtlto(trace: &Value) -> Option<Stages> {
    let ev = events(trace);
    let span = |name: &str| ev.iter().find(|e| e.0 == name).map(|e| e.2 / 1e6);
    Some(Stages {
        thin_link_s: span("Thin link")?,
        backends_s: span("Backends")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_from_both_traces() {
        let lld_trace = serde_json::json!({"traceEvents": [
            {"ph": "X", "name": "Run ThinLTO", "ts": 1000.0, "dur": 9000.0},
            {"ph": "X", "name": "Thin backend", "ts": 3000.0, "dur": 2000.0},
            {"ph": "X", "name": "Thin backend", "ts": 3500.0, "dur": 5000.0},
            {"ph": "X", "name": "Total Thin backend", "ts": 0.0, "dur": 7000.0}
        ]});
        assert_eq!(
            lld(&lld_trace),
            Some(Stages {
                thin_link_s: 0.002,
                backends_s: 0.0055
            })
        );
        let dtlto_trace = serde_json::json!({"traceEvents": [
            {"ph": "X", "name": "Thin link", "ts": 10.0, "dur": 4000.0},
            {"ph": "X", "name": "Backends", "ts": 4010.0, "dur": 8000.0}
        ]});
        assert_eq!(
            dtlto(&dtlto_trace),
            Some(Stages {
                thin_link_s: 0.004,
                backends_s: 0.008
            })
        );
        assert_eq!(lld(&dtlto_trace), None);
    }
}
