#include "shapes.h"
#include <stdexcept>

namespace {
struct Square : Shape {
    double side;
    explicit Square(double s) : side(s) {}
    double area() const override { return side * side; }
    std::string name() const override { return "square"; }
};
struct Circle : Shape {
    double r;
    explicit Circle(double r) : r(r) {}
    double area() const override { return 3.25 * r * r; }
    std::string name() const override { return "circle"; }
};
} // namespace

std::unique_ptr<Shape> make_square(double side) { return std::make_unique<Square>(clamp_to(side, 0.0, 100.0)); }
std::unique_ptr<Shape> make_circle(double radius) { return std::make_unique<Circle>(radius); }

int checked_sqrt(int v) {
    if (v < 0) throw std::domain_error("negative input");
    int r = 0;
    while ((r + 1) * (r + 1) <= v) r++;
    return r;
}
