//! An owned module tied to its context, and the value-level operations the
//! backend needs (by name: functions, variables, aliases).

use std::ffi::{c_char, CStr, CString};
use std::marker::PhantomData;

use dtlto_core::summary::{Linkage, Visibility};
use llvm_sys::analysis::{LLVMVerifierFailureAction, LLVMVerifyModule};
use llvm_sys::bit_reader::{LLVMGetBitcodeModuleInContext2, LLVMParseBitcodeInContext2};
use llvm_sys::comdat::LLVMSetComdat;
use llvm_sys::core::*;
use llvm_sys::prelude::{LLVMMemoryBufferRef, LLVMModuleRef, LLVMValueRef};
use llvm_sys::{LLVMLinkage, LLVMVisibility};

use crate::context::Context;
use crate::shim;

pub(crate) struct Module<'c> {
    raw: LLVMModuleRef,
    _context: PhantomData<&'c Context>,
}

/// A module-level value (function, variable or alias) of a live module.
#[derive(Clone, Copy)]
pub(crate) struct Global(LLVMValueRef);

fn buffer(name: &str, bytes: &[u8]) -> LLVMMemoryBufferRef {
    let name = CString::new(name.replace('\0', "")).unwrap_or_default();
    // SAFETY: the bytes are copied into the new buffer.
    unsafe {
        LLVMCreateMemoryBufferWithMemoryRangeCopy(
            bytes.as_ptr() as *const c_char,
            bytes.len(),
            name.as_ptr(),
        )
    }
}

pub(crate) fn take_message(msg: *mut c_char) -> String {
    if msg.is_null() {
        return String::new();
    }
    // SAFETY: LLVM returned a heap string that we own and free here.
    unsafe {
        let s = CStr::from_ptr(msg).to_string_lossy().into_owned();
        LLVMDisposeMessage(msg);
        s
    }
}

