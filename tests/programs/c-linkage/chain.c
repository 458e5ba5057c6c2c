/* Each link is bigger than the last so that evolving thresholds cut the
 * chain where LLVM does. */
int chain3(int x) {
    int s = 0;
    for (int i = 0; i < x; i++) { s += i * x; s ^= s >> 3; s += 7; s *= 3; s -= i; s |= 1; }
    for (int i = 0; i < x; i++) { s += i * x; s ^= s >> 3; s += 7; s *= 3; s -= i; s |= 1; }
    return s;
}
int chain2(int x) {
    int s = chain3(x);
    for (int i = 0; i < x; i++) { s += i; s ^= s << 1; s += 5; }
    return s;
}
int chain1(int x) { return chain2(x + 1) + chain2(x); }
int chain0(int x) { return chain1(x) * 2; }
