/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libvdpamgmt: manage vDPA devices from C, the code behind vdpa-mgmt.
 *
 * A VMM or an orchestrator links this (pkg-config libvdpamgmt gives the
 * flags: libvdpamgmt.so, or libvdpamgmt.a with --static) to do
 * what the command line does: list management devices, create and delete
 * vDPA devices through the kernel's "vdpa" generic netlink family, hand PCI
 * functions to dpu_vdpa and attach vDPA devices to vhost_vdpa or
 * virtio_vdpa through sysfs.
 *
 * Conventions:
 * - Everything this header defines is named vdpamgmt_ (functions, types,
 *   callbacks) or VDPAMGMT_ (macros), apart from the vdpa and dpu_vdpa
 *   kernel names it uses (VDPA_ATTR_*, DPU_VDPA_*).
 * - Every call takes a session (struct vdpamgmt) and returns 0 or a
 *   negative errno.  After a failure, vdpamgmt_error() says why in one
 *   line: the kernel's extended ack message when there is one, else the
 *   reason the driver wrote to the kernel log for this very request (the
 *   vdpa core gives drivers no extack in dev_add), else strerror().
 * - The netlink socket is opened on the first netlink call, so PCI binding
 *   works before the vdpa module is loaded.
 * - Results come in plain structs; which optional attributes the kernel
 *   sent is in ->present, tested with VDPAMGMT_HAS(obj, VDPA_ATTR_...).
 *
 * Not a thread-safe object: use one session per thread.
 */
#ifndef LIBVDPAMGMT_H
#define LIBVDPAMGMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the attribute and command numbers VDPAMGMT_HAS() and the results name */
#include <linux/dpu_vdpa.h>		/* installed with this library */
#include <linux/dpu_vdpa_state.h>
#include <linux/vdpa.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * libvdpamgmt.so is built with -fvisibility=hidden: what is declared
 * between these pragmas is its ABI, and nothing else is exported.
 */
#pragma GCC visibility push(default)

struct nlmsghdr;

#define VDPAMGMT_NAME_MAX	64	/* device, driver and handle names */
#define VDPAMGMT_PATH_MAX	128	/* /dev paths */
#define VDPAMGMT_ERR_MAX	256

/* Did the kernel send attribute ATTR (enum vdpa_attr, <linux/vdpa.h>)? */
#define VDPAMGMT_HAS(obj, attr)	((((obj)->present) >> (attr)) & 1)

struct vdpamgmt;

struct vdpamgmt *vdpamgmt_new(void);
void vdpamgmt_free(struct vdpamgmt *vm);
/* Why the last failed call failed, one line; "" after a success. */
const char *vdpamgmt_error(const struct vdpamgmt *vm);

/* --- management devices: "vdpa mgmtdev" */

struct vdpamgmt_mgmtdev {
	char handle[VDPAMGMT_NAME_MAX];		/* "pci/0000:00:08.0" or "vdpasim_net" */
	uint64_t present;
	uint64_t classes;			/* bit n: virtio device id n */
	uint32_t max_supported_vqs;
	uint64_t supported_features;
};

typedef int (*vdpamgmt_mgmtdev_cb)(const struct vdpamgmt_mgmtdev *mgmtdev, void *arg);

/* One device by handle ("bus/name" or "name"). */
int vdpamgmt_mgmtdev_get(struct vdpamgmt *vm, const char *handle, struct vdpamgmt_mgmtdev *out);
/* Every device; a non-zero return from CB stops the walk and is returned. */
int vdpamgmt_mgmtdev_for_each(struct vdpamgmt *vm, vdpamgmt_mgmtdev_cb cb, void *arg);

/* --- vDPA devices: "vdpa dev" */

struct vdpamgmt_dev {
	char name[VDPAMGMT_NAME_MAX];
	char mgmtdev[VDPAMGMT_NAME_MAX];	/* handle of its management device */
	uint64_t present;
	uint32_t device_id;			/* virtio device id: 1 net, 2 block */
	uint32_t vendor_id;
	uint32_t max_vqs;
	uint32_t max_vq_size;
	uint32_t min_vq_size;
};

