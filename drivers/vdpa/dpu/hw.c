// SPDX-License-Identifier: GPL-2.0-only
/*
 * Function access: everything that touches the PCI function's registers
 * goes through here, built on the kernel's exported virtio-pci modern
 * helpers.  The vDPA glue never calls vp_modern_* itself.
 */
#include <linux/delay.h>
#include <linux/virtio_config.h>

#include "dpu_vdpa.h"

#define DPU_VDPA_RESET_TIMEOUT_MS	1000

static bool force_shadow;
module_param_named(shadow, force_shadow, bool, 0644);
MODULE_PARM_DESC(shadow, "Start every device in shadow mode (for tests and benchmarks)");

/*
 * Register access.  Each helper is one operation of the virtio-pci common
 * configuration or notification area, named for what it does; the callers
 * decide when.
 */

/* device_status as the function reports it. */
u8 dpu_vdpa_hw_get_status(struct dpu_vdpa_fn *fn)
{
	return vp_modern_get_status(&fn->vpm);
}

void dpu_vdpa_hw_set_status(struct dpu_vdpa_fn *fn, u8 status)
{
	vp_modern_set_status(&fn->vpm, status);
}

/* Set @bits in device_status, keeping those the function reports. */
void dpu_vdpa_hw_add_status(struct dpu_vdpa_fn *fn, u8 bits)
{
	dpu_vdpa_hw_set_status(fn, dpu_vdpa_hw_get_status(fn) | bits);
}

u32 dpu_vdpa_hw_config_generation(struct dpu_vdpa_fn *fn)
{
	return vp_modern_generation(&fn->vpm);
}

/* Write config_msix_vector; returns what the function read back. */
u16 dpu_vdpa_hw_set_config_vector(struct dpu_vdpa_fn *fn, u16 vector)
{
	return vp_modern_config_vector(&fn->vpm, vector);
}

/* Write queue @i's queue_msix_vector; returns what the function read back. */
u16 dpu_vdpa_hw_set_queue_vector(struct dpu_vdpa_fn *fn, u16 i, u16 vector)
{
	return vp_modern_queue_vector(&fn->vpm, i, vector);
}

/* The largest ring queue @i takes (its queue_size before any write). */
u16 dpu_vdpa_hw_queue_size_max(struct dpu_vdpa_fn *fn, u16 i)
{
	return vp_modern_get_queue_size(&fn->vpm, i);
}

/* Queue @i's size and ring addresses; the queue is disabled. */
void dpu_vdpa_hw_queue_set_ring(struct dpu_vdpa_fn *fn, u16 i, u16 num, u64 desc,
				u64 driver, u64 device)
{
	vp_modern_set_queue_size(&fn->vpm, i, num);
	vp_modern_queue_address(&fn->vpm, i, desc, driver, device);
}

void dpu_vdpa_hw_queue_enable(struct dpu_vdpa_fn *fn, u16 i)
{
	vp_modern_set_queue_enable(&fn->vpm, i, true);
}

/* Map queue @i's doorbell; its bus address in @pa.  NULL if it cannot be. */
void __iomem *dpu_vdpa_hw_notify_map(struct dpu_vdpa_fn *fn, u16 i, resource_size_t *pa)
{
	return vp_modern_map_vq_notify(&fn->vpm, i, pa);
}

void dpu_vdpa_hw_notify_unmap(struct dpu_vdpa_fn *fn, void __iomem *notify)
{
	/* with notify_base the helper handed out pointers into it */
	if (!fn->vpm.notify_base)
		pci_iounmap(fn->pdev, notify);
}

