/* fuzz_iscsi_login: the login phase. Byte 0 bit 0 picks the mode:
 *   0: the bytes after byte 1 are a login request text given to the pure negotiation
 *      function in stage (byte 1 & 1), then the declarations and final settling;
 *   1: the bytes are a raw stream on a fresh connection, from its first PDU. */
#include <string.h>

#include "node/iscsi/negotiate.h"
#include "node/iscsi/pdu.h"
#include "tests/fuzz/iscsi/fuzz_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_negotiate(const uint8_t *data, size_t size)
{
	static char reply[8192];
	struct iscsi_neg n;
	struct iscsi_textbuf tb;
	if (size < 1)
		return;
	iscsi__neg_init(&n, 262144, 1048576, 262144, 1);
	iscsi__tb_init(&tb, reply, sizeof reply);
	int st = iscsi__neg_login(&n, data[0] & 1, (const char *)data + 1, size - 1, &tb);
	if (st == ISCSI_LOGIN_OK) {
		iscsi__neg_declare(&n, true, &tb);
		iscsi__neg_finish(&n);
		/* what was negotiated stays inside the protocol's ranges */
		if (n.p.first_burst > n.p.max_burst || n.p.max_burst > 16777215 ||
		    n.p.mrdsl_initiator < 512 || n.p.max_outstanding_r2t == 0 || n.p.erl != 0)
			__builtin_trap();
	}
	if (tb.len > sizeof reply || memchr(n.initiator, 0, sizeof n.initiator) == NULL ||
	    memchr(n.target, 0, sizeof n.target) == NULL)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		fuzz_run_stream(NULL, 0, data + 1, size - 1);
	else
		fuzz_negotiate(data + 1, size - 1);
	return 0;
}
