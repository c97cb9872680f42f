/* logfile.h - what integration tests ask of a process's log file (vtl-node, vtl-manager,
 * a tool's output): does a line hold some text, wait until one does, and how many
 * sanitizer reports it holds. */
#ifndef VTL_TESTS_LOGFILE_H
#define VTL_TESTS_LOGFILE_H

#include <stdbool.h>

/* True if a line of the file at path contains `what` (false if the file is missing). */
bool logfile_has(const char *path, const char *what);
/* Polls logfile_has every 50 ms for up to ms; returns its last answer. */
bool logfile_wait(const char *path, const char *what, int ms);
/* Lines with an AddressSanitizer, LeakSanitizer or UBSan report, or -errno. */
int logfile_sanitizer_reports(const char *path);

#endif
