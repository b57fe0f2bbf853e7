/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dpu_vdpa: vDPA devices on SmartNIC/DPU functions that speak virtio-pci.
 *
 * Objects:
 *   struct dpu_vdpa_fn   one PCI function; owns the vDPA management device
 *                        "pci/<BDF>" and at most one vDPA device.
 *   struct dpu_vdpa_dev  the vDPA device created by "vdpa dev add".
 *   struct dpu_vdpa_vq   one virtqueue of that device, as the consumer
 *                        (virtio_vdpa or vhost_vdpa) configured it.
 *
 * Locking, outermost first; a lock is only taken while holding those above
 * it, never the other way round:
 *
 *   the vdpa core's device lock   dev add and dev del (mgmt.c)
 *   dpu_vdpa_devs_lock (genl.c)   a whole dpu_vdpa netlink command; dev del
 *                                 takes it to unlink the device
 *   dpu_vdpa_dev.lock             every vdpa_config_op that changes state,
 *                                 suspend, resume, the dirty log, state
 *                                 save and load, the wrap-time mode switch
 *   dpu_vdpa_svq.lock (shadow.c)  one relay's rings; held by its worker
 *   dpu_vdpa_cvq.lock (net.h)     the control-queue relay and the tracked
 *                                 control state; held by its worker
 *   dpu_vdpa_as.lock              the address spaces and the IOMMU domain
 *   dpu_vdpa_dev.cb_lock          spinlock, irq-safe: the consumer's
 *                                 callbacks, copied out and called outside it
 *
 * The relay workers never take dpu_vdpa_dev.lock, so its holders may halt
 * them with cancel_work_sync().  mode_work does take it, and is only
 * cancelled by dev del, which does not hold it.  The dirty bitmap is
 * lock-free (atomic bitops).  Functions that expect a lock say so with
 * lockdep_assert_held().  kick_vq and the interrupt handlers run in atomic
 * context and take no mutex.
 */
#ifndef _DPU_VDPA_H_
#define _DPU_VDPA_H_

#include <linux/interrupt.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/vdpa.h>
#include <linux/vhost_iotlb.h>
#include <linux/virtio_pci_modern.h>
#include <linux/virtio_byteorder.h>
#include <linux/virtio_ring.h>
#include <linux/workqueue.h>
#include <uapi/linux/vdpa.h>
#include <uapi/linux/vhost_types.h>
#include <linux/dpu_vdpa.h>
#include <linux/dpu_vdpa_state.h>

#include "compat.h"

#define DPU_VDPA_DRV_NAME	"dpu_vdpa"

/* The size of a queue served in software, and of one the function did not size yet. */
#define DPU_VDPA_SOFT_VQ_MAX	256

struct dpu_vdpa_dev;
struct dpu_vdpa_fn;
struct dpu_vdpa_state_writer;

#include "addr_space.h"

/**
 * struct dpu_vdpa_vq - one virtqueue as its consumer configured it
 *
 * Ring addresses, size and readiness are only cached here; they reach the
 * function when the consumer sets DRIVER_OK (dpu_vdpa_mode_start), so the
 * consumer may set them in any order and a reset forgets them.
 */
struct dpu_vdpa_vq {
	struct dpu_vdpa_dev *dev;
	u16 index;
	u64 desc_addr;
	u64 driver_addr;
	u64 device_addr;
	u32 num;
	bool ready;
	/* largest size the function accepts for this queue */
	u16 max_num;
	/* next avail index the device will read (set_vq_state) */
	u16 avail_idx;
	/* avail_idx from a state load: reset restores it until DRIVER_OK (state.c) */
	u16 state_avail_idx;
	struct vdpa_callback cb;
	/* doorbell of the function queue with the same index, if any */
	void __iomem *notify;
	resource_size_t notify_pa;
	/*
	 * The doorbell was handed out for a consumer mapping: it is handed
	 * out for this queue from then on, for the device's lifetime
	 * (dpu_vdpa_get_vq_notification).
	 */
	bool notify_given;
	/* Linux irq number while DRIVER_OK and a vector is assigned, else -1 */
	int irq;
	char irq_name[48];
	u16 vector;		/* MSI-X vector of its own in direct mode, if it has one */
	u16 fn_vector;		/* MSI-X vector the function queue now signals */
	/* served by the shadow relay; read without a lock by kick and irq */
	bool shadow;
	/* the relay's state, private to shadow.c; from dev_add to the device's release */
	struct dpu_vdpa_svq *svq;
};

