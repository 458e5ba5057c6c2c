int common_value;
static int last_recorded; /* write-only: never read */
void record(int v) { last_recorded = v; }

static int helper(int x) { return x - 1; }
int helper_b(int x) { return helper(x) * 3; }

int shared_weak(void) { return 2; }

static int counter = 40;
int counter_value(void) { return counter + 2; }
int counter_alias(void) __attribute__((alias("counter_value")));

static int add(int a, int b) { return a + b; }
static int mul(int a, int b) { return a * b; }
static int (*const table[2])(int, int) = {add, mul};
int via_table(int which, int v) { return table[which & 1](v, v); }