impl<'c> Module<'c> {
    /// Parses a whole module (every function body).
    pub fn parse(ctx: &'c Context, name: &str, bytes: &[u8]) -> Result<Module<'c>, String> {
        let buf = buffer(name, bytes);
        let mut raw = std::ptr::null_mut();
        // SAFETY: `buf` is a valid buffer, not taken over by this call, so
        // it is disposed here; `raw` is written only on success.
        let failed = unsafe {
            let failed = LLVMParseBitcodeInContext2(ctx.raw(), buf, &mut raw);
            LLVMDisposeMemoryBuffer(buf);
            failed
        };
        Self::parsed(ctx, failed, raw)
    }

    /// Opens a module lazily: bodies are read only when materialized.
    pub fn parse_lazy(ctx: &'c Context, name: &str, bytes: &[u8]) -> Result<Module<'c>, String> {
        let buf = buffer(name, bytes);
        let mut raw = std::ptr::null_mut();
        // SAFETY: on success the module owns `buf`; on failure we still own
        // it and dispose it.
        let failed = unsafe {
            let failed = LLVMGetBitcodeModuleInContext2(ctx.raw(), buf, &mut raw);
            if failed != 0 {
                LLVMDisposeMemoryBuffer(buf);
            }
            failed
        };
        Self::parsed(ctx, failed, raw)
    }

    /// The module a bitcode reader returned, or the context's diagnostics.
    fn parsed(ctx: &'c Context, failed: i32, raw: LLVMModuleRef) -> Result<Module<'c>, String> {
        if failed != 0 || raw.is_null() {
            let errors = ctx.take_errors().join("; ");
            return Err(if errors.is_empty() {
                "invalid bitcode".into()
            } else {
                errors
            });
        }
        Ok(Module {
            raw,
            _context: PhantomData,
        })
    }

    /// A module with nothing in it, named `name` (also its source file
    /// name), for `triple`.
    pub fn empty(ctx: &'c Context, name: &str, triple: &str) -> Result<Module<'c>, String> {
        let name = CString::new(name).map_err(|_| "module name contains NUL".to_string())?;
        let triple = CString::new(triple).map_err(|_| "triple contains NUL".to_string())?;
        // SAFETY: the context is live and both strings are NUL-terminated;
        // LLVM copies them.
        let raw = unsafe {
            let raw = LLVMModuleCreateWithNameInContext(name.as_ptr(), ctx.raw());
            LLVMSetTarget(raw, triple.as_ptr());
            raw
        };
        Ok(Module {
            raw,
            _context: PhantomData,
        })
    }

    pub fn raw(&self) -> LLVMModuleRef {
        self.raw
    }

    /// Gives up ownership (the callee consumes the module).
    pub fn into_raw(self) -> LLVMModuleRef {
        let raw = self.raw;
        std::mem::forget(self);
        raw
    }

    /// The function, variable or alias with this exact IR name.
    pub fn global(&self, name: &str) -> Option<Global> {
        let c = CString::new(name).ok()?;
        // SAFETY: the module is live and `c` is NUL-terminated.
        unsafe {
            let f = LLVMGetNamedFunction(self.raw, c.as_ptr());
            if !f.is_null() {
                return Some(Global(f));
            }
            let v = LLVMGetNamedGlobal(self.raw, c.as_ptr());
            if !v.is_null() {
                return Some(Global(v));
            }
            let a = LLVMGetNamedGlobalAlias(self.raw, c.as_ptr(), name.len());
            (!a.is_null()).then_some(Global(a))
        }
    }

    pub fn triple(&self) -> String {
        // SAFETY: the returned string is owned by the module and copied.
        unsafe {
            CStr::from_ptr(LLVMGetTarget(self.raw))
                .to_string_lossy()
                .into_owned()
        }
    }

    pub fn source_file_name(&self) -> String {
        let mut len = 0usize;
        // SAFETY: returns a pointer into the module and its length.
        unsafe {
            let p = LLVMGetSourceFileName(self.raw, &mut len);
            let bytes = std::slice::from_raw_parts(p as *const u8, len);
            String::from_utf8_lossy(bytes).into_owned()
        }
    }

    /// Reads the module's metadata (lazy modules only).
    pub fn materialize_metadata(&self) -> Result<(), String> {
        let mut err = std::ptr::null_mut();
        // SAFETY: the module is live; `err` is set only on failure.
        let status = unsafe { shim::dtlto_materialize_metadata(self.raw, &mut err) };
        if status != 0 {
            return Err(take_message(err));
        }
        Ok(())
    }

    /// Writes the module as bitcode (for `--save-temps`).
    pub fn write_bitcode(&self, path: &std::path::Path) -> Result<(), String> {
        let c = CString::new(path.display().to_string())
            .map_err(|_| "path contains NUL".to_string())?;
        // SAFETY: the module is live and the path NUL-terminated.
        let status = unsafe { llvm_sys::bit_writer::LLVMWriteBitcodeToFile(self.raw, c.as_ptr()) };
        if status != 0 {
            return Err(format!("cannot write {}", path.display()));
        }
        Ok(())
    }

    /// The module as bitcode in memory (a split module's parts each read it).
    pub fn bitcode(&self) -> Vec<u8> {
        // SAFETY: the module is live; the buffer is copied out and freed.
        unsafe {
            let buf = llvm_sys::bit_writer::LLVMWriteBitcodeToMemoryBuffer(self.raw);
            let bytes = std::slice::from_raw_parts(
                llvm_sys::core::LLVMGetBufferStart(buf) as *const u8,
                llvm_sys::core::LLVMGetBufferSize(buf),
            )
            .to_vec();
            LLVMDisposeMemoryBuffer(buf);
            bytes
        }
    }

    /// The reference graph of the module's globals, numbered as
    /// `shim/dtlto_shim.cpp` numbers them (variables, functions, aliases,
    /// ifuncs), for the partitioner.
    pub fn split_graph(&self) -> Vec<dtlto_core::split::Node> {
        let mut words = 0usize;
        // SAFETY: the module is live; the shim returns a malloc'ed array of
        // `words` u32s (or null), copied here and freed with dtlto_free.
        let raw = unsafe {
            let p = shim::dtlto_split_graph(self.raw, &mut words);
            if p.is_null() {
                return Vec::new();
            }
            let v = std::slice::from_raw_parts(p, words).to_vec();
            shim::dtlto_free(p.cast());
            v
        };
        decode_graph(&raw)
    }

    /// Promotes what another part refers to (`across`, per global number).
    pub fn split_prepare(&self, across: &[bool], suffix: &str) -> Result<(), String> {
        let flags: Vec<u8> = across.iter().map(|&a| a as u8).collect();
        let c = CString::new(suffix).map_err(|_| "suffix contains NUL".to_string())?;
        // SAFETY: the module is live; flags and suffix outlive the call.
        unsafe { shim::dtlto_split_prepare(self.raw, flags.as_ptr(), flags.len(), c.as_ptr()) };
        Ok(())
    }

    /// Keeps only `part`'s definitions (see `dtlto_split_keep_part`) and
    /// reads every remaining body.
    pub fn split_keep_part(&self, owner: &[u32], part: u32) -> Result<(), String> {
        let mut err = std::ptr::null_mut();
        // SAFETY: the module is live; `owner` outlives the call; an error
        // message is freed by take_message.
        let status = unsafe {
            shim::dtlto_split_keep_part(self.raw, owner.as_ptr(), owner.len(), part, &mut err)
        };
        if status != 0 {
            return Err(take_message(err));
        }
        Ok(())
    }

    /// 0 unless the module was compiled as position-independent executable code.
    pub fn pie_level(&self) -> i32 {
        // SAFETY: the module is live.
        unsafe { shim::dtlto_pie_level(self.raw) }
    }

    /// Runs LLVM's verifier; an error means dtlto built invalid IR.
    pub fn verify(&self) -> Result<(), String> {
        let mut msg = std::ptr::null_mut();
        // SAFETY: the module is live; the message is freed by take_message.
        let broken = unsafe {
            LLVMVerifyModule(
                self.raw,
                LLVMVerifierFailureAction::LLVMReturnStatusAction,
                &mut msg,
            )
        };
        let text = take_message(msg);
        if broken != 0 {
            return Err(text);
        }
        Ok(())
    }

    /// Every function, variable and alias (for whole-module passes).
    pub fn globals(&self) -> Vec<Global> {
        let mut out = Vec::new();
        // SAFETY: iterating the module's global lists while not mutating them.
        unsafe {
            let mut f = LLVMGetFirstFunction(self.raw);
            while !f.is_null() {
                out.push(Global(f));
                f = LLVMGetNextFunction(f);
            }
            let mut v = LLVMGetFirstGlobal(self.raw);
            while !v.is_null() {
                out.push(Global(v));
                v = LLVMGetNextGlobal(v);
            }
            let mut a = LLVMGetFirstGlobalAlias(self.raw);
            while !a.is_null() {
                out.push(Global(a));
                a = LLVMGetNextGlobalAlias(a);
            }
        }
        out
    }
}

impl Drop for Module<'_> {
    fn drop(&mut self) {
        // SAFETY: the module is owned (into_raw forgets it otherwise).
        unsafe { LLVMDisposeModule(self.raw) }
    }
}

fn to_llvm_linkage(l: Linkage) -> LLVMLinkage {
    use LLVMLinkage::*;
    match l {
        Linkage::External => LLVMExternalLinkage,
        Linkage::AvailableExternally => LLVMAvailableExternallyLinkage,
        Linkage::LinkOnceAny => LLVMLinkOnceAnyLinkage,
        Linkage::LinkOnceOdr => LLVMLinkOnceODRLinkage,
        Linkage::WeakAny => LLVMWeakAnyLinkage,
        Linkage::WeakOdr => LLVMWeakODRLinkage,
        Linkage::Appending => LLVMAppendingLinkage,
        Linkage::Internal => LLVMInternalLinkage,
        Linkage::Private => LLVMPrivateLinkage,
        Linkage::ExternalWeak => LLVMExternalWeakLinkage,
        Linkage::Common => LLVMCommonLinkage,
    }
}

fn from_llvm_linkage(l: LLVMLinkage) -> Linkage {
    use LLVMLinkage::*;
    match l {
        LLVMAvailableExternallyLinkage => Linkage::AvailableExternally,
        LLVMLinkOnceAnyLinkage => Linkage::LinkOnceAny,
        LLVMLinkOnceODRLinkage | LLVMLinkOnceODRAutoHideLinkage => Linkage::LinkOnceOdr,
        LLVMWeakAnyLinkage => Linkage::WeakAny,
        LLVMWeakODRLinkage => Linkage::WeakOdr,
        LLVMAppendingLinkage => Linkage::Appending,
        LLVMInternalLinkage => Linkage::Internal,
        LLVMPrivateLinkage | LLVMLinkerPrivateLinkage | LLVMLinkerPrivateWeakLinkage => {
            Linkage::Private
        }
        LLVMExternalWeakLinkage => Linkage::ExternalWeak,
        LLVMCommonLinkage => Linkage::Common,
        _ => Linkage::External,
    }
}

impl Global {
    /// The value's identity, for ordering and lookups (never dereferenced
    /// outside this module).
    pub fn id(self) -> usize {
        self.0 as usize
    }

    pub fn name(self) -> String {
        let mut len = 0usize;
        // SAFETY: returns a pointer into the value's name and its length.
        unsafe {
            let p = LLVMGetValueName2(self.0, &mut len);
            String::from_utf8_lossy(std::slice::from_raw_parts(p as *const u8, len)).into_owned()
        }
    }

    pub fn set_name(self, name: &str) {
        // SAFETY: the value is live; the name is passed with its length.
        unsafe { LLVMSetValueName2(self.0, name.as_ptr() as *const c_char, name.len()) }
    }

    pub fn linkage(self) -> Linkage {
        // SAFETY: the value is a live global.
        from_llvm_linkage(unsafe { LLVMGetLinkage(self.0) })
    }

    pub fn set_linkage(self, l: Linkage) {
        // SAFETY: the value is a live global.
        unsafe { LLVMSetLinkage(self.0, to_llvm_linkage(l)) }
    }

    pub fn set_visibility(self, v: Visibility) {
        let v = match v {
            Visibility::Default => LLVMVisibility::LLVMDefaultVisibility,
            Visibility::Hidden => LLVMVisibility::LLVMHiddenVisibility,
            Visibility::Protected => LLVMVisibility::LLVMProtectedVisibility,
        };
        // SAFETY: the value is a live global.
        unsafe { LLVMSetVisibility(self.0, v) }
    }

    pub fn is_declaration(self) -> bool {
        // SAFETY: the value is a live global.
        unsafe { LLVMIsDeclaration(self.0) != 0 }
    }

    pub fn is_variable(self) -> bool {
        // SAFETY: a type query on a live value.
        unsafe { !LLVMIsAGlobalVariable(self.0).is_null() }
    }

    pub fn is_alias(self) -> bool {
        // SAFETY: a type query on a live value.
        unsafe { !LLVMIsAGlobalAlias(self.0).is_null() }
    }

    /// An alias whose aliasee is an ifunc: like ifuncs themselves it has
    /// no summary, and LLVM's importer leaves it local.
    pub fn is_alias_of_ifunc(self) -> bool {
        if !self.is_alias() {
            return false;
        }
        // SAFETY: the value is a live alias; its aliasee and the operands
        // of constant expressions around it are live constants.
        unsafe {
            let mut target = LLVMAliasGetAliasee(self.0);
            while !target.is_null() && !LLVMIsAConstantExpr(target).is_null() {
                target = LLVMGetOperand(target, 0);
            }
            !target.is_null() && !LLVMIsAGlobalIFunc(target).is_null()
        }
    }

    pub fn drop_comdat(self) {
        if self.is_alias() {
            return;
        }
        // SAFETY: the value is a live global object; a null comdat removes it.
        unsafe { LLVMSetComdat(self.0, std::ptr::null_mut()) }
    }

    /// A write-only variable keeps no value: its initializer becomes zero.
    pub fn zero_initializer(self) {
        if !self.is_variable() || self.is_declaration() {
            return;
        }
        // SAFETY: the value is a defined global variable of that value type.
        unsafe {
            let ty = LLVMGlobalGetValueType(self.0);
            LLVMSetInitializer(self.0, LLVMConstNull(ty));
        }
    }

    /// `convertToDeclaration`: drop the definition.
    pub fn convert_to_declaration(self) -> bool {
        // SAFETY: the value is a live global; the shim handles every kind.
        unsafe { shim::dtlto_convert_to_declaration(self.0) != 0 }
    }

    pub fn materialize(self) -> Result<(), String> {
        let mut err = std::ptr::null_mut();
        // SAFETY: the value belongs to a live (lazy) module.
        let status = unsafe { shim::dtlto_materialize(self.0, &mut err) };
        if status != 0 {
            return Err(take_message(err));
        }
        Ok(())
    }

    /// Replaces an alias by a copy of its aliasee function, under the
    /// alias's name (how LLVM imports aliases).
    pub fn replace_alias_with_aliasee(self) -> Result<Global, String> {
        let mut err = std::ptr::null_mut();
        // SAFETY: the value is a live alias of a (lazy) module; the shim
        // erases it and returns the clone that replaces it.
        let clone = unsafe { shim::dtlto_replace_alias_with_aliasee(self.0, &mut err) };
        if clone.is_null() {
            return Err(take_message(err));
        }
        Ok(Global(clone))
    }

    pub fn set_dso_local(self, dso_local: bool) {
        // SAFETY: the value is a live global.
        unsafe { shim::dtlto_set_dso_local(self.0, dso_local as i32) }
    }

    pub fn visibility(self) -> Visibility {
        // SAFETY: the value is a live global.
        match unsafe { LLVMGetVisibility(self.0) } {
            LLVMVisibility::LLVMHiddenVisibility => Visibility::Hidden,
            LLVMVisibility::LLVMProtectedVisibility => Visibility::Protected,
            _ => Visibility::Default,
        }
    }
}

/// LLVM's IRMover into one destination module, kept for all of that
/// module's imports as LLVM's function importer keeps it (building one
/// walks every type of the destination).
pub(crate) struct IrMover<'m> {
    raw: *mut std::ffi::c_void,
    dest: std::marker::PhantomData<&'m Module<'m>>,
}

impl<'m> IrMover<'m> {
    pub fn new(dest: &'m Module<'_>) -> IrMover<'m> {
        // SAFETY: the module is live, and outlives the mover (`'m`).
        let raw = unsafe { shim::dtlto_ir_mover_new(dest.raw()) };
        IrMover {
            raw,
            dest: std::marker::PhantomData,
        }
    }

    /// IRMover import: moves the named globals of `source` into the
    /// destination module.
    pub fn import(&mut self, source: Module<'_>, names: &[String]) -> Result<(), String> {
        let cnames: Vec<CString> = names
            .iter()
            .map(|n| CString::new(n.as_str()).map_err(|_| format!("name `{n}` contains NUL")))
            .collect::<Result<_, _>>()?;
        let ptrs: Vec<*const c_char> = cnames.iter().map(|c| c.as_ptr()).collect();
        let mut err = std::ptr::null_mut();
        // SAFETY: the mover and its module are live, `source` is in the
        // same context; the shim takes ownership of `source` in every
        // case; names outlive the call.
        let status = unsafe {
            shim::dtlto_import(
                self.raw,
                source.into_raw(),
                ptrs.as_ptr(),
                ptrs.len(),
                &mut err,
            )
        };
        if status != 0 {
            return Err(take_message(err));
        }
        Ok(())
    }
}

impl Drop for IrMover<'_> {
    fn drop(&mut self) {
        // SAFETY: the mover is owned, created by dtlto_ir_mover_new.
        unsafe { shim::dtlto_ir_mover_dispose(self.raw) }
    }
}

