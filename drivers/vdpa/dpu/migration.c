// SPDX-License-Identifier: GPL-2.0-only
/*
 * Suspend, resume and dirty logging of a running device.
 *
 * A plain virtio-pci function has no suspend register and always starts a
 * queue at index 0, so the driver builds both from VIRTIO_F_RING_RESET:
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
 * RX (see dpu_vdpa_svq_may_go_direct): the device then reports shadow
 * mode until the consumer resets it.
 *
 * Dirty logging: the device goes through suspend and resume, which puts
 * every queue in shadow mode, where the relay marks what is written.
 *
 * Suspend needs the function to offer VIRTIO_F_RING_RESET; without it
 * suspend fails with EOPNOTSUPP and the device keeps running.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/log2.h>
#include <linux/virtio_config.h>

#include "dpu_vdpa.h"

#define DPU_VDPA_DRAIN_MS	1000

static bool dpu_vdpa_vq_may_rewind(struct dpu_vdpa_dev *dev, u16 i)
{
	const struct dpu_vdpa_type *type = dev->fn->type;

	return type->vq_may_rewind && type->vq_may_rewind(dev, i);
}

/*
 * Direct mode: wait until the function used everything the consumer had
 * made available when the suspend began.  A consumer that goes on adding
 * (virtio_vdpa's TX) is not waited for: what the function has not used
 * when its queue stops is handed back.
 */
static void dpu_vdpa_direct_drain(struct dpu_vdpa_dev *dev, struct dpu_vdpa_vq *vq)
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
static int dpu_vdpa_direct_rewind(struct dpu_vdpa_dev *dev, struct dpu_vdpa_vq *vq)
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

static int dpu_vdpa_suspend_locked(struct dpu_vdpa_dev *dev, struct netlink_ext_ack *extack)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	u16 i;
	int err;

	lockdep_assert_held(&dev->lock);
	if (!(dev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
		NL_SET_ERR_MSG_MOD(extack, "device is not running (no DRIVER_OK)");
		return -EINVAL;
	}
	if (dev->suspended) {
		NL_SET_ERR_MSG_MOD(extack, "device is already suspended");
		return -EALREADY;
	}
	if (!(dev->fn_driver_features & BIT_ULL(VIRTIO_F_RING_RESET))) {
		NL_SET_ERR_MSG_MOD(extack, "function lacks VIRTIO_F_RING_RESET: its queues cannot be stopped");
		dev_err(&dev->vdpa.dev, "cannot suspend: function %s lacks VIRTIO_F_RING_RESET\n",
			pci_name(dev->fn->pdev));
		return -EOPNOTSUPP;
	}

	if (type->soft_pause)
		type->soft_pause(dev);
	for (i = 0; i < dev->nvqs; i++) {
		struct dpu_vdpa_vq *vq = &dev->vqs[i];
		bool rewind = dpu_vdpa_vq_may_rewind(dev, i);

		if (!dpu_vdpa_hw_vq_on_fn(dev, i))
			continue;
		if (vq->shadow) {
			dpu_vdpa_svq_halt(vq);
			if (!rewind)
				dpu_vdpa_svq_drain(vq, DPU_VDPA_DRAIN_MS);
			dpu_vdpa_hw_vq_reset(dev, i);
			dpu_vdpa_svq_rewind(vq);
		} else {
			if (!rewind)
				dpu_vdpa_direct_drain(dev, vq);
			dpu_vdpa_hw_vq_reset(dev, i);
			err = dpu_vdpa_direct_rewind(dev, vq);
			if (err) {
				NL_SET_ERR_MSG_FMT_MOD(extack, "vq %u: ring state unreadable", i);
				dev->suspend_inexact = true;
			}
			/* the queue is stopped either way: report, stay suspended */
		}
		dev_dbg(&dev->vdpa.dev, "vq %u suspended at avail index %u\n", i, vq->avail_idx);
	}
	dev->suspended = true;
	atomic64_inc(&dev->stats.suspends);
	return 0;
}

int dpu_vdpa_suspend(struct dpu_vdpa_dev *dev, struct netlink_ext_ack *extack)
{
	int err;

	mutex_lock(&dev->lock);
	err = dpu_vdpa_suspend_locked(dev, extack);
	mutex_unlock(&dev->lock);
	return err;
}

