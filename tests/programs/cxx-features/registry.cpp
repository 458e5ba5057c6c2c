// Global constructors in two modules: both must run before main (they are
// emitted through .init_array, which the backends must use).
#include <string>
#include <vector>

std::vector<std::string> &registry() {
    static std::vector<std::string> names;
    return names;
}

namespace {
struct Register {
    explicit Register(const char *name) { registry().push_back(name); }
} registered("registry.cpp");
} // namespace
