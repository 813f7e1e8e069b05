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

/* 1 in an AddressSanitizer build (gcc says so with __SANITIZE_ADDRESS__, clang with
 * __has_feature): ASan brings its own allocator and per-thread state, which the code
 * that works around malloc or shares its memory with a child must leave alone. */
#if defined(__SANITIZE_ADDRESS__)
#define BATON_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BATON_ASAN 1
#endif
#endif
#ifndef BATON_ASAN
#define BATON_ASAN 0
#endif
#endif
