/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dpu_vdpa generic netlink family: migration controls of dpu_vdpa devices.
 *
 * Devices are named as in the kernel's "vdpa" family (DPU_VDPA_A_DEV_NAME,
 * e.g. "vdpa0").  Every command works whichever bus driver holds the
 * device (vhost_vdpa, virtio_vdpa or none).  Every command but DEV_GET
 * needs CAP_NET_ADMIN (LOG_SYNC clears what it reads; STATE_SAVE returns
 * guest state).  Errors carry an extack message.
 *
 * Commands and the attributes they take (R: required, O: optional) and
 * return:
 *
 *   DEV_GET      R DEV_NAME (doit) or none (dumpit: every dpu_vdpa device)
 *                -> DEV_NAME, MGMTDEV_NAME, DEVICE_ID, BUS_DRIVER, STATUS,
 *                   MODE, SUSPENDED, LOGGING, [LOG_PAGE_SIZE, LOG_IOVA,
 *                   LOG_LEN, and LOG_OWNED if so, while logging], STATS,
 *                   SHADOW_VQS, CORE_CAPS, [STAGED while a loaded state
 *                   waits for DRIVER_OK, to a CAP_NET_ADMIN caller only: it
 *                   is the guest's]
 *   SUSPEND      R DEV_NAME.  The device must be DRIVER_OK.  On return the
 *                device reads and writes no consumer memory and every vq
 *                state is exact.  EALREADY if already suspended.
 *   RESUME       R DEV_NAME.  EINVAL if not suspended.
 *   LOG_START    R DEV_NAME; O LOG_IOVA (needs LOG_LEN), LOG_LEN,
 *                LOG_PAGE_SIZE (default 4096, a power of two from 4096 to
 *                1 GiB).  The range is in the data address space (IOVAs for
 *                vhost_vdpa, DMA addresses for virtio_vdpa) and is rounded
 *                out to pages.  Without LOG_LEN it is the consumer's whole
 *                space: the span of vhost_vdpa's mappings (ENODATA if there
 *                are none yet), or for virtio_vdpa [0, the function's
 *                dma_get_required_mask() + 1).  DEV_GET reports the range.
 *                Switches the device to shadow mode.  EBUSY if logging.
 *                O LOG_OWNED: the log belongs to the requesting socket and
 *                stops when that socket is closed, so a VMM that quits or
 *                dies leaves no log behind to refuse the next one's start.
 *                Any CAP_NET_ADMIN caller may still LOG_STOP it.
 *   LOG_SYNC     R DEV_NAME, LOG_IOVA; O LOG_LEN (default and maximum
 *                DPU_VDPA_LOG_SYNC_MAX_PAGES pages).  Reads and clears the
 *                dirty bits of [LOG_IOVA, LOG_IOVA + LOG_LEN), which must
 *                be page aligned and inside the logged range.
 *                -> LOG_IOVA, LOG_LEN, LOG_PAGE_SIZE, LOG_BITMAP (bit i of
 *                   byte i / 8, LSB first, is page LOG_IOVA + i * page
 *                   size), LOG_DIRTY (pages set in this bitmap)
 *   LOG_STOP     R DEV_NAME.  Returns to direct mode where the function
 *                allows it.  ENOENT if not logging.
 *   STATE_SAVE   R DEV_NAME.  The device must be suspended.
 *                -> STATE (a blob as in dpu_vdpa_state.h)
 *   STATE_LOAD   R DEV_NAME, STATE.  The device must not be DRIVER_OK.
 *                The blob is checked against the device (type, features,
 *                queue count) and staged: vq indexes act as set_vq_state,
 *                and the net state is replayed to the function at
 *                DRIVER_OK before its data queues start.
 */
#ifndef _UAPI_LINUX_DPU_VDPA_H
#define _UAPI_LINUX_DPU_VDPA_H

#define DPU_VDPA_GENL_NAME		"dpu_vdpa"
#define DPU_VDPA_GENL_VERSION		1

/* the largest LOG_SYNC request: 2^18 pages, a 32 KiB bitmap */
#define DPU_VDPA_LOG_SYNC_MAX_PAGES	(1U << 18)

enum dpu_vdpa_cmd {
	DPU_VDPA_CMD_UNSPEC,
	DPU_VDPA_CMD_DEV_GET,
	DPU_VDPA_CMD_SUSPEND,
	DPU_VDPA_CMD_RESUME,
	DPU_VDPA_CMD_LOG_START,
	DPU_VDPA_CMD_LOG_SYNC,
	DPU_VDPA_CMD_LOG_STOP,
	DPU_VDPA_CMD_STATE_SAVE,
	DPU_VDPA_CMD_STATE_LOAD,

	__DPU_VDPA_CMD_MAX,
};

#define DPU_VDPA_CMD_MAX	(__DPU_VDPA_CMD_MAX - 1)

/* how the device serves its data queues */
enum dpu_vdpa_mode {
	DPU_VDPA_MODE_STOPPED,	/* not DRIVER_OK */
	DPU_VDPA_MODE_DIRECT,	/* the function runs the consumer's rings */
	DPU_VDPA_MODE_SHADOW,	/* the driver relays between the two */
};

