// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vdpa_config_ops table: what virtio_vdpa and vhost_vdpa call.
 *
 * Queue setup is cached in struct dpu_vdpa_vq and reaches the function at
 * DRIVER_OK (see vq_mode.c); status and features are forwarded as the consumer
 * sets them, through the device-type hooks of the function.
 */
#include <linux/virtio_config.h>

#include "dpu_vdpa.h"
#include "shadow.h"

static struct dpu_vdpa_vq *dpu_vdpa_vq_get(struct dpu_vdpa_dev *dev, u16 idx)
{
	if (idx >= dev->nvqs) {
		dev_dbg(&dev->vdpa.dev, "vq index %u out of range (%u vqs)\n", idx, dev->nvqs);
		return NULL;
	}
	return &dev->vqs[idx];
}

static bool dpu_vdpa_vq_soft(struct dpu_vdpa_dev *dev, u16 idx)
{
	const struct dpu_vdpa_type *type = dev->fn->type;

	return type->vq_is_soft && type->vq_is_soft(dev, idx);
}

static int dpu_vdpa_set_vq_address(struct vdpa_device *vdpa, u16 idx, u64 desc_area,
				   u64 driver_area, u64 device_area)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	struct dpu_vdpa_vq *vq = dpu_vdpa_vq_get(dev, idx);

	if (!vq)
		return -EINVAL;
	mutex_lock(&dev->lock);
	vq->desc_addr = desc_area;
	vq->driver_addr = driver_area;
	vq->device_addr = device_area;
	mutex_unlock(&dev->lock);
	return 0;
}

static void dpu_vdpa_set_vq_num(struct vdpa_device *vdpa, u16 idx, u32 num)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	struct dpu_vdpa_vq *vq = dpu_vdpa_vq_get(dev, idx);

	if (!vq)
		return;
	mutex_lock(&dev->lock);
	vq->num = num;
	mutex_unlock(&dev->lock);
}

/* Atomic context: vhost kicks arrive from an eventfd wakeup. */
static void dpu_vdpa_kick_vq(struct vdpa_device *vdpa, u16 idx)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	struct dpu_vdpa_vq *vq = dpu_vdpa_vq_get(dev, idx);
	void __iomem *notify;

	if (!vq)
		return;
	if (dpu_vdpa_vq_soft(dev, idx)) {
		dev->fn->type->kick_soft(dev, idx);
		return;
	}
	if (READ_ONCE(vq->shadow)) {
		dpu_vdpa_svq_notify(vq);
		return;
	}
	notify = READ_ONCE(vq->notify);
	if (notify)
		dpu_vdpa_hw_kick(notify, idx);
}

/*
 * A bus driver's callbacks live as long as its binding.  A reset keeps
 * them: vhost_vdpa sets a queue's callback only when the VMM issues
 * VHOST_SET_VRING_CALL, which QEMU does not repeat when it restarts a
 * device its guest reset.  Once the driver is unbound they are forgotten,
 * before another driver (or another binding of the same one) can bind:
 * their private data is freed with the binding.  The driver reset the
 * device on its way out, so no interrupt or relay calls them meanwhile.
 */
static void dpu_vdpa_cbs_clear(struct dpu_vdpa_dev *dev)
{
	unsigned long flags;
	u16 i;

	spin_lock_irqsave(&dev->cb_lock, flags);
	for (i = 0; i < dev->nvqs; i++)
		dev->vqs[i].cb = (struct vdpa_callback) { };
	dev->config_cb = (struct vdpa_callback) { };
	spin_unlock_irqrestore(&dev->cb_lock, flags);
}

static int dpu_vdpa_bus_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	struct dpu_vdpa_dev *dev = container_of(nb, struct dpu_vdpa_dev, bus_nb);

	if (data != &dev->vdpa.dev)
		return NOTIFY_DONE;
	/*
	 * A new driver starts with no DMA API use, whatever the last one did,
	 * unless only its name tells that it uses it (compat.h).
	 */
	if (action == BUS_NOTIFY_BIND_DRIVER) {
		WRITE_ONCE(dev->consumer_dma_api, dpu_vdpa_compat_binds_dma_api(data));
		return NOTIFY_OK;
	}
	if (action != BUS_NOTIFY_UNBOUND_DRIVER)
		return NOTIFY_DONE;
	dpu_vdpa_cbs_clear(dev);
	WRITE_ONCE(dev->consumer_dma_api, false);
	dev_dbg(&dev->vdpa.dev, "bus driver unbound: callbacks forgotten\n");
	return NOTIFY_OK;
}

