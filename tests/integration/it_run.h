/* it_run.h - integration tests run libiscsi's command-line tools (iscsi-ls, iscsi-inq,
 * iscsi-test-cu) against a real vtl-node: fork, exec with a bounded run time, capture
 * everything the tool printed, and helpers to look for exact lines in it.
 *
 * Cleanup: the tool is started with PR_SET_PDEATHSIG (it dies with the test process,
 * whatever ends it), in its own process group, and a tool that outlives its deadline is
 * killed by that group id - only what this test started. The vtl-node itself is handled
 * by nodeproc.h the same way.
 *
 * Concurrency: single-threaded test programs; nothing here is shared. */
#ifndef VTL_TESTS_IT_RUN_H
#define VTL_TESTS_IT_RUN_H

#include <stdbool.h>
#include <stddef.h>

#define IT_RUN_OUT_MAX (4u << 20)      /* a tool printing more than this is cut */

struct it_run {
	int status;             /* exit code; 128 + signal if killed; -1 if never started */
	bool timed_out;
	char *out;              /* stdout and stderr interleaved, NUL-terminated; caller frees */
	size_t len;
};

/* Runs argv[0] (searched in PATH) with argv, plus `env` entries ("NAME=value", NULL-
 * terminated, may be NULL) added to the environment, for at most timeout_s seconds.
 * 0 when the tool ran (whatever its exit status), or a negative errno when it could not be
 * started or its output not collected. The whole command and the output are echoed to
 * stderr when `echo` is true (the ctest log then shows what was run). */
int it_run(struct it_run *r, char *const argv[], char *const env[], int timeout_s, bool echo);
void it_run_free(struct it_run *r);

/* Number of lines of text equal to `line` (trailing blanks and CR ignored). */
size_t it_count_lines(const char *text, const char *line);
/* Number of lines of text starting with `prefix`. */
size_t it_count_prefix(const char *text, const char *prefix);

/* Sanitizer reports (AddressSanitizer, LeakSanitizer, UBSan "runtime error:") in a log
 * file, e.g. the node.log of a vtl-node built with VTL_SANITIZE after it was stopped: a
 * node-side leak or undefined behaviour must fail the integration test that caused it.
 * The count, or a negative errno if the file cannot be read. */
int it_sanitizer_reports(const char *path);

#endif
