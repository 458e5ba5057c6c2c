#pragma once
#include <memory>
#include <string>
#include <vector>

struct Shape {
    virtual ~Shape() = default;
    virtual double area() const = 0;
    virtual std::string name() const = 0;
};

std::unique_ptr<Shape> make_square(double side);
std::unique_ptr<Shape> make_circle(double radius);

template <typename T> T clamp_to(T v, T lo, T hi) { return v < lo ? lo : (v > hi ? hi : v); }

inline int twice(int x) { return 2 * x; }

double total_area(const std::vector<std::unique_ptr<Shape>> &shapes);
int checked_sqrt(int v); // throws std::domain_error for negatives
