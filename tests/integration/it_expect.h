/* it_expect.h - soft expectations for integration tests that check many independent facts
 * about a running node: each failed one is reported with its location and the test goes
 * on, so one run shows everything that is wrong; it_expect_failures() decides the exit.
 * (tests/testutil.h's CHECK stays the tool for preconditions: it ends the test at once.)
 * Not thread-safe: the count is a plain global, for single-threaded test programs. */
#ifndef VTL_TESTS_IT_EXPECT_H
#define VTL_TESTS_IT_EXPECT_H

#include "tests/client/tclient.h"

#define IT_EXPECT(cond, ...) it__expect(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)

/* res must be CHECK CONDITION with exactly key/asc/ascq; prints what came instead. */
#define IT_EXPECT_SENSE(res, key, asc, ascq, what)                                        \
	it__expect_sense((res), (key), (asc), (ascq), (what), __FILE__, __LINE__)
/* res must have exactly this SAM status (TC_GOOD, TC_RESERVATION_CONFLICT, ...). */
#define IT_EXPECT_STATUS(res, status, what)                                               \
	it__expect_status((res), (status), (what), __FILE__, __LINE__)

int it_expect_failures(void);

void it__expect(int ok, const char *file, int line, const char *cond, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void it__expect_sense(const struct tc_result *r, int key, int asc, int ascq, const char *what,
		      const char *file, int line);
void it__expect_status(const struct tc_result *r, int status, const char *what,
		       const char *file, int line);

#endif