/**
 * struct dpu_vdpa_log - dirty-page log of the data address space
 *
 * @bitmap has one bit per page of [iova, iova + len).  Bits are set with
 * atomic bitops by the shadow relay and read-and-cleared by LOG_SYNC, so
 * neither side takes a lock for a bit; @active and the geometry only change
 * under dpu_vdpa_dev.lock with the relay stopped.  @owner, under the same
 * lock, is the netlink port that started the log with LOG_OWNED (0: none):
 * the log stops when that socket is closed.
 */
struct dpu_vdpa_log {
	bool active;
	u32 owner;
	u32 page_shift;
	u64 iova;
	u64 len;
	unsigned long *bitmap;
};

/* counters reported by DPU_VDPA_CMD_DEV_GET (enum dpu_vdpa_stat) */
struct dpu_vdpa_stats {
	atomic64_t relayed_avail;
	atomic64_t relayed_used;
	atomic64_t dirty_marked;
	atomic64_t suspends;
	atomic64_t mode_switches;
	atomic64_t rewound;
	atomic64_t ring_errors;
};

/**
 * struct dpu_vdpa_dev - a vDPA device on a function
 *
 * @lock serializes all vdpa_config_ops that change state (status,
 * features, vq setup, reset) and the interrupt setup that goes with
 * them.  Ops called in atomic context (kick_vq) take no lock: they only
 * use the immutable doorbell mappings.
 */
struct dpu_vdpa_dev {
	struct vdpa_device vdpa;
	struct dpu_vdpa_fn *fn;
	struct mutex lock;	/* see above */
	u8 status;
	u64 device_features;	/* offered to the consumer */
	u64 driver_features;	/* accepted by the consumer */
	u64 fn_driver_features;	/* written to the function */
	u16 nvqs;
	struct dpu_vdpa_vq *vqs;
	/*
	 * @cb_lock protects @config_cb and every vqs[].cb: the consumer sets
	 * them (set_vq_cb, set_config_cb) while interrupt handlers and relay
	 * workers call them, which must never see a callback with another
	 * one's private data.  Callers copy under it and call outside it.
	 * They are forgotten when their bus driver is unbound (@bus_nb).
	 */
	spinlock_t cb_lock;
	struct vdpa_callback config_cb;
	struct notifier_block bus_nb;
	/*
	 * The bound consumer asked for a queue's DMA device (get_vq_dma_dev,
	 * which virtio_vdpa calls and vhost_vdpa does not): its ring and
	 * buffer addresses are DMA API addresses, not IOVAs of @as.  Set until
	 * its bus driver is unbound, like the callbacks (@bus_nb).  A kernel
	 * without get_vq_dma_dev has it set at bind, for virtio_vdpa (compat.h).
	 */
	bool consumer_dma_api;
	int config_irq;
	char config_irq_name[48];
	bool irqs_allocated;
	u16 shadow_vector;	/* MSI-X vector of every shadowed function queue */
	int shadow_irq;
	char shadow_irq_name[48];
	struct dpu_vdpa_as as;
	/* the device type's own state, from its dev_setup to its dev_teardown */
	void *type_priv;
	struct list_head node;		/* in genl.c's device list */
	/* migration state, under @lock (migration.c) */
	struct work_struct mode_work;	/* shadow queues back to direct mode */
	struct delayed_work doorbell_poll;	/* shadowed queues kicked past us */
	bool suspended;
	/*
	 * suspended, but a direct queue's next avail index is not known for
	 * sure (the function used buffers out of order): state save refuses
	 */
	bool suspend_inexact;
	/* a queue could not be (re)started: NEEDS_RESET until reset */
	bool vq_failed;
	/* reset while suspended: the function kept in DRIVER_OK (vdpa_ops.c) */
	bool fn_parked;
	/* FEATURES_OK took a parked function over: the type cleans it at DRIVER_OK */
	bool fn_taken_over;
	enum dpu_vdpa_mode mode;
	struct dpu_vdpa_log log;
	struct dpu_vdpa_stats stats;
	/*
	 * A loaded device state (state.c), under @lock: kept through resets
	 * until DRIVER_OK consumes it, dropped by dev_del.  DRIVER_OK fails
	 * unless the consumer negotiated exactly @state_features.
	 */
	bool state_loaded;
	u64 state_features;
};