/* The config space view of "vdpa dev config show" (net and block). */
struct vdpamgmt_dev_config {
	char name[VDPAMGMT_NAME_MAX];
	uint64_t present;
	uint32_t device_id;
	uint64_t negotiated_features;		/* only once FEATURES_OK is set */
	uint64_t device_features;		/* what the device offers */
	struct {
		uint8_t mac[6];
		uint16_t status;		/* VIRTIO_NET_S_LINK_UP, _ANNOUNCE */
		uint16_t max_vq_pairs;
		uint16_t mtu;
	} net;
	struct {
		uint64_t capacity;		/* 512-byte sectors */
		uint32_t size_max;
		uint32_t seg_max;
		uint32_t blk_size;
		uint16_t num_queues;
		uint8_t physical_block_exp;
		uint8_t alignment_offset;
		uint16_t min_io_size;
		uint32_t opt_io_size;
		uint32_t max_discard_sectors;
		uint32_t max_discard_seg;
		uint32_t discard_sector_alignment;
		uint32_t max_write_zeroes_sectors;
		uint32_t max_write_zeroes_seg;
		uint8_t read_only;
		uint8_t flush;
	} blk;
};

typedef int (*vdpamgmt_dev_cb)(const struct vdpamgmt_dev *dev, void *arg);
typedef int (*vdpamgmt_dev_config_cb)(const struct vdpamgmt_dev_config *config, void *arg);

int vdpamgmt_dev_get(struct vdpamgmt *vm, const char *name, struct vdpamgmt_dev *out);
int vdpamgmt_dev_for_each(struct vdpamgmt *vm, vdpamgmt_dev_cb cb, void *arg);
int vdpamgmt_dev_config_get(struct vdpamgmt *vm, const char *name, struct vdpamgmt_dev_config *out);
int vdpamgmt_dev_config_for_each(struct vdpamgmt *vm, vdpamgmt_dev_config_cb cb, void *arg);

/* What "dev add" asks for; ->set says which optional fields are given. */
#define VDPAMGMT_DEV_PARAM_MAC		(1u << 0)
#define VDPAMGMT_DEV_PARAM_MTU		(1u << 1)
#define VDPAMGMT_DEV_PARAM_MAX_VQP		(1u << 2)
#define VDPAMGMT_DEV_PARAM_FEATURES		(1u << 3)

struct vdpamgmt_dev_params {
	const char *name;
	const char *mgmtdev;			/* handle, required by dev add */
	unsigned int set;
	uint8_t mac[6];
	uint16_t mtu;
	uint16_t max_vq_pairs;
	uint64_t device_features;
};

int vdpamgmt_dev_add(struct vdpamgmt *vm, const struct vdpamgmt_dev_params *params);
int vdpamgmt_dev_del(struct vdpamgmt *vm, const char *name);
/* "vdpa dev set": only the MAC for now, as in the kernel. */
int vdpamgmt_dev_set_mac(struct vdpamgmt *vm, const char *name, const uint8_t mac[6]);

/*
 * The requests, built into a caller's buffer: for tests, and for callers
 * that run their own socket.  FAMILY is the resolved "vdpa" family id.
 * Return the message length, or -EINVAL (bad params) / -EMSGSIZE.  BUF
 * must be zeroed first: libmnl leaves attribute padding as it finds it,
 * and the padding is sent.
 */
int vdpamgmt_build_dev_add(void *buf, size_t size, uint16_t family, uint32_t seq,
			   const struct vdpamgmt_dev_params *params);
int vdpamgmt_build_dev_set(void *buf, size_t size, uint16_t family, uint32_t seq,
			   const struct vdpamgmt_dev_params *params);
/* CMD one of VDPA_CMD_*; NAME (a device or mgmtdev handle) NULL for a dump. */
int vdpamgmt_build_get(void *buf, size_t size, uint16_t family, uint32_t seq, uint8_t cmd,
		       const char *name);
int vdpamgmt_build_dev_del(void *buf, size_t size, uint16_t family, uint32_t seq,
			   const char *name);

/* Replies, parsed: 0, or -EINVAL if a required attribute is missing or malformed. */
int vdpamgmt_parse_mgmtdev(const struct nlmsghdr *nlh, struct vdpamgmt_mgmtdev *out);
int vdpamgmt_parse_dev(const struct nlmsghdr *nlh, struct vdpamgmt_dev *out);
int vdpamgmt_parse_dev_config(const struct nlmsghdr *nlh, struct vdpamgmt_dev_config *out);
/*
 * An NLMSG_ERROR (or NLMSG_DONE) message: the errno it carries (0 for an
 * ack) and the extack message, copied to MSG ("" if none).
 */