/* From before the device is registered until after it is unregistered. */
int dpu_vdpa_cbs_track(struct dpu_vdpa_dev *dev)
{
	dev->bus_nb.notifier_call = dpu_vdpa_bus_notify;
	return bus_register_notifier(dev->vdpa.dev.bus, &dev->bus_nb);
}

void dpu_vdpa_cbs_untrack(struct dpu_vdpa_dev *dev)
{
	bus_unregister_notifier(dev->vdpa.dev.bus, &dev->bus_nb);
}

static void dpu_vdpa_set_vq_cb(struct vdpa_device *vdpa, u16 idx, struct vdpa_callback *cb)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	struct dpu_vdpa_vq *vq = dpu_vdpa_vq_get(dev, idx);
	unsigned long flags;

	if (!vq)
		return;
	spin_lock_irqsave(&dev->cb_lock, flags);
	vq->cb = *cb;
	spin_unlock_irqrestore(&dev->cb_lock, flags);
}

static void dpu_vdpa_set_vq_ready(struct vdpa_device *vdpa, u16 idx, bool ready)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	struct dpu_vdpa_vq *vq = dpu_vdpa_vq_get(dev, idx);

	if (!vq)
		return;
	mutex_lock(&dev->lock);
	if (!(dev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
		vq->ready = ready;
	} else if (ready && !vq->ready) {
		/* QEMU enables the data queues once the control queue restored state */
		vq->ready = true;
		if (dpu_vdpa_mode_vq_start_late(dev, idx))
			dev->vq_failed = true;
	} else if (!ready && vq->ready) {
		dev_dbg(&vdpa->dev, "vq %u disabled after DRIVER_OK: ignored\n", idx);
	}
	mutex_unlock(&dev->lock);
}

static bool dpu_vdpa_get_vq_ready(struct vdpa_device *vdpa, u16 idx)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	struct dpu_vdpa_vq *vq = dpu_vdpa_vq_get(dev, idx);

	return vq && READ_ONCE(vq->ready);
}

static int dpu_vdpa_set_vq_state(struct vdpa_device *vdpa, u16 idx,
				 const struct vdpa_vq_state *state)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	struct dpu_vdpa_vq *vq = dpu_vdpa_vq_get(dev, idx);
	int err = 0;

	if (!vq)
		return -EINVAL;
	mutex_lock(&dev->lock);
	/* while suspended, the new index takes effect at resume */
	if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK && !dev->suspended)
		err = -EBUSY;
	else if (dpu_vdpa_vq_soft(dev, idx) && dev->status & VIRTIO_CONFIG_S_DRIVER_OK)
		err = -EOPNOTSUPP;
	else
		vq->avail_idx = state->split.avail_index;
	mutex_unlock(&dev->lock);
	return err;
}

static int dpu_vdpa_get_vq_state(struct vdpa_device *vdpa, u16 idx, struct vdpa_vq_state *state)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	struct dpu_vdpa_vq *vq = dpu_vdpa_vq_get(dev, idx);

	if (!vq)
		return -EINVAL;
	mutex_lock(&dev->lock);
	if (dpu_vdpa_vq_soft(dev, idx) && dev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
		state->split.avail_index = dev->fn->type->soft_avail_idx(dev, idx);
	} else if (vq->shadow && !dev->suspended) {
		/* exact while the relay is halted, a snapshot while it runs */
		state->split.avail_index = dpu_vdpa_svq_avail_idx(vq);
	} else {
		/* before DRIVER_OK, or set exactly by suspend */
		state->split.avail_index = vq->avail_idx;
	}
	mutex_unlock(&dev->lock);
	return 0;
}

/*
 * vhost-vdpa maps this doorbell into the VMM (QEMU's host notifiers), whose
 * guest then kicks the function itself, never calling kick_vq.  That is
 * right for a queue the function runs from the consumer's ring, but the
 * function does not run a shadowed queue's ring: its kick must reach the
 * relay, through kick_vq.  So the doorbell is refused, with an empty area,
 * for a queue that is shadowed or will start shadowed (a nonzero vq state,
 * as a migration destination sets, or logging); vhost-vdpa then fails the
 * mmap and the VMM kicks through the eventfd.
 *
 * vhost-vdpa asks again on the mapping's first fault and maps whatever
 * it gets, an empty area included: once handed out for a mapping, the
 * doorbell is handed out for that queue for good.  If the queue is
 * shadowed later, the relay polls it (dpu_vdpa_doorbell_poll).
 */
