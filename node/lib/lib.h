/* lib.h - the library engine: one virtual tape library's state and its persistence.
 *
 * A library is a media changer (LUN 0) and N tape drives (LUNs 1..N). Its state is
 *  - the element map: which cartridge sits in which element (transport, storage slots,
 *    import/export slots, drives), persisted as one record per library so every move is
 *    atomic (one store_kv_put with sync);
 *  - per logical unit, SPC state kept per I_T nexus: pending unit attentions, reservations;
 *  - per drive, the SSC state of the loaded cartridge (position, block size, modes).
 * The SCSI emulation (node/scsi) is pure logic on this state; it mutates persistent parts
 * only through the lib_ functions here, which is where mirroring will hook in.
 *
 * Element addressing (fixed, like an IBM 3584): transport 0x0001, drives 0x0100 + i,
 * import/export 0x0300 + i, storage 0x0400 + i.
 *
 * Everything a library stores is named by its persistent id, never by its name or by
 * barcodes alone (lib_ident.c): two libraries with the same barcodes on one node, or a
 * library created again under the name of a deleted one, never share data.
 *
 * Concurrency: every logical unit has its own mutex (lu->lock) that serializes the commands
 * for that LUN (scsi_exec takes it). The changer's lock (lib->lus[0].lock) also guards the
 * element map. Lock order: changer before drive. A command that touches a drive's cartridge
 * from the changer (MOVE MEDIUM to/from a drive) holds the changer lock, then the drive's.
 * The cartridge array (lib->carts) is read by drive commands under their drive's lock
 * alone, so it changes (grows, shrinks, is reindexed) only under the changer lock plus
 * every drive's lock, taken in LUN order (lib_sync_cartridges).
 * Nothing here blocks on the network; store calls may block on disk. */
#ifndef VTL_NODE_LIB_H
#define VTL_NODE_LIB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/scsi_cmd.h"

struct proto_libcfg;
struct store;
struct store_tape;

#define LIB_NAME_MAX 64
#define LIB_BARCODE_MAX 16      /* barcode characters, NUL not counted */
#define LIB_MAX_DRIVES 64
#define LIB_MAX_SLOTS 4096
#define LIB_MAX_IE 64

enum lib_elem_type {            /* SMC-3 element type codes */
	LIB_ELEM_TRANSPORT = 1,
	LIB_ELEM_STORAGE = 2,
	LIB_ELEM_IE = 3,
	LIB_ELEM_DRIVE = 4,
};

#define LIB_ADDR_TRANSPORT 0x0001
#define LIB_ADDR_DRIVE0 0x0100
#define LIB_ADDR_IE0 0x0300
#define LIB_ADDR_SLOT0 0x0400

#define LIB_ID_LEN 32            /* lower-case hex digits of a persistent library id */

/* One cartridge of an explicit cartridge list (a library config from etcd). */
struct lib_cart_spec {
	char barcode[LIB_BARCODE_MAX + 1];      /* [A-Z0-9]{1,16} */
	uint64_t capacity;                      /* native capacity, bytes */
};

/* What a library is: a [library NAME] section of the node configuration (standalone) or
 * a library config record from etcd (lib_config_from_record). */
struct lib_config {
	char name[LIB_NAME_MAX];
	char target[SCSI_NAME_MAX];     /* full iSCSI target name: <iqn_prefix>:<name> */
	char id[LIB_ID_LEN + 1];        /* persistent id; "" = generate one at creation */
	uint16_t drives, slots, ie_slots;
	uint32_t cartridges;            /* generated at first start: <prefix>0001<media> ... */
	char barcode_prefix[8];         /* "VT" */
	char media[4];                  /* LTO media suffix: "L8" */
	uint64_t capacity;              /* cartridge native capacity, bytes */
	char changer_vendor[9], changer_product[17], changer_rev[5];
	char drive_vendor[9], drive_product[17], drive_rev[5];
	/* An explicit cartridge list (etcd): when has_cart_list it replaces `cartridges`
	 * (nothing is generated) and is the library's whole inventory; see
	 * lib_sync_cartridges(). cart_list is owned by whoever filled the config and freed
	 * by lib_config_fini(); lib_open() and lib_sync_cartridges() only borrow it for the
	 * call (lib->cfg keeps has_cart_list, with cart_list NULL). */
	bool has_cart_list;
	struct lib_cart_spec *cart_list;
	size_t n_cart_list;             /* <= slots */
};

struct lib_cart {
	char barcode[LIB_BARCODE_MAX + 1];
	uint64_t capacity;
	bool write_protect;
	uint32_t load_count;
};

struct lib_elem {
	uint16_t addr;
	uint8_t type;                   /* enum lib_elem_type */
	int32_t cart;                   /* index into lib->carts, or -1 when empty */
	uint16_t src_addr;              /* where the cartridge came from (SMC SVALID) */
	bool src_valid;
};

