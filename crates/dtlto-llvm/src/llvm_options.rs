//! LLVM's own command-line options (`-mllvm -foo`), applied as lld and
//! LLVMgold apply theirs: once per process, for every backend in it.
//! LLVM keeps them in global variables, so a process holds one set: a
//! second, different set is refused rather than mixed in.

use std::ffi::CString;
use std::sync::Mutex;

use crate::shim;

/// The options applied in this process (empty: none).
static APPLIED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Applies `options` (each `-name[=value]`) to LLVM, unless this process
/// already runs with exactly these. LLVM's complaint about an option it
/// does not know comes back as the error.
pub fn apply_llvm_options(options: &[String]) -> Result<(), String> {
    let mut applied = APPLIED.lock().unwrap_or_else(|e| e.into_inner());
    if *applied == options {
        return Ok(());
    }
    if !applied.is_empty() {
        return Err(format!(
            "this process runs LLVM with {:?} already and cannot switch to {options:?}",
            *applied
        ));
    }
    for option in options {
        let bare = option.trim_start_matches('-');
        // These print and end the process inside LLVM.
        if bare.starts_with("help") || bare == "version" || bare.starts_with("print-options") {
            return Err(format!("`{option}` is not an option for a link"));
        }
        if !option.starts_with('-') {
            return Err(format!(
                "`{option}` is not an LLVM option (they start with -)"
            ));
        }
    }
    let args: Vec<CString> = std::iter::once("dtlto")
        .chain(options.iter().map(String::as_str))
        .map(|a| CString::new(a).map_err(|_| format!("`{a}` holds a NUL byte")))
        .collect::<Result<_, _>>()?;
    let argv: Vec<*const std::ffi::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    let mut error = std::ptr::null_mut();
    // SAFETY: argv points at NUL-terminated strings that outlive the call;
    // the shim sets `error` to a malloc'ed message only when it fails, and
    // it is freed here. The lock keeps two threads from parsing at once.
    let failed = unsafe {
        shim::dtlto_parse_llvm_options(argv.as_ptr(), argv.len() as i32, &mut error) != 0
    };
    if failed {
        // SAFETY: set by the shim on failure, NUL-terminated, freed once.
        let message = unsafe {
            let text = std::ffi::CStr::from_ptr(error)
                .to_string_lossy()
                .into_owned();
            llvm_sys::core::LLVMDisposeMessage(error);
            text
        };
        // LLVM's "Try: 'dtlto --help'" points at a list dtlto's --help
        // does not print.
        let message: Vec<&str> = message
            .lines()
            .map(|l| l.split("  Try: ").next().unwrap_or(l))
            .map(|l| l.trim_start_matches("dtlto: "))
            .filter(|l| !l.trim().is_empty())
            .collect();
        return Err(message.join(" "));
    }
    *applied = options.to_vec();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test: the options are the process's.
    #[test]
    fn options_apply_once_and_unknown_ones_are_refused() {
        let err = apply_llvm_options(&["-no-such-llvm-option".into()]).unwrap_err();
        assert!(err.contains("no-such-llvm-option"), "{err}");
        assert!(apply_llvm_options(&["-help".into()]).is_err());
        assert!(apply_llvm_options(&["positional".into()]).is_err());
        let set = vec!["-inline-threshold=500".to_string()];
        apply_llvm_options(&set).unwrap();
        apply_llvm_options(&set).unwrap();
        let err = apply_llvm_options(&["-inline-threshold=9".into()]).unwrap_err();
        assert!(err.contains("cannot switch"), "{err}");
    }
}
