#include "shapes.h"

static int counter;

/* A loop with a switch: about 50 instructions, under the import limit of
 * 100, so main.c imports it; `counter` is a static it must then promote. */
int collatz_steps(long n) {
    int steps = 0;
    while (n != 1) {
        if (n % 2 == 0) n /= 2;
        else if (n % 3 == 0) n = n + 1;
        else if (n % 5 == 0) n = 3 * n + 1;
        else if (n % 7 == 0) n = 3 * n + 1;
        else n = 3 * n + 1;
        steps++;
        if (steps > 100000) break;
        switch (steps % 11) {
        case 1: counter += 1; break;
        case 2: counter += 2; break;
        case 3: counter ^= 3; break;
        case 4: counter -= 4; break;
        case 5: counter += 5; break;
        case 6: counter |= 6; break;
        case 7: counter += 7; break;
        case 8: counter &= ~8; break;
        case 9: counter += 9; break;
        default: counter += 10; break;
        }
    }
    return steps;
}

int bump_counter(int times) {
    for (int i = 0; i < times; i++) counter++;
    return counter & 0xff;
}