/* Unit attention conditions, one bit each (SPC-4 6.1 / Annex; sense in node/scsi). */
enum lib_ua {
	LIB_UA_POWER_ON = 1u << 0,        /* 06/29/00 power on, reset, or bus device reset occurred */
	LIB_UA_BUS_RESET = 1u << 1,       /* 06/29/02 (target warm reset) */
	LIB_UA_LU_RESET = 1u << 2,        /* 06/29/03 bus device reset function occurred */
	LIB_UA_MEDIUM_CHANGED = 1u << 3,  /* 06/28/00 not ready to ready, medium may have changed */
	LIB_UA_MODE_CHANGED = 1u << 4,    /* 06/2A/01 mode parameters changed */
	LIB_UA_RES_PREEMPTED = 1u << 5,   /* 06/2A/03 reservations preempted */
	LIB_UA_RES_RELEASED = 1u << 6,    /* 06/2A/04 reservations released */
	LIB_UA_REGS_PREEMPTED = 1u << 7,  /* 06/2A/05 registrations preempted */
	LIB_UA_INQUIRY_CHANGED = 1u << 8, /* 06/3F/03 inquiry data has changed */
	LIB_UA_LUNS_CHANGED = 1u << 9,    /* 06/3F/0E reported luns data has changed */
	LIB_UA_IE_OPENED = 1u << 10,      /* 06/28/01 import or export element accessed */
};

/* SPC state an I_T nexus has with one logical unit. */
struct lib_nexus {
	struct scsi_nexus nexus;
	uint32_t ua;                    /* pending enum lib_ua bits */
	bool pr_registered;
	uint64_t pr_key;
	uint8_t deferred_sense[SCSI_SENSE_MAX]; /* REQUEST SENSE answer after deferred errors */
	uint8_t deferred_sense_len;
};

/* One logical unit (changer or drive). */
struct lib_lu {
	pthread_mutex_t lock;           /* serializes this LUN's commands; guards the fields below */
	uint64_t lun;
	struct lib_nexus *nexus;        /* nexuses that have talked to this LU */
	size_t n_nexus, cap_nexus;
	/* RESERVE(6)/(10) (SPC-2 reservation) */
	bool reserved;
	struct scsi_nexus reserver;
	/* PERSISTENT RESERVE (SPC-4 5.12) */
	uint32_t pr_generation;
	bool pr_held;
	uint8_t pr_type;                /* 0 when none */
	struct scsi_nexus pr_holder;
	uint64_t pr_holder_key;
};

/* A tape drive: the data-transfer element plus SSC state. */
struct lib_drive {
	struct lib_lu *lu;
	uint16_t elem_addr;
	char serial[32];                /* unit serial number (VPD 0x80), derived from lib id */
	/* the cartridge in the drive (mirrors the element map) */
	int32_t cart;                   /* -1 when empty */
	struct store_tape *tape;        /* open while a cartridge is in the drive */
	bool loaded;                    /* threaded and ready (LOAD/auto-load); UNLOAD clears */
	/* SSC state of the loaded medium; reset by load (SSC-4 4.2) */
	uint64_t pos;                   /* logical object number at the current position */
	uint32_t block_len;             /* 0 = variable block mode (mode block descriptor) */
	uint8_t density;                /* density code reported in the block descriptor */
	bool compression;               /* mode page 0x0F DCE */
	bool prevent;                   /* PREVENT ALLOW MEDIUM REMOVAL */
	bool buffered;                  /* mode parameter header buffered mode (1) */
	bool early_warning;             /* set once the early-warning zone has been reported */
	uint64_t bytes_written, bytes_read; /* for LOG SENSE and MAM since load */
	bool dirty;                     /* objects written since the last store_tape_sync */
	uint64_t tapealert;             /* pending TapeAlert flags, bit n-1 = flag n (SSC-4 8.2.3) */
};

struct lib {
	struct lib_config cfg;          /* cart_list NULL: the inventory is carts below */
	char id[LIB_ID_LEN + 1];        /* persistent library id, 32 hex digits: cfg.id, or the
					 * one the store records for a standalone library's name */
	struct store *store;            /* borrowed */
	struct lib_lu *lus;             /* [0] changer, [1..drives] drives */
	size_t n_lus;
	struct lib_drive *drives;       /* cfg.drives entries; drives[i].lu == &lus[i + 1] */
	struct lib_elem *elems;         /* transport, drives, ie, slots, in that order */
	size_t n_elems;
	struct lib_cart *carts;
	size_t n_carts, cap_carts;
	bool ie_open;                   /* import/export door open (OPEN/CLOSE I/E ELEMENT) */
	bool prevent;                   /* changer PREVENT MEDIUM REMOVAL */
};

/* The defaults of a library (what an empty [library NAME] section means): 2 drives,
 * 20 slots, 4 import/export slots, 10 cartridges VT0001L8.. of 4 GiB, an IBM 03584L32
 * changer with IBM ULT3580-TD8 drives. `target` is left empty for the caller. */
