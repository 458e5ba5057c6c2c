//! The summary model: what `clang -flto=thin -c` records about each global
//! value of a module, in the terms of LLVM's `ModuleSummaryIndex`.

use serde::{Deserialize, Serialize};

use crate::guid::Guid;

/// LLVM's `GlobalValue::LinkageTypes`, in LLVM's in-memory order (which is
/// also the order the summary flags encode).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Linkage {
    External,
    AvailableExternally,
    LinkOnceAny,
    LinkOnceOdr,
    WeakAny,
    WeakOdr,
    Appending,
    Internal,
    Private,
    ExternalWeak,
    Common,
}

impl Linkage {
    /// Decodes the 4-bit linkage of a summary's flags.
    pub fn from_summary_bits(bits: u64) -> Option<Linkage> {
        use Linkage::*;
        Some(match bits {
            0 => External,
            1 => AvailableExternally,
            2 => LinkOnceAny,
            3 => LinkOnceOdr,
            4 => WeakAny,
            5 => WeakOdr,
            6 => Appending,
            7 => Internal,
            8 => Private,
            9 => ExternalWeak,
            10 => Common,
            _ => return None,
        })
    }

    /// Decodes the linkage field of a MODULE_CODE_{GLOBALVAR,FUNCTION,ALIAS}
    /// record (the bitcode writer's own numbering, with its historic values).
    pub fn from_record_value(value: u64) -> Linkage {
        use Linkage::*;
        match value {
            2 => Appending,
            3 => Internal,
            7 => ExternalWeak,
            8 => Common,
            9 | 13 | 14 => Private,
            12 => AvailableExternally,
            1 | 16 => WeakAny,
            10 | 17 => WeakOdr,
            4 | 18 => LinkOnceAny,
            11 | 19 => LinkOnceOdr,
            // 0, 5, 6, 15 and anything unknown: LLVM maps these to external.
            _ => External,
        }
    }

    pub fn is_local(self) -> bool {
        matches!(self, Linkage::Internal | Linkage::Private)
    }

    /// LLVM's `isInterposableLinkage`: another definition may replace this
    /// one at link or load time, so its body cannot be relied on.
    pub fn is_interposable(self) -> bool {
        matches!(
            self,
            Linkage::WeakAny | Linkage::LinkOnceAny | Linkage::Common | Linkage::ExternalWeak
        )
    }

    /// `isLinkOnceLinkage || isWeakLinkage` (ODR or not).
    pub fn is_weak_for_linker(self) -> bool {
        matches!(
            self,
            Linkage::LinkOnceAny
                | Linkage::LinkOnceOdr
                | Linkage::WeakAny
                | Linkage::WeakOdr
                | Linkage::Common
                | Linkage::ExternalWeak
        )
    }

    pub fn is_linkonce(self) -> bool {
        matches!(self, Linkage::LinkOnceAny | Linkage::LinkOnceOdr)
    }

    pub fn is_odr(self) -> bool {
        matches!(self, Linkage::LinkOnceOdr | Linkage::WeakOdr)
    }

    /// The name LLVM's assembly writer uses.
    pub fn name(self) -> &'static str {
        use Linkage::*;
        match self {
            External => "external",
            AvailableExternally => "available_externally",
            LinkOnceAny => "linkonce",
            LinkOnceOdr => "linkonce_odr",
            WeakAny => "weak",
            WeakOdr => "weak_odr",
            Appending => "appending",
            Internal => "internal",
            Private => "private",
            ExternalWeak => "extern_weak",
            Common => "common",
        }
    }
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum Visibility {
    #[default]
    Default,
    Hidden,
    Protected,
}

impl Visibility {
    /// ELF's merge of two copies' visibilities: the more constraining one
    /// (hidden, then protected, then default).
    pub fn merge(self, other: Visibility) -> Visibility {
        match (self, other) {
            (Visibility::Hidden, _) | (_, Visibility::Hidden) => Visibility::Hidden,
            (Visibility::Protected, _) | (_, Visibility::Protected) => Visibility::Protected,
            _ => Visibility::Default,
        }
    }

    pub fn from_bits(bits: u64) -> Visibility {
        match bits {
            1 => Visibility::Hidden,
            2 => Visibility::Protected,
            _ => Visibility::Default,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Visibility::Default => "default",
            Visibility::Hidden => "hidden",
            Visibility::Protected => "protected",
        }
    }
}

/// `GlobalValueSummary::GVFlags`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GvFlags {
    pub linkage: Linkage,
    pub visibility: Visibility,
    /// The value may reference something that cannot be promoted (e.g. a
    /// local in inline asm), so it must never be imported.
    pub not_eligible_to_import: bool,
    /// Set by the compiler for values that must be kept (e.g. llvm.used).
    pub live: bool,
    pub dso_local: bool,
    pub can_auto_hide: bool,
    /// Import kind requested for this summary (definition unless declared).
    pub import_as_declaration: bool,
}