int vdpamgmt_parse_nlmsgerr(const struct nlmsghdr *nlh, char *msg, size_t msg_size);

/* --- PCI functions and dpu_vdpa */

#define VDPAMGMT_PCI_DRIVER	"dpu_vdpa"

struct vdpamgmt_pci_fn {
	char bdf[16];				/* 0000:00:08.0 */
	uint16_t vendor;
	uint16_t device;
	char driver[VDPAMGMT_NAME_MAX];		/* "" when unbound */
	char driver_override[VDPAMGMT_NAME_MAX];
};

typedef int (*vdpamgmt_pci_fn_cb)(const struct vdpamgmt_pci_fn *fn, void *arg);

/*
 * "0000:00:08.0" or "00:08.0" (domain 0) into the canonical lower-case
 * form; -EINVAL if it is not a PCI address.
 */
int vdpamgmt_pci_bdf_parse(const char *text, char bdf[16]);
int vdpamgmt_pci_fn_get(struct vdpamgmt *vm, const char *bdf, struct vdpamgmt_pci_fn *out);
/* Virtio functions (vendor 0x1af4) and whatever dpu_vdpa has or is promised. */
int vdpamgmt_pci_fn_for_each(struct vdpamgmt *vm, vdpamgmt_pci_fn_cb cb, void *arg);
/*
 * Hand the function to dpu_vdpa: unbind its driver, driver_override,
 * reprobe.  If dpu_vdpa refuses it, the function goes back to the driver
 * it had and the call fails with the driver's reason.  Bound already: 0.
 */
int vdpamgmt_pci_bind(struct vdpamgmt *vm, const char *bdf);
/*
 * Take it back from dpu_vdpa (deleting its vDPA device): unbind, clear
 * driver_override, reprobe so its usual driver (virtio-pci) takes it.
 */
int vdpamgmt_pci_unbind(struct vdpamgmt *vm, const char *bdf);

/* --- attaching a vDPA device to a bus driver */

#define VDPAMGMT_DRIVER_VHOST	"vhost_vdpa"
#define VDPAMGMT_DRIVER_VIRTIO	"virtio_vdpa"

/* What a vDPA device became; empty strings for what it has not. */
struct vdpamgmt_attachment {
	char driver[VDPAMGMT_NAME_MAX];		/* vhost_vdpa, virtio_vdpa, or "" */
	char chardev[VDPAMGMT_PATH_MAX];	/* /dev/vhost-vdpa-N */
	char virtio[VDPAMGMT_NAME_MAX];		/* virtioN */
	char netdev[VDPAMGMT_NAME_MAX];		/* eth1 (in this network namespace) */
	char blockdev[VDPAMGMT_PATH_MAX];	/* /dev/vda */
};

int vdpamgmt_dev_attachment(struct vdpamgmt *vm, const char *name, struct vdpamgmt_attachment *out);
/*
 * Bind the device to DRIVER (VDPAMGMT_DRIVER_*), unbinding it from any
 * other first, then wait up to TIMEOUT_MS for what the driver makes
 * (the chardev; the netdev or disk of a net or block device).
 */
int vdpamgmt_dev_attach(struct vdpamgmt *vm, const char *name, const char *driver,
			unsigned int timeout_ms, struct vdpamgmt_attachment *out);
/* Unbind from its driver and clear driver_override.  Not bound: 0. */
int vdpamgmt_dev_detach(struct vdpamgmt *vm, const char *name);

/*
 * --- dpu_vdpa devices: the driver's own "dpu_vdpa" generic netlink family
 * (<linux/dpu_vdpa.h>, installed with this library): suspend and resume,
 * the dirty-page log, device state save and load.  Names are those of the
 * "vdpa" family ("vdpa0"); devices of other drivers are not known there.
 */

#define VDPAMGMT_DPU_STATS_MAX	32	/* room for enum dpu_vdpa_stat */

