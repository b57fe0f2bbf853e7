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

/*
 * Read the ISR status, which clears it.  Its VIRTIO_PCI_ISR_CONFIG bit is
 * set with every config change notification, MSI-X or not.
 */
u8 dpu_vdpa_hw_read_isr(struct dpu_vdpa_fn *fn)
{
	return ioread8(fn->vpm.isr);
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

int dpu_vdpa_hw_vq_map(struct dpu_vdpa_dev *dev, u16 i)
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
 * Stop function queue @i with VIRTIO_F_RING_RESET: on return it no longer
 * reads or writes its rings or buffers, the rest of the function runs on.
 */
void dpu_vdpa_hw_vq_reset(struct dpu_vdpa_dev *dev, u16 i)
{
	vp_modern_set_queue_reset(&dev->fn->vpm, i);
}