/*
 * What differs between device types.  All hooks are optional except
 * where noted; the generic behaviour passes config space through.
 */
struct dpu_vdpa_type {
	u32 device_id;
	/* vq groups, each with an address space of its own if asked (default 1) */
	u32 ngroups;
	u64 config_attr_mask;
	/* learn the function's limits; may set mgmt.max_supported_vqs */
	int (*fn_probe)(struct dpu_vdpa_fn *fn);
	/* required: features a device on @fn offers unless the user limits them */
	u64 (*offered_features)(struct dpu_vdpa_fn *fn);
	/*
	 * Check the type's "vdpa dev add" attributes; device_features is set.
	 * Set nvqs (defaults to the function's queue count).
	 */
	int (*dev_setup)(struct dpu_vdpa_dev *dev,
			 const struct vdpa_dev_set_config *cfg);
	void (*dev_teardown)(struct dpu_vdpa_dev *dev);
	size_t (*config_size)(struct dpu_vdpa_dev *dev);
	/* patch the function's config bytes (whole space in buf) */
	void (*config_patch)(struct dpu_vdpa_dev *dev, u8 *buf, size_t len);
	bool (*config_writable)(struct dpu_vdpa_dev *dev, unsigned int offset,
				unsigned int len);
	u64 (*fn_features)(struct dpu_vdpa_dev *dev, u64 driver_features);
	/*
	 * which consumer vq the function must not run: one served in software
	 * instead, or one that is no queue under the negotiated features
	 */
	bool (*vq_is_soft)(struct dpu_vdpa_dev *dev, u16 idx);
	struct device *(*vq_dma_dev)(struct dpu_vdpa_dev *dev, u16 idx);
	/* function in FEATURES_OK, data queues programmed, not yet enabled */
	int (*pre_driver_ok)(struct dpu_vdpa_dev *dev);
	/* function in DRIVER_OK */
	int (*post_driver_ok)(struct dpu_vdpa_dev *dev);
	/*
	 * A reset, in two steps around the function's: reset stops everything
	 * that uses the function (the function may still be reading what it
	 * was given), reset_done frees what the function pointed at, once it
	 * is reset or its queues using them are.
	 */
	void (*reset)(struct dpu_vdpa_dev *dev);
	void (*reset_done)(struct dpu_vdpa_dev *dev);
	/* DRIVER_OK failed, the function is reset; the consumer must reset */
	void (*start_refused)(struct dpu_vdpa_dev *dev);
	/*
	 * May the function, reset while suspended, be parked?  Only if what
	 * the consumer set can be taken back when the next one takes it over
	 * (fn_taken_over).  Default yes.
	 */
	bool (*may_park)(struct dpu_vdpa_dev *dev);
	/* "vdpa dev set" attributes (config->mask); dev->lock held */
	int (*set_attr)(struct dpu_vdpa_dev *dev, const struct vdpa_dev_set_config *config);
	/* the type met a consumer error it cannot go on from: NEEDS_RESET */
	bool (*needs_reset)(struct dpu_vdpa_dev *dev);
	void (*kick_soft)(struct dpu_vdpa_dev *dev, u16 idx);
	/* the next avail index of queue @idx, served in software and started */
	u16 (*soft_avail_idx)(struct dpu_vdpa_dev *dev, u16 idx);
	/*
	 * May buffers the function has not used be handed back at suspend
	 * (net RX), or must they be drained first (default)?
	 */
	bool (*vq_may_rewind)(struct dpu_vdpa_dev *dev, u16 idx);
	/* stop and restart the queues served in software (suspend/resume) */
	void (*soft_pause)(struct dpu_vdpa_dev *dev);
	void (*soft_resume)(struct dpu_vdpa_dev *dev);
	/* a queue served in software was enabled after DRIVER_OK */
	int (*soft_start)(struct dpu_vdpa_dev *dev, u16 idx);
	/* wait until the queues served in software are between two requests */
	void (*soft_sync)(struct dpu_vdpa_dev *dev);
	/*
	 * The type's own sections of the device state (state.c), all or none:
	 * state.c gives each save and load a zeroed scratch of state_size
	 * bytes.  Save, dev->lock held, suspended: state_get fills it and
	 * says how many bytes its sections take, state_put writes them after
	 * CONFIG.  Load: state_init before parsing; state_min_len (0: not one
	 * of the type's) and state_parse for each section; state_check
	 * against the saved driver features; state_apply to stage it.
	 */
	size_t state_size;
	int (*state_get)(struct dpu_vdpa_dev *dev, void *priv, size_t *len,
			 struct netlink_ext_ack *extack);
	void (*state_put)(struct dpu_vdpa_dev *dev, struct dpu_vdpa_state_writer *w,
			  const void *priv, const u8 *cfg, size_t cfg_len);
	void (*state_init)(struct dpu_vdpa_dev *dev, void *priv);
	size_t (*state_min_len)(u16 type);
	int (*state_parse)(struct dpu_vdpa_dev *dev, void *priv, u16 type, const void *payload,
			   u32 len, struct netlink_ext_ack *extack);
	int (*state_check)(struct dpu_vdpa_dev *dev, const void *priv, u64 features,
			   struct netlink_ext_ack *extack);
	void (*state_apply)(struct dpu_vdpa_dev *dev, const void *priv);
	/* is vq @i served in software under @features (a saved vq's size limit) */
	bool (*state_vq_soft)(struct dpu_vdpa_dev *dev, u16 i, u64 features);
	/* the type's part of a staged state, in DPU_VDPA_A_STAGED (DEV_GET) */
	int (*state_report)(struct dpu_vdpa_dev *dev, struct sk_buff *msg);
};