static struct vdpa_notification_area dpu_vdpa_get_vq_notification(struct vdpa_device *vdpa,
								  u16 idx)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	struct dpu_vdpa_vq *vq = dpu_vdpa_vq_get(dev, idx);
	struct vdpa_notification_area area = { };
	bool shadow;

	if (!vq || !vq->notify || dpu_vdpa_vq_soft(dev, idx))
		return area;
	if (!READ_ONCE(vq->notify_given)) {
		mutex_lock(&dev->lock);
		if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK)
			shadow = vq->shadow;
		else
			shadow = dpu_vdpa_mode_will_shadow(dev);
		if (!shadow)
			WRITE_ONCE(vq->notify_given, true);
		mutex_unlock(&dev->lock);
		if (shadow) {
			dev_dbg(&vdpa->dev, "vq %u: shadowed, doorbell not mappable\n", idx);
			return area;
		}
	}
	area.addr = vq->notify_pa;
	area.size = dev->fn->vpm.notify_offset_multiplier;
	return area;
}

static int dpu_vdpa_get_vq_irq(struct vdpa_device *vdpa, u16 idx)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	struct dpu_vdpa_vq *vq = dpu_vdpa_vq_get(dev, idx);

	/* a shared vector also carries config changes: no bypass for it */
	if (!vq || vq->irq < 0 || vq->irq == dev->config_irq)
		return -EINVAL;
	return vq->irq;
}

#ifdef HAVE_VDPA_OP_GET_VQ_SIZE
static u16 dpu_vdpa_get_vq_size(struct vdpa_device *vdpa, u16 idx)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	struct dpu_vdpa_vq *vq = dpu_vdpa_vq_get(dev, idx);

	if (!vq)
		return 0;
	if (dpu_vdpa_vq_soft(dev, idx) || !vq->max_num)
		return DPU_VDPA_SOFT_VQ_MAX;
	return vq->max_num;
}
#endif

static u32 dpu_vdpa_get_vq_align(struct vdpa_device *vdpa)
{
	return PAGE_SIZE;
}

static u64 dpu_vdpa_get_device_features(struct vdpa_device *vdpa)
{
	return vdpa_to_dpu(vdpa)->device_features;
}

static int dpu_vdpa_set_driver_features(struct vdpa_device *vdpa, u64 features)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	int err = 0;

	mutex_lock(&dev->lock);
	if (dev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
		err = -EBUSY;
	} else if (features & ~dev->device_features) {
		dev_dbg(&vdpa->dev, "driver features %#llx not offered (%#llx)\n",
			features, dev->device_features);
		err = -EINVAL;
	} else {
		dev->driver_features = features;
	}
	mutex_unlock(&dev->lock);
	return err;
}

static u64 dpu_vdpa_get_driver_features(struct vdpa_device *vdpa)
{
	return vdpa_to_dpu(vdpa)->driver_features;
}

static void dpu_vdpa_set_config_cb(struct vdpa_device *vdpa, struct vdpa_callback *cb)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	unsigned long flags;

	spin_lock_irqsave(&dev->cb_lock, flags);
	dev->config_cb = *cb;
	spin_unlock_irqrestore(&dev->cb_lock, flags);
}

/* Smallest size any consumer-visible function queue accepts. */
static u16 dpu_vdpa_get_vq_num_max(struct vdpa_device *vdpa)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	u16 max = DPU_VDPA_SOFT_VQ_MAX, i;

	for (i = 0; i < dev->nvqs; i++)
		if (dev->vqs[i].max_num && !dpu_vdpa_vq_soft(dev, i))
			max = min(max, dev->vqs[i].max_num);
	return max;
}

static u32 dpu_vdpa_get_device_id(struct vdpa_device *vdpa)
{
	return vdpa_to_dpu(vdpa)->fn->vpm.id.device;
}

static u32 dpu_vdpa_get_vendor_id(struct vdpa_device *vdpa)
{
	return vdpa_to_dpu(vdpa)->fn->vpm.id.vendor;
}

