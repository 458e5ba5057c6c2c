//! Optimization remarks of the backends (lld's `--opt-remarks-*`,
//! LLVMgold's `opt-remarks-*=`, clang's `-fsave-optimization-record`).
//!
//! LLVM's own LTO helper sets up each backend's remark file, so files are
//! named and written as lld's: `<file>.thin.<task>.<format>` for the
//! module of ThinLTO task `task` (1 + the module's place among the link's
//! modules), and `<file>` itself for the regular LTO part, which holds
//! nothing in a ThinLTO-only link but is created all the same.

use std::ffi::{c_char, c_void, CStr, CString};
use std::marker::PhantomData;

use crate::context::Context;

/// What `--opt-remarks-*` asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemarkOptions {
    /// `--opt-remarks-filename`: the base name of every remark file.
    pub file: String,
    /// `--opt-remarks-passes`: a regex of the passes whose remarks are
    /// kept; empty keeps all.
    pub passes: String,
    /// `--opt-remarks-format`: `yaml` (also when empty) or `bitstream`.
    pub format: String,
    /// `--opt-remarks-with-hotness`.
    pub with_hotness: bool,
    /// `--opt-remarks-hotness-threshold`: `None` is `auto` (from the
    /// profile summary); 0 by default.
    pub hotness_threshold: Option<u64>,
}

impl RemarkOptions {
    /// `--opt-remarks-hotness-threshold`'s value as LLVM reads it: `auto`
    /// or a count.
    pub fn parse_threshold(text: &str) -> Result<Option<u64>, String> {
        match text {
            "auto" => Ok(None),
            _ => text
                .parse()
                .map(Some)
                .map_err(|_| format!("`{text}` is not a hotness threshold (a count, or `auto`)")),
        }
    }
}

fn c_string(what: &str, text: &str) -> Result<CString, String> {
    CString::new(text).map_err(|_| format!("the remarks {what} contains NUL"))
}

/// The remark file of one backend, open on its context until `finish`.
/// Dropped unfinished (the backend failed), the file is removed.
pub(crate) struct RemarkFile<'c> {
    handle: *mut c_void,
    _context: PhantomData<&'c Context>,
}

impl<'c> RemarkFile<'c> {
    /// Sets up remarks on `context` for ThinLTO task `task` (or the regular
    /// LTO part when `task` is negative).
    pub fn begin(
        context: &'c Context,
        options: &RemarkOptions,
        task: i32,
    ) -> Result<RemarkFile<'c>, String> {
        let file = c_string("file name", &options.file)?;
        let passes = c_string("pass filter", &options.passes)?;
        let format = c_string("format", &options.format)?;
        let mut error: *mut c_char = std::ptr::null_mut();
        // SAFETY: the context is live for 'c, which the returned value
        // cannot outlive; the strings are NUL-terminated and only read
        // during the call; an error message is malloc'ed by the shim and
        // freed here.
        let handle = unsafe {
            crate::shim::dtlto_remarks_begin(
                context.raw(),
                file.as_ptr(),
                passes.as_ptr(),
                format.as_ptr(),
                options.with_hotness as i32,
                options.hotness_threshold.unwrap_or(0),
                options.hotness_threshold.is_none() as i32,
                task,
                &mut error,
            )
        };
        if handle.is_null() {
            return Err(take_message(error));
        }
        Ok(RemarkFile {
            handle,
            _context: PhantomData,
        })
    }

    /// Writes the file out (LLVM's `finalizeOptimizationRemarks`).
    pub fn finish(mut self) -> Result<(), String> {
        let handle = std::mem::replace(&mut self.handle, std::ptr::null_mut());
        let mut error: *mut c_char = std::ptr::null_mut();
        // SAFETY: `handle` came from dtlto_remarks_begin and is ended once
        // (it is null from here on); its context is still live.
        match unsafe { crate::shim::dtlto_remarks_end(handle, 1, &mut error) } {
            0 => Ok(()),
            _ => Err(take_message(error)),
        }
    }
}

impl Drop for RemarkFile<'_> {
    fn drop(&mut self) {
        if !self.handle.is_null() {
            let mut error: *mut c_char = std::ptr::null_mut();
            // SAFETY: an unfinished handle from dtlto_remarks_begin, ended
            // once; not keeping it cannot fail.
            unsafe { crate::shim::dtlto_remarks_end(self.handle, 0, &mut error) };
        }
    }
}

fn take_message(error: *mut c_char) -> String {
    if error.is_null() {
        return "unknown error".into();
    }
    // SAFETY: a NUL-terminated message malloc'ed by the shim, freed once.
    unsafe {
        let text = CStr::from_ptr(error).to_string_lossy().into_owned();
        llvm_sys::core::LLVMDisposeMessage(error);
        text
    }
}

/// The remark file of the link's regular LTO part, as LLVM's LTO writes it
/// before the ThinLTO backends: `<file>` itself, with no remarks in a
/// ThinLTO-only link.
pub fn write_regular_lto_remarks(options: &RemarkOptions) -> Result<(), String> {
    let context = Context::new();
    let file = RemarkFile::begin(&context, options, -1)?;
    file.finish()
}
