// SPDX-License-Identifier: GPL-2.0-only
/*
 * Queue modes: where each data queue of a running device is served.
 *
 *  direct      the function runs the consumer's own ring;
 *  shadow      the relay (shadow.c) runs a ring of the driver's own on the
 *              function and copies between the two, through an IOMMU domain
 *              or the DMA API;
 *  translated  shadow mode without an IOMMU domain: the relay hands the
 *              function physical addresses of pages it holds.
 *
 * Every change of mode is made here: at DRIVER_OK, at a late queue start,
 * at suspend and resume, around the dirty log, and at an index wrap on the
 * way back to direct mode.  Each way into direct mode checks again that the
 * function reaches the consumer's addresses through the driver's domain.
 *
 * A plain virtio-pci function has no suspend register and always starts a
 * queue at index 0, so suspend and resume are built from VIRTIO_F_RING_RESET:
 *
 * Suspend, per function queue:
 *  - net TX, blk and any other type: wait (up to DPU_VDPA_DRAIN_MS) until
 *    the function has used everything it was given, then reset the queue;
 *  - net RX: reset the queue at once; receive buffers it had not filled
 *    are handed back to the consumer (the next avail index moves back to
 *    them), so nothing is lost and nothing is filled twice.
 *  In shadow mode the relay knows exactly which chains the function holds.
 *  In direct mode the function ran the consumer's ring: the next avail
 *  index is the used index the function left, which is exact for
 *  functions that use buffers in order (virtio-net RX does; TX and blk are
 *  drained).  An out-of-order RX completion is reported and counted.
 *
 * Resume: each queue is started again on a ring of the driver's own, at
 * the consumer's index (shadow mode), because the function cannot start
 * at any other index than 0.  Unless something needs shadow mode (dirty
 * logging, the "shadow" parameter, no IOMMU domain in front of a vhost
 * consumer), each queue goes back to direct mode at its next index wrap:
 * the relay stops taking chains when the consumer's avail index wraps to
 * 0, waits until the function used them all, and the function then runs
 * the consumer's ring from index 0 (dpu_vdpa_mode_work).  A queue that
 * never wraps, such as an idle one, stays in shadow mode, and so does net
 * RX (see vq_may_go_direct): the device then reports shadow mode until the
 * consumer resets it.
 */
#include <linux/delay.h>
#include <linux/virtio_config.h>

#include "dpu_vdpa.h"
#include "shadow.h"

#define DPU_VDPA_DRAIN_MS	1000

static bool force_shadow;
module_param_named(shadow, force_shadow, bool, 0644);
MODULE_PARM_DESC(shadow, "Start every device in shadow mode (for tests and benchmarks)");

/* Shadow mode by policy or logging, or because the function @reaches nothing. */
static bool mode_shadow_for(struct dpu_vdpa_dev *dev, bool reaches)
{
	return READ_ONCE(force_shadow) || dev->log.active || !reaches;
}

/* Does a queue start past index 0 (a migration destination, a restore)? */
static bool mode_vq_resumes(struct dpu_vdpa_dev *dev)
{
	u16 i;

	for (i = 0; i < dev->nvqs; i++)
		if (dpu_vdpa_vq_on_fn(dev, i) && dev->vqs[i].avail_idx)
			return true;
	return false;
}

/*
 * The function can only run the consumer's rings itself when they start
 * at index 0, nothing is being logged, and the function reaches the
 * consumer's addresses; otherwise the relay runs its own.
 */
static bool mode_needs_shadow(struct dpu_vdpa_dev *dev)
{
	return dpu_vdpa_mode_shadow_required(dev) || mode_vq_resumes(dev);
}

/*
 * Before DRIVER_OK, for the doorbells a VMM maps: will the queues start
 * shadowed?  Like mode_needs_shadow, except that a vhost consumer
 * with an IOMMU domain counts as reachable before it mapped anything: QEMU
 * sets its doorbells up before its memory listener maps the guest, and a
 * start with nothing mapped is refused anyway (mode_check_reach).
 */
bool dpu_vdpa_mode_will_shadow(struct dpu_vdpa_dev *dev)
{
	return mode_shadow_for(dev, dpu_vdpa_mem_dma_api(dev) || dev->as.domain) ||
	       mode_vq_resumes(dev);
}

/*
 * Must the queues stay in shadow mode, or only until they can go direct?
 * Direct mode hands the function the consumer's own ring and buffer
 * addresses: only where they are DMA API addresses or IOVAs of the
 * driver's domain (dpu_vdpa_mem_fn_reach).
 */