static u8 dpu_vdpa_get_status(struct vdpa_device *vdpa)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	const struct dpu_vdpa_type *type = dev->fn->type;
	u8 status = READ_ONCE(dev->status);

	if (status & VIRTIO_CONFIG_S_DRIVER_OK &&
	    dpu_vdpa_hw_get_status(dev->fn) & VIRTIO_CONFIG_S_NEEDS_RESET)
		status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	/* the type met a malformed request (net: its software control queue) */
	if (type->needs_reset && type->needs_reset(dev))
		status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	/* a queue could not be started after DRIVER_OK, at resume or in a mode switch */
	if (status & VIRTIO_CONFIG_S_DRIVER_OK && READ_ONCE(dev->vq_failed))
		status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	/* so did the shadow relay (shadow.c) */
	if (status & VIRTIO_CONFIG_S_DRIVER_OK && dpu_vdpa_svq_broken(dev))
		status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	return status;
}

/*
 * Parking keeps the function in DRIVER_OK, but the consumer's interrupt
 * set-up goes: dpu_vdpa_irq_free frees the MSI-X vectors, which turns MSI-X
 * off and INTx back on.  Before that, take every vector off the function,
 * whose queues the suspend stopped: a function in DRIVER_OK must not point
 * at a vector that is freed (and maybe reallocated), nor signal an INTx
 * nobody handles (dpu_vdpa_do_reset turns INTx off while parked).  The next
 * consumer's DRIVER_OK sets MSI-X up again.  False if the function refused
 * a write: it is reset then, not parked.  dev->lock held.
 */
static bool dpu_vdpa_park_detach_vectors(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_fn *fn = dev->fn;
	u16 i;

	lockdep_assert_held(&dev->lock);
	if (!dev->irqs_allocated)
		return true;
	if (dpu_vdpa_hw_set_config_vector(fn, VIRTIO_MSI_NO_VECTOR) != VIRTIO_MSI_NO_VECTOR)
		goto refused;
	for (i = 0; i < dev->nvqs; i++) {
		struct dpu_vdpa_vq *vq = &dev->vqs[i];

		if (vq->fn_vector == VIRTIO_MSI_NO_VECTOR)
			continue;
		if (dpu_vdpa_hw_set_queue_vector(fn, i, VIRTIO_MSI_NO_VECTOR) !=
		    VIRTIO_MSI_NO_VECTOR)
			goto refused;
		WRITE_ONCE(vq->fn_vector, VIRTIO_MSI_NO_VECTOR);
	}
	return true;
refused:
	dev_err(&dev->vdpa.dev, "function kept an MSI-X vector: reset, not parked\n");
	return false;
}

/* May the function, reset now, be parked?  dev->lock held. */
static bool dpu_vdpa_may_park(struct dpu_vdpa_dev *dev, bool full)
{
	const struct dpu_vdpa_type *type = dev->fn->type;

	if (full)
		return false;
	/* a parked function stays parked through further resets */
	if (dev->fn_parked)
		return true;
	if (!dev->suspended || dpu_vdpa_svq_broken(dev) ||
	    dpu_vdpa_get_status(&dev->vdpa) & VIRTIO_CONFIG_S_NEEDS_RESET)
		return false;
	/* what the consumer set must be undone before the next one uses it */
	if (type->may_park && !type->may_park(dev))
		return false;
	return dpu_vdpa_park_detach_vectors(dev);
}

/*
 * Called with dev->lock held.
 *
 * A consumer that resets a suspended device (vhost's "suspend, reset, set
 * vq state, DRIVER_OK" restore) finds the function parked instead: its
 * queues are already stopped by the suspend, and it stays in DRIVER_OK
 * so that frames reaching it meanwhile wait in the function rather than
 * being dropped by a function reset.  The next FEATURES_OK with the same
 * features takes it over, and the device type takes back at DRIVER_OK
 * what the last consumer set in it (net: the control-queue state, which
 * must not reach the next consumer, maybe another VMM); anything else
 * resets it (@full, used by dev_del, always does).  A function whose
 * state could not be taken back (type->may_park) is not parked.
 */