enum dpu_vdpa_attr {
	DPU_VDPA_A_UNSPEC,
	DPU_VDPA_A_PAD,
	DPU_VDPA_A_DEV_NAME,		/* string */
	DPU_VDPA_A_MGMTDEV_NAME,	/* string: "pci/0000:00:08.0" */
	DPU_VDPA_A_DEVICE_ID,		/* u32: virtio device id */
	DPU_VDPA_A_BUS_DRIVER,		/* string: "vhost_vdpa", "virtio_vdpa" or "" */
	DPU_VDPA_A_STATUS,		/* u8: virtio status, as the consumer reads it */
	DPU_VDPA_A_MODE,		/* u8: enum dpu_vdpa_mode */
	DPU_VDPA_A_SUSPENDED,		/* u8: 0 or 1 */
	DPU_VDPA_A_LOGGING,		/* u8: 0 or 1 */
	DPU_VDPA_A_LOG_PAGE_SIZE,	/* u32 */
	DPU_VDPA_A_LOG_IOVA,		/* u64 */
	DPU_VDPA_A_LOG_LEN,		/* u64: bytes */
	DPU_VDPA_A_LOG_BITMAP,		/* binary */
	DPU_VDPA_A_LOG_DIRTY,		/* u64: dirty pages in LOG_BITMAP */
	DPU_VDPA_A_STATE,		/* binary: struct dpu_vdpa_state_hdr ... */
	DPU_VDPA_A_STATS,		/* nested: enum dpu_vdpa_stat */
	DPU_VDPA_A_SHADOW_VQS,		/* u32: queues the relay serves now */
	DPU_VDPA_A_STAGED,		/* nested: enum dpu_vdpa_staged */
	DPU_VDPA_A_LOG_OWNED,		/* flag: the log stops with its socket */
	DPU_VDPA_A_CORE_CAPS,		/* u32: bit n is enum dpu_vdpa_core_cap n */

	__DPU_VDPA_A_MAX,
};

#define DPU_VDPA_A_MAX	(__DPU_VDPA_A_MAX - 1)

/*
 * What the running kernel's vDPA core lets the device's consumers do: one
 * bit of DPU_VDPA_A_CORE_CAPS each, set when the kernel the driver was
 * built for has the vdpa op behind it.  What this family does itself
 * (SUSPEND, RESUME, the dirty log, the state) works on every kernel and is
 * not listed.
 */
enum dpu_vdpa_core_cap {
	DPU_VDPA_CORE_CAP_SUSPEND,	/* vhost-vdpa's VHOST_VDPA_SUSPEND */
	DPU_VDPA_CORE_CAP_RESUME,	/* vhost-vdpa's VHOST_VDPA_RESUME */
	DPU_VDPA_CORE_CAP_VQ_SIZE,	/* a size limit per queue */
	/* virtio_vdpa maps the relay's queues on the vDPA device */
	DPU_VDPA_CORE_CAP_VQ_DMA_DEV,
	/* IOTLB_PERSIST and ENABLE_AFTER_DRIVER_OK offered to vhost-vdpa */
	DPU_VDPA_CORE_CAP_BACKEND_FEATURES,
	DPU_VDPA_CORE_CAP_RESET_MAP,	/* vhost-vdpa's default mappings back */
	DPU_VDPA_CORE_CAP_DEV_SET,	/* "vdpa dev set" */

	__DPU_VDPA_CORE_CAP_MAX,
};

/* counters since the device was added, all u64, nested in DPU_VDPA_A_STATS */
enum dpu_vdpa_stat {
	DPU_VDPA_STAT_UNSPEC,
	DPU_VDPA_STAT_PAD,
	DPU_VDPA_STAT_RELAYED_AVAIL,	/* chains relayed consumer -> function */
	DPU_VDPA_STAT_RELAYED_USED,	/* completions relayed function -> consumer */
	DPU_VDPA_STAT_DIRTY_MARKED,	/* pages marked in the dirty log */
	DPU_VDPA_STAT_SUSPENDS,
	DPU_VDPA_STAT_MODE_SWITCHES,	/* direct <-> shadow */
	DPU_VDPA_STAT_REWOUND,		/* chains given back to the consumer at suspend */
	DPU_VDPA_STAT_RING_ERRORS,	/* malformed consumer rings */

	__DPU_VDPA_STAT_MAX,
};

#define DPU_VDPA_STAT_MAX	(__DPU_VDPA_STAT_MAX - 1)

/*
 * What a loaded state (STATE_LOAD) that DRIVER_OK has not consumed yet
 * carries, nested in DPU_VDPA_A_STAGED; the NET_* ones for net devices.
 */
enum dpu_vdpa_staged {
	DPU_VDPA_STAGED_UNSPEC,
	DPU_VDPA_STAGED_PAD,
	DPU_VDPA_STAGED_DRIVER_FEATURES,	/* u64: what the consumer must negotiate */
	DPU_VDPA_STAGED_AVAIL,		/* binary: each vq's next avail index, u16 */
	DPU_VDPA_STAGED_NET_MAC,	/* binary: 6 bytes */
	DPU_VDPA_STAGED_NET_PAIRS,	/* u16: queue pairs the consumer selected */
	DPU_VDPA_STAGED_NET_RX_FLAGS,	/* u32: DPU_VDPA_STATE_RX_* */
	DPU_VDPA_STAGED_NET_MACS,	/* u32: MAC table entries, unicast and multicast */
	DPU_VDPA_STAGED_NET_VLANS,	/* u32: VLAN ids in the filter */

	__DPU_VDPA_STAGED_MAX,
};

#define DPU_VDPA_STAGED_MAX	(__DPU_VDPA_STAGED_MAX - 1)

#endif /* _UAPI_LINUX_DPU_VDPA_H */
