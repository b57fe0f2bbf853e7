/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libvdpamgmt: manage vDPA devices from C, the code behind vdpa-mgmt.
 *
 * A VMM or an orchestrator links this (libvdpamgmt.a, plus -lmnl) to do
 * what the command line does: list management devices, create and delete
 * vDPA devices through the kernel's "vdpa" generic netlink family, hand PCI
 * functions to dpu_vdpa and attach vDPA devices to vhost_vdpa or
 * virtio_vdpa through sysfs.
 *
 * Conventions:
 * - Every call takes a session (struct vdpa_mgmt) and returns 0 or a
 *   negative errno.  After a failure, vdpa_mgmt_error() says why in one
 *   line: the kernel's extended ack message when there is one, else the
 *   reason the driver wrote to the kernel log for this very request (the
 *   vdpa core gives drivers no extack in dev_add), else strerror().
 * - The netlink socket is opened on the first netlink call, so PCI binding
 *   works before the vdpa module is loaded.
 * - Results come in plain structs; which optional attributes the kernel
 *   sent is in ->present, tested with VDPA_HAS(obj, VDPA_ATTR_...).
 *
 * Not a thread-safe object: use one session per thread.
 */
#ifndef LIBVDPAMGMT_H
#define LIBVDPAMGMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

#define VDPA_MGMT_NAME_MAX	64	/* device, driver and handle names */
#define VDPA_MGMT_PATH_MAX	128	/* /dev paths */
#define VDPA_MGMT_ERR_MAX	256

/* Did the kernel send attribute ATTR (enum vdpa_attr, <linux/vdpa.h>)? */
#define VDPA_HAS(obj, attr)	((((obj)->present) >> (attr)) & 1)

struct vdpa_mgmt;

struct vdpa_mgmt *vdpa_mgmt_new(void);
void vdpa_mgmt_free(struct vdpa_mgmt *vm);
/* Why the last failed call failed, one line; "" after a success. */
const char *vdpa_mgmt_error(const struct vdpa_mgmt *vm);

/* --- management devices: "vdpa mgmtdev" */

struct vdpa_mgmtdev {
	char handle[VDPA_MGMT_NAME_MAX];	/* "pci/0000:00:08.0" or "vdpasim_net" */
	uint64_t present;
	uint64_t classes;			/* bit n: virtio device id n */
	uint32_t max_supported_vqs;
	uint64_t supported_features;
};

typedef int (*vdpa_mgmtdev_cb)(const struct vdpa_mgmtdev *mgmtdev, void *arg);

/* One device by handle ("bus/name" or "name"). */
int vdpa_mgmtdev_get(struct vdpa_mgmt *vm, const char *handle, struct vdpa_mgmtdev *out);
/* Every device; a non-zero return from CB stops the walk and is returned. */
int vdpa_mgmtdev_for_each(struct vdpa_mgmt *vm, vdpa_mgmtdev_cb cb, void *arg);

/* --- vDPA devices: "vdpa dev" */

struct vdpa_dev {
	char name[VDPA_MGMT_NAME_MAX];
	char mgmtdev[VDPA_MGMT_NAME_MAX];	/* handle of its management device */
	uint64_t present;
	uint32_t device_id;			/* virtio device id: 1 net, 2 block */
	uint32_t vendor_id;
	uint32_t max_vqs;
	uint32_t max_vq_size;
	uint32_t min_vq_size;
};

