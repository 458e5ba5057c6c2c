/* Linkage corner cases: weak definitions, an alias, a tentative (common)
 * definition, same-named statics in two files, a call chain that walks the
 * import thresholds down (100, 70, 48, 33), a function-pointer table (a
 * variable with references), a read-only one that is not const (importable
 * only once attributes are propagated), a write-only variable, and a
 * function nothing calls (a seed of the import only without dead
 * stripping). */
#include <stdio.h>

int shared_weak(void);
int chain0(int);
int via_table(int, int);
int via_ops(int, int);
int via_ptr(void);
int unused_b(int);
int counter_alias(void);
void record(int);
int helper_b(int);
int common_value;

static int helper(int x) { return x + 1; }
int helper_a(int x) { return helper(x) * 2; }

int __attribute__((weak)) shared_weak(void) { return 1; }

int unused_a(int x) { return unused_b(x) + 1; }

int main(void) {
    common_value = 5;
    record(7);
    printf("weak %d chain %d table %d %d %d alias %d helpers %d %d common %d\n", shared_weak(),
           chain0(3), via_table(1, 4), via_ops(0, 4), via_ptr(), counter_alias(), helper_a(1),
           helper_b(1), common_value);
    return 0;
}
