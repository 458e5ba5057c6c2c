/* Linkage corner cases: weak definitions, an alias, a tentative (common)
 * definition, same-named statics in two files, a call chain that walks the
 * import thresholds down (100, 70, 48, 33), a function-pointer table (a
 * variable with references) and a write-only variable. */
#include <stdio.h>

int shared_weak(void);
int chain0(int);
int via_table(int, int);
int counter_alias(void);
void record(int);
int helper_b(int);
int common_value;

static int helper(int x) { return x + 1; }
int helper_a(int x) { return helper(x) * 2; }

int __attribute__((weak)) shared_weak(void) { return 1; }

int main(void) {
    common_value = 5;
    record(7);
    printf("weak %d chain %d table %d alias %d helpers %d %d common %d\n", shared_weak(),
           chain0(3), via_table(1, 4), counter_alias(), helper_a(1), helper_b(1), common_value);
    return 0;
}
