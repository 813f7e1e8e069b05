/* Force-included first in every translation unit (see Makefile): the system headers
 * whose functions banned.h poisons come in before the poison, so their declarations
 * stay intact, and any later use in our code fails to compile. */
#ifndef BATON_COMPAT_H
#define BATON_COMPAT_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "banned.h"
#endif
