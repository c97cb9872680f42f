/* args.c - see args.h. */
#include "client/args.h"

#include <errno.h>
#include <string.h>

#include "client/format.h"

static const struct cli_opt *args__find(const struct cli_optset *set, const char *name,
					size_t name_len)
{
	for (size_t t = 0; t < 2; t++)
		for (size_t i = 0; i < set->n[t]; i++) {
			const struct cli_opt *o = &set->opts[t][i];
			if (strlen(o->name) == name_len && !strncmp(o->name, name, name_len))
				return o;
		}
	return NULL;
}

/* Stores one value; the reason names the option as the user typed it. */
static int args__store(const struct cli_opt *o, const char *val, char *err, size_t cap)
{
	if (o->type == CLI_OPT_STR) {
		if (!*val) {
			snprintf(err, cap, "option '--%s' needs a non-empty value", o->name);
			return -EINVAL;
		}
		*(const char **)o->dst = val;
		return 0;
	}
	uint64_t v = 0;
	int rc = o->type == CLI_OPT_SIZE ? cli_parse_size(val, &v)
					  : cli_parse_uint(val, 0, UINT64_MAX, &v);
	if (!rc && (v < o->min || v > o->max))
		rc = -ERANGE;
	if (rc == -ERANGE && o->type == CLI_OPT_SIZE) {
		char lo[CLI_SIZE_STR], hi[CLI_SIZE_STR];
		snprintf(err, cap, "option '--%s': '%.40s' is out of range (%s..%s)", o->name, val,
			 cli_fmt_size(o->min, lo), cli_fmt_size(o->max, hi));
	} else if (rc == -ERANGE) {
		snprintf(err, cap, "option '--%s': '%.40s' is out of range (%llu..%llu)", o->name,
			 val, (unsigned long long)o->min, (unsigned long long)o->max);
	} else if (rc) {
		snprintf(err, cap, "option '--%s': '%.40s' is not %s", o->name, val,
			 o->type == CLI_OPT_SIZE ? "a size (e.g. 4G, 512M, 1.5T)" : "a number");
	} else {
		*(uint64_t *)o->dst = v;
	}
	return rc ? -EINVAL : 0;
}

/* One "--name[=value]" at argv[*i]; advances *i past a separate value. */
static int args__option(const struct cli_optset *set, int argc, char **argv, int *i,
			char *err, size_t cap)
{
	const char *arg = argv[*i];
	const char *name = strcmp(arg, "-h") ? arg + 2 : "help";
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct cli_opt *o = arg[1] == '-' || !strcmp(arg, "-h") ? args__find(set, name, len)
								       : NULL;
	if (!o) {
		snprintf(err, cap, "unknown option '%.*s'", (int)(eq ? eq - arg : 64), arg);
		return -EINVAL;
	}
	if (o->type == CLI_OPT_FLAG) {
		if (eq) {
			snprintf(err, cap, "option '--%s' takes no value", o->name);
			return -EINVAL;
		}
		*(bool *)o->dst = true;
	} else {
		const char *val = eq ? eq + 1 : NULL;
		if (!val && *i + 1 < argc)
			val = argv[++*i];
		if (!val) {
			snprintf(err, cap, "option '--%s' needs a value (%s)", o->name,
				 o->metavar ? o->metavar : "VALUE");
			return -EINVAL;
		}
		int rc = args__store(o, val, err, cap);
		if (rc)
			return rc;
	}
	if (o->seen)
		*o->seen = true;
	return 0;
}

int cli_args_parse(const struct cli_optset *set, int argc, char **argv, char **pos,
		   size_t pos_cap, size_t *npos, char *err, size_t err_cap)
{
	bool only_pos = false;
	*npos = 0;
	err[0] = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!only_pos && !strcmp(a, "--")) {
			only_pos = true;
		} else if (!only_pos && a[0] == '-' && a[1]) {
			int rc = args__option(set, argc, argv, &i, err, err_cap);
			if (rc)
				return rc;
		} else if (*npos < pos_cap) {
			pos[(*npos)++] = argv[i];
		} else {
			snprintf(err, err_cap, "too many arguments ('%.40s')", a);
			return -EINVAL;
		}
	}
	return 0;
}

void cli_args_help(const struct cli_opt *opts, size_t n, FILE *out)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(opts[i].name) + (opts[i].metavar ? strlen(opts[i].metavar) + 1 : 0);
		if (l > w)
			w = l;
	}
	for (size_t i = 0; i < n; i++) {
		char left[96];
		snprintf(left, sizeof left, "%s%s%s", opts[i].name, opts[i].metavar ? " " : "",
			 opts[i].metavar ? opts[i].metavar : "");
		fprintf(out, "  --%-*s  %s\n", (int)w, left, opts[i].help);
	}
}
