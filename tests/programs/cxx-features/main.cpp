#include "shapes.h"
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

std::vector<std::string> &registry();
static struct MainRegister {
    MainRegister() { registry().push_back("main.cpp"); }
} main_registered;

int main() {
    std::vector<std::unique_ptr<Shape>> shapes;
    shapes.push_back(make_square(3));
    shapes.push_back(make_circle(2));
    shapes.push_back(make_square(250));
    for (const auto &s : shapes) std::printf("%s %.2f\n", s->name().c_str(), s->area());
    std::printf("total %.2f twice %d clamp %d\n", total_area(shapes), twice(21), clamp_to(7, 0, 5));
    try {
        checked_sqrt(-4);
        std::puts("no exception");
    } catch (const std::domain_error &e) {
        std::printf("caught: %s\n", e.what());
    }
    std::printf("sqrt 50 = %d\n", checked_sqrt(50));
    std::printf("constructors ran: %zu\n", registry().size());
    return 0;
}
