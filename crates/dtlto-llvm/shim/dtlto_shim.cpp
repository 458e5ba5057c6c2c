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
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/CodeGen/CommandFlags.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/ValueMapper.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalIFunc.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/StandardInstrumentations.h"
#include "llvm/Transforms/Scalar/AnnotationRemarks.h"
#include "llvm/IR/LLVMRemarkStreamer.h"
#include "llvm/LTO/LTO.h"
#include "llvm/LTO/LTOBackend.h"

#include <cstdint>
#include <vector>

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

// One IRMover per destination module, kept across its source modules as
// FunctionImporter::importFunctions keeps one: building it walks every type
// of the destination (a TypeFinder run, as costly as a small module's
// whole import), and the metadata it has mapped is shared between moves.
void *dtlto_ir_mover_new(LLVMModuleRef dest) { return new IRMover(*unwrap(dest)); }

void dtlto_ir_mover_dispose(void *mover) { delete static_cast<IRMover *>(mover); }

// IRMover::move with IsPerformingImport: moves exactly the named globals of
// `source` (and what they need) into the mover's module, the way
// FunctionImporter does. Consumes `source` in every case.
int dtlto_import(void *ir_mover, LLVMModuleRef source,
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
  IRMover &mover = *static_cast<IRMover *>(ir_mover);
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
// A function's or variable's definition dropped, the declaration kept.
// Returns false for other kinds of global.
static bool drop_definition(GlobalValue *gv) {
  if (auto *f = dyn_cast<Function>(gv)) {
    f->deleteBody();
    f->clearMetadata();
    f->setComdat(nullptr);
  } else if (auto *v = dyn_cast<GlobalVariable>(gv)) {
    v->setInitializer(nullptr);
    v->setLinkage(GlobalValue::ExternalLinkage);
    v->clearMetadata();
    v->setComdat(nullptr);
  } else {
    return false;
  }
  return true;
}

int dtlto_convert_to_declaration(LLVMValueRef global) {
  auto *gv = unwrap<GlobalValue>(global);
  if (drop_definition(gv))
    return 1;
  if (auto *a = dyn_cast<GlobalAlias>(gv)) {
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
    return 1;
  }
  return 0;
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

// A target machine made as LLVM's LTO makes one (lto::createTargetMachine):
// the options go to the target's constructor, which adds its own on top
// (both targets turn on debug entry values and the machine outliner;
// AArch64 also its default outlining, CFI fixups and GlobalISel at -O0).
// The C API's machines start from TargetOptions() (which
// put constructors in .ctors, which glibc never runs) and cannot take
// these; overwriting the options afterwards would undo the target's. The options are lld's (lld/ELF/LTO.cpp initConfigs): LLVM's
// codegen flag defaults (InitTargetOptionsFromCodeGenFlags: .init_array
// for constructors, ...), a section per function and variable, and
// address-significance tables. LLVMgold's (gold-plugin.cpp createLTO)
// differ in two: no address-significance table, and no relaxable GOT
// relocations on x86-64. Returns null if the target cannot make one.
static codegen::RegisterCodeGenFlags register_codegen_flags;

LLVMTargetMachineRef dtlto_create_target_machine(
    LLVMTargetRef target, const char *triple, const char *cpu,
    const char *features, int opt_level, int pic, int function_sections,
    int data_sections, int asm_verbose, int addrsig, int relax_relocations) {
  Triple tt(triple);
  TargetOptions options = codegen::InitTargetOptionsFromCodeGenFlags(tt);
  options.FunctionSections = function_sections != 0;
  options.DataSections = data_sections != 0;
  options.EmitAddrsig = addrsig != 0;
  // Only ever turned off: with it on, -mllvm -x86-relax-relocations=false
  // still has its say, as under lld; LLVMgold overrides the flag.
  if (!relax_relocations)
    options.MCOptions.X86RelaxRelocations = false;
  // lld's --lto-emit-asm: assembly with the printer's comments.
  options.MCOptions.AsmVerbose = asm_verbose != 0;
  std::optional<CodeGenOptLevel> level = CodeGenOpt::getLevel(opt_level);
  if (!level)
    return nullptr;
  const Target *t = reinterpret_cast<const Target *>(target);
  TargetMachine *tm = t->createTargetMachine(
      tt, cpu, features, options, pic ? Reloc::PIC_ : Reloc::Static,
      std::nullopt, *level);
  return reinterpret_cast<LLVMTargetMachineRef>(tm);
}

// cl::ParseCommandLineOptions, as lld applies its -mllvm options: LLVM's
// global options, for every backend of the process. The C API's
// LLVMParseCommandLineOptions drops LLVM's complaints (an unknown option
// is ignored without a word); here they come back as the error. argv[0]
// is the program's name. Returns 0 on success.
int dtlto_parse_llvm_options(const char *const *argv, int argc, char **error) {
  std::string messages;
  raw_string_ostream os(messages);
  bool ok = cl::ParseCommandLineOptions(argc, argv, "", &os);
  os.flush();
  if (ok)
    return 0;
  *error = dup_message(messages);
  return 1;
}

// MCSubtargetInfo::isCPUStringValid: LLVM only warns about an unknown
// -mcpu and carries on; dtlto refuses it instead.
int dtlto_cpu_is_valid(LLVMTargetMachineRef tm, const char *cpu) {
  TargetMachine *t = reinterpret_cast<TargetMachine *>(tm);
  const MCSubtargetInfo *sti = t->getMCSubtargetInfo();
  return sti && sti->isCPUStringValid(cpu) ? 1 : 0;
}

// ---------------------------------------------------------------------------
// Splitting a module's backend (dtlto-core/src/split.rs decides; these
// apply). Global values are numbered in one fixed order: variables,
// functions, aliases, ifuncs, each in module order. The bitcode writer and
// reader keep these lists in order, so a module written after
// dtlto_split_prepare and read back numbers its globals the same way.

static std::vector<GlobalValue *> numbered_globals(Module &m) {
  std::vector<GlobalValue *> all;
  for (GlobalVariable &v : m.globals())
    all.push_back(&v);
  for (Function &f : m.functions())
    all.push_back(&f);
  for (GlobalAlias &a : m.aliases())
    all.push_back(&a);
  for (GlobalIFunc &i : m.ifuncs())
    all.push_back(&i);
  return all;
}

// The global values a constant refers to, through constant expressions
// and aggregates; block addresses are reported separately (their function
// must stay with the user).
static void constant_refs(const Constant *c, SmallPtrSetImpl<const Constant *> &seen,
                          std::vector<const GlobalValue *> &refs,
                          std::vector<const GlobalValue *> &joins) {
  if (!seen.insert(c).second)
    return;
  if (auto *gv = dyn_cast<GlobalValue>(c)) {
    refs.push_back(gv);
    return;
  }
  if (auto *ba = dyn_cast<BlockAddress>(c)) {
    joins.push_back(ba->getFunction());
    return;
  }
  for (const Use &op : c->operands())
    if (auto *oc = dyn_cast<Constant>(op.get()))
      constant_refs(oc, seen, refs, joins);
}

enum : uint32_t {
  NODE_DEFINED = 1,
  NODE_LOCAL = 2,
  NODE_APPENDING = 4,
  NODE_DUPLICABLE = 8,
};

// The module's reference graph for the partitioner, as 32-bit words per
// global: flags, size (low, high), comdat number + 1 (0: none), reference
// count, join count, then the references and joins as global numbers.
// The buffer is malloc'ed; free it with dtlto_free.
uint32_t *dtlto_split_graph(LLVMModuleRef module, size_t *words) {
  Module &m = *unwrap(module);
  std::vector<GlobalValue *> all = numbered_globals(m);
  DenseMap<const GlobalValue *, uint32_t> number;
  for (size_t i = 0; i < all.size(); ++i)
    number[all[i]] = static_cast<uint32_t>(i);
  DenseMap<const Comdat *, uint32_t> comdats;
  std::vector<uint32_t> out;
  out.push_back(static_cast<uint32_t>(all.size()));
  for (GlobalValue *gv : all) {
    std::vector<const GlobalValue *> refs, joins;
    SmallPtrSet<const Constant *, 32> seen;
    uint64_t size = 0;
    if (auto *f = dyn_cast<Function>(gv)) {
      for (const BasicBlock &bb : *f)
        for (const Instruction &inst : bb) {
          ++size;
          for (const Use &op : inst.operands())
            if (auto *c = dyn_cast<Constant>(op.get()))
              constant_refs(c, seen, refs, joins);
        }
      if (f->hasPersonalityFn())
        constant_refs(f->getPersonalityFn(), seen, refs, joins);
      if (f->hasPrefixData())
        constant_refs(f->getPrefixData(), seen, refs, joins);
      if (f->hasPrologueData())
        constant_refs(f->getPrologueData(), seen, refs, joins);
    } else if (auto *v = dyn_cast<GlobalVariable>(gv)) {
      if (v->hasInitializer())
        constant_refs(v->getInitializer(), seen, refs, joins);
    } else if (auto *a = dyn_cast<GlobalAlias>(gv)) {
      if (const GlobalObject *base = a->getAliaseeObject())
        joins.push_back(base);
      constant_refs(a->getAliasee(), seen, refs, joins);
    } else if (auto *i = dyn_cast<GlobalIFunc>(gv)) {
      if (const Function *resolver = i->getResolverFunction())
        joins.push_back(resolver);
    }
    uint32_t flags = 0;
    if (!gv->isDeclaration())
      flags |= NODE_DEFINED;
    if (gv->hasLocalLinkage())
      flags |= NODE_LOCAL;
    if (gv->hasAppendingLinkage())
      flags |= NODE_APPENDING;
    // A local constant whose address nobody compares can be copied into
    // every part that uses it instead of being promoted.
    if (auto *v = dyn_cast<GlobalVariable>(gv))
      if (v->hasLocalLinkage() && v->isConstant() && v->hasGlobalUnnamedAddr() &&
          v->hasInitializer() && !v->hasComdat() && !v->hasSection() &&
          !v->isThreadLocal())
        flags |= NODE_DUPLICABLE;
    uint32_t comdat = 0;
    if (const Comdat *c = gv->getComdat())
      comdat = comdats.try_emplace(c, comdats.size() + 1).first->second;
    std::vector<uint32_t> ref_numbers, join_numbers;
    for (const GlobalValue *r : refs) {
      auto it = number.find(r);
      if (it != number.end())
        ref_numbers.push_back(it->second);
    }
    for (const GlobalValue *j : joins) {
      auto it = number.find(j);
      if (it != number.end())
        join_numbers.push_back(it->second);
    }
    out.push_back(flags);
    out.push_back(static_cast<uint32_t>(size));
    out.push_back(static_cast<uint32_t>(size >> 32));
    out.push_back(comdat);
    out.push_back(static_cast<uint32_t>(ref_numbers.size()));
    out.push_back(static_cast<uint32_t>(join_numbers.size()));
    out.insert(out.end(), ref_numbers.begin(), ref_numbers.end());
    out.insert(out.end(), join_numbers.begin(), join_numbers.end());
  }
  uint32_t *buf = static_cast<uint32_t *>(std::malloc(out.size() * sizeof(uint32_t)));
  if (!buf) {
    *words = 0;
    return nullptr;
  }
  std::memcpy(buf, out.data(), out.size() * sizeof(uint32_t));
  *words = out.size();
  return buf;
}

void dtlto_free(void *p) { std::free(p); }

// Before the module is written for its parts: what another part refers to
// must be visible to it. Locals get a name unique to this module (`suffix`
// carries the module hash) and hidden external linkage; linkonce
// definitions become weak, so the part that owns them keeps them even
// where nothing in the part uses them.
void dtlto_split_prepare(LLVMModuleRef module, const uint8_t *across, size_t count,
                         const char *suffix) {
  Module &m = *unwrap(module);
  std::vector<GlobalValue *> all = numbered_globals(m);
  for (size_t i = 0; i < all.size() && i < count; ++i) {
    if (!across[i])
      continue;
    GlobalValue *gv = all[i];
    if (gv->hasLocalLinkage()) {
      std::string base = gv->hasName() ? gv->getName().str()
                                       : "__dtlto_split_anon." + std::to_string(i);
      gv->setName(base + suffix);
      gv->setLinkage(GlobalValue::ExternalLinkage);
      gv->setVisibility(GlobalValue::HiddenVisibility);
      gv->setDSOLocal(true);
    } else if (gv->hasLinkOnceODRLinkage()) {
      gv->setLinkage(GlobalValue::WeakODRLinkage);
    } else if (gv->hasLinkOnceLinkage()) {
      gv->setLinkage(GlobalValue::WeakAnyLinkage);
    }
  }
}

// The global an entry of an appending array (llvm.used, llvm.global_ctors)
// is about: the first global value it refers to.
static const GlobalValue *entry_subject(const Constant *c) {
  SmallPtrSet<const Constant *, 8> seen;
  std::vector<const GlobalValue *> refs, joins;
  constant_refs(c, seen, refs, joins);
  return refs.empty() ? nullptr : refs.front();
}

// One part of a split module: the definitions `owner` gives to other parts
// become declarations; appending arrays keep the entries of this part's
// definitions (entries about no definition stay in part 0), and
// module-level asm stays in part 0. `owner[i]` is the part of global i,
// UINT32_MAX for declarations, appending arrays and constants every part
// copies. Returns 0, or 1 with `error` when the module's globals do not
// number as the partition was made.
int dtlto_split_keep_part(LLVMModuleRef module, const uint32_t *owner, size_t count,
                          uint32_t part, char **error) {
  Module &m = *unwrap(module);
  std::vector<GlobalValue *> all = numbered_globals(m);
  if (all.size() != count) {
    *error = dup_message("the module has " + std::to_string(all.size()) +
                         " globals, the partition " + std::to_string(count));
    return 1;
  }
  DenseMap<const GlobalValue *, uint32_t> owner_of;
  for (size_t i = 0; i < count; ++i)
    owner_of[all[i]] = owner[i];
  for (GlobalValue *gv : all) {
    auto *array = dyn_cast<GlobalVariable>(gv);
    if (!array || !array->hasAppendingLinkage() || !array->hasInitializer())
      continue;
    auto *init = dyn_cast<ConstantArray>(array->getInitializer());
    if (!init)
      continue;
    std::vector<Constant *> kept;
    for (const Use &op : init->operands()) {
      auto *entry = cast<Constant>(op.get());
      const GlobalValue *subject = entry_subject(entry);
      uint32_t home = 0;
      if (subject) {
        auto it = owner_of.find(subject);
        if (it != owner_of.end() && it->second != UINT32_MAX)
          home = it->second;
      }
      if (home == part)
        kept.push_back(entry);
    }
    if (kept.size() == init->getNumOperands())
      continue;
    if (kept.empty()) {
      // LLVM's special arrays may not be empty: a part with no entry has
      // none.
      array->eraseFromParent();
      continue;
    }
    ArrayType *type = ArrayType::get(init->getType()->getElementType(), kept.size());
    auto *replacement = new GlobalVariable(
        m, type, array->isConstant(), array->getLinkage(),
        ConstantArray::get(type, kept), "", array, array->getThreadLocalMode(),
        array->getAddressSpace());
    replacement->copyAttributesFrom(array);
    replacement->takeName(array);
    array->eraseFromParent();
  }
  for (size_t i = 0; i < count; ++i) {
    if (owner[i] == UINT32_MAX || owner[i] == part)
      continue;
    GlobalValue *gv = all[i];
    if (gv->isDeclaration())
      continue;
    if (drop_definition(gv)) {
      continue;
    }
    if (auto *a = dyn_cast<GlobalAlias>(gv)) {
      GlobalValue *decl;
      if (a->getValueType()->isFunctionTy())
        decl = Function::Create(cast<FunctionType>(a->getValueType()),
                                GlobalValue::ExternalLinkage, a->getAddressSpace(),
                                "", &m);
      else
        decl = new GlobalVariable(m, a->getValueType(), false,
                                  GlobalValue::ExternalLinkage, nullptr, "", nullptr,
                                  a->getThreadLocalMode(), a->getAddressSpace());
      decl->setVisibility(a->getVisibility());
      decl->setDSOLocal(a->isDSOLocal());
      decl->takeName(a);
      a->replaceAllUsesWith(decl);
      a->eraseFromParent();
    } else if (auto *ifunc = dyn_cast<GlobalIFunc>(gv)) {
      auto *decl = Function::Create(cast<FunctionType>(ifunc->getValueType()),
                                    GlobalValue::ExternalLinkage,
                                    ifunc->getAddressSpace(), "", &m);
      decl->setVisibility(ifunc->getVisibility());
      decl->takeName(ifunc);
      ifunc->replaceAllUsesWith(decl);
      ifunc->eraseFromParent();
    }
  }
  if (part != 0)
    m.setModuleInlineAsm("");
  if (Error e = m.materializeAll()) {
    *error = dup_message(toString(std::move(e)));
    return 1;
  }
  return 0;
}

// The two halves of LLVM's ThinLTO backend pipeline
// (PassBuilder::buildThinLTODefaultPipeline without an import summary):
// phase 1 the module simplification pipeline (inlining among it), phase 2
// the module optimization pipeline and annotation remarks. A split module
// runs phase 1 whole and phase 2 per part. Pass builder set up as
// LLVMRunPasses sets it up, vectorizers as lld's LTO sets them; `debug`:
// the pass manager prints what it runs (lld's --lto-debug-pass-manager).
int dtlto_run_thinlto_phase(LLVMModuleRef module, LLVMTargetMachineRef tm, int level,
                            int phase, int vectorize, int debug, char **error) {
  OptimizationLevel ol;
  switch (level) {
  case 1: ol = OptimizationLevel::O1; break;
  case 2: ol = OptimizationLevel::O2; break;
  case 3: ol = OptimizationLevel::O3; break;
  case 's': ol = OptimizationLevel::Os; break;
  case 'z': ol = OptimizationLevel::Oz; break;
  default:
    *error = dup_message("the split pipeline needs -O1 or above");
    return 1;
  }
  PipelineTuningOptions pto;
  pto.LoopVectorization = vectorize != 0;
  pto.SLPVectorization = vectorize != 0;
  PassInstrumentationCallbacks pic;
  PassBuilder pb(reinterpret_cast<TargetMachine *>(tm), pto, std::nullopt, &pic);
  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  pb.registerLoopAnalyses(lam);
  pb.registerFunctionAnalyses(fam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerModuleAnalyses(mam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  Module &m = *unwrap(module);
  StandardInstrumentations si(m.getContext(), debug != 0, false);
  si.registerCallbacks(pic, &mam);
  ModulePassManager mpm;
  if (phase == 1) {
    mpm.addPass(pb.buildModuleSimplificationPipeline(ol, ThinOrFullLTOPhase::ThinLTOPostLink));
  } else {
    mpm.addPass(pb.buildModuleOptimizationPipeline(ol, ThinOrFullLTOPhase::ThinLTOPostLink));
    mpm.addPass(createModuleToFunctionPassAdaptor(AnnotationRemarksPass()));
  }
  mpm.run(m, mam);
  return 0;
}

// Optimization remarks of one backend, set up on its context by LLVM's
// own LTO helper, so the file is named and written exactly as lld's and
// LLVMgold's: `<file>.thin.<task>.<format>` for ThinLTO task `task`, the
// file itself for task < 0 (the regular LTO part, empty in a ThinLTO-only
// link). `threshold_auto`: the hotness threshold comes from the profile
// summary. Returns an opaque handle for dtlto_remarks_end, or null with
// an error.
void *dtlto_remarks_begin(LLVMContextRef context, const char *file, const char *passes,
                          const char *format, int with_hotness, uint64_t threshold,
                          int threshold_auto, int task, char **error) {
  std::optional<uint64_t> hotness;
  if (!threshold_auto)
    hotness = threshold;
  auto handle = lto::setupLLVMOptimizationRemarks(*unwrap(context), file, passes, format,
                                                  with_hotness != 0, hotness, task);
  if (!handle) {
    *error = dup_message(toString(handle.takeError()));
    return nullptr;
  }
  return new LLVMRemarkFileHandle(std::move(*handle));
}

// Keeps and flushes the remarks file (LLVM's finalizeOptimizationRemarks)
// when `keep`, else drops it (the backend failed: no partial file is
// left); frees the handle either way. Returns 0 on success.
int dtlto_remarks_end(void *handle, int keep, char **error) {
  std::unique_ptr<LLVMRemarkFileHandle> file(static_cast<LLVMRemarkFileHandle *>(handle));
  if (!keep)
    return 0;
  if (Error e = lto::finalizeOptimizationRemarks(std::move(*file))) {
    *error = dup_message(toString(std::move(e)));
    return 1;
  }
  return 0;
}

} // extern "C"