/* DPU_VDPA_CMD_DEV_GET; VDPAMGMT_HAS(dev, DPU_VDPA_A_...) says what was sent. */
struct vdpamgmt_dpu_dev {
	char name[VDPAMGMT_NAME_MAX];
	char mgmtdev[VDPAMGMT_NAME_MAX];
	char bus_driver[VDPAMGMT_NAME_MAX];	/* "vhost_vdpa", "virtio_vdpa" or "" */
	uint64_t present;
	uint32_t device_id;
	uint8_t status;				/* virtio device status */
	uint8_t mode;				/* enum dpu_vdpa_mode */
	bool suspended;
	bool logging;
	uint32_t log_page_size;			/* these four while logging */
	uint64_t log_iova;
	uint64_t log_len;
	bool log_owned;				/* stops with the socket that started it */
	uint64_t stats_present;			/* bit n: stats[n] was sent */
	uint64_t stats[VDPAMGMT_DPU_STATS_MAX];	/* by enum dpu_vdpa_stat */
	uint32_t core_caps;			/* bit n: enum dpu_vdpa_core_cap n */
};

typedef int (*vdpamgmt_dpu_dev_cb)(const struct vdpamgmt_dpu_dev *dev, void *arg);

#define VDPAMGMT_DPU_STAGED_VQS_MAX	1024	/* avail indexes kept */

/*
 * A state loaded into a device (vdpamgmt_dpu_state_load) that its
 * consumer's DRIVER_OK has not consumed yet: DPU_VDPA_A_STAGED of DEV_GET
 * (VDPAMGMT_HAS(dev, DPU_VDPA_A_STAGED) says there is one).
 * VDPAMGMT_HAS(staged, DPU_VDPA_STAGED_...) says what was sent.
 */
struct vdpamgmt_dpu_staged {
	uint64_t present;
	uint64_t driver_features;		/* the consumer must negotiate these */
	uint32_t num_vqs;			/* avail indexes sent */
	uint16_t avail[VDPAMGMT_DPU_STAGED_VQS_MAX];	/* each vq's next; the first
							 * VDPAMGMT_DPU_STAGED_VQS_MAX */
	uint8_t net_mac[6];			/* net: the MAC the consumer set */
	uint16_t net_pairs;			/* net: queue pairs it selected */
	uint32_t net_rx_flags;			/* net: DPU_VDPA_STATE_RX_* */
	uint32_t net_macs;			/* net: MAC table entries */
	uint32_t net_vlans;			/* net: VLAN ids in the filter */
};

int vdpamgmt_dpu_dev_get(struct vdpamgmt *vm, const char *name, struct vdpamgmt_dpu_dev *out);
int vdpamgmt_dpu_dev_for_each(struct vdpamgmt *vm, vdpamgmt_dpu_dev_cb cb, void *arg);
/* What NAME has staged: 1 and *OUT, 0 if nothing is staged, or a negative errno. */
int vdpamgmt_dpu_staged_get(struct vdpamgmt *vm, const char *name,
			    struct vdpamgmt_dpu_staged *out);
int vdpamgmt_dpu_suspend(struct vdpamgmt *vm, const char *name);
int vdpamgmt_dpu_resume(struct vdpamgmt *vm, const char *name);
/*
 * Log the pages the device writes in [IOVA, IOVA + LEN).  LEN 0: the
 * consumer's whole address space, as the kernel sees it (vhost_vdpa: the
 * span of its mappings; virtio_vdpa: the DMA addresses it can be given);
 * vdpamgmt_dpu_log_range() tells what was chosen.  PAGE_SIZE 0: the kernel's
 * default (4096).  FLAGS: VDPAMGMT_LOG_OWNED makes the log stop when VM's
 * socket is closed (vdpamgmt_close, or the process ends however it ends).
 */
#define VDPAMGMT_LOG_OWNED	(1U << 0)
int vdpamgmt_dpu_log_start(struct vdpamgmt *vm, const char *name, uint64_t iova, uint64_t len,
			   uint32_t page_size, unsigned int flags);
int vdpamgmt_dpu_log_stop(struct vdpamgmt *vm, const char *name);

/* One LOG_SYNC reply: bit i of bitmap (LSB first) is page iova + i * page_size. */
struct vdpamgmt_dpu_log_chunk {
	uint64_t iova;
	uint64_t len;				/* bytes, a multiple of page_size */
	uint32_t page_size;
	uint64_t pages;				/* len / page_size bits in bitmap */
	uint64_t dirty;				/* bits set */
	const uint8_t *bitmap;			/* (pages + 7) / 8 bytes */
};

