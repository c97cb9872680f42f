/* iscsi_int.h - internals shared by the files of node/iscsi (not for other modules).
 *
 * Concurrency story
 * -----------------
 * Threads: one accept thread (server.c) and one thread per connection (conn.c). A
 * connection's thread reads its socket, executes its commands synchronously through the
 * backend, in CmdSN order, and is the only writer of its socket. Nothing else touches a
 * connection's protocol state, so that state has no lock.
 *
 * srv->lock guards: the live and zombie connection lists, the connection count, each
 * connection's `registered`/`kicked` flags and session identity (nexus, target, tsih,
 * type: written once under the lock when the login completes, read by other connection
 * threads for session reinstatement), the TSIH allocator, the stats and the NOP timing.
 * srv->cond is broadcast whenever a connection leaves the live list.
 *
 * Another thread may call shutdown() (never close()) on a connection's socket, only while
 * holding srv->lock and only while that connection is on the live list; a connection
 * closes its own socket after leaving the list. That is how iscsi_server_stop() and
 * session reinstatement wake a thread blocked in recv/send.
 *
 * Blocking: connection threads block in recv/send (bounded by SO_RCVTIMEO/SO_SNDTIMEO)
 * and in backend->exec; a reinstating login waits on srv->cond for the old connection to
 * finish. No backend callback is called with srv->lock held. */
#ifndef VTL_NODE_ISCSI_INT_H
#define VTL_NODE_ISCSI_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "node/iscsi/iscsi.h"
#include "node/iscsi/negotiate.h"
#include "node/iscsi/pdu.h"

#define ISCSI_CMDSN_WINDOW 32        /* commands queued per session (MaxCmdSN - ExpCmdSN + 1) */
#define ISCSI_IMM_MAX 8              /* immediate commands queued at once */
#define ISCSI_TASKS_MAX (ISCSI_CMDSN_WINDOW + ISCSI_IMM_MAX)
#define ISCSI_POOL_MAX 4             /* reusable Data-Out buffers kept per connection */
#define ISCSI_IGNORE_MAX 16          /* ITTs whose stray Data-Out is dropped quietly */
#define ISCSI_TEXT_IN_MAX 65536      /* a Text Request across continuation PDUs */
#define ISCSI_TEXT_OUT_MAX (1u << 20)  /* a SendTargets answer */
#define ISCSI_DEFAULT_MRDSL 262144u
#define ISCSI_DEFAULT_MAX_BURST 1048576u
#define ISCSI_DEFAULT_FIRST_BURST 262144u
#define ISCSI_DEFAULT_MAX_CONN 256u
#define ISCSI_DEFAULT_NOP_IDLE_MS 5000u
#define ISCSI_DEFAULT_NOP_TIMEOUT_MS 10000u
#define ISCSI_REINSTATE_WAIT_MS 30000
#define ISCSI_KEEP_MAX (4u << 20)    /* larger buffers are freed after use, not kept */

struct iscsi_buf {
	uint8_t *p;
	uint32_t cap;
};

/* An outstanding R2T: the initiator owes `len` bytes at `off` under tag `ttt`. */
struct iscsi_r2t {
	uint32_t ttt;
	uint32_t off;
	uint32_t len;
	uint32_t got;
	uint32_t datasn;             /* next Data-Out DataSN of this sequence */
};

/* Why a task is answered by the transport instead of the backend */
enum iscsi_task_fail {
	ISCSI_FAIL_NONE = 0,
	ISCSI_FAIL_UNSOLICITED,      /* unexpected unsolicited data (RFC 7143 11.4.7.2) */
	ISCSI_FAIL_DIGEST,           /* protocol service CRC error: a Data-Out digest failed */
	ISCSI_FAIL_TOO_BIG,          /* write larger than SCSI_XFER_MAX */
	ISCSI_FAIL_NO_MEMORY,
};

