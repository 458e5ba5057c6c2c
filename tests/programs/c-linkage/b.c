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
/* Never written, but not const; read at a variable index, which takes its
 * address: not read-only, so imported (as a declaration) only under
 * -import-declaration. */
int (*ops[2])(int, int) = {add, mul};
int via_ops(int which, int v) { return ops[which & 1](v, v); }

/* Never written, not const, read by a load: read-only once attributes are
 * propagated, and only then importable with its reference. */
static int target_value = 6;
int *ro_ptr = &target_value;
int via_ptr(void) { return *ro_ptr; }

int unused_b(int x) { return x * 3; }
