//! Backend plans: everything one module's backend must do, decided by the
//! thin link, in a versioned JSON format. A plan is self-contained: with it,
//! the module's bitcode and the bitcode of the modules it imports from, a
//! backend can run anywhere.

use serde::{Deserialize, Serialize};

use crate::import::ImportKind;
use crate::summary::{Linkage, ModuleHash, Visibility};

/// Bumped whenever the meaning of a field changes.
pub const PLAN_FORMAT_VERSION: u32 = 2;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackendPlan {
    pub format_version: u32,
    /// The module identifier (input path or `archive(member at offset)`).
    pub module: String,
    pub module_hash: ModuleHash,
    pub source_file_name: String,
    pub triple: String,
    /// Estimated size after import: the module's own instructions plus
    /// those of its imported definitions. The scheduler runs big ones first.
    pub cost: u64,
    /// Parts the backend splits the module into after simplification (1:
    /// not split); decided from `cost` by [`crate::split::SplitConfig`].
    /// Each part is one object, in part order.
    pub parts: u32,
    /// Changes to this module's own globals, by IR name, sorted.
    pub globals: Vec<GlobalPlan>,
    /// Modules to import from, in module-path order.
    pub imports: Vec<ImportSource>,
}

/// What happens to one global value the module defines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlobalPlan {
    pub name: String,
    /// New IR name (promotion); `None` keeps the name.
    pub rename: Option<String>,
    pub linkage: Linkage,
    pub visibility: Visibility,
    /// Dead: the definition is dropped.
    pub live: bool,
    /// Variables: internalize after import (read-only or write-only).
    pub internalize_after_import: bool,
    /// Variables: write-only, so the initializer becomes zero.
    pub write_only: bool,
}

/// One module imported from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSource {
    pub module: String,
    pub module_hash: ModuleHash,
    pub source_file_name: String,
    /// Values imported, by their IR name in the source module, sorted.
    pub values: Vec<ImportedValue>,
    /// Locals of the source module promoted by the thin link (original
    /// name -> promoted name): imported code refers to them by the new name.
    /// Shared by every plan importing from the module.
    pub promoted: std::sync::Arc<[(String, String)]>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedValue {
    pub name: String,
    pub guid: crate::guid::Guid,
    pub kind: ImportKind,
    pub is_variable: bool,
    /// Imported read-only/write-only variables become internal copies.
    pub internalize: bool,
    pub write_only: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{path}: not a dtlto backend plan: {detail}")]
    Malformed { path: String, detail: String },
    #[error("{path}: plan format version {found}, this dtlto reads version {PLAN_FORMAT_VERSION}")]
    Version { path: String, found: u32 },
}

impl BackendPlan {
    /// Compact JSON (plans of big programs are large; `jq` formats them).
    pub fn to_json(&self) -> String {
        // Serializing plain data with string keys cannot fail.
        serde_json::to_string(self).unwrap_or_default() + "\n"
    }

    pub fn from_json(path: &str, text: &str) -> Result<BackendPlan, PlanError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| PlanError::Malformed {
                path: path.to_string(),
                detail: e.to_string(),
            })?;
        let found = value
            .get("format_version")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| PlanError::Malformed {
                path: path.to_string(),
                detail: "no format_version".into(),
            })? as u32;
        if found != PLAN_FORMAT_VERSION {
            return Err(PlanError::Version {
                path: path.to_string(),
                found,
            });
        }
        serde_json::from_value(value).map_err(|e| PlanError::Malformed {
            path: path.to_string(),
            detail: e.to_string(),
        })
    }

    /// The content of lld's `<module>.imports` file: one imported-from
    /// module path per line, in sorted order.
    pub fn imports_file(&self) -> String {
        let mut out = String::new();
        for source in &self.imports {
            out.push_str(&source.module);
            out.push('\n');
        }
        out
    }
}
