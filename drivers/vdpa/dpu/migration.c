// SPDX-License-Identifier: GPL-2.0-only
/*
 * Suspend, resume and the dirty log of a running device, as the netlink
 * family and the vdpa core ask for them: the checks and the device-wide
 * state.  What happens to each queue is vq_mode.c's.
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

static int dpu_vdpa_suspend_locked(struct dpu_vdpa_dev *dev, struct netlink_ext_ack *extack)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	u16 i;

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
		if (!dpu_vdpa_vq_on_fn(dev, i))
			continue;
		dpu_vdpa_mode_vq_suspend(dev, i, extack);
		dev_dbg(&dev->vdpa.dev, "vq %u suspended at avail index %u\n", i,
			dev->vqs[i].avail_idx);
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
		if (!dpu_vdpa_vq_on_fn(dev, i))
			continue;
		err = dpu_vdpa_mode_vq_resume(dev, i);
		if (err)
			goto err;
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
		       u32 owner, struct netlink_ext_ack *extack)
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
	if (running && !suspended && dpu_vdpa_mode_any_direct(dev)) {
		err = dpu_vdpa_suspend_locked(dev, extack);
		if (err)
			goto out;
	} else if (running && !suspended) {
		dpu_vdpa_mode_quiesce(dev);
	}
	err = dpu_vdpa_log_alloc(dev, page_size, iova, end - iova);
	if (err)
		NL_SET_ERR_MSG_MOD(extack, "no memory for the dirty bitmap");
	if (running && !suspended) {
		if (dev->suspended) {
			int err2 = dpu_vdpa_resume_locked(dev, extack);

			err = err ?: err2;
		} else {
			dpu_vdpa_mode_unquiesce(dev);
		}
	}
	if (!err) {
		dev->log.owner = owner;
		dev_dbg(&dev->vdpa.dev, "dirty log started: [%#llx, %#llx), %u-byte pages, owner %u\n",
			iova, end, page_size, owner);
	}
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
	/* what each of the VMM's rounds took from the device's log */
	dev_dbg(&dev->vdpa.dev, "dirty log sync: [%#llx, +%llu pages): %llu dirty\n",
		iova, npages, *dirty);
out:
	mutex_unlock(&dev->lock);
	return err;
}

static void dpu_vdpa_log_stop_locked(struct dpu_vdpa_dev *dev)
{
	lockdep_assert_held(&dev->lock);
	/*
	 * No relay marks once it has been held with the log off; they run on
	 * at once, and go back to direct mode at their next index wrap (the
	 * switch waits for dev->lock, so the bitmap is freed before).
	 */
	dpu_vdpa_mode_quiesce(dev);
	WRITE_ONCE(dev->log.active, false);
	dpu_vdpa_mode_unquiesce(dev);
	/* the queues served in software mark too */
	if (dev->fn->type->soft_sync)
		dev->fn->type->soft_sync(dev);
	dpu_vdpa_log_free(dev);
}

int dpu_vdpa_log_stop(struct dpu_vdpa_dev *dev, struct netlink_ext_ack *extack)
{
	int err = 0;

	mutex_lock(&dev->lock);
	if (dev->log.active) {
		dpu_vdpa_log_stop_locked(dev);
		dev_dbg(&dev->vdpa.dev, "dirty log stopped\n");
	} else {
		NL_SET_ERR_MSG_MOD(extack, "dirty logging is not started");
		err = -ENOENT;
	}
	mutex_unlock(&dev->lock);
	return err;
}

/*
 * The socket that owns the log is gone: its VMM quit or died, and nobody
 * will read or stop the log.  Left running, it would keep the device in
 * shadow mode and refuse the next VMM's LOG_START (EBUSY).
 */
void dpu_vdpa_log_release(struct dpu_vdpa_dev *dev, u32 owner)
{
	mutex_lock(&dev->lock);
	if (dev->log.active && dev->log.owner == owner) {
		dpu_vdpa_log_stop_locked(dev);
		dev_info(&dev->vdpa.dev, "dirty log stopped: its owner (netlink port %u) is gone\n",
			 owner);
	}
	mutex_unlock(&dev->lock);
}