/**
 * struct dpu_vdpa_fn - one PCI function handed to the driver
 *
 * @dev is set by dev_add and cleared by dev_del; both run under the vdpa
 * core's device lock, so no lock of ours protects it.
 */
struct dpu_vdpa_fn {
	struct vdpa_mgmt_dev mgmt;
	struct virtio_pci_modern_device vpm;
	struct virtio_device_id id_table[2];
	struct pci_dev *pdev;
	const struct dpu_vdpa_type *type;
	u64 features;		/* offered by the function */
	u16 num_queues;
	int msix_vectors;
	struct dpu_vdpa_dev *dev;
};

/* Rings and config of a VERSION_1 device are little-endian. */
static inline __virtio16 dpu_vdpa_v16(u16 v) { return __cpu_to_virtio16(true, v); }
static inline __virtio32 dpu_vdpa_v32(u32 v) { return __cpu_to_virtio32(true, v); }
static inline __virtio64 dpu_vdpa_v64(u64 v) { return __cpu_to_virtio64(true, v); }
static inline u16 dpu_vdpa_u16(__virtio16 v) { return __virtio16_to_cpu(true, v); }
static inline u32 dpu_vdpa_u32(__virtio32 v) { return __virtio32_to_cpu(true, v); }
static inline u64 dpu_vdpa_u64(__virtio64 v) { return __virtio64_to_cpu(true, v); }

static inline struct dpu_vdpa_dev *vdpa_to_dpu(struct vdpa_device *vdpa)
{
	return container_of(vdpa, struct dpu_vdpa_dev, vdpa);
}

/*
 * Does function queue @i run at DRIVER_OK?  Not a queue served in software
 * (the net control queue), and not one the consumer enabled without a size:
 * QEMU's vhost-vdpa-device enables every queue, also those its guest never
 * set up.
 */
