// SPDX-License-Identifier: GPL-2.0-only
/*
 * The function's MSI-X vectors: which queue signals which vector, and the
 * handlers that turn a vector into the consumer's callback or a relay's
 * wake-up.  Set up at DRIVER_OK (vq_mode.c), freed by a device reset.
 */
#include <linux/virtio_config.h>

#include "dpu_vdpa.h"
#include "shadow.h"

static irqreturn_t dpu_vdpa_irq_vq(int irq, void *arg)
{
	struct vdpa_callback cb = dpu_vdpa_vq_cb(arg);

	return dpu_vdpa_cb_call(&cb);
}

static irqreturn_t dpu_vdpa_irq_config(int irq, void *arg)
{
	struct vdpa_callback cb = dpu_vdpa_config_cb(arg);

	return dpu_vdpa_cb_call(&cb);
}

int dpu_vdpa_irq_vq_vector(struct dpu_vdpa_dev *dev, u16 i, u16 v)
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
static irqreturn_t dpu_vdpa_irq_shadow(int irq, void *arg)
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

/*
 * One vector for everything, when the function has too few: every queue
 * signals vector 0, which is also the relay's and the config space's.
 * Only a change the function flagged in its ISR is passed on as one.
 * Passing on every interrupt told the consumer of a config change at each
 * completion: virtio_blk re-read its capacity and logged "new size" once
 * a request, and a VMM's guest got a config interrupt for each.
 */
static irqreturn_t dpu_vdpa_irq_shared(int irq, void *arg)
{
	struct dpu_vdpa_dev *dev = arg;

	if (dpu_vdpa_hw_read_isr(dev->fn) & VIRTIO_PCI_ISR_CONFIG)
		dpu_vdpa_irq_config(irq, dev);
	return dpu_vdpa_irq_shadow(irq, dev);
}

void dpu_vdpa_irq_free(struct dpu_vdpa_dev *dev)
{
	struct pci_dev *pdev = dev->fn->pdev;
	u16 i;

	lockdep_assert_held(&dev->lock);
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
static int dpu_vdpa_irq_request(struct dpu_vdpa_dev *dev, u16 v, irq_handler_t handler,
				void *arg, const char *what, char *name, size_t size, int *irq)
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
 * Queue @i's vector at DRIVER_OK: the relay's when shadowed, one of its
 * own (the next free one, *@next) when direct with a callback, vector 0
 * when everything shares it, none when nobody listens.
 */
static int dpu_vdpa_irq_vq_setup(struct dpu_vdpa_dev *dev, u16 i, bool shared, u16 *next)
{
	struct dpu_vdpa_vq *vq = &dev->vqs[i];
	char what[8];
	u16 v;
	int err;

	vq->vector = VIRTIO_MSI_NO_VECTOR;
	vq->fn_vector = VIRTIO_MSI_NO_VECTOR;
	if (!dpu_vdpa_vq_on_fn(dev, i)) {
		if (vq->notify)
			dpu_vdpa_hw_set_queue_vector(dev->fn, i, VIRTIO_MSI_NO_VECTOR);
		return 0;
	}
	if (vq->shadow)
		return dpu_vdpa_irq_vq_vector(dev, i, dev->shadow_vector);
	if (!dpu_vdpa_vq_cb(vq).callback) {
		dpu_vdpa_hw_set_queue_vector(dev->fn, i, VIRTIO_MSI_NO_VECTOR);
		return 0;
	}
	if (shared) {
		v = 0;
		vq->irq = dev->config_irq;
	} else {
		v = (*next)++;
		snprintf(what, sizeof(what), "vq%u", i);
		err = dpu_vdpa_irq_request(dev, v, dpu_vdpa_irq_vq, vq, what, vq->irq_name,
					   sizeof(vq->irq_name), &vq->irq);
		if (err)
			return err;
	}
	err = dpu_vdpa_irq_vq_vector(dev, i, v);
	if (!err)
		vq->vector = v;
	return err;
}

/*
 * Give the config space, the shadow relay and each direct queue an MSI-X
 * vector of its own; fall back to one shared vector when the function has
 * too few.  The relay's vector is set up even in direct mode, so that a
 * queue can move to shadow mode later without touching interrupts.
 */
int dpu_vdpa_irq_setup(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_fn *fn = dev->fn;
	struct pci_dev *pdev = fn->pdev;
	int want = 2, got, err;
	u16 i, vector = 2;
	bool shared;

	lockdep_assert_held(&dev->lock);
	for (i = 0; i < dev->nvqs; i++)
		if (dpu_vdpa_vq_on_fn(dev, i) && dpu_vdpa_vq_cb(&dev->vqs[i]).callback &&
		    !dev->vqs[i].shadow)
			want++;

	got = pci_alloc_irq_vectors(pdev, 1, min(want, fn->msix_vectors), PCI_IRQ_MSIX);
	if (got < 0) {
		dev_err(&pdev->dev, "cannot allocate MSI-X vectors: %d\n", got);
		return got;
	}
	dev->irqs_allocated = true;
	shared = got < want;

	err = dpu_vdpa_irq_request(dev, 0, shared ? dpu_vdpa_irq_shared : dpu_vdpa_irq_config,
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
		err = dpu_vdpa_irq_request(dev, 1, dpu_vdpa_irq_shadow, dev, "shadow",
					   dev->shadow_irq_name, sizeof(dev->shadow_irq_name),
					   &dev->shadow_irq);
		if (err)
			goto err_free;
	}

	for (i = 0; i < dev->nvqs; i++) {
		err = dpu_vdpa_irq_vq_setup(dev, i, shared, &vector);
		if (err)
			goto err_free;
	}
	dev_dbg(&pdev->dev, "%d MSI-X vectors for %d users%s\n", got, want,
		shared ? " (shared)" : "");
	return 0;

err_free:
	dev_err(&pdev->dev, "interrupt setup failed: %d\n", err);
	dpu_vdpa_irq_free(dev);
	return err;
}