static int dpu_vdpa_do_reset(struct dpu_vdpa_dev *dev, bool full)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	int err = 0;
	u16 i;

	lockdep_assert_held(&dev->lock);
	for (i = 0; i < dev->nvqs; i++)
		dpu_vdpa_svq_halt(&dev->vqs[i]);
	dev->fn_parked = dpu_vdpa_may_park(dev, full);
	dev->fn_taken_over = false;
	if (type->reset)
		type->reset(dev);
	if (dev->fn_parked)
		dev_dbg(&dev->vdpa.dev, "function parked with features %#llx\n",
			dev->fn_driver_features);
	else
		err = dpu_vdpa_hw_reset(dev->fn);
	if (type->reset_done)
		type->reset_done(dev);
	/* parked, the function points at none of the vectors freed here */
	dpu_vdpa_irq_free(dev);
	/* parked: no INTx either; reset: INTx is the function's default again */
	pci_intx(dev->fn->pdev, !dev->fn_parked);
	for (i = 0; i < dev->nvqs; i++) {
		struct dpu_vdpa_vq *vq = &dev->vqs[i];

		WRITE_ONCE(vq->shadow, false);
		dpu_vdpa_svq_release(vq);

		vq->ready = false;
		vq->desc_addr = 0;
		vq->driver_addr = 0;
		vq->device_addr = 0;
		vq->num = 0;
		vq->avail_idx = 0;
	}
	/* a loaded state survives the consumer's reset, not dev_del's */
	dpu_vdpa_state_reset(dev, full);
	dev->driver_features = 0;
	if (!dev->fn_parked)
		dev->fn_driver_features = 0;
	dev->suspended = false;
	dev->suspend_inexact = false;
	dev->vq_failed = false;
	dev->mode = DPU_VDPA_MODE_STOPPED;
	WRITE_ONCE(dev->status, 0);
	dpu_vdpa_as_reset(dev);
	dev_dbg(&dev->vdpa.dev, "reset\n");
	return err;
}

static int dpu_vdpa_features_ok(struct dpu_vdpa_dev *dev)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	u64 features = dev->driver_features;
	int err;

	lockdep_assert_held(&dev->lock);
	/* refused here, the consumer's probe fails cleanly (virtio_features_ok) */
	err = dpu_vdpa_state_check_features(dev);
	if (err)
		return err;
	if (type->fn_features)
		features = type->fn_features(dev, features);
	/*
	 * The driver's own: suspend stops single queues with RING_RESET, and
	 * the relay splits buffers into indirect tables without an IOMMU.
	 */
	features |= dev->fn->features &
		    (BIT_ULL(VIRTIO_F_RING_RESET) | BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC));
	dev->fn_taken_over = false;
	if (dev->fn_parked) {
		dev->fn_parked = false;
		if (features == dev->fn_driver_features) {
			dev_dbg(&dev->vdpa.dev, "parked function taken over\n");
			dev->fn_taken_over = true;
			return 0;
		}
		dpu_vdpa_hw_reset(dev->fn);
		/* no vectors since it was parked: INTx is its default again */
		pci_intx(dev->fn->pdev, 1);
	}
	dpu_vdpa_hw_set_status(dev->fn, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	dev->fn_driver_features = features;
	return dpu_vdpa_hw_set_features(dev->fn, features);
}

/*
 * DRIVER_OK failed: nothing the consumer set up may go on running on the
 * function (queues the start did enable, the control queue relay), so the
 * function is reset as the consumer's reset would, which it must do next
 * anyway (NEEDS_RESET).  What the consumer configured stays as it was.
 */
static void dpu_vdpa_driver_ok_undo(struct dpu_vdpa_dev *dev)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	u16 i;

	lockdep_assert_held(&dev->lock);
	for (i = 0; i < dev->nvqs; i++)
		dpu_vdpa_svq_halt(&dev->vqs[i]);
	if (type->reset)
		type->reset(dev);
	dpu_vdpa_hw_reset(dev->fn);
	if (type->reset_done)
		type->reset_done(dev);
	dpu_vdpa_irq_free(dev);
	for (i = 0; i < dev->nvqs; i++) {
		WRITE_ONCE(dev->vqs[i].shadow, false);
		dpu_vdpa_svq_release(&dev->vqs[i]);
	}
	dev->fn_driver_features = 0;
	dev->mode = DPU_VDPA_MODE_STOPPED;
}

static int dpu_vdpa_driver_ok(struct dpu_vdpa_dev *dev)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	int err;

	lockdep_assert_held(&dev->lock);
	if (READ_ONCE(dev->consumer_dma_api))
		dpu_vdpa_state_rings_from_zero(dev);
	/* a loaded state holds for the features it was saved with only */
	err = dpu_vdpa_state_check_features(dev);
	if (err)
		return err;
	err = dpu_vdpa_mode_start(dev);
	if (err)
		goto err_undo;
	dpu_vdpa_hw_add_status(dev->fn, VIRTIO_CONFIG_S_DRIVER_OK);
	/* net: replays a loaded state before the consumer's commands are served */
	if (type->post_driver_ok) {
		err = type->post_driver_ok(dev);
		if (err)
			goto err_undo;
	}
	dpu_vdpa_state_consumed(dev);
	return 0;

