#include "tests/unit/iscsi/testbe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/rd.h"

void testbe_init(struct testbe *be)
{
	memset(be, 0, sizeof *be);
	pthread_mutex_init(&be->lock, NULL);
}

void testbe_add_target(struct testbe *be, const char *name)
{
	if (be->ntargets < TESTBE_TARGETS_MAX)
		snprintf(be->targets[be->ntargets++], SCSI_NAME_MAX, "%s", name);
}

void testbe_fini(struct testbe *be)
{
	free(be->written);
	pthread_mutex_destroy(&be->lock);
}

static bool be__exists(void *arg, const char *target)
{
	struct testbe *be = arg;
	for (int i = 0; i < be->ntargets; i++)
		if (strcmp(be->targets[i], target) == 0)
			return true;
	return false;
}

static void be__list(void *arg, void (*emit)(void *ctx, const char *target), void *ctx)
{
	struct testbe *be = arg;
	for (int i = 0; i < be->ntargets; i++)
		emit(ctx, be->targets[i]);
}

static void be__sense(struct scsi_cmd *cmd, uint8_t key, uint8_t asc, uint8_t ascq)
{
	cmd->status = SAM_STAT_CHECK_CONDITION;
	cmd->sense_len = 18;
	memset(cmd->sense, 0, 18);
	cmd->sense[0] = 0x70;
	cmd->sense[2] = key;
	cmd->sense[7] = 10;
	cmd->sense[12] = asc;
	cmd->sense[13] = ascq;
}

static void be__put(struct scsi_cmd *cmd, const void *src, uint32_t len)
{
	if (len > cmd->data_in_cap)
		len = cmd->data_in_cap;
	memcpy(cmd->data_in, src, len);
	cmd->data_in_len = len;
}

static void be__inquiry(struct scsi_cmd *cmd)
{
	uint8_t d[36] = {0};
	uint32_t alloc = get_be16(cmd->cdb + 3);
	d[0] = cmd->lun == 0 ? 0x08 : 0x01;   /* medium changer / sequential access */
	d[1] = 0x80;
	d[2] = 0x06;
	d[3] = 0x02;
	d[4] = 31;
	memcpy(d + 8, "VTLTEST ", 8);
	memcpy(d + 16, "TRANSPORT TEST  ", 16);
	memcpy(d + 32, "0001", 4);
	cmd->implied_len = alloc;
	be__put(cmd, d, alloc < 36 ? alloc : 36);
}

static void be__write6(struct testbe *be, struct scsi_cmd *cmd)
{
	uint32_t len = get_be24(cmd->cdb + 2);
	cmd->implied_len = len;
	uint32_t n = cmd->data_out_len < len ? cmd->data_out_len : len;
	pthread_mutex_lock(&be->lock);
	uint8_t *p = realloc(be->written, n ? n : 1);
	if (p) {
		be->written = p;
		if (n)
			memcpy(p, cmd->data_out, n);
		be->written_len = n;
	}
	pthread_mutex_unlock(&be->lock);
}

static void be__read6(struct testbe *be, struct scsi_cmd *cmd)
{
	uint32_t len = get_be24(cmd->cdb + 2);
	cmd->implied_len = len;
	uint32_t n = len < cmd->data_in_cap ? len : cmd->data_in_cap;
	pthread_mutex_lock(&be->lock);
	if (be->written) {
		n = n < be->written_len ? n : be->written_len;
		memcpy(cmd->data_in, be->written, n);
	} else {
		for (uint32_t i = 0; i < n; i++)
			cmd->data_in[i] = testbe_pattern(i);
	}
	pthread_mutex_unlock(&be->lock);
	cmd->data_in_len = n;
}

static void be__exec(void *arg, const char *target, struct scsi_cmd *cmd)
{
	struct testbe *be = arg;
	pthread_mutex_lock(&be->lock);
	be->execs++;
	be->last_nexus = cmd->nexus;
	snprintf(be->last_target, sizeof be->last_target, "%s", target);
	unsigned slow = be->slow_ms;
	pthread_mutex_unlock(&be->lock);
	cmd->status = SAM_STAT_GOOD;
	if (cmd->lun > 1) {
		be__sense(cmd, 0x05, 0x25, 0x00);   /* LOGICAL UNIT NOT SUPPORTED */
		return;
	}
	switch (cmd->cdb[0]) {
	case 0x00:
		break;
	case 0x12:
		be__inquiry(cmd);
		break;
	case 0x0a:
		be__write6(be, cmd);
		break;
	case 0x08:
		be__read6(be, cmd);
		break;
	case 0xa0: {
		uint8_t d[24] = {0};
		put_be32(d, 16);
		d[17] = 1;                           /* LUN 1 (LUN 0 is all zeros) */
		cmd->implied_len = get_be32(cmd->cdb + 6);
		be__put(cmd, d, cmd->implied_len < 24 ? cmd->implied_len : 24);
		break;
	}
	case TESTBE_OP_SLOW:
		usleep(slow * 1000);
		break;
	default:
		be__sense(cmd, 0x05, 0x20, 0x00);   /* INVALID COMMAND OPERATION CODE */
	}
}

static int be__tmf(void *arg, const char *target, enum iscsi_tmf_fn fn, uint64_t lun,
		   const struct scsi_nexus *nexus)
{
	struct testbe *be = arg;
	(void)target;
	(void)nexus;
	pthread_mutex_lock(&be->lock);
	be->ntmf++;
	be->last_tmf_fn = (int)fn;
	be->last_tmf_lun = lun;
	pthread_mutex_unlock(&be->lock);
	return lun > 1 && fn != ISCSI_TMF_TARGET_WARM_RESET ? 2 : 0;   /* 2: LUN does not exist */
}

struct iscsi_backend testbe_backend(struct testbe *be)
{
	struct iscsi_backend b = {
		.arg = be,
		.target_exists = be__exists,
		.target_list = be__list,
		.exec = be__exec,
		.tmf = be__tmf,
	};
	return b;
}