/* What a whole sync read and cleared. */
struct vdpamgmt_dpu_log_summary {
	uint64_t iova;				/* the logged range, rounded out to pages */
	uint64_t len;
	uint32_t page_size;
	uint64_t pages;
	uint64_t dirty;
	unsigned int chunks;			/* LOG_SYNC requests it took */
};

typedef int (*vdpamgmt_dpu_log_cb)(const struct vdpamgmt_dpu_log_chunk *chunk, void *arg);

/* The range a logging device covers, rounded out to pages (dirty, chunks 0). */
int vdpamgmt_dpu_log_range(struct vdpamgmt *vm, const char *name,
			   struct vdpamgmt_dpu_log_summary *range);

/*
 * Read and clear the dirty bits of the whole logged range (as DEV_GET
 * reports it), in LOG_SYNC requests of at most DPU_VDPA_LOG_SYNC_MAX_PAGES
 * pages, each chunk handed to CB (may be NULL) in ascending order.
 * Chunks other than the last are whole bytes of bitmap, so their bitmaps
 * concatenate into the bitmap of the range.  A non-zero return from CB
 * stops the sync and is returned (the rest stays dirty).  -ENOENT if the
 * device is not logging.
 */
int vdpamgmt_dpu_log_sync(struct vdpamgmt *vm, const char *name, vdpamgmt_dpu_log_cb cb, void *arg,
			  struct vdpamgmt_dpu_log_summary *summary);
/* The blob, malloc()ed into *BLOB (the caller frees it). */
int vdpamgmt_dpu_state_save(struct vdpamgmt *vm, const char *name, uint8_t **blob, size_t *len);
int vdpamgmt_dpu_state_load(struct vdpamgmt *vm, const char *name, const void *blob, size_t len);

/*
 * Requests of the dpu_vdpa family built into a caller's buffer (FAMILY
 * its resolved id): the length, or -EINVAL / -EMSGSIZE.  CMD is
 * DPU_VDPA_CMD_*: _build_dev_cmd for those that take the name alone
 * (NAME NULL with DEV_GET: a dump).
 */
int vdpamgmt_dpu_build_dev_cmd(void *buf, size_t size, uint16_t family, uint32_t seq, uint8_t cmd,
			       const char *name);
/* LEN 0: neither LOG_IOVA nor LOG_LEN (the kernel picks the range). */
int vdpamgmt_dpu_build_log_start(void *buf, size_t size, uint16_t family, uint32_t seq,
				 const char *name, uint64_t iova, uint64_t len, uint32_t page_size,
				 unsigned int flags);
/* LEN 0: no LOG_LEN attribute (the kernel's default chunk). */
int vdpamgmt_dpu_build_log_sync(void *buf, size_t size, uint16_t family, uint32_t seq,
				const char *name, uint64_t iova, uint64_t len);
int vdpamgmt_dpu_build_state_load(void *buf, size_t size, uint16_t family, uint32_t seq,
				  const char *name, const void *blob, size_t len);
/* Replies: 0, or -EINVAL if a required attribute is missing or malformed. */
int vdpamgmt_dpu_parse_dev(const struct nlmsghdr *nlh, struct vdpamgmt_dpu_dev *out);
/* The staged state of a DEV_GET reply: 1 (into *OUT), 0 if none, -EINVAL if malformed. */
int vdpamgmt_dpu_parse_staged(const struct nlmsghdr *nlh, struct vdpamgmt_dpu_staged *out);
/* CHUNK->bitmap points into NLH. */
int vdpamgmt_dpu_parse_log_sync(const struct nlmsghdr *nlh, struct vdpamgmt_dpu_log_chunk *chunk);
/* *BLOB points into NLH. */
int vdpamgmt_dpu_parse_state(const struct nlmsghdr *nlh, const uint8_t **blob, size_t *len);

