// lld 22's ELF driver inside dtlto: the final link of `dtlto link` without
// starting a process that loads libLLVM again (what lld's own in-process
// ThinLTO never pays). lld as a library (`lld::lldMain`) is safe to call
// once per process and recovers from its own fatal errors.

#include "lld/Common/Driver.h"
#include "llvm/Support/raw_ostream.h"

#include <vector>

LLD_HAS_DRIVER(elf)

extern "C" int dtlto_lld_elf_link(const char *const *argv, int argc) {
  std::vector<const char *> args(argv, argv + argc);
  lld::Result result = lld::lldMain(args, llvm::outs(), llvm::errs(),
                                    {{lld::Gnu, &lld::elf::link}});
  llvm::outs().flush();
  llvm::errs().flush();
  return result.retCode;
}