void lib_config_defaults(struct lib_config *c, const char *name);

/* Frees what a config owns (its cartridge list); the config may be reused. Accepts a
 * config that owns nothing. */
void lib_config_fini(struct lib_config *c);

/* Validates cfg (returns -EINVAL with a logged reason), loads the library's state from the
 * store or creates it (the cartridge list or generated cartridges placed into the first
 * slots), opens the tapes of cartridges sitting in drives.
 * The state is the one stored under the library's id: cfg->id when set (etcd), else the
 * id the store records for cfg->name (standalone; a new id the first time). An id with no
 * state is a new library, even if another library of this name has data in the store:
 * that data is left alone and logged (LIB_OTHER_DATA). An existing library with a
 * cartridge list is reconciled with it (lib_sync_cartridges).
 * *out is owned by the caller: lib_close() it. */
int lib_open(struct store *store, const struct lib_config *cfg, struct lib **out);
void lib_close(struct lib *lib);        /* syncs and closes tapes; accepts NULL */

/* Reconciles an open library's inventory with cfg->cart_list (a no-op returning 0 when
 * cfg has no list). The caller holds no lock of lib; this takes the changer's lock and
 * then every drive's (drive commands read lib->carts), in lib.h's order.
 *  - a barcode new in the list goes into the first empty import/export slot, else the
 *    first empty storage slot (06/28/01 resp. 06/28/00 unit attention for every nexus of
 *    the changer, SMC-3 6.1); with no room it is logged (LIB_CART_NO_ROOM) and placed at
 *    a later call;
 *  - a barcode gone from the list leaves the library if it sits in a slot or an
 *    import/export slot, and its tape data is deleted from the store; one in a drive
 *    stays (LIB_CART_IN_DRIVE) until a later call finds it back in a slot.
 * The element map is persisted (synced) before any tape data is deleted. Returns 0 or
 * -errno of the save (the change stays in memory and is saved with the next move). */
int lib_sync_cartridges(struct lib *lib, const struct lib_config *cfg);

/* The library is deleted: closes it and removes its data from the store - exactly what is
 * stored under its id (its state record, every cartridge's tape data) and, standalone,
 * its name record - then frees lib like lib_close. Returns 0 or the first store error
 * (tapes are removed only once nothing leads to them any more). */
int lib_destroy(struct lib *lib);
/* The same for a library that is not open: the one with cfg->id (or, standalone, the one
 * recorded for cfg->name). Nothing when the store holds no state under that id; data of
 * other libraries of the same name is never touched. */
int lib_purge(struct store *store, const struct lib_config *cfg);

/* Converts a library config record from etcd (proto/records.h, already validated by its
 * decoder) into out: target <iqn_prefix>:<name>, the record's id and its cartridge list
 * (out owns the copy: lib_config_fini). 0, -EINVAL (a field out of the engine's range),
 * -ENAMETOOLONG (target name too long), -ENOMEM. */
int lib_config_from_record(const struct proto_libcfg *rec, const char *iqn_prefix,
			   struct lib_config *out);

struct lib_lu *lib_lu(struct lib *lib, uint64_t lun);          /* NULL if no such LUN */
struct lib_drive *lib_drive_of_lu(struct lib *lib, uint64_t lun); /* NULL for LUN 0 */
struct lib_elem *lib_elem(struct lib *lib, uint16_t addr);     /* NULL if no such element */
struct lib_drive *lib_drive_at(struct lib *lib, uint16_t addr); /* drive at element addr */
const struct lib_cart *lib_cart_at(const struct lib *lib, const struct lib_elem *e); /* NULL if empty */

/* Moves the cartridge from src to dst and persists the element map (sync). The caller has
 * checked SMC preconditions (src full, dst empty, drive unloaded) and holds the changer lock
 * and the lock of any drive involved. A cartridge moved into a drive is opened and loaded
 * (auto-load at BOT, medium-changed UA for every nexus of that drive); one moved out of a
 * drive is synced and closed. Returns 0 or -errno (state unchanged on error). */
int lib_move(struct lib *lib, uint16_t src, uint16_t dst);

/* Finds or adds the state for a nexus on a LU (caller holds lu->lock). A nexus seen for the
 * first time starts with a power-on unit attention (SPC-4 6.1). NULL only on ENOMEM. */
struct lib_nexus *lib_nexus_get(struct lib_lu *lu, const struct scsi_nexus *nx);
/* Drops the state of a nexus that ended, unless it holds a persistent reservation
 * registration (which outlives the nexus). Caller holds lu->lock. */
void lib_nexus_forget(struct lib_lu *lu, const struct scsi_nexus *nx);
/* Raises ua for every nexus known to lu except `except` (NULL = all). Caller holds lu->lock. */
void lib_ua_raise(struct lib_lu *lu, uint32_t ua, const struct scsi_nexus *except);

#endif
