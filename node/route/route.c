/* route.c - maps iSCSI target names to local libraries and runs their commands.
 * Concurrency: the library list is fixed before the transport starts and never changes
 * while it runs; per-command locking is the SCSI layer's. */
#include "node/route/route.h"

#include <string.h>

#include "node/lib/lib.h"
#include "node/scsi/scsi.h"

static struct lib *route__find(struct route *r, const char *target)
{
	for (size_t i = 0; i < r->n_libs; i++)
		if (!strcmp(r->libs[i]->cfg.target, target))
			return r->libs[i];
	return NULL;
}

static bool route__exists(void *arg, const char *target)
{
	return route__find(arg, target) != NULL;
}

static void route__list(void *arg, void (*emit)(void *ctx, const char *target), void *ctx)
{
	struct route *r = arg;
	for (size_t i = 0; i < r->n_libs; i++)
		emit(ctx, r->libs[i]->cfg.target);
}

static void route__exec(void *arg, const char *target, struct scsi_cmd *cmd)
{
	struct lib *lib = route__find(arg, target);
	if (!lib) {     /* the target vanished under a logged-in session */
		scsi_no_such_lun(cmd);
		return;
	}
	scsi_exec(lib, cmd);
}

static int route__tmf(void *arg, const char *target, enum iscsi_tmf_fn fn, uint64_t lun,
		      const struct scsi_nexus *nexus)
{
	struct lib *lib = route__find(arg, target);
	if (!lib)
		return 1;       /* RFC 7143 11.6.1: task does not exist / LU does not exist */
	switch (fn) {
	case ISCSI_TMF_LOGICAL_UNIT_RESET:
		if (!lib_lu(lib, lun))
			return 2;   /* LUN does not exist */
		scsi_lu_reset(lib, lun, nexus);
		return 0;
	case ISCSI_TMF_TARGET_WARM_RESET:
	case ISCSI_TMF_TARGET_COLD_RESET:
		scsi_target_reset(lib, nexus);
		return 0;
	default:
		/* task-set functions: commands run synchronously per connection, so nothing of
		 * this nexus is queued below the transport */
		return 0;
	}
}

static void route__nexus_lost(void *arg, const char *target, const struct scsi_nexus *nexus)
{
	struct lib *lib = route__find(arg, target);
	if (lib)
		scsi_nexus_lost(lib, nexus);
}

void route_backend(struct route *r, struct iscsi_backend *be)
{
	be->arg = r;
	be->target_exists = route__exists;
	be->target_list = route__list;
	be->exec = route__exec;
	be->tmf = route__tmf;
	be->nexus_lost = route__nexus_lost;
}
