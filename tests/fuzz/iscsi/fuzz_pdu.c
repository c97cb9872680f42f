/* fuzz_iscsi_pdu: a logged-in connection fed arbitrary PDUs. Byte 0 picks the session's
 * negotiated options (so R2T, unsolicited data, small PDUs, data digests and discovery
 * all get explored); the rest is the PDU stream after a canned successful login. */
#include <stdio.h>
#include <string.h>

#include "tests/fuzz/iscsi/fuzz_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t opt = data[0];
	char text[1024];
	int n = 0;
	n += snprintf(text + n, sizeof text - (size_t)n, "InitiatorName=iqn.2026-11.fuzz:i") + 1;
	if (opt & 0x10) {
		n += snprintf(text + n, sizeof text - (size_t)n, "SessionType=Discovery") + 1;
	} else {
		n += snprintf(text + n, sizeof text - (size_t)n, "TargetName=%s", FUZZ_TARGET) + 1;
	}
	n += snprintf(text + n, sizeof text - (size_t)n, "ImmediateData=%s",
		      opt & 0x01 ? "No" : "Yes") + 1;
	n += snprintf(text + n, sizeof text - (size_t)n, "InitialR2T=%s",
		      opt & 0x02 ? "Yes" : "No") + 1;
	n += snprintf(text + n, sizeof text - (size_t)n, "MaxRecvDataSegmentLength=%s",
		      opt & 0x04 ? "512" : "65536") + 1;
	if (opt & 0x08) {
		n += snprintf(text + n, sizeof text - (size_t)n, "MaxBurstLength=4096") + 1;
		n += snprintf(text + n, sizeof text - (size_t)n, "FirstBurstLength=1024") + 1;
	}
	if (opt & 0x20)
		n += snprintf(text + n, sizeof text - (size_t)n, "DataDigest=CRC32C") + 1;
	if (opt & 0x40)
		n += snprintf(text + n, sizeof text - (size_t)n, "MaxOutstandingR2T=4") + 1;
	uint8_t login[1200];
	size_t plen = fuzz_login_pdu(login, sizeof login, text, (size_t)n);
	fuzz_run_stream(login, plen, data + 1, size - 1);
	return 0;
}