err_undo:
	dpu_vdpa_driver_ok_undo(dev);
	return err;
}

static void dpu_vdpa_set_status(struct vdpa_device *vdpa, u8 status)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	u8 old;
	int err = 0;

	mutex_lock(&dev->lock);
	old = dev->status;
	if (status == 0) {
		dpu_vdpa_do_reset(dev, false);
		goto out;
	}
	/* a failed start left the function reset: nothing but a reset goes on */
	if (old & VIRTIO_CONFIG_S_NEEDS_RESET) {
		dev_dbg(&vdpa->dev, "status %#x ignored: the device needs a reset\n", status);
		goto out;
	}
	if ((status & VIRTIO_CONFIG_S_FEATURES_OK) && !(old & VIRTIO_CONFIG_S_FEATURES_OK)) {
		err = dpu_vdpa_features_ok(dev);
		if (err) {
			/* the consumer sees FEATURES_OK refused */
			status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
			err = 0;
		}
	}
	if ((status & VIRTIO_CONFIG_S_DRIVER_OK) && !(old & VIRTIO_CONFIG_S_DRIVER_OK)) {
		if (!(status & VIRTIO_CONFIG_S_FEATURES_OK)) {
			err = -EINVAL;
		} else {
			err = dpu_vdpa_driver_ok(dev);
			if (err && dev->fn->type->start_refused)
				dev->fn->type->start_refused(dev);
		}
		if (err) {
			dev_err(&vdpa->dev, "cannot start device: %d\n", err);
			/* not running: the consumer must reset it */
			status &= ~VIRTIO_CONFIG_S_DRIVER_OK;
			status |= VIRTIO_CONFIG_S_NEEDS_RESET;
		}
	}
	if (status & VIRTIO_CONFIG_S_FAILED)
		dpu_vdpa_hw_add_status(dev->fn, VIRTIO_CONFIG_S_FAILED);
	WRITE_ONCE(dev->status, status);
	dev_dbg(&vdpa->dev, "status %#x -> %#x\n", old, status);
out:
	mutex_unlock(&dev->lock);
}

#ifdef HAVE_VDPA_OP_SUSPEND
static int dpu_vdpa_suspend_op(struct vdpa_device *vdpa)
{
	return dpu_vdpa_suspend(vdpa_to_dpu(vdpa), NULL);
}
#endif

#ifdef HAVE_VDPA_OP_RESUME
static int dpu_vdpa_resume_op(struct vdpa_device *vdpa)
{
	return dpu_vdpa_resume(vdpa_to_dpu(vdpa), NULL);
}
#endif

static int dpu_vdpa_reset(struct vdpa_device *vdpa)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	int err;

	mutex_lock(&dev->lock);
	err = dpu_vdpa_do_reset(dev, false);
	mutex_unlock(&dev->lock);
	return err;
}

/* dev_del: the function is reset, whatever state it was left in. */
int dpu_vdpa_reset_full(struct dpu_vdpa_dev *dev)
{
	int err;

	mutex_lock(&dev->lock);
	err = dpu_vdpa_do_reset(dev, true);
	mutex_unlock(&dev->lock);
	return err;
}

static size_t dpu_vdpa_get_config_size(struct vdpa_device *vdpa)
{
	return dpu_vdpa_config_size(vdpa_to_dpu(vdpa));
}

static void dpu_vdpa_get_config(struct vdpa_device *vdpa, unsigned int offset, void *buf,
				unsigned int len)
{
	dpu_vdpa_config_get(vdpa_to_dpu(vdpa), offset, buf, len);
}

static void dpu_vdpa_set_config(struct vdpa_device *vdpa, unsigned int offset,
				const void *buf, unsigned int len)
{
	dpu_vdpa_config_set(vdpa_to_dpu(vdpa), offset, buf, len);
}

static u32 dpu_vdpa_get_generation(struct vdpa_device *vdpa)
{
	return dpu_vdpa_hw_config_generation(vdpa_to_dpu(vdpa)->fn);
}