static inline bool dpu_vdpa_vq_on_fn(struct dpu_vdpa_dev *dev, u16 i)
{
	const struct dpu_vdpa_type *type = dev->fn->type;

	return dev->vqs[i].ready && dev->vqs[i].num &&
	       !(type->vq_is_soft && type->vq_is_soft(dev, i));
}

/* The consumer's callbacks, read whole (dpu_vdpa_dev.cb_lock). */
static inline struct vdpa_callback dpu_vdpa_vq_cb(struct dpu_vdpa_vq *vq)
{
	struct vdpa_callback cb;
	unsigned long flags;

	spin_lock_irqsave(&vq->dev->cb_lock, flags);
	cb = vq->cb;
	spin_unlock_irqrestore(&vq->dev->cb_lock, flags);
	return cb;
}

static inline struct vdpa_callback dpu_vdpa_config_cb(struct dpu_vdpa_dev *dev)
{
	struct vdpa_callback cb;
	unsigned long flags;

	spin_lock_irqsave(&dev->cb_lock, flags);
	cb = dev->config_cb;
	spin_unlock_irqrestore(&dev->cb_lock, flags);
	return cb;
}

static inline irqreturn_t dpu_vdpa_cb_call(const struct vdpa_callback *cb)
{
	return cb->callback ? cb->callback(cb->private) : IRQ_HANDLED;
}

static inline struct device *dpu_vdpa_dev_to_dev(struct dpu_vdpa_dev *dev)
{
	return &dev->fn->pdev->dev;
}

/*
 * Transport bits the driver passes to consumers when the function has them.
 * Not INDIRECT_DESC or IN_ORDER: the shadow relay, which a device may move
 * to at any time, copies plain chains and expects a used entry per chain.
 */
#define DPU_VDPA_TRANSPORT_FEATURES					\
	(BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_F_ACCESS_PLATFORM) |	\
	 BIT_ULL(VIRTIO_RING_F_EVENT_IDX) | BIT_ULL(VIRTIO_F_ORDER_PLATFORM))
/* Device-type bits live in 0-23 and 50-63. */
#define DPU_VDPA_DEVICE_TYPE_FEATURES (GENMASK_ULL(23, 0) | GENMASK_ULL(63, 50))

/* hw.c: the function, through the kernel's virtio-pci modern helpers */
u8 dpu_vdpa_hw_get_status(struct dpu_vdpa_fn *fn);
void dpu_vdpa_hw_set_status(struct dpu_vdpa_fn *fn, u8 status);
void dpu_vdpa_hw_add_status(struct dpu_vdpa_fn *fn, u8 bits);
u32 dpu_vdpa_hw_config_generation(struct dpu_vdpa_fn *fn);
u16 dpu_vdpa_hw_set_config_vector(struct dpu_vdpa_fn *fn, u16 vector);
u8 dpu_vdpa_hw_read_isr(struct dpu_vdpa_fn *fn);
u16 dpu_vdpa_hw_set_queue_vector(struct dpu_vdpa_fn *fn, u16 i, u16 vector);
u16 dpu_vdpa_hw_queue_size_max(struct dpu_vdpa_fn *fn, u16 i);
void dpu_vdpa_hw_queue_set_ring(struct dpu_vdpa_fn *fn, u16 i, u16 num, u64 desc,
				u64 driver, u64 device);
void dpu_vdpa_hw_queue_enable(struct dpu_vdpa_fn *fn, u16 i);
void __iomem *dpu_vdpa_hw_notify_map(struct dpu_vdpa_fn *fn, u16 i, resource_size_t *pa);
void dpu_vdpa_hw_notify_unmap(struct dpu_vdpa_fn *fn, void __iomem *notify);

/* Ring function queue @i's doorbell, mapped at @notify.  Any context. */
static inline void dpu_vdpa_hw_kick(void __iomem *notify, u16 i)
{
	vp_iowrite16(i, notify);
}