/* A SCSI command received but not yet answered: waiting for its data or its turn. */
struct iscsi_task {
	bool used;
	bool imm;
	uint32_t itt;
	uint32_t cmdsn;
	uint8_t lun_raw[8];
	uint8_t cdb[16];
	uint8_t attr;
	enum scsi_dir dir;
	uint32_t edtl;               /* Expected Data Transfer Length */
	uint8_t fail;                /* enum iscsi_task_fail */
	bool discard;                /* data goes to the scratch buffer (failed task) */
	struct iscsi_buf buf;        /* Data-Out bytes, from the connection's pool */
	uint32_t want;               /* Data-Out bytes this task takes: edtl for writes */
	uint32_t got;                /* bytes received, contiguous from offset 0 */
	uint32_t unsol_end;          /* unsolicited data may reach this offset */
	bool unsol_open;             /* unsolicited Data-Out PDUs may still come */
	uint32_t unsol_datasn;
	uint32_t solicit_off;        /* next offset to ask for with an R2T */
	uint32_t r2tsn;              /* R2Ts sent so far (next R2TSN) */
	struct iscsi_r2t r2t[ISCSI_OUR_MAX_R2T];   /* outstanding, oldest first */
	unsigned nr2t;
};

enum iscsi_conn_state {
	ISCSI_CONN_LOGIN,
	ISCSI_CONN_FFP,
	ISCSI_CONN_LOGOUT,           /* Logout Response sent: close */
};

struct iscsi_server;

struct iscsi_conn {
	/* fixed at creation */
	struct iscsi_server *srv;
	int fd;
	uint64_t id;
	char peer[64];               /* "ip:port" of the initiator, for logs */
	char portal[80];             /* local "ip:port" the connection arrived on */
	unsigned nop_idle_ms;
	unsigned nop_timeout_ms;

	/* guarded by srv->lock */
	struct iscsi_conn *next;
	pthread_t thread;
	bool has_thread;
	bool registered;             /* a session visible to reinstatement lookups */
	bool kicked;
	struct scsi_nexus nexus;     /* identity: written under the lock before registering */
	char target[SCSI_NAME_MAX];
	uint16_t tsih;
	uint16_t cid;
	enum iscsi_session_type type;

	/* owned by the connection thread */
	enum iscsi_conn_state state;
	struct iscsi_params p;
	bool hdigest, ddigest;
	uint32_t rx_max;             /* DataSegmentLength limit now */
	uint32_t stat_sn;            /* next StatSN */
	uint32_t exp_cmd_sn;
	uint32_t max_cmd_sn;
	uint32_t exp_stat_sn;
	uint32_t next_ttt;
	struct timespec last_rx;
	bool ping_out;
	uint32_t ping_ttt;
	struct timespec ping_at;

	struct iscsi_task tasks[ISCSI_TASKS_MAX];
	uint32_t ahead[ISCSI_CMDSN_WINDOW];  /* CmdSNs above ExpCmdSN already consumed */
	unsigned nahead;
	uint32_t ignore[ISCSI_IGNORE_MAX];   /* aborted or dropped ITTs */
	unsigned ignore_next;

	struct iscsi_buf pool[ISCSI_POOL_MAX];
	unsigned npool;
	struct iscsi_buf din;        /* Data-In staging handed to the backend */
	struct iscsi_buf scratch;    /* control PDU data, and the sink for discarded data */
	struct scsi_cmd cmd;
	uint8_t ahs[ISCSI_AHS_MAX];

	/* Text Request/Response continuation (RFC 7143 6.2.1 / 11.10) */
	struct iscsi_buf text_in;
	uint32_t text_in_len;
	uint32_t text_in_ttt;        /* TTT we gave for the next request part, or reserved */
	struct iscsi_buf text_out;
	uint32_t text_out_len;
	uint32_t text_out_off;
	uint32_t text_out_ttt;       /* TTT of a pending long answer, or reserved */
};

struct iscsi_server {
	struct iscsi_config cfg;     /* limits resolved; portal points into portal_buf */
	char portal_buf[128];
	struct iscsi_backend be;
	int lfd;
	uint16_t port;
	pthread_t acceptor;
	bool has_acceptor;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct iscsi_conn *live;
	struct iscsi_conn *zombies;
	bool stopping;
	uint16_t next_tsih;
	uint64_t next_conn_id;
	unsigned nop_idle_ms;
	unsigned nop_timeout_ms;
	struct iscsi_stats stats;
};

