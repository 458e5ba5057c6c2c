/* One half of a program split into many parts: statics named as in
   two.c, tables, a constructor, computed goto, function pointers. */
#include <stdio.h>

static int calls;
static const int primes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29};
static int startup_value;

__attribute__((noinline)) static int twice(int x) {
  calls++;
  return 2 * x;
}

__attribute__((noinline)) int one_sum(int n) {
  int s = 0;
  for (int i = 0; i < n && i < 10; i++)
    s += twice(primes[i]);
  return s;
}

__attribute__((noinline)) static const char *name_of(int op) {
  static const char *const names[] = {"add", "sub", "mul"};
  return names[op % 3];
}

__attribute__((noinline)) int one_dispatch(int op, int a, int b) {
  static void *labels[] = {&&add, &&sub, &&mul};
  goto *labels[op % 3];
add:
  return a + b;
sub:
  return a - b;
mul:
  return a * b;
}

__attribute__((noinline)) static int square(int x) { return x * x; }
__attribute__((noinline)) static int cube(int x) { return x * x * x; }
static int (*const powers[])(int) = {square, cube};

__attribute__((noinline)) int one_power(int which, int x) {
  return powers[which & 1](x);
}

__attribute__((noinline)) void one_report(int op) {
  printf("op %s, calls %d, startup %d\n", name_of(op), calls, startup_value);
}

__attribute__((constructor)) static void one_startup(void) { startup_value = 42; }

__attribute__((used)) static int kept_for_debuggers(void) { return calls; }
