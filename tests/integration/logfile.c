/* logfile.c - see logfile.h. */
#include "tests/integration/logfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

bool logfile_has(const char *path, const char *what)
{
	char line[4096];
	FILE *f = fopen(path, "r");
	bool found = false;
	while (f && !found && fgets(line, sizeof line, f))
		found = strstr(line, what) != NULL;
	if (f)
		fclose(f);
	return found;
}

bool logfile_wait(const char *path, const char *what, int ms)
{
	for (int t = 0; t < ms; t += 50) {
		if (logfile_has(path, what))
			return true;
		struct timespec ts = {0, 50 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return logfile_has(path, what);
}

int logfile_sanitizer_reports(const char *path)
{
	static const char *const marks[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
					    "runtime error:"};
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	char line[4096];
	int n = 0;
	while (fgets(line, sizeof line, f))
		for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
			n += strstr(line, marks[i]) != NULL;
	fclose(f);
	return n;
}
