//! `dtlto summary`: the combined index after the thin link, for people and
//! tools — text, JSON, or the import graph in Graphviz DOT.

use std::fmt::Write as _;

use anyhow::Result;
use dtlto_core::import;
use dtlto_core::index::SummaryId;
use dtlto_core::summary::SummaryKind;
use dtlto_core::thinlink::ThinLink;
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Dot,
}

pub fn render(link: &ThinLink, format: Format) -> Result<String> {
    Ok(match format {
        Format::Text => text(link),
        Format::Json => serde_json::to_string_pretty(&json_value(link))? + "\n",
        Format::Dot => dot(link),
    })
}

fn kind_name(kind: &SummaryKind) -> &'static str {
    match kind {
        SummaryKind::Function { .. } => "function",
        SummaryKind::Variable { .. } => "variable",
        SummaryKind::Alias { .. } => "alias",
    }
}

fn text(link: &ThinLink) -> String {
    let index = &link.index;
    let mut out = String::new();
    for (m, module) in index.modules.iter().enumerate() {
        let _ = writeln!(
            out,
            "module {} (source {}, triple {}, hash {:?})",
            module.path, module.source_file_name, module.triple, module.hash.0
        );
        for s in &module.summaries {
            let Some(id) = index.find_in_module(s.guid, dtlto_core::index::ModuleId(m as u32))
            else {
                continue;
            };
            let st = index.state(id);
            let _ = write!(
                out,
                "  {} {} guid={} {} -> {}{}{}",
                kind_name(&s.kind),
                if s.name.is_empty() {
                    "<unnamed>"
                } else {
                    &s.name
                },
                s.guid,
                s.flags.linkage.name(),
                st.linkage.name(),
                if index.is_live(id) { "" } else { " dead" },
                if st.promoted { " promoted" } else { "" },
            );
            if let SummaryKind::Function { inst_count, .. } = s.kind {
                let _ = write!(out, " insts={inst_count} calls={}", s.calls().len());
            }
            if s.is_variable() {
                let _ = write!(
                    out,
                    "{}{}",
                    if index.is_read_only(id) {
                        " read-only"
                    } else {
                        ""
                    },
                    if index.is_write_only(id) {
                        " write-only"
                    } else {
                        ""
                    }
                );
            }
            out.push('\n');
        }
        for source in &link.plans[m].imports {
            let _ = writeln!(out, "  imports from {}:", source.module);
            for v in &source.values {
                let _ = writeln!(out, "    {} ({:?})", v.name, v.kind);
            }
        }
    }
    out
}

fn json_value(link: &ThinLink) -> serde_json::Value {
    let index = &link.index;
    let names = import::failure_names(index, &link.imports);
    // The combined index numbers each module's summaries in one run.
    let firsts: Vec<usize> = index
        .modules
        .iter()
        .scan(0, |next, module| {
            let first = *next;
            *next += module.summaries.len();
            Some(first)
        })
        .collect();
    let modules: Vec<_> = index
        .modules
        .iter()
        .enumerate()
        .map(|(m, module)| {
            let summaries: Vec<_> = (firsts[m]..firsts[m] + module.summaries.len())
                .map(|i| SummaryId(i as u32))
                .map(|id| {
                    let s = index.summary(id);
                    let st = index.state(id);
                    json!({
                        "name": s.name,
                        "guid": s.guid.0,
                        "kind": kind_name(&s.kind),
                        "linkage": s.flags.linkage.name(),
                        "resolved_linkage": st.linkage.name(),
                        "live": index.is_live(id),
                        "promoted": st.promoted,
                        "inst_count": s.inst_count(),
                        "calls": s.calls().iter().map(|c| json!({"callee": c.callee.0, "hotness": c.hotness.name()})).collect::<Vec<_>>(),
                        "refs": s.refs.iter().map(|r| r.guid.0).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "path": module.path,
                "source_file_name": module.source_file_name,
                "triple": module.triple,
                "hash": module.hash.0,
                "summaries": summaries,
                "imported": imported(link, m),
                // What LLVM's -print-import-failures prints for the module.
                "import_failures": link.imports.failures[m]
                    .iter()
                    .map(|f| json!({
                        "guid": f.guid.0,
                        "name": names.get(&f.guid).copied().unwrap_or_default(),
                        "reason": f.reason.name(),
                        "threshold": f.threshold,
                        "size": f.size,
                        "max_hotness": f.max_hotness.name(),
                        "attempts": f.attempts,
                    }))
                    .collect::<Vec<_>>(),
                "plan": serde_json::to_value(&link.plans[m]).unwrap_or_default(),
            })
        })
        .collect();
    json!({ "modules": modules })
}

/// What module `m` imports, by GUID (the plan names values only): the
/// form in which lld's `.thinlto.bc` shards can be compared with it.
fn imported(link: &ThinLink, m: usize) -> Vec<serde_json::Value> {
    let index = &link.index;
    let mut out = Vec::new();
    for (&from, list) in &link.imports.imports[m] {
        for (&guid, &kind) in list {
            if let Some(id) = index.find_in_module(guid, from) {
                out.push(json!({
                    "from": index.module_path(from),
                    "name": index.summary(id).name,
                    "guid": guid.0,
                    "kind": kind,
                }));
            }
        }
    }
    out
}

fn dot(link: &ThinLink) -> String {
    let mut out = String::from("digraph imports {\n  rankdir=LR;\n  node [shape=box];\n");
    for (m, module) in link.index.modules.iter().enumerate() {
        let _ = writeln!(
            out,
            "  m{m} [label=\"{}\"];",
            module.path.replace('"', "\\\"")
        );
    }
    let position = dtlto_core::bitcode::positions_by_path(&link.index.modules);
    let id_of = |path: &str| position.get(path).copied();
    for (m, plan) in link.plans.iter().enumerate() {
        for source in &plan.imports {
            if let Some(from) = id_of(&source.module) {
                let defs = source.values.len();
                let _ = writeln!(out, "  m{from} -> m{m} [label=\"{defs}\"];");
            }
        }
    }
    out.push_str("}\n");
    out
}
