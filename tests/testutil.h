/* testutil.h - the few helpers every C test uses: checks that print file:line and the
 * values on failure and exit non-zero, and a private temporary directory. */
#ifndef VTL_TESTS_TESTUTIL_H
#define VTL_TESTS_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
			exit(1);                                                      \
		}                                                                     \
	} while (0)

#define CHECK_EQ(a, b)                                                                \
	do {                                                                          \
		long long _a = (long long)(a), _b = (long long)(b);                   \
		if (_a != _b) {                                                       \
			fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, %s == %lld\n", \
				__FILE__, __LINE__, #a, _a, #b, _b);                  \
			exit(1);                                                      \
		}                                                                     \
	} while (0)

/* Makes a fresh directory under $TMPDIR (or /tmp) named after the test; returns a static
 * path. Removed by tu_rmtree() or left for inspection on failure. */
const char *tu_tmpdir(const char *name);
int tu_rmtree(const char *path);

#endif