bool dpu_vdpa_mode_shadow_required(struct dpu_vdpa_dev *dev)
{
	return mode_shadow_for(dev, dpu_vdpa_mem_fn_reach(dev) == DPU_VDPA_REACH_IOVA);
}

static bool mode_vq_may_rewind(struct dpu_vdpa_dev *dev, u16 i)
{
	const struct dpu_vdpa_type *type = dev->fn->type;

	return type->vq_may_rewind && type->vq_may_rewind(dev, i);
}

/*
 * Can the queue go back to the function at an index wrap?  Only if what the
 * function holds there is sure to be used: not for net RX, whose function
 * may wait for more buffers than it holds before it uses any (mergeable
 * buffers and a large packet), which would stall the queue at the wrap.
 */
static bool mode_may_go_direct(struct dpu_vdpa_vq *vq)
{
	return !dpu_vdpa_mode_shadow_required(vq->dev) && !mode_vq_may_rewind(vq->dev, vq->index);
}

/*
 * A consumer whose data queues the function cannot reach safely (a vhost
 * consumer with nothing mapped in the data group's address space, or with
 * an IOMMU that its mappings never reached) gets no queue at all: its ring
 * addresses would otherwise go to the function as bus addresses.
 */
static int mode_check_reach(struct dpu_vdpa_dev *dev)
{
	if (dpu_vdpa_mem_fn_reach(dev) != DPU_VDPA_REACH_NONE)
		return 0;
	dev_err(&dev->vdpa.dev, "data queues refused: the consumer mapped nothing the function may reach in address space %u of the data group\n",
		dev->as.group_asid[DPU_VDPA_GROUP_DATA]);
	return -EFAULT;
}

/* Point function queue @i at the ring it is to run; it is disabled. */
static void mode_vq_program(struct dpu_vdpa_dev *dev, u16 i)
{
	struct dpu_vdpa_vq *vq = &dev->vqs[i];
	u64 desc = vq->desc_addr, driver = vq->driver_addr, device = vq->device_addr;

	if (vq->shadow)
		dpu_vdpa_svq_fn_ring(vq, &desc, &driver, &device);
	dpu_vdpa_hw_queue_set_ring(dev->fn, i, vq->num, desc, driver, device);
}

/* Start function queue @i again after dpu_vdpa_hw_vq_reset, in shadow mode. */
static int mode_vq_restart(struct dpu_vdpa_dev *dev, u16 i)
{
	mode_vq_program(dev, i);
	if (dpu_vdpa_irq_vq_vector(dev, i, dev->shadow_vector))
		return -EBUSY;
	dpu_vdpa_hw_queue_enable(dev->fn, i);
	return 0;
}

/*
 * Function queue @i, disabled, runs the consumer's ring from index 0.
 * Every way into direct mode comes here, and each checks again what the
 * consumer may have changed since the queue was set up: its size, and
 * whether the function reaches its addresses at all.
 */
static int mode_vq_enable_direct(struct dpu_vdpa_dev *dev, u16 i)
{
	struct dpu_vdpa_vq *vq = &dev->vqs[i];
	u16 v = vq->vector;
	int err;

	if (dpu_vdpa_mem_fn_reach(dev) != DPU_VDPA_REACH_IOVA) {
		dev_err(&dev->vdpa.dev, "vq %u: direct mode refused: the function does not reach the consumer's addresses through the driver's IOMMU domain\n",
			i);
		return -EFAULT;
	}
	err = dpu_vdpa_hw_vq_check_num(dev, i);
	if (err)
		return err;
	WRITE_ONCE(vq->shadow, false);
	mode_vq_program(dev, i);
	/* no vector of its own when the device started in shadow mode */
	if (v == VIRTIO_MSI_NO_VECTOR && dpu_vdpa_vq_cb(vq).callback)
		v = dev->shadow_vector;
	if (dpu_vdpa_irq_vq_vector(dev, i, v))
		return -EBUSY;
	dpu_vdpa_hw_queue_enable(dev->fn, i);
	/* the consumer may have made buffers available already */
	dpu_vdpa_hw_kick(vq->notify, i);
	return 0;
}

/*
 * Shadow -> direct for queue @i, whose consumer indexes are both 0 with
 * nothing at the function (dpu_vdpa_svq_at_wrap), relay halted.  The
 * function then runs the consumer's ring from index 0, where anything the
 * consumer added meanwhile is waiting.
 */