/*
 * Local migration of a consumer's device state from SRC to DST, two
 * dpu_vdpa devices on this host:
 *   1. checks: SRC running (DRIVER_OK) and not suspended; DST exists, or
 *      with dst_mgmtdev does not and is added there, provisioned as SRC
 *      is (device features; net: MAC, MTU, queue pairs); same device
 *      type and number of vqs; DST not DRIVER_OK and offering every
 *      feature SRC's consumer negotiated;
 *   2. log start on SRC over [log_iova, log_iova + log_len) if log_len is
 *      given (or uses the log SRC already has);
 *   3. suspend SRC;
 *   4. final log sync of SRC, if logging (chunks to log_cb);
 *   5. state save from SRC, checked with vdpamgmt_state_decode();
 *   6. state load into DST (staged: it applies at DST's DRIVER_OK);
 *   7. log stop on SRC if step 2 started it.
 * It copies no memory and touches no consumer: the consumer switches to
 * DST (and its DRIVER_OK starts DST where SRC stopped).  SRC stays
 * suspended.  If a step fails, what it changed is put back: the log
 * stopped if step 2 started it, SRC resumed if step 3 suspended it, DST
 * deleted if step 1 added it.
 * PROGRESS (may be NULL) gets one line per step done.
 */
struct vdpamgmt_dpu_migrate_params {
	const char *src;
	const char *dst;
	const char *dst_mgmtdev;		/* NULL: DST exists; else add it there */
	uint64_t log_iova;
	uint64_t log_len;			/* 0: start no log */
	uint32_t log_page_size;			/* 0: the kernel's default */
	vdpamgmt_dpu_log_cb log_cb;		/* the final sync's chunks */
	void *log_arg;
	void (*progress)(const char *line, void *arg);
	void *progress_arg;
};

struct vdpamgmt_dpu_migrate_result {
	bool logged;				/* a final sync was made: log is valid */
	struct vdpamgmt_dpu_log_summary log;
	size_t state_len;
	uint16_t num_queues;
};

int vdpamgmt_dpu_migrate_local(struct vdpamgmt *vm,
			       const struct vdpamgmt_dpu_migrate_params *params,
			       struct vdpamgmt_dpu_migrate_result *result);

/*
 * --- device-state blobs (<linux/dpu_vdpa_state.h>), decoded and encoded
 * without a kernel: for "dev state show", checks before a load, tests.
 */

struct vdpamgmt_state_vq {
	uint16_t index;
	uint16_t num;
	uint16_t avail_idx;
	uint16_t used_idx;
	uint8_t flags;				/* DPU_VDPA_STATE_VQ_* */
	uint64_t desc_addr;
	uint64_t driver_addr;
	uint64_t device_addr;
};

/* A section this reader does not know and skipped (not critical). */
struct vdpamgmt_state_unknown {
	uint32_t offset;
	uint16_t type;
	uint16_t flags;
	uint32_t len;
};

/* Did the blob have a section of (known) type TYPE, enum dpu_vdpa_state_type? */
#define VDPAMGMT_STATE_HAS(st, type)	((((st)->sections) >> (type)) & 1)

struct vdpamgmt_state {
	uint16_t version;
	uint32_t total_len;
	uint32_t crc32;
	uint32_t device_id;
	uint64_t sections;			/* bit n: section type n */
	/* DEVICE */
	uint64_t device_features;
	uint64_t driver_features;
	uint8_t status;
	uint16_t num_queues;
	uint16_t config_len;
	struct vdpamgmt_state_vq *vqs;		/* num_queues, vqs[i].index == i */
	uint8_t *config;			/* CONFIG: config_len bytes, or NULL */
	struct {
		uint8_t mac[6];
		uint16_t mtu;
		uint16_t status;
		uint16_t max_virtqueue_pairs;
	} net_config;
	uint32_t rx_mode;			/* DPU_VDPA_STATE_RX_* */
	struct {
		uint32_t unicast;
		uint32_t multicast;
		uint8_t (*macs)[6];		/* unicast + multicast entries */
	} mac_table;
	uint8_t vlan[4096 / 8];
	uint16_t mq_pairs;
	struct vdpamgmt_state_unknown *unknown;
	unsigned int unknown_count;
};

/*
 * Check and decode a blob of LEN bytes into OUT (release it with
 * vdpamgmt_state_release() after a success; nothing to release after a
 * failure).  -EBADMSG if it is malformed, -EOPNOTSUPP if it is newer than
 * this reader (version, or an unknown critical section), -ENOMEM; WHY gets
 * one line naming the offset and the problem.
 */