int dpu_vdpa_hw_probe(struct dpu_vdpa_fn *fn);
void dpu_vdpa_hw_remove(struct dpu_vdpa_fn *fn);
int dpu_vdpa_hw_reset(struct dpu_vdpa_fn *fn);
void dpu_vdpa_hw_read_config(struct dpu_vdpa_fn *fn, u8 *buf, size_t len);
void dpu_vdpa_hw_write_config(struct dpu_vdpa_fn *fn, unsigned int offset, const u8 *buf,
			      size_t len);
int dpu_vdpa_hw_set_features(struct dpu_vdpa_fn *fn, u64 features);
/* the function's queues, as the device's vqs see them */
void dpu_vdpa_hw_probe_queues(struct dpu_vdpa_dev *dev);
int dpu_vdpa_hw_vq_map(struct dpu_vdpa_dev *dev, u16 i);
void dpu_vdpa_hw_unmap_notify(struct dpu_vdpa_dev *dev);
int dpu_vdpa_hw_vq_check_num(struct dpu_vdpa_dev *dev, u16 i);
void dpu_vdpa_hw_vq_reset(struct dpu_vdpa_dev *dev, u16 i);

/* irq.c: MSI-X vectors and their handlers; dev->lock held */
int dpu_vdpa_irq_setup(struct dpu_vdpa_dev *dev);
void dpu_vdpa_irq_free(struct dpu_vdpa_dev *dev);
int dpu_vdpa_irq_vq_vector(struct dpu_vdpa_dev *dev, u16 i, u16 v);

/* vq_mode.c: direct, shadow and translated queues; dev->lock held */
int dpu_vdpa_mode_start(struct dpu_vdpa_dev *dev);
int dpu_vdpa_mode_vq_start_late(struct dpu_vdpa_dev *dev, u16 i);
bool dpu_vdpa_mode_will_shadow(struct dpu_vdpa_dev *dev);
bool dpu_vdpa_mode_shadow_required(struct dpu_vdpa_dev *dev);
bool dpu_vdpa_mode_any_direct(struct dpu_vdpa_dev *dev);
void dpu_vdpa_mode_vq_suspend(struct dpu_vdpa_dev *dev, u16 i, struct netlink_ext_ack *extack);
int dpu_vdpa_mode_vq_resume(struct dpu_vdpa_dev *dev, u16 i);
void dpu_vdpa_mode_quiesce(struct dpu_vdpa_dev *dev);
void dpu_vdpa_mode_unquiesce(struct dpu_vdpa_dev *dev);
/* the wrap-time switch back to direct mode; takes dev->lock */
void dpu_vdpa_mode_work(struct work_struct *work);

/* vdpa_ops.c */
extern const struct vdpa_config_ops dpu_vdpa_ops;
int dpu_vdpa_cbs_track(struct dpu_vdpa_dev *dev);
void dpu_vdpa_cbs_untrack(struct dpu_vdpa_dev *dev);
/* main.c: the relays' work items (unbound: see there) */
extern struct workqueue_struct *dpu_vdpa_wq;
int dpu_vdpa_reset_full(struct dpu_vdpa_dev *dev);

/* config.c: the consumer's view of the config space */
size_t dpu_vdpa_config_size(struct dpu_vdpa_dev *dev);
void dpu_vdpa_config_read(struct dpu_vdpa_dev *dev, u8 *buf, size_t size);
void dpu_vdpa_config_get(struct dpu_vdpa_dev *dev, unsigned int offset, void *buf,
			 unsigned int len);
void dpu_vdpa_config_set(struct dpu_vdpa_dev *dev, unsigned int offset, const void *buf,
			 unsigned int len);

/* mgmt.c */
int dpu_vdpa_mgmt_register(struct dpu_vdpa_fn *fn);
void dpu_vdpa_mgmt_unregister(struct dpu_vdpa_fn *fn);

