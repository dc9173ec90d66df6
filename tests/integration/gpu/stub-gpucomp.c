/* A driver library built against a new glibc: arc4random is GLIBC_2.36
 * (bookworm and later; bullseye has 2.31). */
#include <stdlib.h>
unsigned nvidia_gpucomp_seed(void) { return arc4random(); }