/* server.c: lifecycle without a listening socket (the fuzz targets use it) */
int iscsi__server_init(const struct iscsi_config *cfg, const struct iscsi_backend *be,
		       struct iscsi_server **out);
void iscsi__server_fini(struct iscsi_server *srv);
void iscsi__stat_add(struct iscsi_server *srv, uint64_t *counter);

/* conn.c */
struct iscsi_conn *iscsi__conn_new(struct iscsi_server *srv, int fd);   /* NULL: refused */
void iscsi__conn_run(struct iscsi_conn *c);     /* login, FFP, cleanup; leaves the fd open */
void iscsi__conn_leave(struct iscsi_conn *c, bool to_zombies);   /* off the live list, close */
void iscsi__conn_free(struct iscsi_conn *c);
/* Runs one connection on `fd` in the calling thread (tests, fuzzing). Takes the fd. */
void iscsi__serve_fd(struct iscsi_server *srv, int fd);

/* io.c: PDU framing on the socket */
int iscsi__recv_bhs(struct iscsi_conn *c, uint8_t bhs[ISCSI_BHS_LEN]);
int iscsi__recv_data(struct iscsi_conn *c, uint32_t dsl, void *dst);
int iscsi__recv_discard(struct iscsi_conn *c, uint32_t dsl);
int iscsi__send_pdu(struct iscsi_conn *c, uint8_t bhs[ISCSI_BHS_LEN], const void *data,
		    uint32_t len);
void iscsi__now(struct timespec *ts);
long iscsi__ms_since(const struct timespec *then);

/* login.c */
int iscsi__login_run(struct iscsi_conn *c);

/* session.c */
int iscsi__session_enter(struct iscsi_conn *c, const struct iscsi_neg *n, uint16_t tsih_req,
			 const uint8_t isid[6], uint16_t cid);
void iscsi__session_leave(struct iscsi_conn *c);

/* ffp.c */
int iscsi__ffp_run(struct iscsi_conn *c);
int iscsi__send_reject(struct iscsi_conn *c, const struct iscsi_req *r, uint8_t reason);
void iscsi__cmdsn_consume(struct iscsi_conn *c, uint32_t cmdsn);
bool iscsi__cmdsn_in_window(const struct iscsi_conn *c, uint32_t cmdsn);
bool iscsi__cmdsn_ahead(const struct iscsi_conn *c, uint32_t cmdsn);
void iscsi__window_update(struct iscsi_conn *c);
void iscsi__set_sn(struct iscsi_conn *c, uint8_t bhs[ISCSI_BHS_LEN], bool advance_statsn);
int iscsi__recv_ctl(struct iscsi_conn *c, const struct iscsi_req *r);
uint32_t iscsi__new_ttt(struct iscsi_conn *c);
void iscsi__ignore_itt(struct iscsi_conn *c, uint32_t itt);
bool iscsi__ignored_itt(const struct iscsi_conn *c, uint32_t itt);

/* cmd.c: SCSI Command and Data-Out intake, R2T, ordering */
int iscsi__on_scsi_cmd(struct iscsi_conn *c, const struct iscsi_req *r);
int iscsi__on_data_out(struct iscsi_conn *c, const struct iscsi_req *r);
int iscsi__cmd_pump(struct iscsi_conn *c);
struct iscsi_task *iscsi__task_find(struct iscsi_conn *c, uint32_t itt);
void iscsi__task_release(struct iscsi_conn *c, struct iscsi_task *t);   /* answered */
void iscsi__task_drop(struct iscsi_conn *c, struct iscsi_task *t);      /* aborted */
void iscsi__tasks_fini(struct iscsi_conn *c);

/* exec.c: execution through the backend and the answers (Data-In, SCSI Response) */
int iscsi__task_exec(struct iscsi_conn *c, struct iscsi_task *t);
int iscsi__buf_reserve(struct iscsi_buf *b, uint32_t len);

/* tmf.c, text_req.c */
int iscsi__on_tmf(struct iscsi_conn *c, const struct iscsi_req *r);
int iscsi__on_text(struct iscsi_conn *c, const struct iscsi_req *r);
void iscsi__text_fini(struct iscsi_conn *c);

#endif
