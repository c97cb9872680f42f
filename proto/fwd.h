/* fwd.h - forwarded SCSI work between nodes (issue 4): a node that does not own a
 * library sends each command for it to the owner's peer endpoint over nng, and relays the
 * answer. Binary, big-endian, bounded: these messages carry tape blocks, so no JSON.
 *
 * Every message starts with a 44-byte header:
 *   magic u32 0x56544C46 ("VTLF") | version u8 (1) | type u8 | flags u16 (0) |
 *   length u32 (whole message, header included) | mac [32]
 * mac = HMAC-SHA256(cluster secret, header with mac zeroed || metadata), where metadata is
 * every byte of the body EXCEPT the bulk payload (Data-Out of a command, Data-In of a
 * reply). So a peer without the secret cannot make a node execute anything, and no field
 * that steers execution can be altered; bulk bytes are protected by TCP's checksum only
 * (an on-path attacker is answered by tls+tcp://, not by this MAC). The bulk payload is
 * always the LAST field, so it is one contiguous range of the message: encoders write
 * the metadata, the caller may append or point at the bulk, and decoders hand out a
 * pointer into the caller's buffer (no copy).
 *
 * Bodies (strings are u8 length + bytes, no NUL; names are proto_name_valid; the
 * initiator name is 1..223 bytes of printable ASCII):
 *   CMD        lib | epoch u64 | lun u64 | initiator | isid[6] | tpgt u16 | task_attr u8 |
 *              dir u8 | cdb_len u8 (1..16) | cdb | expected_len u32 | data_in_cap u32 |
 *              data_out_len u32 | data_out (bulk)
 *   CMD_REPLY  result u8 | owner (string, may be empty) | owner_epoch u64 | status u8 |
 *              sense_len u8 (<= 96) | sense | implied_len u32 | data_in_len u32 |
 *              data_in (bulk)
 *   TMF        lib | epoch u64 | lun u64 | initiator | isid[6] | tpgt u16 | fn u8
 *   TMF_REPLY  result u8 | owner | owner_epoch u64 | response u8
 *   NEXUS_LOST lib | epoch u64 | initiator | isid[6] | tpgt u16      (reply: TMF_REPLY)
 * Limits: data_out_len, data_in_cap, data_in_len <= SCSI_XFER_MAX; data_in_len <=
 * data_in_cap of the request (the forwarder checks); a message never exceeds
 * PROTO_FWD_MAX.
 *
 * Errors: 0 or negative errno. Decoders: -EBADMSG (malformed: truncated, bad magic,
 * version, type, length that disagrees with the buffer, a field out of range, trailing
 * bytes), -EACCES (MAC mismatch: wrong or missing secret), -EMSGSIZE (over PROTO_FWD_MAX).
 * Encoders: -EINVAL (a field out of range), -ENOSPC (cap too small). Pure functions; the
 * secret is the caller's. */
#ifndef VTL_PROTO_FWD_H
#define VTL_PROTO_FWD_H

#include <stddef.h>
#include <stdint.h>

#include "proto/keys.h"
#include "proto/scsi_cmd.h"

#define PROTO_FWD_MAGIC 0x56544C46u
#define PROTO_FWD_VERSION 1
#define PROTO_FWD_HDR_LEN 44
#define PROTO_FWD_MAC_LEN 32
#define PROTO_FWD_META_MAX 1024                 /* any message minus its bulk payload */
#define PROTO_FWD_MAX (SCSI_XFER_MAX + PROTO_FWD_META_MAX)
#define PROTO_FWD_SECRET_MAX 128

enum proto_fwd_type {
	PROTO_FWD_CMD = 1,
	PROTO_FWD_CMD_REPLY,
	PROTO_FWD_TMF,
	PROTO_FWD_TMF_REPLY,
	PROTO_FWD_NEXUS_LOST,
};

enum proto_fwd_result {
	PROTO_FWD_EXECUTED = 0,         /* status/sense/data are the command's answer */
	PROTO_FWD_NOT_OWNER = 1,        /* not served here at that epoch: owner/owner_epoch say
					 * what this node knows (empty / 0 when nothing) */
	PROTO_FWD_NO_LIBRARY = 2,       /* no such library in the cluster as far as it knows */
};