#ifdef DPU_VDPA_COMPAT_VQ_DMA_DEV
/* Only a consumer that maps its rings with the DMA API asks (virtio_vdpa). */
static struct device *dpu_vdpa_get_vq_dma_dev(struct vdpa_device *vdpa, u16 idx)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);

	WRITE_ONCE(dev->consumer_dma_api, true);

	if (dev->fn->type->vq_dma_dev)
		return dev->fn->type->vq_dma_dev(dev, idx);
	return dpu_vdpa_compat_dma_dev(vdpa);
}
#endif

#ifdef HAVE_VDPA_OP_GET_VQ_MAP
static union virtio_map dpu_vdpa_get_vq_map(struct vdpa_device *vdpa, u16 idx)
{
	union virtio_map map = { .dma_dev = dpu_vdpa_get_vq_dma_dev(vdpa, idx) };

	return map;
}
#endif

/*
 * The last reference may go long after dev_del (see mgmt.c), when the
 * function is gone: only memory of the device itself is touched here.
 */
static void dpu_vdpa_free(struct vdpa_device *vdpa)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);

	for (u16 i = 0; dev->vqs && i < dev->nvqs; i++)
		dpu_vdpa_svq_destroy(&dev->vqs[i]);
	kfree(dev->vqs);
	mutex_destroy(&dev->lock);
}

const struct vdpa_config_ops dpu_vdpa_ops = {
	.set_vq_address		= dpu_vdpa_set_vq_address,
	.set_vq_num		= dpu_vdpa_set_vq_num,
	.kick_vq		= dpu_vdpa_kick_vq,
	.set_vq_cb		= dpu_vdpa_set_vq_cb,
	.set_vq_ready		= dpu_vdpa_set_vq_ready,
	.get_vq_ready		= dpu_vdpa_get_vq_ready,
	.set_vq_state		= dpu_vdpa_set_vq_state,
	.get_vq_state		= dpu_vdpa_get_vq_state,
	.get_vq_notification	= dpu_vdpa_get_vq_notification,
	.get_vq_irq		= dpu_vdpa_get_vq_irq,
#ifdef HAVE_VDPA_OP_GET_VQ_SIZE
	.get_vq_size		= dpu_vdpa_get_vq_size,
#endif
	.get_vq_align		= dpu_vdpa_get_vq_align,
	.get_device_features	= dpu_vdpa_get_device_features,
	.set_driver_features	= dpu_vdpa_set_driver_features,
	.get_driver_features	= dpu_vdpa_get_driver_features,
	.set_config_cb		= dpu_vdpa_set_config_cb,
	.get_vq_num_max		= dpu_vdpa_get_vq_num_max,
	.get_device_id		= dpu_vdpa_get_device_id,
	.get_vendor_id		= dpu_vdpa_get_vendor_id,
	.get_status		= dpu_vdpa_get_status,
	.set_status		= dpu_vdpa_set_status,
	.reset			= dpu_vdpa_reset,
#ifdef HAVE_VDPA_OP_SUSPEND
	.suspend		= dpu_vdpa_suspend_op,
#endif
#ifdef HAVE_VDPA_OP_RESUME
	.resume			= dpu_vdpa_resume_op,
#endif
	.get_config_size	= dpu_vdpa_get_config_size,
	.get_config		= dpu_vdpa_get_config,
	.set_config		= dpu_vdpa_set_config,
	.get_generation		= dpu_vdpa_get_generation,
#ifdef HAVE_VDPA_OP_GET_VQ_MAP
	.get_vq_map		= dpu_vdpa_get_vq_map,
#elif defined(HAVE_VDPA_OP_GET_VQ_DMA_DEV)
	.get_vq_dma_dev		= dpu_vdpa_get_vq_dma_dev,
#endif
	.get_vq_group		= dpu_vdpa_get_vq_group,
	.set_group_asid		= dpu_vdpa_set_group_asid,
	.get_iova_range		= dpu_vdpa_get_iova_range,
#ifdef HAVE_VDPA_OP_GET_BACKEND_FEATURES
	.get_backend_features	= dpu_vdpa_get_backend_features,
#endif
	.dma_map		= dpu_vdpa_dma_map,
	.dma_unmap		= dpu_vdpa_dma_unmap,
#ifdef HAVE_VDPA_OP_RESET_MAP
	.reset_map		= dpu_vdpa_reset_map,
#endif
	.free			= dpu_vdpa_free,
};