int vdpamgmt_state_decode(const void *blob, size_t len, struct vdpamgmt_state *out, char *why,
			  size_t why_size);
void vdpamgmt_state_release(struct vdpamgmt_state *st);
/*
 * ST as a blob of the current version into BUF: the length, -EMSGSIZE if
 * SIZE is too small, -EINVAL if ST is inconsistent.  DEVICE and the
 * num_queues VQ sections are always written, the others when their bit
 * is in ->sections; all are marked critical.
 */
int vdpamgmt_state_encode(const struct vdpamgmt_state *st, void *buf, size_t size);
/* "DEVICE", "NET_MAC_TABLE", ...; NULL for a type this reader does not know. */
const char *vdpamgmt_state_section_name(unsigned int type);
/* zlib's crc32(): start with CRC 0, feed the result back to continue. */
uint32_t vdpamgmt_state_crc32(uint32_t crc, const void *data, size_t len);

/* --- names, as iproute2's vdpa prints them */

const char *vdpamgmt_class_name(unsigned int virtio_id);	/* "net", "block", NULL */
const char *vdpamgmt_device_type_name(uint32_t virtio_id);	/* "network", "block", NULL */
/* Name of feature BIT for a DEVICE_ID device; NULL when iproute2 has none. */
const char *vdpamgmt_feature_name(uint32_t device_id, unsigned int bit);
/*
 * The same, for every bit the kernel's uapi headers (6.12) define for the
 * type (net, block) or for all types: iproute2's name where it has one,
 * else the header's without its VIRTIO_*_F_ prefix ("HOST_USO"); NULL for
 * a bit no header defines.
 */
const char *vdpamgmt_feature_full_name(uint32_t device_id, unsigned int bit);

/* Look names up in every type's tables (a check before the type is known). */
#define VDPAMGMT_FEATURES_ANY_TYPE	UINT32_MAX

/*
 * The bit of feature NAME for a DEVICE_ID device, or -ENOENT.  Takes what
 * vdpamgmt_feature_full_name() gives, in any case, with or without the
 * header's prefix (VIRTIO_NET_F_MQ, VIRTIO_RING_F_EVENT_IDX), and "bit_N"
 * (N 0-63, what text output shows for a bit without a name).
 */
int vdpamgmt_feature_bit(uint32_t device_id, const char *name);
/*
 * Feature profile NAME: the device type it is for and its features; 0 or
 * -ENOENT.  "qemu-svq": what QEMU's shadow virtqueue accepts of a net
 * device, so that stock QEMU can live-migrate a -netdev vhost-vdpa guest.
 */
int vdpamgmt_feature_profile(const char *name, uint32_t *device_id, uint64_t *features);
/* The name of profile INDEX (0, 1, ...); NULL past the last. */
const char *vdpamgmt_feature_profile_name(unsigned int index);
/*
 * Is TEXT meant as a device_features mask in hex: "0x..." or hex digits
 * alone ("300000000")?  vdpamgmt_features_parse() says if it is a good one.
 */
bool vdpamgmt_features_is_hex(const char *text);
/*
 * A "dev add ... device_features" value into *OUT, for a DEVICE_ID device
 * on a management device that supports SUPPORTED:
 *   hex            exactly that mask (SUPPORTED is not looked at)
 *   A,B,C          exactly the features named
 *   -A,-B / +A     SUPPORTED without A and B / with A: a list whose first
 *                  name has a sign starts from SUPPORTED
 *   profile=P,-A   the profile's features that SUPPORTED has, without A
 * Terms apply left to right: NAME and +NAME add, -NAME removes (a feature
 * SUPPORTED lacks, quietly).  Adding a feature SUPPORTED lacks is an
 * error, as are unknown names and profiles, a name of another device type
 * and a profile for another type.  With VDPAMGMT_FEATURES_ANY_TYPE only
 * the syntax and the names are checked (SUPPORTED is not used).
 * Returns 0, or -EINVAL with why in WHY.
 */
int vdpamgmt_features_parse(const char *text, uint32_t device_id, uint64_t supported,
			    uint64_t *out, char *why, size_t why_size);
/* "02:00:00:00:00:01" into MAC: 0, or -EINVAL. */
int vdpamgmt_mac_parse(const char *text, uint8_t mac[6]);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif

#endif