static int mode_vq_to_direct(struct dpu_vdpa_dev *dev, u16 i)
{
	dpu_vdpa_hw_vq_reset(dev, i);
	return mode_vq_enable_direct(dev, i);
}

/*
 * Program the cached queue setup into the function.  Called with the
 * function in FEATURES_OK, right before DRIVER_OK is written to it.
 */
int dpu_vdpa_mode_start(struct dpu_vdpa_dev *dev)
{
	bool shadow;
	u16 i;
	int err;

	lockdep_assert_held(&dev->lock);
	err = mode_check_reach(dev);
	if (err)
		return err;
	shadow = mode_needs_shadow(dev);
	for (i = 0; i < dev->nvqs; i++) {
		struct dpu_vdpa_vq *vq = &dev->vqs[i];

		if (!dpu_vdpa_vq_on_fn(dev, i))
			continue;
		err = dpu_vdpa_hw_vq_map(dev, i);
		if (err)
			goto err_shadow;
		err = dpu_vdpa_hw_vq_check_num(dev, i);
		if (err)
			goto err_shadow;
		if (shadow) {
			err = dpu_vdpa_svq_prepare(vq, mode_may_go_direct(vq));
			if (err)
				goto err_shadow;
			WRITE_ONCE(vq->shadow, true);
		}
		mode_vq_program(dev, i);
	}
	dev->mode = shadow ? DPU_VDPA_MODE_SHADOW : DPU_VDPA_MODE_DIRECT;

	if (dev->fn->type->pre_driver_ok) {
		err = dev->fn->type->pre_driver_ok(dev);
		if (err)
			goto err_shadow;
	}

	err = dpu_vdpa_irq_setup(dev);
	if (err)
		goto err_shadow;

	for (i = 0; i < dev->nvqs; i++)
		if (dpu_vdpa_vq_on_fn(dev, i))
			dpu_vdpa_hw_queue_enable(dev->fn, i);
	for (i = 0; i < dev->nvqs; i++)
		if (dev->vqs[i].shadow)
			dpu_vdpa_svq_run(&dev->vqs[i]);
	dev_dbg(&dev->vdpa.dev, "started in %s mode\n", shadow ? "shadow" : "direct");
	return 0;

err_shadow:
	for (i = 0; i < dev->nvqs; i++)
		WRITE_ONCE(dev->vqs[i].shadow, false);
	dev->mode = DPU_VDPA_MODE_STOPPED;
	return err;
}

/*
 * The consumer enabled queue @i after DRIVER_OK (VHOST_BACKEND_F_ENABLE_
 * AFTER_DRIVER_OK).  The function negotiated VIRTIO_F_RING_RESET, under
 * which a queue may be enabled while it runs; the queue gets the relay's
 * vector, whose handler also serves direct queues without one of their own.
 */
int dpu_vdpa_mode_vq_start_late(struct dpu_vdpa_dev *dev, u16 i)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	struct dpu_vdpa_vq *vq = &dev->vqs[i];
	int err;

	lockdep_assert_held(&dev->lock);
	if (type->vq_is_soft && type->vq_is_soft(dev, i))
		return type->soft_start ? type->soft_start(dev, i) : 0;
	/* left off like at DRIVER_OK */
	if (!dpu_vdpa_vq_on_fn(dev, i))
		return 0;
	if (!(dev->fn_driver_features & BIT_ULL(VIRTIO_F_RING_RESET))) {
		dev_err(&dev->vdpa.dev, "vq %u enabled after DRIVER_OK: the function lacks VIRTIO_F_RING_RESET\n",
			i);
		return -EOPNOTSUPP;
	}
	/* mapped now even when suspended: resume kicks it through this doorbell */
	err = dpu_vdpa_hw_vq_map(dev, i);
	if (err || dev->suspended)
		return err;
	err = dpu_vdpa_hw_vq_check_num(dev, i);
	if (!err)
		err = mode_check_reach(dev);
	if (err)
		return err;
	if (dpu_vdpa_mode_shadow_required(dev) || vq->avail_idx) {
		err = dpu_vdpa_svq_prepare(vq, mode_may_go_direct(vq));
		if (err)
			return err;
		WRITE_ONCE(vq->shadow, true);
		err = mode_vq_restart(dev, i);
		if (err) {
			WRITE_ONCE(vq->shadow, false);
			return err;
		}
		dpu_vdpa_svq_run(vq);
		dev->mode = DPU_VDPA_MODE_SHADOW;
	} else {
		err = mode_vq_enable_direct(dev, i);
		if (err)
			return err;
	}
	dev_dbg(&dev->vdpa.dev, "vq %u enabled after DRIVER_OK, %s mode\n", i,
		vq->shadow ? "shadow" : "direct");
	return 0;
}

