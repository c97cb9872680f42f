/* format.c - see format.h. */
#include "client/format.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define FMT__INT_MAX ((uint64_t)INT64_MAX)   /* what JSON (jansson) can carry */

const char *cli_fmt_size(uint64_t bytes, char buf[CLI_SIZE_STR])
{
	static const char *units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	if (bytes < 1024) {
		snprintf(buf, CLI_SIZE_STR, "%u B", (unsigned)bytes);
		return buf;
	}
	/* tenths of the unit, computed in integers so 2^64-1 never rounds through a double */
	size_t u = 0;
	uint64_t scale = 1024;
	while (u + 1 < sizeof units / sizeof units[0] && bytes / scale >= 1024) {
		scale *= 1024;
		u++;
	}
	uint64_t whole = bytes / scale;
	uint64_t tenths = ((bytes % scale) * 10 + scale / 2) / scale;  /* no overflow: % < 2^60 */
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	if (whole == 1024 && u + 1 < sizeof units / sizeof units[0]) {
		whole = 1;                      /* 1023.96 KiB reads better as 1.0 MiB */
		u++;
	}
	snprintf(buf, CLI_SIZE_STR, "%llu.%u %s", (unsigned long long)whole, (unsigned)tenths,
		 units[u]);
	return buf;
}

int cli_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	uint64_t v = 0;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (*s)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* The multiplier of a unit suffix ("", "K", "KiB", "kb", ...); 0 if not one. */
static uint64_t fmt__unit(const char *s)
{
	static const char letters[] = "KMGTP";
	if (!*s || !strcasecmp(s, "B"))
		return 1;
	const char *p = strchr(letters, toupper((unsigned char)*s));
	if (!p || !*p)
		return 0;
	const char *rest = s + 1;
	if (*rest && strcasecmp(rest, "B") && strcasecmp(rest, "iB"))
		return 0;
	return UINT64_C(1) << (10 * (p - letters + 1));
}

int cli_parse_size(const char *s, uint64_t *out)
{
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	uint64_t whole = 0, frac = 0, frac_div = 1;
	for (; isdigit((unsigned char)*s); s++) {
		if (whole > (FMT__INT_MAX - 9) / 10)
			return -ERANGE;
		whole = whole * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		for (; isdigit((unsigned char)*s); s++) {
			if (frac_div == 1000)
				return -EINVAL;         /* more decimals than anyone means */
			frac = frac * 10 + (uint64_t)(*s - '0');
			frac_div *= 10;
		}
	}
	uint64_t mul = fmt__unit(s);
	if (!mul)
		return -EINVAL;
	if (whole > FMT__INT_MAX / mul)
		return -ERANGE;
	uint64_t v = whole * mul, part = frac * mul;   /* frac < 1000, mul <= 2^50 */
	if (part % frac_div)
		return -ERANGE;                 /* "1.5" bytes */
	part /= frac_div;
	if (v > FMT__INT_MAX - part)
		return -ERANGE;
	*out = v + part;
	return 0;
}

const char *cli_fmt_time(uint64_t unix_ms, char buf[CLI_TIME_STR])
{
	time_t sec = (time_t)(unix_ms / 1000);
	struct tm tm;
	if (unix_ms / 1000 > (uint64_t)253402300799 || !gmtime_r(&sec, &tm)) {
		snprintf(buf, CLI_TIME_STR, "?");       /* after year 9999: not a real time */
		return buf;
	}
	size_t n = strftime(buf, CLI_TIME_STR, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, CLI_TIME_STR - n, ".%03uZ", (unsigned)(unix_ms % 1000));
	return buf;
}

const char *cli_fmt_age(uint64_t ms, char *buf, size_t cap)
{
	uint64_t s = ms / 1000;
	if (s < 60)
		snprintf(buf, cap, "%llus", (unsigned long long)s);
	else if (s < 3600)
		snprintf(buf, cap, "%llum", (unsigned long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, cap, "%lluh%llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else
		snprintf(buf, cap, "%llud%lluh", (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600));
	return buf;
}

uint64_t cli_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const char *cli_fmt_names(const json_t *array, char *buf, size_t cap)
{
	size_t len = 0, i;
	json_t *v;
	buf[0] = 0;
	if (json_is_array(array)) {
		json_array_foreach(array, i, v) {
			const char *s = json_string_value(v);
			int n = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", s ? s : "?");
			if (n < 0 || (size_t)n >= cap - len) {
				buf[len] = 0;   /* cut at a whole name: the table shows what fits */
				break;
			}
			len += (size_t)n;
		}
	}
	if (!buf[0])
		snprintf(buf, cap, "-");
	return buf;
}
