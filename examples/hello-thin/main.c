/* A small multi-file program used by ci/demo and the end-to-end tests:
 * cross-module calls small enough to inline, a static helper reached only
 * through an imported function (it must be promoted), a read-only table
 * imported as a constant, and a static counter shared by two functions. */
#include <stdio.h>
#include "shapes.h"

int main(int argc, char **argv) {
    (void)argv;
    long total = 0;
    for (int i = 1; i <= 10; i++)
        total += square(i) + scaled(i);
    printf("sum of squares and scaled values: %ld\n", total);
    printf("checksum of table: %ld\n", table_checksum(argc + 6));
    printf("collatz steps for 27: %d\n", collatz_steps(27));
    printf("counter after bumps: %d\n", bump_counter(3));
    return 0;
}