static int dpu_vdpa_resume_locked(struct dpu_vdpa_dev *dev, struct netlink_ext_ack *extack)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	bool was_direct = dev->mode == DPU_VDPA_MODE_DIRECT;
	u16 i;
	int err;

	lockdep_assert_held(&dev->lock);
	if (!dev->suspended) {
		NL_SET_ERR_MSG_MOD(extack, "device is not suspended");
		return -EINVAL;
	}
	for (i = 0; i < dev->nvqs; i++) {
		struct dpu_vdpa_vq *vq = &dev->vqs[i];

		if (!dpu_vdpa_hw_vq_on_fn(dev, i))
			continue;
		err = dpu_vdpa_svq_prepare(vq);
		if (err)
			goto err;
		WRITE_ONCE(vq->shadow, true);
		err = dpu_vdpa_hw_vq_restart(dev, i);
		if (err)
			goto err;
		dpu_vdpa_svq_run(vq);
	}
	dev->mode = DPU_VDPA_MODE_SHADOW;
	if (was_direct)
		atomic64_inc(&dev->stats.mode_switches);
	dev->suspended = false;
	dev->suspend_inexact = false;
	if (type->soft_resume)
		type->soft_resume(dev);
	dev_dbg(&dev->vdpa.dev, "resumed in shadow mode\n");
	return 0;

err:
	/* queues already running go on; the consumer sees NEEDS_RESET */
	NL_SET_ERR_MSG_FMT_MOD(extack, "vq %u cannot be restarted (%d)", i, err);
	dev_err(&dev->vdpa.dev, "resume: vq %u cannot be restarted: %d\n", i, err);
	WRITE_ONCE(dev->vq_failed, true);
	dev->suspended = false;
	dev->suspend_inexact = false;
	/* the control queue takes commands again, as the consumer is told to reset */
	if (type->soft_resume)
		type->soft_resume(dev);
	return err;
}

int dpu_vdpa_resume(struct dpu_vdpa_dev *dev, struct netlink_ext_ack *extack)
{
	int err;

	mutex_lock(&dev->lock);
	err = dpu_vdpa_resume_locked(dev, extack);
	mutex_unlock(&dev->lock);
	return err;
}

/* Is a ready queue served by the function itself, unseen by the relay? */
static bool dpu_vdpa_any_vq_direct(struct dpu_vdpa_dev *dev)
{
	u16 i;

	for (i = 0; i < dev->nvqs; i++)
		if (dev->vqs[i].ready && !dev->vqs[i].shadow)
			return true;
	return false;
}

/*
 * The range a log covers when the caller names none: everything the
 * consumer can hand the function.  For vhost_vdpa that is the span of its
 * mappings in the data address space; for virtio_vdpa, DMA API addresses
 * up to dma_get_required_mask(): all of RAM when nothing translates, the
 * 32-bit window where iommu-dma places a PCI function's mappings first
 * behind an IOMMU.  Any other consumer has nothing to log yet.
 */
static int dpu_vdpa_log_default_range(struct dpu_vdpa_dev *dev, u64 *iova, u64 *len,
				      struct netlink_ext_ack *extack)
{
	u64 end;

	if (dpu_vdpa_as_span(dev, DPU_VDPA_GROUP_DATA, iova, &end)) {
		*len = end - *iova;
		return 0;
	}
	if (dpu_vdpa_mem_dma_api(dev)) {
		*iova = 0;
		*len = dma_get_required_mask(dpu_vdpa_dev_to_dev(dev));
		*len += *len != U64_MAX;
		return 0;
	}
	NL_SET_ERR_MSG_MOD(extack,
			   "the consumer has mapped no memory yet: give the range to log");
	return -ENODATA;
}

/* @len 0: the consumer's whole address space (dpu_vdpa_log_default_range). */
int dpu_vdpa_log_start(struct dpu_vdpa_dev *dev, u32 page_size, u64 iova, u64 len,
		       struct netlink_ext_ack *extack)
{
	bool running, suspended;
	u64 end;
	int err;

	if (!page_size)
		page_size = PAGE_SIZE;
	if (!is_power_of_2(page_size) || page_size < SZ_4K || page_size > SZ_1G) {
		NL_SET_ERR_MSG_MOD(extack, "page size must be a power of two from 4096 to 1 GiB");
		return -EINVAL;
	}
	if (!len) {
		err = dpu_vdpa_log_default_range(dev, &iova, &len, extack);
		if (err)
			return err;
	}
	end = ALIGN(iova + len, (u64)page_size);
	iova = ALIGN_DOWN(iova, (u64)page_size);
	if (!len || end <= iova) {
		NL_SET_ERR_MSG_MOD(extack, "empty or wrapping IOVA range");
		return -EINVAL;
	}
	/* 1 TiB of 4 KiB pages is a 32 MiB bitmap; refuse more than 16 TiB */
	if ((end - iova) >> ilog2(page_size) > (1ULL << 32)) {
		NL_SET_ERR_MSG_MOD(extack, "range has more than 2^32 pages");
		return -E2BIG;
	}

