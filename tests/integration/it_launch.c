/* it_launch: start a private vtl-node by hand, the way the integration tests do, to
 * reproduce a failing integration test with libiscsi's tools or any other initiator.
 *
 *   it_launch LIBRARIES.ini [TARGET:LUN ...]
 *
 * LIBRARIES.ini holds [library ...] sections (the [node] section is written for you: a
 * temporary data directory, portal 127.0.0.1 on a free port). Each TARGET:LUN argument,
 * e.g. iqn.2026-11.io.vtl:demo:1, gets a cartridge moved into that drive before the portal
 * is announced. Prints
 *   PORTAL 127.0.0.1:PORT
 *   DIR /tmp/vtl-it-launch-XXXXXX      (node.conf, node.log, data/)
 * then waits until SIGINT/SIGTERM arrives or, when stdin is a terminal or a pipe, until it
 * reaches end of file (Ctrl-D); with stdin from /dev/null only a signal ends it (run it in
 * the background and `kill` its PID). It then stops the node (SIGTERM, by PID) and removes
 * the directory. The node also dies with this
 * process (PR_SET_PDEATHSIG), so nothing is left behind if it is killed. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/client/tclient.h"
#include "tests/integration/it_changer.h"
#include "tests/integration/nodeproc.h"
#include "tests/testutil.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	while (buf && len + 1 < cap) {
		size_t n = fread(buf + len, 1, cap - 1 - len, f);
		if (!n)
			break;
		len += n;
	}
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* "iqn...:lib:LUN": the LUN after the last colon, the target before it. */
static void load(const char *portal, const char *arg)
{
	char target[256];
	const char *colon = strrchr(arg, ':');
	CHECK(colon && colon != arg && (size_t)(colon - arg) < sizeof target);
	memcpy(target, arg, (size_t)(colon - arg));
	target[colon - arg] = '\0';
	int lun = atoi(colon + 1);
	CHECK(lun >= 1);
	struct tc *tc = NULL;
	CHECK_EQ(tc_connect(&tc, portal, target, 0, NULL), 0);
	uint16_t slot = it_load_drive(tc, lun);
	printf("LOADED %s LUN %d from slot 0x%04x\n", target, lun, slot);
	tc_close(tc);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s LIBRARIES.ini [TARGET:LUN ...]\n", argv[0]);
		return 2;
	}
	char *libs = read_file(argv[1]);
	if (!libs) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	struct nodeproc np;
	const char *dir = tu_tmpdir("it-launch");
	CHECK_EQ(nodeproc_configure(&np, dir, libs), 0);
	free(libs);
	CHECK_EQ(nodeproc_start(&np), 0);
	for (int i = 2; i < argc; i++)
		load(np.portal, argv[i]);
	printf("PORTAL %s\nDIR %s\n", np.portal, dir);
	fflush(stdout);

	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct stat st;
	bool watch_stdin = isatty(0) || (fstat(0, &st) == 0 && S_ISFIFO(st.st_mode));
	while (!stop) {
		struct pollfd pfd = {.fd = watch_stdin ? 0 : -1, .events = POLLIN};
		char buf[256];
		if (poll(&pfd, 1, 500) > 0 && read(0, buf, sizeof buf) <= 0)
			break;
	}
	int rc = nodeproc_stop(&np, SIGTERM);
	tu_rmtree(dir);
	return rc ? 1 : 0;
}
