//! Backend plans: everything one module's backend must do, decided by the
//! thin link, in a versioned JSON format. A plan is self-contained: with it,
//! the module's bitcode and the bitcode of the modules it imports from, a
//! backend can run anywhere.

use serde::{Deserialize, Serialize};

use crate::import::ImportKind;
use crate::summary::{Linkage, ModuleHash, Visibility};

/// Bumped whenever the meaning of a field changes. Version 3: fields at
/// their usual value are left out, and import sources no longer list the
/// source module's promoted locals (the backend renames them from the
/// source's module hash, as LLVM's importer does). Version 4: imported
/// values are named, not also numbered (the backend finds them by name;
/// their GUIDs are in `dtlto summary --json`), and definitions, the usual
/// kind, say nothing of their kind; live locals that stay local are not
/// listed.
pub const PLAN_FORMAT_VERSION: u32 = 5;

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
    /// Changes to this module's own globals, by IR name, sorted. A global
    /// not listed is left as it is: a live local whose linkage stays.
    pub globals: Vec<GlobalPlan>,
    /// Modules to import from, in module-path order.
    pub imports: Vec<ImportSource>,
    /// Globals, by IR name, to mark dso_local once imported (LLVM marks
    /// a value dso_local when all its copies in the index are): the
    /// module's own, the imported ones and what imported code refers to,
    /// leaving out those the compiler marked already. Sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dso_local: Vec<String>,
}

/// What happens to one global value the module defines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlobalPlan {
    pub name: String,
    /// New IR name (promotion); `None` keeps the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rename: Option<String>,
    pub linkage: Linkage,
    #[serde(
        default = "default_visibility",
        skip_serializing_if = "is_default_visibility"
    )]
    pub visibility: Visibility,
    /// Dead: the definition is dropped.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub live: bool,
    /// Variables: internalize after import (read-only or write-only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub internalize_after_import: bool,
    /// Variables: write-only, so the initializer becomes zero.
    #[serde(default, skip_serializing_if = "is_false")]
    pub write_only: bool,
}

/// One module imported from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSource {
    pub module: String,
    pub module_hash: ModuleHash,
    pub source_file_name: String,
    /// Values imported, by their IR name in the source module, sorted.
    /// Imported code refers to the source's locals by their promoted names
    /// (`<name>.llvm.<source hash>`), which the backend derives from
    /// `module_hash`, as the exporting module's backend does.
    pub values: Vec<ImportedValue>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedValue {
    pub name: String,
    #[serde(default = "definition", skip_serializing_if = "is_definition")]
    pub kind: ImportKind,
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_variable: bool,
    /// Imported read-only/write-only variables become internal copies.
    #[serde(default, skip_serializing_if = "is_false")]
    pub internalize: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub write_only: bool,
}

// Plans of big programs run to megabytes: a field at its usual value is
// left out of the JSON and read back as that value.
fn is_false(b: &bool) -> bool {
    !*b
}

fn is_true(b: &bool) -> bool {
    *b
}

fn yes() -> bool {
    true
}

fn definition() -> ImportKind {
    ImportKind::Definition
}

fn is_definition(k: &ImportKind) -> bool {
    *k == ImportKind::Definition
}

fn default_visibility() -> Visibility {
    Visibility::Default
}

fn is_default_visibility(v: &Visibility) -> bool {
    *v == Visibility::Default
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

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> BackendPlan {
        BackendPlan {
            format_version: PLAN_FORMAT_VERSION,
            module: "obj/main.o".into(),
            module_hash: ModuleHash([1, 2, 3, 4, 5]),
            source_file_name: "main.c".into(),
            triple: "x86_64-pc-linux-gnu".into(),
            cost: 42,
            parts: 1,
            globals: vec![
                GlobalPlan {
                    name: "kept".into(),
                    rename: None,
                    linkage: Linkage::External,
                    visibility: Visibility::Default,
                    live: true,
                    internalize_after_import: false,
                    write_only: false,
                },
                GlobalPlan {
                    name: "table".into(),
                    rename: Some("table.llvm.4294967298".into()),
                    linkage: Linkage::External,
                    visibility: Visibility::Hidden,
                    live: false,
                    internalize_after_import: true,
                    write_only: true,
                },
            ],
            imports: vec![ImportSource {
                module: "obj/util.o".into(),
                module_hash: ModuleHash([6, 7, 8, 9, 10]),
                source_file_name: "util.c".into(),
                values: vec![
                    ImportedValue {
                        name: "f".into(),
                        kind: ImportKind::Definition,
                        is_variable: false,
                        internalize: false,
                        write_only: false,
                    },
                    ImportedValue {
                        name: "v".into(),
                        kind: ImportKind::Declaration,
                        is_variable: true,
                        internalize: true,
                        write_only: true,
                    },
                ],
            }],
            dso_local: vec!["kept".into(), "printf".into()],
        }
    }

    #[test]
    fn plans_read_back_exactly_with_usual_values_left_out() {
        let p = plan();
        let text = p.to_json();
        assert_eq!(BackendPlan::from_json("m.plan", &text).unwrap(), p);
        // The plain global is its name and linkage alone, the imported
        // function its name.
        for plain in [r#"{"name":"kept","linkage":"External"}"#, r#"{"name":"f"}"#] {
            assert!(text.contains(plain), "{plain} missing from {text}");
        }
        // Every unusual value is written.
        for field in [
            r#""rename":"table.llvm.4294967298""#,
            r#""visibility":"Hidden""#,
            r#""live":false"#,
            r#""internalize_after_import":true"#,
            r#""is_variable":true"#,
            r#""kind":"Declaration""#,
        ] {
            assert!(text.contains(field), "{field} missing from {text}");
        }
    }

    #[test]
    fn other_plan_versions_are_refused_by_name() {
        let text = plan().to_json().replace(
            &format!("\"format_version\":{PLAN_FORMAT_VERSION}"),
            "\"format_version\":2",
        );
        let error = BackendPlan::from_json("old.plan", &text).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("old.plan: plan format version 2"),
            "{error}"
        );
    }
}
