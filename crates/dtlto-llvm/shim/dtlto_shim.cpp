// The few steps of a ThinLTO backend that LLVM's C API has no call for.
// Each function stands in for one LLVM step, returns a status, reports
// errors as a malloc'ed message (freed with LLVMDisposeMessage), and never
// lets a C++ type or exception cross into Rust.

#include "llvm-c/Core.h"
#include "llvm-c/TargetMachine.h"
#include "llvm/IR/DebugInfo.h"
#include "llvm/IR/GlobalAlias.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/AutoUpgrade.h"
#include "llvm/Linker/IRMover.h"
#include "llvm/Support/Error.h"
#include "llvm/CodeGen/CommandFlags.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/ValueMapper.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

using namespace llvm;

static char *dup_message(const std::string &s) {
  char *p = static_cast<char *>(std::malloc(s.size() + 1));
  if (p)
    std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

extern "C" {

// GlobalValue::materialize: read one lazily loaded function body (or
// global initializer) from bitcode, as FunctionImporter does for each
// function it imports. Returns 0 on success.
int dtlto_materialize(LLVMValueRef global, char **error) {
  auto *gv = unwrap<GlobalValue>(global);
  if (Error e = gv->materialize()) {
    *error = dup_message(toString(std::move(e)));
    return 1;
  }
  return 0;
}

// Module::materializeMetadata + UpgradeDebugInfo: the metadata of a lazily
// loaded source module, needed before its functions are moved.
int dtlto_materialize_metadata(LLVMModuleRef module, char **error) {
  Module *m = unwrap(module);
  if (Error e = m->materializeMetadata()) {
    *error = dup_message(toString(std::move(e)));
    return 1;
  }
  UpgradeDebugInfo(*m);
  return 0;
}

// IRMover::move with IsPerformingImport: moves exactly the named globals of
// `source` (and what they need) into `dest`, the way FunctionImporter does.
// Consumes `source` in every case.
int dtlto_import(LLVMModuleRef dest, LLVMModuleRef source,
                 const char *const *names, size_t count, char **error) {
  std::unique_ptr<Module> src(unwrap(source));
  SetVector<GlobalValue *> globals;
  for (size_t i = 0; i < count; ++i) {
    GlobalValue *gv = src->getNamedValue(names[i]);
    if (!gv) {
      *error = dup_message(std::string("no global named `") + names[i] +
                           "` in " + src->getModuleIdentifier());
      return 1;
    }
    globals.insert(gv);
  }
  IRMover mover(*unwrap(dest));
  if (Error e = mover.move(std::move(src), globals.getArrayRef(),
                           IRMover::LazyCallback(),
                           /*IsPerformingImport=*/true)) {
    *error = dup_message(toString(std::move(e)));
    return 1;
  }
  return 0;
}

// llvm::convertToDeclaration (FunctionImport.cpp): drop a dead or
// non-prevailing definition. Aliases are replaced by a declaration of the
// same name. Returns 1 if the value was converted.
int dtlto_convert_to_declaration(LLVMValueRef global) {
  auto *gv = unwrap<GlobalValue>(global);
  if (auto *f = dyn_cast<Function>(gv)) {
    f->deleteBody();
    f->clearMetadata();
    f->setComdat(nullptr);
  } else if (auto *v = dyn_cast<GlobalVariable>(gv)) {
    v->setInitializer(nullptr);
    v->setLinkage(GlobalValue::ExternalLinkage);
    v->clearMetadata();
    v->setComdat(nullptr);
  } else if (auto *a = dyn_cast<GlobalAlias>(gv)) {
    GlobalValue *decl;
    if (a->getValueType()->isFunctionTy())
      decl = Function::Create(cast<FunctionType>(a->getValueType()),
                              GlobalValue::ExternalLinkage,
                              a->getAddressSpace(), "", a->getParent());
    else
      decl = new GlobalVariable(*a->getParent(), a->getValueType(),
                                /*isConstant=*/false,
                                GlobalValue::ExternalLinkage,
                                /*Initializer=*/nullptr, "");
    decl->takeName(a);
    a->replaceAllUsesWith(decl);
    a->eraseFromParent();
  } else {
    return 0;
  }
  return 1;
}

// FunctionImporter's replaceAliasWithAliasee: an alias is imported as a
// copy of its aliasee function under the alias's name, linkage and
// visibility. Returns the new function, or null (with `error`) if the
// aliasee is not a function or cannot be read.
LLVMValueRef dtlto_replace_alias_with_aliasee(LLVMValueRef alias, char **error) {
  auto *ga = dyn_cast<GlobalAlias>(unwrap<GlobalValue>(alias));
  if (!ga) {
    *error = dup_message("not an alias");
    return nullptr;
  }
  auto *fn = dyn_cast_or_null<Function>(ga->getAliaseeObject());
  if (!fn) {
    *error = dup_message("alias `" + ga->getName().str() +
                         "` does not alias a function");
    return nullptr;
  }
  if (Error e = fn->materialize()) {
    *error = dup_message(toString(std::move(e)));
    return nullptr;
  }
  ValueToValueMapTy vmap;
  Function *clone = CloneFunction(fn, vmap);
  clone->setLinkage(ga->getLinkage());
  clone->setVisibility(ga->getVisibility());
  ga->replaceAllUsesWith(clone);
  clone->takeName(ga);
  ga->eraseFromParent();
  return wrap(clone);
}

// GlobalValue::setDSOLocal: the C API can neither set nor read dso_local.
void dtlto_set_dso_local(LLVMValueRef global, int dso_local) {
  unwrap<GlobalValue>(global)->setDSOLocal(dso_local != 0);
}

// Module::getPIELevel: 0 when the module was not compiled as PIE (e.g.
// -fPIC code for a shared library).
int dtlto_pie_level(LLVMModuleRef module) {
  return static_cast<int>(unwrap(module)->getPIELevel());
}

// lld's LTO TargetOptions (lld/ELF/LTO.cpp initConfigs): LLVM's codegen
// flag defaults (InitTargetOptionsFromCodeGenFlags: .init_array for
// constructors, ...), a section per function and variable, and
// address-significance tables. The C API's target machines start from
// TargetOptions(), which puts constructors in .ctors, which glibc never runs.
static codegen::RegisterCodeGenFlags register_codegen_flags;

void dtlto_init_target_options(LLVMTargetMachineRef tm, int function_sections,
                               int data_sections) {
  TargetMachine *t = reinterpret_cast<TargetMachine *>(tm);
  TargetOptions options =
      codegen::InitTargetOptionsFromCodeGenFlags(t->getTargetTriple());
  options.FunctionSections = function_sections != 0;
  options.DataSections = data_sections != 0;
  options.EmitAddrsig = true;
  t->Options = options;
}

// MCSubtargetInfo::isCPUStringValid: LLVM only warns about an unknown
// -mcpu and carries on; dtlto refuses it instead.
int dtlto_cpu_is_valid(LLVMTargetMachineRef tm, const char *cpu) {
  TargetMachine *t = reinterpret_cast<TargetMachine *>(tm);
  const MCSubtargetInfo *sti = t->getMCSubtargetInfo();
  return sti && sti->isCPUStringValid(cpu) ? 1 : 0;
}

} // extern "C"