impl GvFlags {
    /// Decodes the raw flags of a summary record. The bit layout:
    /// linkage [0,4), not-eligible 4, live 5, dso_local 6, can-auto-hide 7,
    /// visibility [8,10), import kind 10.
    pub fn decode(raw: u64, version: u64) -> Option<GvFlags> {
        let linkage = Linkage::from_summary_bits(raw & 0xf)?;
        Some(GvFlags {
            linkage,
            visibility: Visibility::from_bits((raw >> 8) & 3),
            not_eligible_to_import: (raw >> 4) & 1 != 0 || version < 3,
            live: (raw >> 5) & 1 != 0 || version < 3,
            dso_local: (raw >> 6) & 1 != 0,
            can_auto_hide: (raw >> 7) & 1 != 0,
            import_as_declaration: (raw >> 10) & 1 != 0,
        })
    }
}

/// `FunctionSummary::FFlags`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionFlags {
    pub read_none: bool,
    pub read_only: bool,
    pub no_recurse: bool,
    pub return_does_not_alias: bool,
    pub no_inline: bool,
    pub always_inline: bool,
    pub no_unwind: bool,
    pub may_throw: bool,
    pub has_unknown_call: bool,
    pub must_be_unreachable: bool,
}

impl FunctionFlags {
    pub fn decode(raw: u64) -> FunctionFlags {
        let bit = |n: u32| (raw >> n) & 1 != 0;
        FunctionFlags {
            read_none: bit(0),
            read_only: bit(1),
            no_recurse: bit(2),
            return_does_not_alias: bit(3),
            no_inline: bit(4),
            always_inline: bit(5),
            no_unwind: bit(6),
            may_throw: bit(7),
            has_unknown_call: bit(8),
            must_be_unreachable: bit(9),
        }
    }
}

/// `CalleeInfo::HotnessType`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Hotness {
    #[default]
    Unknown,
    Cold,
    None,
    Hot,
    Critical,
}

impl Hotness {
    pub fn from_bits(bits: u64) -> Hotness {
        match bits {
            1 => Hotness::Cold,
            2 => Hotness::None,
            3 => Hotness::Hot,
            4 => Hotness::Critical,
            _ => Hotness::Unknown,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Hotness::Unknown => "unknown",
            Hotness::Cold => "cold",
            Hotness::None => "none",
            Hotness::Hot => "hot",
            Hotness::Critical => "critical",
        }
    }
}

/// One call edge of a function summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallEdge {
    pub callee: Guid,
    pub hotness: Hotness,
    /// Relative block frequency of the call site (FS_PERMODULE_RELBF).
    pub rel_block_freq: u64,
    pub tail_call: bool,
}

/// One reference (address taken, load or store) from a summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ref {
    pub guid: Guid,
    /// The referencing function only reads the referenced variable.
    pub read_only: bool,
    /// The referencing function only writes the referenced variable.
    pub write_only: bool,
}

/// `GlobalVarSummary::GVarFlags`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VarFlags {
    pub maybe_read_only: bool,
    pub maybe_write_only: bool,
    pub constant: bool,
    pub vcall_visibility: u8,
}

impl VarFlags {
    pub fn decode(raw: u64) -> VarFlags {
        VarFlags {
            maybe_read_only: raw & 1 != 0,
            maybe_write_only: raw & 2 != 0,
            constant: raw & 4 != 0,
            vcall_visibility: (raw >> 3) as u8,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SummaryKind {
    Function {
        inst_count: u32,
        flags: FunctionFlags,
        calls: Vec<CallEdge>,
    },
    Variable {
        flags: VarFlags,
        /// Virtual function pointers of a vtable (GUID, offset).
        vtable_funcs: Vec<(Guid, u64)>,
    },
    Alias {
        aliasee: Guid,
    },
}

/// The summary of one global value defined in one module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlobalSummary {
    pub guid: Guid,
    /// The IR name (empty if the record names a value the module does not
    /// define by name, e.g. a GUID given only for profile data).
    pub name: String,
    pub flags: GvFlags,
    pub refs: Vec<Ref>,
    pub kind: SummaryKind,
}

impl GlobalSummary {
    pub fn is_function(&self) -> bool {
        matches!(self.kind, SummaryKind::Function { .. })
    }

    pub fn is_variable(&self) -> bool {
        matches!(self.kind, SummaryKind::Variable { .. })
    }

    pub fn calls(&self) -> &[CallEdge] {
        match &self.kind {
            SummaryKind::Function { calls, .. } => calls,
            _ => &[],
        }
    }

    pub fn inst_count(&self) -> u32 {
        match &self.kind {
            SummaryKind::Function { inst_count, .. } => *inst_count,
            _ => 0,
        }
    }
}

/// The 160-bit module hash (`MODULE_CODE_HASH`), five 32-bit words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ModuleHash(pub [u32; 5]);

impl ModuleHash {
    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    /// The suffix LLVM gives promoted locals: `.llvm.<decimal>` where the
    /// number is the hash's words 0 and 1 read as one 64-bit value
    /// (`getModuleHash` printed as `utostr` of the combined 64 bits).
    pub fn promotion_suffix(&self) -> String {
        let value = ((self.0[0] as u64) << 32) | self.0[1] as u64;
        format!(".llvm.{value}")
    }
}