/// Reads the shim's graph words: the count, then per global its flags,
/// size (low, high), comdat + 1, reference and join counts, references,
/// joins. A short or inconsistent array yields the globals read so far.
fn decode_graph(words: &[u32]) -> Vec<dtlto_core::split::Node> {
    const DEFINED: u32 = 1;
    const LOCAL: u32 = 2;
    const APPENDING: u32 = 4;
    const DUPLICABLE: u32 = 8;
    let Some((&count, mut rest)) = words.split_first() else {
        return Vec::new();
    };
    let mut nodes = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let [flags, lo, hi, comdat, nrefs, njoins, ..] = rest[..] else {
            break;
        };
        let (nrefs, njoins) = (nrefs as usize, njoins as usize);
        let Some(lists) = rest.get(6..6 + nrefs + njoins) else {
            break;
        };
        nodes.push(dtlto_core::split::Node {
            size: (hi as u64) << 32 | lo as u64,
            defined: flags & DEFINED != 0,
            local: flags & LOCAL != 0,
            appending: flags & APPENDING != 0,
            duplicable: flags & DUPLICABLE != 0,
            comdat: (comdat != 0).then(|| comdat - 1),
            refs: lists[..nrefs].to_vec(),
            joins: lists[nrefs..].to_vec(),
        });
        rest = &rest[6 + nrefs + njoins..];
    }
    nodes
}
