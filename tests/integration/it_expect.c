#include "tests/integration/it_expect.h"

#include <stdarg.h>
#include <stdio.h>

static int it__failures;

int it_expect_failures(void)
{
	return it__failures;
}

void it__expect(int ok, const char *file, int line, const char *cond, const char *fmt, ...)
{
	if (ok)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s:%d: EXPECTATION FAILED (%s): ", file, line, cond);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	it__failures++;
}

static void it__describe(const struct tc_result *r, char *buf, size_t cap)
{
	if (r->status == TC_CHECK_CONDITION && r->sense.valid)
		snprintf(buf, cap, "CHECK CONDITION %x/%02x/%02x", r->sense.key, r->sense.asc,
			 r->sense.ascq);
	else
		snprintf(buf, cap, "status 0x%02x", r->status);
}

void it__expect_sense(const struct tc_result *r, int key, int asc, int ascq, const char *what,
		      const char *file, int line)
{
	char got[64];
	it__describe(r, got, sizeof got);
	it__expect(tc_check(r, (uint8_t)key, (uint8_t)asc, (uint8_t)ascq), file, line, "sense",
		   "%s: want CHECK CONDITION %x/%02x/%02x, got %s", what, key, asc, ascq, got);
}

void it__expect_status(const struct tc_result *r, int status, const char *what,
		       const char *file, int line)
{
	char got[64];
	it__describe(r, got, sizeof got);
	it__expect(r->status == status, file, line, "status", "%s: want status 0x%02x, got %s",
		   what, status, got);
}
