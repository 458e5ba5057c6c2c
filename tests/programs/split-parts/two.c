/* The other half: its own `twice`, callers of one.c, main. */
#include <stdio.h>

int one_sum(int n);
int one_dispatch(int op, int a, int b);
int one_power(int which, int x);
void one_report(int op);

static int total;

__attribute__((noinline)) static int twice(int x) {
  total += x;
  return x + x + 1;
}

__attribute__((noinline)) static int mix(int a, int b) {
  return twice(a) ^ twice(b);
}

__attribute__((noinline)) int two_walk(int n) {
  int acc = 0;
  for (int i = 0; i < n; i++)
    acc += mix(i, n - i);
  return acc;
}

int main(void) {
  printf("sum %d\n", one_sum(10));
  printf("dispatch %d %d %d\n", one_dispatch(0, 7, 5), one_dispatch(1, 7, 5),
         one_dispatch(2, 7, 5));
  printf("powers %d %d\n", one_power(0, 3), one_power(1, 3));
  printf("walk %d total %d\n", two_walk(20), total);
  one_report(2);
  return 0;
}