int dpu_vdpa_hw_probe(struct dpu_vdpa_fn *fn)
{
	struct pci_dev *pdev = fn->pdev;
	struct virtio_pci_modern_device *vpm = &fn->vpm;
	int err;

	err = pcim_enable_device(pdev);
	if (err) {
		dev_err(&pdev->dev, "cannot enable PCI function: %d\n", err);
		return err;
	}

	vpm->pci_dev = pdev;
	err = vp_modern_probe(vpm);
	if (err) {
		/* -ENODEV: not a virtio function, or a legacy-only one */
		dev_err(&pdev->dev,
			"not a modern virtio-pci function (vendor %04x device %04x): %d\n",
			pdev->vendor, pdev->device, err);
		return err;
	}

	fn->features = vp_modern_get_features(vpm);
	if (!(fn->features & BIT_ULL(VIRTIO_F_VERSION_1))) {
		dev_err(&pdev->dev, "function lacks VIRTIO_F_VERSION_1\n");
		err = -ENODEV;
		goto err_remove;
	}
	/*
	 * Without ACCESS_PLATFORM the function would bypass the IOMMU and
	 * read physical addresses, which is not what the DMA API hands out.
	 */
	if (!(fn->features & BIT_ULL(VIRTIO_F_ACCESS_PLATFORM))) {
		dev_err(&pdev->dev,
			"function lacks VIRTIO_F_ACCESS_PLATFORM (set iommu_platform=on)\n");
		err = -ENODEV;
		goto err_remove;
	}

	fn->num_queues = vp_modern_get_num_queues(vpm);
	fn->msix_vectors = pci_msix_vec_count(pdev);
	if (fn->msix_vectors < 1) {
		dev_err(&pdev->dev, "function has no MSI-X vectors\n");
		err = -ENODEV;
		goto err_remove;
	}
	pci_set_master(pdev);

	/* Leave the function quiet until a device is added. */
	err = dpu_vdpa_hw_reset(fn);
	if (err)
		goto err_remove;

	dev_dbg(&pdev->dev, "virtio device %u, %u queues, %d MSI-X vectors, features %#llx\n",
		vpm->id.device, fn->num_queues, fn->msix_vectors, fn->features);
	return 0;

err_remove:
	vp_modern_remove(vpm);
	return err;
}

void dpu_vdpa_hw_remove(struct dpu_vdpa_fn *fn)
{
	dpu_vdpa_hw_reset(fn);
	vp_modern_remove(&fn->vpm);
}

/*
 * Write 0 to device_status and wait for the function to read back 0, which
 * also flushes its in-flight DMA and interrupts (virtio 1.2, 4.1.4.3.2).
 */
int dpu_vdpa_hw_reset(struct dpu_vdpa_fn *fn)
{
	unsigned long timeout = jiffies + msecs_to_jiffies(DPU_VDPA_RESET_TIMEOUT_MS);

	dpu_vdpa_hw_set_status(fn, 0);
	while (dpu_vdpa_hw_get_status(fn)) {
		if (time_after(jiffies, timeout)) {
			dev_err(&fn->pdev->dev, "function did not complete reset in %d ms\n",
				DPU_VDPA_RESET_TIMEOUT_MS);
			return -ETIMEDOUT;
		}
		usleep_range(1000, 2000);
	}
	return 0;
}