/*
 * Direct mode: wait until the function used everything the consumer had
 * made available when the suspend began.  A consumer that goes on adding
 * (virtio_vdpa's TX) is not waited for: what the function has not used
 * when its queue stops is handed back.
 */
static void mode_direct_drain(struct dpu_vdpa_dev *dev, struct dpu_vdpa_vq *vq)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(DPU_VDPA_DRAIN_MS);
	u16 avail, used;

	if (dpu_vdpa_mem_read16(dev, DPU_VDPA_GROUP_DATA,
				vq->driver_addr + offsetof(struct vring_avail, idx), &avail))
		return;
	for (;;) {
		if (dpu_vdpa_mem_read16(dev, DPU_VDPA_GROUP_DATA,
					vq->device_addr + offsetof(struct vring_used, idx), &used))
			return;
		/* used has reached avail, or passed it (modulo 2^16) */
		if ((u16)(used - avail) < 0x8000)
			return;
		if (time_after(jiffies, deadline)) {
			dev_warn(&dev->vdpa.dev, "vq %u: %u buffers still at the function after %d ms\n",
				 vq->index, (u16)(avail - used), DPU_VDPA_DRAIN_MS);
			return;
		}
		usleep_range(200, 500);
	}
}

/*
 * Direct mode, function queue reset: the next avail index is the used
 * index.  Check, over the part of both rings still intact, that the
 * function used buffers in the order they were made available.
 */
static int mode_direct_rewind(struct dpu_vdpa_dev *dev, struct dpu_vdpa_vq *vq)
{
	u64 used_ring = vq->device_addr + offsetof(struct vring_used, ring);
	u64 avail_ring = vq->driver_addr + offsetof(struct vring_avail, ring);
	u64 used_idx = vq->device_addr + offsetof(struct vring_used, idx);
	u16 avail, used, pos, head;
	u32 id;
	int err;

	err = dpu_vdpa_mem_read16(dev, DPU_VDPA_GROUP_DATA,
				  vq->driver_addr + offsetof(struct vring_avail, idx), &avail);
	if (!err)
		err = dpu_vdpa_mem_read16(dev, DPU_VDPA_GROUP_DATA, used_idx, &used);
	if (err) {
		dev_err(&dev->vdpa.dev, "vq %u: cannot read the ring indexes: %d\n",
			vq->index, err);
		return err;
	}
	if ((u16)(avail - used) > vq->num) {
		dev_err(&dev->vdpa.dev, "vq %u: avail %u and used %u are more than a ring apart\n",
			vq->index, avail, used);
		return -EPROTO;
	}
	for (pos = avail - vq->num; (u16)(used - pos) <= vq->num && pos != used; pos++) {
		__le32 raw;

		if (dpu_vdpa_mem_read16(dev, DPU_VDPA_GROUP_DATA,
					avail_ring + (pos % vq->num) * 2, &head) ||
		    dpu_vdpa_mem_read(dev, DPU_VDPA_GROUP_DATA, used_ring + (pos % vq->num) * 8,
				      &raw, sizeof(raw)))
			break;
		id = le32_to_cpu(raw);
		if (id != head) {
			dev_warn(&dev->vdpa.dev, "vq %u: the function used buffers out of order: buffers after index %u may be lost\n",
				 vq->index, used);
			atomic64_inc(&dev->stats.ring_errors);
			dev->suspend_inexact = true;
			break;
		}
	}
	vq->avail_idx = used;
	if (avail != used)
		atomic64_add((u16)(avail - used), &dev->stats.rewound);
	return 0;
}

/* Is a ready queue served by the function itself, unseen by the relay? */
bool dpu_vdpa_mode_any_direct(struct dpu_vdpa_dev *dev)
{
	u16 i;

	for (i = 0; i < dev->nvqs; i++)
		if (dev->vqs[i].ready && !dev->vqs[i].shadow)
			return true;
	return false;
}

