/* The few <math.h> functions baton needs (log in search ranking; the statically linked
 * SQLite's math SQL functions), defined here as forwarders that open libm.so.6 on the
 * first call. Why: a library the executable needs is mapped and relocated at every
 * start, and most baton processes (hooks above all, with a 2 ms budget) never compute
 * a logarithm. They are glibc's own functions reached through dlsym, so results are
 * bit-identical to linking -lm (test_search_rank compares against FTS5's bm25).
 *
 * The list is what `nm -D build/baton | grep ' U '` showed libm providing; a new math
 * call elsewhere fails the ldd check in t/cli/t0001 until it is added here. Its header
 * is <math.h>. Built with -fno-builtin (Makefile) so the compiler does not treat the
 * definitions as its builtins. */
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>

#define D1(X) X(acos) X(acosh) X(asin) X(asinh) X(atan) X(atanh) X(cos) X(cosh) X(exp) \
	X(log) X(sin) X(sinh) X(sqrt) X(tan) X(tanh) X(trunc)
#define D2(X) X(atan2) X(fmod) X(pow)

static struct {
#define FIELD1(f) double (*f)(double);
#define FIELD2(f) double (*f)(double, double);
	D1(FIELD1)
	D2(FIELD2)
} m;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void *sym(void *h, const char *name)
{
	void *p = h ? dlsym(h, name) : NULL;
	if (!p)
		abort(); /* glibc without its libm: nothing sensible to compute with */
	return p;
}

static void load(void)
{
	/* RTLD_LOCAL: the executable's definitions stay the ones everyone else binds to */
	void *h = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
#define LOAD1(f) { void *p = sym(h, #f); memcpy(&m.f, &p, sizeof p); }
	D1(LOAD1)
	D2(LOAD1)
}

#define DEF1(f) double f(double x) { pthread_once(&once, load); return m.f(x); }
#define DEF2(f) double f(double x, double y) { pthread_once(&once, load); return m.f(x, y); }
D1(DEF1)
D2(DEF2)