	mutex_lock(&dev->lock);
	if (dev->log.active) {
		NL_SET_ERR_MSG_MOD(extack, "dirty logging already started");
		err = -EBUSY;
		goto out;
	}
	running = dev->status & VIRTIO_CONFIG_S_DRIVER_OK;
	suspended = dev->suspended;
	/*
	 * A running device with any queue on the function (direct, so not
	 * logged) moves to shadow mode through a suspend.  dev->mode is not
	 * enough: after a resume, busy queues go direct at their wrap while
	 * net RX stays shadowed, and the mode still reads "shadow".
	 */
	if (running && !suspended && dpu_vdpa_any_vq_direct(dev)) {
		err = dpu_vdpa_suspend_locked(dev, extack);
		if (err)
			goto out;
	} else if (running && !suspended) {
		for (u16 i = 0; i < dev->nvqs; i++) {
			if (!dev->vqs[i].shadow)
				continue;
			dpu_vdpa_svq_halt(&dev->vqs[i]);
			dpu_vdpa_svq_set_to_direct(&dev->vqs[i], false);
		}
	}
	err = dpu_vdpa_log_alloc(dev, page_size, iova, end - iova);
	if (err)
		NL_SET_ERR_MSG_MOD(extack, "no memory for the dirty bitmap");
	if (running && !suspended) {
		if (dev->suspended) {
			int err2 = dpu_vdpa_resume_locked(dev, extack);

			err = err ?: err2;
		} else {
			for (u16 i = 0; i < dev->nvqs; i++)
				if (dev->vqs[i].shadow)
					dpu_vdpa_svq_run(&dev->vqs[i]);
		}
	}
	if (!err)
		dev_dbg(&dev->vdpa.dev, "dirty log started: [%#llx, %#llx), %u-byte pages\n",
			iova, end, page_size);
out:
	mutex_unlock(&dev->lock);
	return err;
}

int dpu_vdpa_log_sync(struct dpu_vdpa_dev *dev, u64 iova, u64 npages,
		      unsigned long *bitmap, u64 *dirty, struct netlink_ext_ack *extack)
{
	struct dpu_vdpa_log *log = &dev->log;
	int err = 0;

	mutex_lock(&dev->lock);
	if (!log->active) {
		NL_SET_ERR_MSG_MOD(extack, "dirty logging is not started");
		err = -ENOENT;
		goto out;
	}
	/* iova is checked against the end first: the page count below must not wrap */
	if (iova < log->iova || iova - log->iova >= log->len ||
	    !IS_ALIGNED(iova - log->iova, 1ULL << log->page_shift) ||
	    npages > (log->iova + log->len - iova) >> log->page_shift || !npages) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "range unaligned or outside [%#llx, %#llx)",
				       log->iova, log->iova + log->len);
		err = -ERANGE;
		goto out;
	}
	*dirty = dpu_vdpa_log_read_clear(dev, iova, npages, bitmap);
out:
	mutex_unlock(&dev->lock);
	return err;
}

int dpu_vdpa_log_stop(struct dpu_vdpa_dev *dev, struct netlink_ext_ack *extack)
{
	int err = 0;
	u16 i;

	mutex_lock(&dev->lock);
	if (!dev->log.active) {
		NL_SET_ERR_MSG_MOD(extack, "dirty logging is not started");
		err = -ENOENT;
		goto out;
	}
	WRITE_ONCE(dev->log.active, false);
	/* wait for relays that may still be marking */
	for (i = 0; i < dev->nvqs; i++) {
		struct dpu_vdpa_vq *vq = &dev->vqs[i];

		if (!vq->shadow)
			continue;
		dpu_vdpa_svq_halt(vq);
		if (!dev->suspended)
			dpu_vdpa_svq_run(vq);
	}
	/* the queues served in software mark too */
	if (dev->fn->type->soft_sync)
		dev->fn->type->soft_sync(dev);
	dpu_vdpa_log_free(dev);
	/* back to direct mode, one queue at a time, at each one's next index wrap */
	for (i = 0; i < dev->nvqs; i++)
		if (dev->vqs[i].shadow && dpu_vdpa_svq_may_go_direct(&dev->vqs[i]))
			dpu_vdpa_svq_set_to_direct(&dev->vqs[i], true);
	dev_dbg(&dev->vdpa.dev, "dirty log stopped\n");
out:
	mutex_unlock(&dev->lock);
	return err;
}

/* Queues whose relay reached an index wrap go back to the function (see top). */
void dpu_vdpa_mode_work(struct work_struct *work)
{
	struct dpu_vdpa_dev *dev = container_of(work, struct dpu_vdpa_dev, mode_work);
	bool all_direct = true;
	u16 i;

	mutex_lock(&dev->lock);
	if (!(dev->status & VIRTIO_CONFIG_S_DRIVER_OK) || dev->suspended ||
	    dev->mode != DPU_VDPA_MODE_SHADOW || dpu_vdpa_hw_shadow_required(dev))
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
		err = dpu_vdpa_hw_vq_to_direct(dev, i);
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