/* Queues whose relay reached an index wrap go back to the function (see top). */
void dpu_vdpa_mode_work(struct work_struct *work)
{
	struct dpu_vdpa_dev *dev = container_of(work, struct dpu_vdpa_dev, mode_work);
	bool all_direct = true;
	u16 i;

	mutex_lock(&dev->lock);
	if (!(dev->status & VIRTIO_CONFIG_S_DRIVER_OK) || dev->suspended ||
	    dev->mode != DPU_VDPA_MODE_SHADOW || dpu_vdpa_mode_shadow_required(dev))
		goto out;
	for (i = 0; i < dev->nvqs; i++) {
		struct dpu_vdpa_vq *vq = &dev->vqs[i];
		int err;

		if (!vq->shadow)
			continue;
		if (!dpu_vdpa_svq_at_wrap(vq)) {
			all_direct = false;
			continue;
		}
		dpu_vdpa_svq_halt(vq);
		/* halted at the wrap: nothing can have moved meanwhile */
		err = mode_vq_to_direct(dev, i);
		if (err) {
			dev_err(&dev->vdpa.dev, "vq %u: cannot go back to direct mode: %d\n",
				i, err);
			WRITE_ONCE(dev->vq_failed, true);
			all_direct = false;
			continue;
		}
		dpu_vdpa_svq_release(vq);
		dev_dbg(&dev->vdpa.dev, "vq %u back in direct mode\n", i);
	}
	if (all_direct) {
		dev->mode = DPU_VDPA_MODE_DIRECT;
		atomic64_inc(&dev->stats.mode_switches);
		dev_dbg(&dev->vdpa.dev, "all queues in direct mode\n");
	}
out:
	mutex_unlock(&dev->lock);
}

/*
 * Stop function queue @i of a device being suspended, and learn where the
 * consumer's ring resumes (vq->avail_idx).
 */
void dpu_vdpa_mode_vq_suspend(struct dpu_vdpa_dev *dev, u16 i, struct netlink_ext_ack *extack)
{
	struct dpu_vdpa_vq *vq = &dev->vqs[i];
	bool rewind = mode_vq_may_rewind(dev, i);

	lockdep_assert_held(&dev->lock);
	if (vq->shadow) {
		dpu_vdpa_svq_halt(vq);
		if (!rewind)
			dpu_vdpa_svq_drain(vq, DPU_VDPA_DRAIN_MS);
		dpu_vdpa_hw_vq_reset(dev, i);
		dpu_vdpa_svq_rewind(vq);
		return;
	}
	if (!rewind)
		mode_direct_drain(dev, vq);
	dpu_vdpa_hw_vq_reset(dev, i);
	/* the queue is stopped either way: report, stay suspended */
	if (mode_direct_rewind(dev, vq)) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "vq %u: ring state unreadable", i);
		dev->suspend_inexact = true;
	}
}

/* Start function queue @i of a device being resumed: shadowed, at the consumer's index. */
int dpu_vdpa_mode_vq_resume(struct dpu_vdpa_dev *dev, u16 i)
{
	struct dpu_vdpa_vq *vq = &dev->vqs[i];
	int err;

	lockdep_assert_held(&dev->lock);
	err = dpu_vdpa_svq_prepare(vq, mode_may_go_direct(vq));
	if (err)
		return err;
	WRITE_ONCE(vq->shadow, true);
	err = mode_vq_restart(dev, i);
	if (err)
		return err;
	dpu_vdpa_svq_run(vq);
	return 0;
}

/*
 * Hold every relay while the dirty log starts or stops under it, and keep
 * its queue shadowed meanwhile.  The queues not shadowed are the caller's.
 */
void dpu_vdpa_mode_quiesce(struct dpu_vdpa_dev *dev)
{
	u16 i;

	lockdep_assert_held(&dev->lock);
	for (i = 0; i < dev->nvqs; i++) {
		if (!dev->vqs[i].shadow)
			continue;
		dpu_vdpa_svq_halt(&dev->vqs[i]);
		dpu_vdpa_svq_set_to_direct(&dev->vqs[i], false);
	}
}

/*
 * Undo dpu_vdpa_mode_quiesce: the relays run again (unless the device is
 * suspended), and those that may go back to direct mode do so at their
 * next index wrap.
 */
void dpu_vdpa_mode_unquiesce(struct dpu_vdpa_dev *dev)
{
	u16 i;

	lockdep_assert_held(&dev->lock);
	for (i = 0; i < dev->nvqs; i++) {
		struct dpu_vdpa_vq *vq = &dev->vqs[i];

		if (!vq->shadow)
			continue;
		dpu_vdpa_svq_set_to_direct(vq, mode_may_go_direct(vq));
		if (!dev->suspended)
			dpu_vdpa_svq_run(vq);
	}
}