int dpu_vdpa_hw_set_features(struct dpu_vdpa_fn *fn, u64 features)
{
	vp_modern_set_features(&fn->vpm, features);
	dpu_vdpa_hw_add_status(fn, VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(dpu_vdpa_hw_get_status(fn) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		dev_err(&fn->pdev->dev, "function refused features %#llx\n", features);
		return -ENODEV;
	}
	return 0;
}

void dpu_vdpa_hw_read_config(struct dpu_vdpa_fn *fn, u8 *buf, size_t len)
{
	size_t i;

	len = min(len, fn->vpm.device_len);
	for (i = 0; i < len; i++)
		buf[i] = vp_ioread8((u8 __iomem *)fn->vpm.device + i);
}

/* Write @len bytes at @offset of the device config space; the caller checked the range. */
void dpu_vdpa_hw_write_config(struct dpu_vdpa_fn *fn, unsigned int offset, const u8 *buf,
			      size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		vp_iowrite8(buf[i], (u8 __iomem *)fn->vpm.device + offset + i);
}

/*
 * Some functions (QEMU's virtio-net among them) only create the queues
 * beyond the first pair once multiqueue is negotiated, so a queue's size
 * limit and doorbell are learnt when it is first started, in FEATURES_OK.
 * Until then every queue is assumed to be as large as queue 0.
 */
void dpu_vdpa_hw_probe_queues(struct dpu_vdpa_dev *dev)
{
	u16 max = dpu_vdpa_hw_queue_size_max(dev->fn, 0);
	u16 i;

	for (i = 0; i < dev->nvqs; i++)
		dev->vqs[i].max_num = max;
}

static int dpu_vdpa_hw_vq_map(struct dpu_vdpa_dev *dev, u16 i)
{
	struct dpu_vdpa_fn *fn = dev->fn;
	struct dpu_vdpa_vq *vq = &dev->vqs[i];
	void __iomem *notify;

	vq->max_num = dpu_vdpa_hw_queue_size_max(fn, i);
	if (vq->notify)
		return 0;
	notify = dpu_vdpa_hw_notify_map(fn, i, &vq->notify_pa);
	if (!notify) {
		dev_err(&fn->pdev->dev, "cannot map doorbell of queue %u\n", i);
		return -EIO;
	}
	/* kick_vq reads it without a lock */
	WRITE_ONCE(vq->notify, notify);
	return 0;
}

void dpu_vdpa_hw_unmap_notify(struct dpu_vdpa_dev *dev)
{
	u16 i;

	for (i = 0; i < dev->nvqs; i++) {
		struct dpu_vdpa_vq *vq = &dev->vqs[i];

		if (vq->notify)
			dpu_vdpa_hw_notify_unmap(dev->fn, vq->notify);
		vq->notify = NULL;
	}
}

static irqreturn_t dpu_vdpa_hw_vq_irq(int irq, void *arg)
{
	struct vdpa_callback cb = dpu_vdpa_vq_cb(arg);

	return dpu_vdpa_cb_call(&cb);
}

static irqreturn_t dpu_vdpa_hw_config_irq(int irq, void *arg)
{
	struct vdpa_callback cb = dpu_vdpa_config_cb(arg);

	return dpu_vdpa_cb_call(&cb);
}

static int vq_set_vector(struct dpu_vdpa_dev *dev, u16 i, u16 v)
{
	if (dpu_vdpa_hw_set_queue_vector(dev->fn, i, v) != v) {
		dev_err(&dev->vdpa.dev, "vq %u: function refused MSI-X vector %u\n", i, v);
		return -EBUSY;
	}
	WRITE_ONCE(dev->vqs[i].fn_vector, v);
	return 0;
}

/*
 * Shadowed queues share a vector: the relay worker finds what changed.  A
 * queue that went back to direct mode without a vector of its own (the
 * device started in shadow mode) signals here too.
 */
static irqreturn_t dpu_vdpa_hw_shadow_irq(int irq, void *arg)
{
	struct dpu_vdpa_dev *dev = arg;
	u16 i;

	for (i = 0; i < dev->nvqs; i++) {
		struct dpu_vdpa_vq *vq = &dev->vqs[i];

		if (READ_ONCE(vq->shadow)) {
			dpu_vdpa_svq_notify(vq);
		} else if (READ_ONCE(vq->fn_vector) == dev->shadow_vector) {
			struct vdpa_callback cb = dpu_vdpa_vq_cb(vq);

			dpu_vdpa_cb_call(&cb);
		}
	}
	return IRQ_HANDLED;
}

/* One vector for everything, when the function has too few. */
static irqreturn_t dpu_vdpa_hw_shared_irq(int irq, void *arg)
{
	struct dpu_vdpa_dev *dev = arg;

	/* every queue signals vector 0, which is also the relay's */
	dpu_vdpa_hw_config_irq(irq, dev);
	return dpu_vdpa_hw_shadow_irq(irq, dev);
}

bool dpu_vdpa_hw_vq_on_fn(struct dpu_vdpa_dev *dev, u16 i)
{
	const struct dpu_vdpa_type *type = dev->fn->type;

	/*
	 * QEMU's vhost-vdpa-device enables every queue, also those its guest
	 * never set up (size 0): those stay off on the function.
	 */
	return dev->vqs[i].ready && dev->vqs[i].num &&
	       !(type->vq_is_soft && type->vq_is_soft(dev, i));
}

static void dpu_vdpa_hw_free_irqs(struct dpu_vdpa_dev *dev)
{
	struct pci_dev *pdev = dev->fn->pdev;
	u16 i;

	if (!dev->irqs_allocated)
		return;
	for (i = 0; i < dev->nvqs; i++) {
		struct dpu_vdpa_vq *vq = &dev->vqs[i];

		if (vq->irq >= 0 && vq->irq != dev->config_irq)
			free_irq(vq->irq, vq);
		vq->irq = -1;
	}
	if (dev->shadow_irq >= 0 && dev->shadow_irq != dev->config_irq)
		free_irq(dev->shadow_irq, dev);
	dev->shadow_irq = -1;
	if (dev->config_irq >= 0)
		free_irq(dev->config_irq, dev);
	dev->config_irq = -1;
	pci_free_irq_vectors(pdev);
	dev->irqs_allocated = false;
}

/*
 * Request the interrupt of MSI-X vector @v for @handler(@arg), named
 * "dpu_vdpa-<device>-<@what>" in @name; *@irq is -1 unless it succeeds.
 */
static int dpu_vdpa_hw_request_irq(struct dpu_vdpa_dev *dev, u16 v, irq_handler_t handler,
				   void *arg, const char *what, char *name, size_t size,
				   int *irq)
{
	int err;

	snprintf(name, size, "dpu_vdpa-%s-%s", dev_name(&dev->vdpa.dev), what);
	*irq = pci_irq_vector(dev->fn->pdev, v);
	err = request_irq(*irq, handler, 0, name, arg);
	if (err)
		*irq = -1;
	return err;
}

/*
 * Give the config space, the shadow relay and each direct queue an MSI-X
 * vector of its own; fall back to one shared vector when the function has
 * too few.  The relay's vector is set up even in direct mode, so that a
 * queue can move to shadow mode later without touching interrupts.
 */
static int dpu_vdpa_hw_setup_irqs(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_fn *fn = dev->fn;
	struct pci_dev *pdev = fn->pdev;
	int want = 2, got, err;
	u16 i, vector = 2;
	bool shared;

	for (i = 0; i < dev->nvqs; i++)
		if (dpu_vdpa_hw_vq_on_fn(dev, i) && dpu_vdpa_vq_cb(&dev->vqs[i]).callback &&
		    !dev->vqs[i].shadow)
			want++;

	got = pci_alloc_irq_vectors(pdev, 1, min(want, fn->msix_vectors), PCI_IRQ_MSIX);
	if (got < 0) {
		dev_err(&pdev->dev, "cannot allocate MSI-X vectors: %d\n", got);
		return got;
	}
	dev->irqs_allocated = true;
	shared = got < want;

	err = dpu_vdpa_hw_request_irq(dev, 0,
				      shared ? dpu_vdpa_hw_shared_irq : dpu_vdpa_hw_config_irq,
				      dev, "config", dev->config_irq_name,
				      sizeof(dev->config_irq_name), &dev->config_irq);
	if (err)
		goto err_free;
	if (dpu_vdpa_hw_set_config_vector(fn, 0) == VIRTIO_MSI_NO_VECTOR) {
		err = -EBUSY;
		goto err_free;
	}
	if (shared) {
		dev->shadow_vector = 0;
		dev->shadow_irq = dev->config_irq;
	} else {
		dev->shadow_vector = 1;
		err = dpu_vdpa_hw_request_irq(dev, 1, dpu_vdpa_hw_shadow_irq, dev, "shadow",
					      dev->shadow_irq_name,
					      sizeof(dev->shadow_irq_name), &dev->shadow_irq);
		if (err)
			goto err_free;
	}

	for (i = 0; i < dev->nvqs; i++) {
		struct dpu_vdpa_vq *vq = &dev->vqs[i];
		u16 v = VIRTIO_MSI_NO_VECTOR;

		vq->vector = VIRTIO_MSI_NO_VECTOR;
		vq->fn_vector = VIRTIO_MSI_NO_VECTOR;
		if (!dpu_vdpa_hw_vq_on_fn(dev, i)) {
			if (vq->notify)
				dpu_vdpa_hw_set_queue_vector(fn, i, VIRTIO_MSI_NO_VECTOR);
			continue;
		}
		if (vq->shadow) {
			err = vq_set_vector(dev, i, dev->shadow_vector);
			if (err)
				goto err_free;
			continue;
		}
		if (!dpu_vdpa_vq_cb(vq).callback) {
			dpu_vdpa_hw_set_queue_vector(fn, i, VIRTIO_MSI_NO_VECTOR);
			continue;
		}
		if (shared) {
			v = 0;
			vq->irq = dev->config_irq;
		} else {
			char what[8];

			v = vector++;
			snprintf(what, sizeof(what), "vq%u", i);
			err = dpu_vdpa_hw_request_irq(dev, v, dpu_vdpa_hw_vq_irq, vq, what,
						      vq->irq_name, sizeof(vq->irq_name),
						      &vq->irq);
			if (err)
				goto err_free;
		}
		err = vq_set_vector(dev, i, v);
		if (err)
			goto err_free;
		vq->vector = v;
	}
	dev_dbg(&pdev->dev, "%d MSI-X vectors for %d users%s\n", got, want,
		shared ? " (shared)" : "");
	return 0;

err_free:
	dev_err(&pdev->dev, "interrupt setup failed: %d\n", err);
	dpu_vdpa_hw_free_irqs(dev);
	return err;
}

/* Can function queue @i run a ring of the size the consumer set? */
int dpu_vdpa_hw_vq_check_num(struct dpu_vdpa_dev *dev, u16 i)
{
	struct dpu_vdpa_vq *vq = &dev->vqs[i];

	if (vq->num && vq->num <= vq->max_num && is_power_of_2(vq->num))
		return 0;
	dev_err(&dev->vdpa.dev, "vq %u: invalid size %u (function allows %u)\n",
		i, vq->num, vq->max_num);
	return -EINVAL;
}

/*
 * Program the cached queue setup into the function.  Called with the
 * function in FEATURES_OK, right before DRIVER_OK is written to it.
 */
int dpu_vdpa_hw_start(struct dpu_vdpa_dev *dev)
{
	bool shadow;
	u16 i;
	int err;

	err = dpu_vdpa_hw_check_reach(dev);
	if (err)
		return err;
	shadow = dpu_vdpa_hw_needs_shadow(dev);
	for (i = 0; i < dev->nvqs; i++) {
		struct dpu_vdpa_vq *vq = &dev->vqs[i];

		if (!dpu_vdpa_hw_vq_on_fn(dev, i))
			continue;
		err = dpu_vdpa_hw_vq_map(dev, i);
		if (err)
			goto err_shadow;
		err = dpu_vdpa_hw_vq_check_num(dev, i);
		if (err)
			goto err_shadow;
		if (shadow) {
			err = dpu_vdpa_svq_prepare(vq);
			if (err)
				goto err_shadow;
			WRITE_ONCE(vq->shadow, true);
		}
		dpu_vdpa_hw_vq_program(dev, i);
	}
	dev->mode = shadow ? DPU_VDPA_MODE_SHADOW : DPU_VDPA_MODE_DIRECT;

	if (dev->fn->type->pre_driver_ok) {
		err = dev->fn->type->pre_driver_ok(dev);
		if (err)
			goto err_shadow;
	}

	err = dpu_vdpa_hw_setup_irqs(dev);
	if (err)
		goto err_shadow;

	for (i = 0; i < dev->nvqs; i++)
		if (dpu_vdpa_hw_vq_on_fn(dev, i))
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

/* Shadow mode by policy or logging, or because the function @reaches nothing. */
static bool dpu_vdpa_hw_shadow_for(struct dpu_vdpa_dev *dev, bool reaches)
{
	return READ_ONCE(force_shadow) || dev->log.active || !reaches;
}

/* Does a queue start past index 0 (a migration destination, a restore)? */
static bool dpu_vdpa_hw_vq_resumes(struct dpu_vdpa_dev *dev)
{
	u16 i;

	for (i = 0; i < dev->nvqs; i++)
		if (dpu_vdpa_hw_vq_on_fn(dev, i) && dev->vqs[i].avail_idx)
			return true;
	return false;
}

/*
 * The function can only run the consumer's rings itself when they start
 * at index 0, nothing is being logged, and the function reaches the
 * consumer's addresses; otherwise the relay runs its own.
 */
bool dpu_vdpa_hw_needs_shadow(struct dpu_vdpa_dev *dev)
{
	return dpu_vdpa_hw_shadow_required(dev) || dpu_vdpa_hw_vq_resumes(dev);
}

/*
 * Before DRIVER_OK, for the doorbells a VMM maps: will the queues start
 * shadowed?  Like dpu_vdpa_hw_needs_shadow, except that a vhost consumer
 * with an IOMMU domain counts as reachable before it mapped anything: QEMU
 * sets its doorbells up before its memory listener maps the guest, and a
 * start with nothing mapped is refused anyway (dpu_vdpa_hw_check_reach).
 */
bool dpu_vdpa_hw_will_shadow(struct dpu_vdpa_dev *dev)
{
	return dpu_vdpa_hw_shadow_for(dev, dpu_vdpa_mem_dma_api(dev) || dev->as.domain) ||
	       dpu_vdpa_hw_vq_resumes(dev);
}

/*
 * Must the queues stay in shadow mode, or only until they can go direct?
 * Direct mode hands the function the consumer's own ring and buffer
 * addresses: only where they are DMA API addresses or IOVAs of the
 * driver's domain (dpu_vdpa_mem_fn_reach).
 */
bool dpu_vdpa_hw_shadow_required(struct dpu_vdpa_dev *dev)
{
	return dpu_vdpa_hw_shadow_for(dev, dpu_vdpa_mem_fn_reach(dev) == DPU_VDPA_REACH_IOVA);
}

/*
 * A consumer whose data queues the function cannot reach safely (a vhost
 * consumer with nothing mapped in the data group's address space, or with
 * an IOMMU that its mappings never reached) gets no queue at all: its ring
 * addresses would otherwise go to the function as bus addresses.
 */
int dpu_vdpa_hw_check_reach(struct dpu_vdpa_dev *dev)
{
	if (dpu_vdpa_mem_fn_reach(dev) != DPU_VDPA_REACH_NONE)
		return 0;
	dev_err(&dev->vdpa.dev, "data queues refused: the consumer mapped nothing the function may reach in address space %u of the data group\n",
		dev->as.group_asid[DPU_VDPA_GROUP_DATA]);
	return -EFAULT;
}

/* Point function queue @i at the ring it is to run; it is disabled. */
void dpu_vdpa_hw_vq_program(struct dpu_vdpa_dev *dev, u16 i)
{
	struct dpu_vdpa_vq *vq = &dev->vqs[i];

	if (vq->shadow) {
		struct dpu_vdpa_svq *svq = &vq->svq;
		u64 base = svq->ring.dma;

		dpu_vdpa_hw_queue_set_ring(dev->fn, i, vq->num, base,
					   base + ((void *)svq->fn.avail - svq->ring.va),
					   base + ((void *)svq->fn.used - svq->ring.va));
	} else {
		dpu_vdpa_hw_queue_set_ring(dev->fn, i, vq->num, vq->desc_addr,
					   vq->driver_addr, vq->device_addr);
	}
}

/*
 * Stop function queue @i with VIRTIO_F_RING_RESET: on return it no longer
 * reads or writes its rings or buffers, the rest of the function runs on.
 */
void dpu_vdpa_hw_vq_reset(struct dpu_vdpa_dev *dev, u16 i)
{
	vp_modern_set_queue_reset(&dev->fn->vpm, i);
}

/* Start function queue @i again after dpu_vdpa_hw_vq_reset, in shadow mode. */
int dpu_vdpa_hw_vq_restart(struct dpu_vdpa_dev *dev, u16 i)
{
	dpu_vdpa_hw_vq_program(dev, i);
	if (vq_set_vector(dev, i, dev->shadow_vector))
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
static int dpu_vdpa_hw_vq_enable_direct(struct dpu_vdpa_dev *dev, u16 i)
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
	dpu_vdpa_hw_vq_program(dev, i);
	/* no vector of its own when the device started in shadow mode */
	if (v == VIRTIO_MSI_NO_VECTOR && dpu_vdpa_vq_cb(vq).callback)
		v = dev->shadow_vector;
	if (vq_set_vector(dev, i, v))
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
int dpu_vdpa_hw_vq_to_direct(struct dpu_vdpa_dev *dev, u16 i)
{
	dpu_vdpa_hw_vq_reset(dev, i);
	return dpu_vdpa_hw_vq_enable_direct(dev, i);
}

/*
 * The consumer enabled queue @i after DRIVER_OK (VHOST_BACKEND_F_ENABLE_
 * AFTER_DRIVER_OK).  The function negotiated VIRTIO_F_RING_RESET, under
 * which a queue may be enabled while it runs; the queue gets the relay's
 * vector, whose handler also serves direct queues without one of their own.
 */
int dpu_vdpa_hw_vq_start_late(struct dpu_vdpa_dev *dev, u16 i)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	struct dpu_vdpa_vq *vq = &dev->vqs[i];
	int err;

	lockdep_assert_held(&dev->lock);
	if (type->vq_is_soft && type->vq_is_soft(dev, i))
		return type->soft_start ? type->soft_start(dev, i) : 0;
	/* left off like at DRIVER_OK */
	if (!dpu_vdpa_hw_vq_on_fn(dev, i))
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
		err = dpu_vdpa_hw_check_reach(dev);
	if (err)
		return err;
	if (dpu_vdpa_hw_shadow_required(dev) || vq->avail_idx) {
		err = dpu_vdpa_svq_prepare(vq);
		if (err)
			return err;
		WRITE_ONCE(vq->shadow, true);
		err = dpu_vdpa_hw_vq_restart(dev, i);
		if (err) {
			WRITE_ONCE(vq->shadow, false);
			return err;
		}
		dpu_vdpa_svq_run(vq);
		dev->mode = DPU_VDPA_MODE_SHADOW;
	} else {
		err = dpu_vdpa_hw_vq_enable_direct(dev, i);
		if (err)
			return err;
	}
	dev_dbg(&dev->vdpa.dev, "vq %u enabled after DRIVER_OK, %s mode\n", i,
		vq->shadow ? "shadow" : "direct");
	return 0;
}

/* Undo dpu_vdpa_hw_start after the function has been reset. */
void dpu_vdpa_hw_stop(struct dpu_vdpa_dev *dev)
{
	dpu_vdpa_hw_free_irqs(dev);
}
