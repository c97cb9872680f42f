#include "tests/testutil.h"

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *tu_tmpdir(const char *name)
{
	static char path[PATH_MAX];
	const char *base = getenv("TMPDIR");
	snprintf(path, sizeof path, "%s/vtl-%s-XXXXXX", base && *base ? base : "/tmp", name);
	if (!mkdtemp(path)) {
		perror("mkdtemp");
		exit(1);
	}
	return path;
}

static int tu__rm(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int tu_rmtree(const char *path)
{
	return nftw(path, tu__rm, 16, FTW_DEPTH | FTW_PHYS);
}
