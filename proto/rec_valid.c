/* rec_valid.c - content checks for record strings (rec_fields.h): each returns NULL when
 * the string is fine, else a short reason that follows "field 'x': ". */
#include "proto/rec_fields.h"

#include <string.h>

#include "proto/keys.h"
#include "proto/records.h"

static bool valid__in(char c, const char *set)
{
	return c && strchr(set, c);
}

static bool valid__alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

const char *proto__why_name(const char *s)
{
	return proto_name_valid(s) ? NULL : "invalid name (want [A-Za-z0-9_-]{1,63})";
}

/* A decimal port 1..65535 without sign or leading zero. */
static bool valid__port(const char *p)
{
	size_t n = strlen(p);
	if (n < 1 || n > 5 || p[0] == '0')
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	return v <= 65535;
}

/* A DNS name or IPv4 address, or an IPv6 address in brackets (RFC 3986 3.2.2). The
 * resolver decides whether it exists; this only keeps separators and junk out. */
static bool valid__host(const char *h, size_t n)
{
	if (n >= 2 && h[0] == '[') {
		if (h[n - 1] != ']' || n == 2)
			return false;
		for (size_t i = 1; i + 1 < n; i++)
			if (!valid__in(h[i], "0123456789abcdefABCDEF:."))
				return false;
		return true;
	}
	if (n < 1 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!valid__alnum(h[i]) && h[i] != '.' && h[i] != '-')
			return false;
	return true;
}

const char *proto__why_portal(const char *s)
{
	const char *colon = strrchr(s, ':');
	if (!colon || !valid__host(s, (size_t)(colon - s)) || !valid__port(colon + 1))
		return "want host:port";
	return NULL;
}

const char *proto__why_peer(const char *s)
{
	if (strncmp(s, "tcp://", 6) || proto__why_portal(s + 6))
		return "want tcp://host:port";
	return NULL;
}

const char *proto__why_version(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > PROTO_VERSION_MAX)
		return "invalid version (want [A-Za-z0-9.+_-]{1,63})";
	for (size_t i = 0; i < n; i++)
		if (!valid__alnum(s[i]) && !valid__in(s[i], ".+_-"))
			return "invalid version (want [A-Za-z0-9.+_-]{1,63})";
	return NULL;
}

const char *proto__why_lib_id(const char *s)
{
	if (strlen(s) != PROTO_LIB_ID_LEN)
		return "want 32 lower-case hex digits";
	for (size_t i = 0; i < PROTO_LIB_ID_LEN; i++)
		if (!valid__in(s[i], "0123456789abcdef"))
			return "want 32 lower-case hex digits";
	return NULL;
}

const char *proto__why_upper(const char *s)
{
	if (!*s)
		return "empty";
	for (; *s; s++)
		if (!valid__in(*s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
			return "only A-Z and 0-9";
	return NULL;
}

const char *proto__why_ascii(const char *s)
{
	if (!*s)
		return "empty";
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return "only printable ASCII";
	return NULL;
}

/* Length of the UTF-8 sequence at s (RFC 3629 4: no overlongs, no surrogates, at most
 * U+10FFFF), or 0 if it is not one. */
static size_t valid__utf8_seq(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 :
		   c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

const char *proto__why_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		if (*p < 0x20 || *p == 0x7f)
			return "control character";
		size_t n = valid__utf8_seq(p);
		if (!n)
			return "invalid UTF-8";
		p += n;
	}
	return NULL;
}

bool proto_barcode_valid(const char *s)
{
	return s && strnlen(s, PROTO_BARCODE_MAX + 1) <= PROTO_BARCODE_MAX && !proto__why_upper(s);
}
