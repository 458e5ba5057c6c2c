#include "shapes.h"

/* Only used through scaled(): once scaled() is imported into main.c this
 * static function must be promoted so the importer can call it. */
static int __attribute__((noinline)) scale_factor(int x) { return x % 3 + 2; }

static const int weights[8] = {3, 1, 4, 1, 5, 9, 2, 6};

int square(int x) { return x * x; }

int scaled(int x) { return x * scale_factor(x); }

long table_checksum(int n) {
    long sum = 0;
    for (int i = 0; i < n; i++)
        sum += (long)weights[i % 8] * (i + 1);
    return sum;
}
