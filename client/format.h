/* format.h - how clusterctl writes and reads numbers for people: sizes in binary units
 * ("4.0 GiB"), "4G" on the command line, timestamps and ages, name lists.
 *
 * Tables show sizes rounded for reading; --json always carries the exact byte counts, so
 * nothing here is used for machine output. Pure functions: no I/O, no globals. */
#ifndef VTL_CLIENT_FORMAT_H
#define VTL_CLIENT_FORMAT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define CLI_SIZE_STR 16          /* "1023.9 EiB" and the NUL fit */
#define CLI_TIME_STR 32          /* "2026-11-22T05:31:02.114Z" */

/* "512 B", "4.0 GiB", "931.3 GiB": below 1 KiB exact, else one decimal in the largest
 * binary unit that keeps the number below 1024. Returns buf. */
const char *cli_fmt_size(uint64_t bytes, char buf[CLI_SIZE_STR]);

/* Parses "4096", "4G", "4GiB", "1.5T", "512k" (binary units K M G T P, optional "iB" or
 * "B", up to 3 decimals) into bytes. 0 or -EINVAL (not a size), -ERANGE (over 2^63-1,
 * or a fraction of a byte). */
int cli_parse_size(const char *s, uint64_t *out);

/* Parses a decimal unsigned integer, no sign or suffix, into [min, max].
 * 0, -EINVAL, -ERANGE. */
int cli_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Unix milliseconds as UTC "2026-11-22T05:31:02.114Z" (the log format). Returns buf. */
const char *cli_fmt_time(uint64_t unix_ms, char buf[CLI_TIME_STR]);
/* An age for people: "4s", "3m", "2h5m", "6d3h". Returns buf (at least 16 bytes). */
const char *cli_fmt_age(uint64_t ms, char *buf, size_t cap);
/* Now, in unix milliseconds. */
uint64_t cli_now_ms(void);

/* Joins the strings of a JSON array with ", " into buf; "-" when empty, absent or not
 * an array of strings. Returns buf. */
const char *cli_fmt_names(const json_t *array, char *buf, size_t cap);

#endif
