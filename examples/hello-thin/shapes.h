#ifndef SHAPES_H
#define SHAPES_H
int square(int x);
int scaled(int x);
long table_checksum(int n);
int collatz_steps(long n);
int bump_counter(int times);
#endif