struct proto_fwd_secret {
	uint8_t key[PROTO_FWD_SECRET_MAX];
	size_t len;                     /* 16..128 bytes: a shorter secret is refused */
};

/* Who is asking, about what: shared by CMD, TMF and NEXUS_LOST. */
struct proto_fwd_target {
	char lib[PROTO_NAME_MAX + 1];
	uint64_t epoch;                 /* the owner epoch the sender believes in */
	uint64_t lun;
	struct scsi_nexus nexus;
};

/* A decoded CMD: cmd's request half is filled; cmd->data_out points INTO the decoded
 * buffer (valid while it is); the response half is zeroed (data_in NULL, data_in_cap =
 * the sender's data_in_cap for the executor to honour). */
struct proto_fwd_cmd {
	struct proto_fwd_target t;
	struct scsi_cmd cmd;
};

struct proto_fwd_reply {
	enum proto_fwd_result result;
	char owner[PROTO_NAME_MAX + 1];
	uint64_t owner_epoch;
	uint8_t status;
	uint8_t sense_len;
	uint8_t sense[SCSI_SENSE_MAX];
	uint32_t implied_len;
	uint32_t data_in_len;
	const uint8_t *data_in;         /* decode: points into the buffer; encode: see below */
};

/* Bytes of a CMD for cmd (metadata + cmd->data_out_len). */
size_t proto_fwd_cmd_size(const struct proto_fwd_target *t, const struct scsi_cmd *cmd);
/* Writes the whole CMD (metadata, then cmd->data_out copied as the bulk) into buf[cap]
 * and MACs it. *len gets the size. */
int proto_fwd_cmd_encode(const struct proto_fwd_secret *s, const struct proto_fwd_target *t,
			 const struct scsi_cmd *cmd, uint8_t *buf, size_t cap, size_t *len);
int proto_fwd_cmd_decode(const struct proto_fwd_secret *s, const uint8_t *buf, size_t len,
			 struct proto_fwd_cmd *out);

/* CMD_REPLY: r->data_in_len bytes of r->data_in are copied as the bulk. */
size_t proto_fwd_reply_size(const struct proto_fwd_reply *r);
int proto_fwd_reply_encode(const struct proto_fwd_secret *s, const struct proto_fwd_reply *r,
			   uint8_t *buf, size_t cap, size_t *len);
int proto_fwd_reply_decode(const struct proto_fwd_secret *s, const uint8_t *buf, size_t len,
			   struct proto_fwd_reply *out);

/* TMF and NEXUS_LOST requests (fn is enum iscsi_tmf_fn's value for TMF, unused for
 * NEXUS_LOST), and their common reply. */
int proto_fwd_tmf_encode(const struct proto_fwd_secret *s, enum proto_fwd_type type,
			 const struct proto_fwd_target *t, uint8_t fn, uint8_t *buf, size_t cap,
			 size_t *len);
int proto_fwd_tmf_decode(const struct proto_fwd_secret *s, const uint8_t *buf, size_t len,
			 enum proto_fwd_type *type, struct proto_fwd_target *t, uint8_t *fn);
struct proto_fwd_tmf_reply {
	enum proto_fwd_result result;
	char owner[PROTO_NAME_MAX + 1];
	uint64_t owner_epoch;
	uint8_t response;               /* RFC 7143 11.6.1 response code */
};
int proto_fwd_tmf_reply_encode(const struct proto_fwd_secret *s,
			       const struct proto_fwd_tmf_reply *r, uint8_t *buf, size_t cap,
			       size_t *len);
int proto_fwd_tmf_reply_decode(const struct proto_fwd_secret *s, const uint8_t *buf,
			       size_t len, struct proto_fwd_tmf_reply *out);

/* The type of a message whose header is well-formed (no MAC check), or -EBADMSG. */
int proto_fwd_peek_type(const uint8_t *buf, size_t len);

/* Loads a secret from text (the node config's `cluster_secret`, or a file's content with
 * one trailing newline dropped): 16..128 bytes. -EINVAL otherwise. */
int proto_fwd_secret_set(struct proto_fwd_secret *s, const void *text, size_t len);

#endif
