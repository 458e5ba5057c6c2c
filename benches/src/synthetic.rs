//! Synthetic link units for benchmarking the thin link at scales no corpus
//! program reaches: `modules` modules of `functions` functions each, with
//! call edges to functions of other modules chosen by a fixed
//! pseudo-random sequence, sizes spread around the import threshold, and a
//! `main` that keeps everything reachable.

use std::sync::Arc;

use dtlto_core::bitcode::{BitcodeModule, IrGlobal, IrGlobalKind, SymbolFlags, SymtabSymbol};
use dtlto_core::guid::guid;
use dtlto_core::resolution::{Origin, Resolution, ResolvedModule, SymbolResolution};
use dtlto_core::summary::{
    CallEdge, FunctionFlags, GlobalSummary, GvFlags, Hotness, Linkage, ModuleHash, SummaryKind,
    Visibility,
};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64: a fixed sequence, identical on every run.
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
}

fn name(module: usize, function: usize) -> String {
    format!("f_{module}_{function}")
}

/// A resolved link unit of `modules` x `functions` functions, 4 calls each.
pub fn link_unit(modules: usize, functions: usize) -> Resolution {
    let mut rng = Rng(modules as u64 * 31 + functions as u64);
    let flags = |linkage| GvFlags {
        linkage,
        visibility: Visibility::Default,
        not_eligible_to_import: false,
        live: false,
        dso_local: true,
        can_auto_hide: false,
        import_as_declaration: false,
    };
    let mut out = Vec::with_capacity(modules);
    for m in 0..modules {
        let source = format!("m{m}.c");
        let mut module = BitcodeModule {
            path: format!("m{m}.o"),
            triple: "x86_64-pc-linux-gnu".into(),
            source_file_name: source.clone(),
            hash: ModuleHash([m as u32, 1, 2, 3, 4]),
            globals: Vec::new(),
            summaries: Vec::new(),
            symbols: Vec::new(),
            symtab_comdats: Vec::new(),
            summary_flags: 0,
            bitcode: Arc::from(&[][..]),
        };
        let mut resolutions = Vec::new();
        let count = if m == 0 { functions + 1 } else { functions };
        for f in 0..count {
            let n = if m == 0 && f == functions {
                "main".to_string()
            } else {
                name(m, f)
            };
            let g = guid(n.as_bytes(), Linkage::External, source.as_bytes());
            let calls = (0..4)
                .map(|k| {
                    // Mostly local calls, as in real programs: one call in
                    // four leaves the module.
                    let to_m = if k == 0 {
                        (rng.next() as usize) % modules
                    } else {
                        m
                    };
                    let to_f = (rng.next() as usize) % functions;
                    CallEdge {
                        callee: guid(name(to_m, to_f).as_bytes(), Linkage::External, b""),
                        hotness: Hotness::Unknown,
                        rel_block_freq: 0,
                        tail_call: false,
                    }
                })
                .collect();
            module.globals.push(IrGlobal {
                name: n.clone(),
                guid: g,
                kind: IrGlobalKind::Function,
                linkage: Linkage::External,
                visibility: Visibility::Default,
                is_declaration: false,
                // As clang marks definitions in position-independent
                // executables.
                dso_local: true,
            });
            module.summaries.push(GlobalSummary {
                guid: g,
                name: n.clone(),
                flags: flags(Linkage::External),
                refs: Vec::new(),
                kind: SummaryKind::Function {
                    inst_count: (rng.next() % 400) as u32 + 1,
                    flags: FunctionFlags::default(),
                    calls,
                },
            });
            module.symbols.push(SymtabSymbol {
                name: n.clone(),
                ir_name: n.clone(),
                comdat: None,
                flags: SymbolFlags(1 << 10 | 1 << 13),
                common_size: 0,
                common_align: 0,
                section: String::new(),
            });
            resolutions.push(SymbolResolution {
                prevailing: true,
                visible_to_regular_obj: n == "main",
                export_dynamic: false,
                // An executable: every definition is final.
                final_definition: true,
                visibility: Visibility::Default,
            });
        }
        out.push(ResolvedModule {
            module: module.into(),
            origin: Origin::Input(m),
            symbols: resolutions,
        });
    }
    Resolution {
        modules: out,
        native_members: Vec::new(),
    }
}
