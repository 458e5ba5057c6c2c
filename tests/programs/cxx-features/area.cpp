#include "shapes.h"

double total_area(const std::vector<std::unique_ptr<Shape>> &shapes) {
    double sum = 0;
    for (const auto &s : shapes) sum += s->area();
    return sum + twice(0);
}
