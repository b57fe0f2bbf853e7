/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The device-state blob of a dpu_vdpa device (DPU_VDPA_CMD_STATE_SAVE and
 * STATE_LOAD, "vdpa-mgmt dev state").
 *
 * Layout: one struct dpu_vdpa_state_hdr, then sections, each a struct
 * dpu_vdpa_state_sect followed by len bytes of payload and zero padding to
 * the next multiple of 8.  All integers are little-endian; padding and
 * reserved fields are written as zero and ignored on read.
 *
 * Compatibility rules:
 *   - version is bumped only for changes an older reader must not accept
 *     (a changed header or section layout).  A reader rejects a blob with a
 *     version greater than its own.
 *   - New kinds of state get new section types.  A reader skips a section
 *     type it does not know unless DPU_VDPA_STATE_F_CRITICAL is set, in
 *     which case it rejects the blob: a writer sets that flag on state that
 *     must not be lost (it would change what the guest sees).
 *   - A known section may grow at its end: readers use the fields they
 *     know and ignore the rest; a payload shorter than the reader's
 *     structure is an error.
 *   - crc32 is the IEEE 802.3 CRC-32 (as zlib's crc32()) of the whole blob
 *     (total_len bytes) computed with the crc32 field set to zero.
 *
 * A blob describes a suspended device: every vq has used_idx ==
 * avail_idx (requests in flight at suspend were completed or given back to
 * the driver, see the driver's documentation), so only the next avail index
 * is carried.  Block requests are always drained at suspend; no blk
 * in-flight state exists.
 */
#ifndef _UAPI_LINUX_DPU_VDPA_STATE_H
#define _UAPI_LINUX_DPU_VDPA_STATE_H

#include <linux/types.h>

#define DPU_VDPA_STATE_MAGIC		0x56555044	/* "DPUV" in file order */
#define DPU_VDPA_STATE_VERSION		1
#define DPU_VDPA_STATE_ALIGN		8
/* a blob is sent in one netlink attribute */
#define DPU_VDPA_STATE_MAX_LEN		65000

struct dpu_vdpa_state_hdr {
	__le32 magic;
	__le16 version;
	__le16 hdr_len;		/* sizeof(struct dpu_vdpa_state_hdr); sections follow */
	__le32 total_len;	/* header and all sections, padding included */
	__le32 crc32;
	__le32 device_id;	/* virtio device id (1 net, 2 blk, ...) */
	__le32 reserved;
};

#define DPU_VDPA_STATE_F_CRITICAL	0x0001

struct dpu_vdpa_state_sect {
	__le16 type;		/* enum dpu_vdpa_state_type */
	__le16 flags;		/* DPU_VDPA_STATE_F_* */
	__le32 len;		/* payload bytes, not counting this header or padding */
};

enum dpu_vdpa_state_type {
	DPU_VDPA_STATE_DEVICE = 1,	/* struct dpu_vdpa_state_device, once */
	DPU_VDPA_STATE_VQ = 2,		/* struct dpu_vdpa_state_vq, once per vq */
	DPU_VDPA_STATE_CONFIG = 3,	/* raw device config space as the driver saw it */
	/* net: state the guest set through the control queue, replayed at load */
	DPU_VDPA_STATE_NET_CONFIG = 16,	/* struct dpu_vdpa_state_net_config */
	DPU_VDPA_STATE_NET_RX_MODE = 17,	/* struct dpu_vdpa_state_net_rx_mode */
	DPU_VDPA_STATE_NET_MAC_TABLE = 18,	/* struct dpu_vdpa_state_net_mac_table */
	DPU_VDPA_STATE_NET_VLAN = 19,	/* struct dpu_vdpa_state_net_vlan */
	DPU_VDPA_STATE_NET_MQ = 20,	/* struct dpu_vdpa_state_net_mq */
};

/* generic state */
struct dpu_vdpa_state_device {
	__le64 device_features;	/* offered to the driver */
	__le64 driver_features;	/* accepted by the driver */
	__u8 status;		/* virtio device status */
	__u8 reserved[3];
	__le16 num_queues;	/* vqs of the device, VQ sections that follow */
	__le16 config_len;	/* bytes of config space */
};

#define DPU_VDPA_STATE_VQ_ENABLED	0x01

struct dpu_vdpa_state_vq {
	__le16 index;
	__le16 num;		/* ring size, 0 if never set */
	__le16 avail_idx;	/* next avail entry the device reads */
	__le16 used_idx;	/* next used entry the device writes */
	__u8 flags;		/* DPU_VDPA_STATE_VQ_* */
	__u8 reserved[7];
	__le64 desc_addr;
	__le64 driver_addr;
	__le64 device_addr;
};

/* config space values, and what the guest's control queue changed */
struct dpu_vdpa_state_net_config {
	__u8 mac[6];		/* current MAC (config or VIRTIO_NET_CTRL_MAC_ADDR_SET) */
	__le16 mtu;
	__le16 status;		/* VIRTIO_NET_S_* */
	__le16 max_virtqueue_pairs;
};

#define DPU_VDPA_STATE_RX_PROMISC	0x01
#define DPU_VDPA_STATE_RX_ALLMULTI	0x02
#define DPU_VDPA_STATE_RX_ALLUNI	0x04
#define DPU_VDPA_STATE_RX_NOMULTI	0x08
#define DPU_VDPA_STATE_RX_NOUNI		0x10
#define DPU_VDPA_STATE_RX_NOBCAST	0x20

struct dpu_vdpa_state_net_rx_mode {
	__le32 flags;		/* DPU_VDPA_STATE_RX_* */
};

/* VIRTIO_NET_CTRL_MAC_TABLE_SET, as the guest last sent it */
struct dpu_vdpa_state_net_mac_table {
	__le32 unicast;		/* entries, unicast first */
	__le32 multicast;
	__u8 macs[][6];
};

/* VLAN ids the guest added (VIRTIO_NET_CTRL_VLAN_ADD), bit n = vid n */
struct dpu_vdpa_state_net_vlan {
	__u8 bitmap[4096 / 8];
};

/* VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET */
struct dpu_vdpa_state_net_mq {
	__le16 pairs;
	__u8 reserved[6];
};

#endif /* _UAPI_LINUX_DPU_VDPA_STATE_H */