/* The config space view of "vdpa dev config show" (net and block). */
struct vdpa_dev_config {
	char name[VDPA_MGMT_NAME_MAX];
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

typedef int (*vdpa_dev_cb)(const struct vdpa_dev *dev, void *arg);
typedef int (*vdpa_dev_config_cb)(const struct vdpa_dev_config *config, void *arg);

int vdpa_dev_get(struct vdpa_mgmt *vm, const char *name, struct vdpa_dev *out);
int vdpa_dev_for_each(struct vdpa_mgmt *vm, vdpa_dev_cb cb, void *arg);
int vdpa_dev_config_get(struct vdpa_mgmt *vm, const char *name, struct vdpa_dev_config *out);
int vdpa_dev_config_for_each(struct vdpa_mgmt *vm, vdpa_dev_config_cb cb, void *arg);

/* What "dev add" asks for; ->set says which optional fields are given. */
#define VDPA_DEV_PARAM_MAC		(1u << 0)
#define VDPA_DEV_PARAM_MTU		(1u << 1)
#define VDPA_DEV_PARAM_MAX_VQP		(1u << 2)
#define VDPA_DEV_PARAM_FEATURES		(1u << 3)

struct vdpa_dev_params {
	const char *name;
	const char *mgmtdev;			/* handle, required by dev add */
	unsigned int set;
	uint8_t mac[6];
	uint16_t mtu;
	uint16_t max_vq_pairs;
	uint64_t device_features;
};

int vdpa_dev_add(struct vdpa_mgmt *vm, const struct vdpa_dev_params *params);
int vdpa_dev_del(struct vdpa_mgmt *vm, const char *name);
/* "vdpa dev set": only the MAC for now, as in the kernel. */
int vdpa_dev_set_mac(struct vdpa_mgmt *vm, const char *name, const uint8_t mac[6]);

/*
 * The requests, built into a caller's buffer: for tests, and for callers
 * that run their own socket.  FAMILY is the resolved "vdpa" family id.
 * Return the message length, or -EINVAL (bad params) / -EMSGSIZE.
 */
int vdpa_build_dev_add(void *buf, size_t size, uint16_t family, uint32_t seq,
		       const struct vdpa_dev_params *params);
int vdpa_build_dev_set(void *buf, size_t size, uint16_t family, uint32_t seq,
		       const struct vdpa_dev_params *params);
/* CMD one of VDPA_CMD_*; NAME (a device or mgmtdev handle) NULL for a dump. */
int vdpa_build_get(void *buf, size_t size, uint16_t family, uint32_t seq, uint8_t cmd,
		   const char *name);
int vdpa_build_dev_del(void *buf, size_t size, uint16_t family, uint32_t seq,
		       const char *name);

/* Replies, parsed: 0, or -EINVAL if a required attribute is missing or malformed. */
int vdpa_parse_mgmtdev(const struct nlmsghdr *nlh, struct vdpa_mgmtdev *out);
int vdpa_parse_dev(const struct nlmsghdr *nlh, struct vdpa_dev *out);
int vdpa_parse_dev_config(const struct nlmsghdr *nlh, struct vdpa_dev_config *out);
/*
 * An NLMSG_ERROR (or NLMSG_DONE) message: the errno it carries (0 for an
 * ack) and the extack message, copied to MSG ("" if none).
 */
int vdpa_parse_nlmsgerr(const struct nlmsghdr *nlh, char *msg, size_t msg_size);

/* --- PCI functions and dpu_vdpa */

#define VDPA_MGMT_PCI_DRIVER	"dpu_vdpa"

struct vdpa_pci_fn {
	char bdf[16];				/* 0000:00:08.0 */
	uint16_t vendor;
	uint16_t device;
	char driver[VDPA_MGMT_NAME_MAX];	/* "" when unbound */
	char driver_override[VDPA_MGMT_NAME_MAX];
};

typedef int (*vdpa_pci_fn_cb)(const struct vdpa_pci_fn *fn, void *arg);

/*
 * "0000:00:08.0" or "00:08.0" (domain 0) into the canonical lower-case
 * form; -EINVAL if it is not a PCI address.
 */
int vdpa_pci_bdf_parse(const char *text, char bdf[16]);
int vdpa_pci_fn_get(struct vdpa_mgmt *vm, const char *bdf, struct vdpa_pci_fn *out);
/* Virtio functions (vendor 0x1af4) and whatever dpu_vdpa has or is promised. */
int vdpa_pci_fn_for_each(struct vdpa_mgmt *vm, vdpa_pci_fn_cb cb, void *arg);
/*
 * Hand the function to dpu_vdpa: unbind its driver, driver_override,
 * reprobe.  If dpu_vdpa refuses it, the function goes back to the driver
 * it had and the call fails with the driver's reason.  Bound already: 0.
 */
int vdpa_pci_bind(struct vdpa_mgmt *vm, const char *bdf);
/*
 * Take it back from dpu_vdpa (deleting its vDPA device): unbind, clear
 * driver_override, reprobe so its usual driver (virtio-pci) takes it.
 */
int vdpa_pci_unbind(struct vdpa_mgmt *vm, const char *bdf);

/* --- attaching a vDPA device to a bus driver */

#define VDPA_MGMT_DRIVER_VHOST	"vhost_vdpa"
#define VDPA_MGMT_DRIVER_VIRTIO	"virtio_vdpa"

/* What a vDPA device became; empty strings for what it has not. */
struct vdpa_attachment {
	char driver[VDPA_MGMT_NAME_MAX];	/* vhost_vdpa, virtio_vdpa, or "" */
	char chardev[VDPA_MGMT_PATH_MAX];	/* /dev/vhost-vdpa-N */
	char virtio[VDPA_MGMT_NAME_MAX];	/* virtioN */
	char netdev[VDPA_MGMT_NAME_MAX];	/* eth1 (in this network namespace) */
	char blockdev[VDPA_MGMT_PATH_MAX];	/* /dev/vda */
};

int vdpa_dev_attachment(struct vdpa_mgmt *vm, const char *name, struct vdpa_attachment *out);
/*
 * Bind the device to DRIVER (VDPA_MGMT_DRIVER_*), unbinding it from any
 * other first, then wait up to TIMEOUT_MS for what the driver makes
 * (the chardev; the netdev or disk of a net or block device).
 */
int vdpa_dev_attach(struct vdpa_mgmt *vm, const char *name, const char *driver,
		    unsigned int timeout_ms, struct vdpa_attachment *out);
/* Unbind from its driver and clear driver_override.  Not bound: 0. */
int vdpa_dev_detach(struct vdpa_mgmt *vm, const char *name);

/*
 * Not here yet, on purpose: suspend/resume, dirty log start/sync/stop,
 * device state save/load and migration.  They need dpu_vdpa's own generic
 * netlink family (include/uapi/linux/ in the driver's tree); they will use
 * the same session and netlink core, resolving that family by name.
 */

/* --- names, as iproute2's vdpa prints them */

const char *vdpa_class_name(unsigned int virtio_id);	/* "net", "block", NULL */
const char *vdpa_device_type_name(uint32_t virtio_id);	/* "network", "block", NULL */
/* Name of feature BIT for a DEVICE_ID device; NULL when iproute2 has none. */
const char *vdpa_feature_name(uint32_t device_id, unsigned int bit);
/* "02:00:00:00:00:01" into MAC: 0, or -EINVAL. */
int vdpa_mac_parse(const char *text, uint8_t mac[6]);

#endif