/* types.c: the table; net.c, blk.c: the types with code of their own */
extern const struct dpu_vdpa_type dpu_vdpa_type_net;
extern const struct dpu_vdpa_type dpu_vdpa_type_blk;
const struct dpu_vdpa_type *dpu_vdpa_type_lookup(u32 device_id);
u64 dpu_vdpa_type_passthrough_features(struct dpu_vdpa_fn *fn);
int dpu_vdpa_type_passthrough_probe(struct dpu_vdpa_fn *fn);

/* dirty_log.c */
void dpu_vdpa_log_mark(struct dpu_vdpa_dev *dev, u64 iova, u64 len);
int dpu_vdpa_log_alloc(struct dpu_vdpa_dev *dev, u32 page_size, u64 iova, u64 len);
void dpu_vdpa_log_free(struct dpu_vdpa_dev *dev);
u64 dpu_vdpa_log_read_clear(struct dpu_vdpa_dev *dev, u64 iova, u64 npages,
			    unsigned long *bitmap);

/*
 * migration.c: suspend, resume and the dirty log.  All take dev->lock.
 * extack may be NULL (calls from vdpa_config_ops).
 */
int dpu_vdpa_suspend(struct dpu_vdpa_dev *dev, struct netlink_ext_ack *extack);
int dpu_vdpa_resume(struct dpu_vdpa_dev *dev, struct netlink_ext_ack *extack);
int dpu_vdpa_log_start(struct dpu_vdpa_dev *dev, u32 page_size, u64 iova, u64 len,
		       u32 owner, struct netlink_ext_ack *extack);
/* read and clear @npages bits from @iova into @bitmap; *dirty = bits set */
int dpu_vdpa_log_sync(struct dpu_vdpa_dev *dev, u64 iova, u64 npages,
		      unsigned long *bitmap, u64 *dirty, struct netlink_ext_ack *extack);
int dpu_vdpa_log_stop(struct dpu_vdpa_dev *dev, struct netlink_ext_ack *extack);
/* netlink port @owner was closed: stop the log it owns, if any */
void dpu_vdpa_log_release(struct dpu_vdpa_dev *dev, u32 owner);

/* genl.c: the dpu_vdpa generic netlink family */
extern struct genl_family dpu_vdpa_genl_family;
int dpu_vdpa_genl_register(void);
void dpu_vdpa_genl_unregister(void);
void dpu_vdpa_genl_dev_add(struct dpu_vdpa_dev *dev);
void dpu_vdpa_genl_dev_del(struct dpu_vdpa_dev *dev);

/* state.c: the device-state blob (include/uapi/linux/dpu_vdpa_state.h) */
#define DPU_VDPA_STATE_SECT_SIZE(len)	(sizeof(struct dpu_vdpa_state_sect) + \
					 ALIGN((size_t)(len), DPU_VDPA_STATE_ALIGN))
/* A blob being written: sections are appended at @off. */
struct dpu_vdpa_state_writer {
	u8 *buf;
	size_t off;
};

void *dpu_vdpa_state_put(struct dpu_vdpa_state_writer *w, u16 type, u16 flags, u32 len);
int dpu_vdpa_state_save(struct dpu_vdpa_dev *dev, void **blob, size_t *len,
			struct netlink_ext_ack *extack);
int dpu_vdpa_state_load(struct dpu_vdpa_dev *dev, const void *blob, size_t len,
			struct netlink_ext_ack *extack);
/* DPU_VDPA_A_STAGED of DEV_GET, if a state is staged; dev->lock held */
int dpu_vdpa_state_put_staged(struct sk_buff *msg, struct dpu_vdpa_dev *dev);

/*
 * state.c hooks of vdpa_ops.c, dev->lock held (save and load take it themselves).
 * Device reset: keep a loaded state (@full, dev_del: drop it).
 */
void dpu_vdpa_state_reset(struct dpu_vdpa_dev *dev, bool full);
/* DRIVER_OK: before the function starts, and once the device runs */
int dpu_vdpa_state_check_features(struct dpu_vdpa_dev *dev);
void dpu_vdpa_state_consumed(struct dpu_vdpa_dev *dev);
void dpu_vdpa_state_rings_from_zero(struct dpu_vdpa_dev *dev);

#endif /* _DPU_VDPA_H_ */
