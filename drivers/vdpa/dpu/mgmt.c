// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vDPA management device of a function: "vdpa dev add" and "vdpa dev
 * del".  A function carries at most one vDPA device.
 */
#include <linux/dma-mapping.h>
#include <linux/virtio_config.h>

#include "dpu_vdpa.h"
#include "shadow.h"

static struct dpu_vdpa_fn *mgmt_to_fn(struct vdpa_mgmt_dev *mgmt)
{
	return container_of(mgmt, struct dpu_vdpa_fn, mgmt);
}

static int dpu_vdpa_dev_check_features(struct dpu_vdpa_dev *dev,
				       const struct vdpa_dev_set_config *cfg)
{
	struct device *pdev = &dev->fn->pdev->dev;
	u64 offered = dev->fn->type->offered_features(dev->fn);
	u64 required = BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_F_ACCESS_PLATFORM);
	u64 want;

	dev->device_features = offered;
	if (!(cfg->mask & BIT_ULL(VDPA_ATTR_DEV_FEATURES)))
		return 0;
	want = cfg->device_features;
	if (want & ~offered) {
		dev_err(pdev, "device_features %#llx: bits %#llx not supported (supported %#llx)\n",
			want, want & ~offered, offered);
		return -EINVAL;
	}
	if ((want & required) != required) {
		dev_err(pdev, "device_features %#llx must include VERSION_1 (bit 32) and ACCESS_PLATFORM (bit 33)\n",
			want);
		return -EINVAL;
	}
	dev->device_features = want;
	return 0;
}

/* Undo what dev_add set up, in reverse; safe on a partly set up device. */
static void dpu_vdpa_dev_teardown(struct dpu_vdpa_dev *dev)
{
	if (dev->vqs)
		dpu_vdpa_hw_unmap_notify(dev);
	cancel_work_sync(&dev->mode_work);
	/* it queues relay work: gone before the relays are cancelled */
	cancel_delayed_work_sync(&dev->doorbell_poll);
	/*
	 * An interrupt or kick that saw a relay running may have queued its
	 * work after the last halt; the irqs are gone now, so this is final.
	 */
	for (u16 i = 0; dev->vqs && i < dev->nvqs; i++)
		dpu_vdpa_svq_cancel(&dev->vqs[i]);
	/* after the work above, which asks the type about queues (vq_is_soft) */
	if (dev->fn->type->dev_teardown)
		dev->fn->type->dev_teardown(dev);
	dpu_vdpa_log_free(dev);
	dpu_vdpa_as_cleanup(dev);
}

/* The device's vqs, each with its relay's state; freed by dpu_vdpa_free. */
static int dpu_vdpa_vqs_alloc(struct dpu_vdpa_dev *dev)
{
	u16 i;
	int err;

	dev->vqs = kcalloc(dev->nvqs, sizeof(*dev->vqs), GFP_KERNEL);
	if (!dev->vqs)
		return -ENOMEM;
	for (i = 0; i < dev->nvqs; i++) {
		dev->vqs[i].dev = dev;
		dev->vqs[i].index = i;
		dev->vqs[i].irq = -1;
		err = dpu_vdpa_svq_init(&dev->vqs[i]);
		if (err)
			return err;
	}
	dpu_vdpa_hw_probe_queues(dev);
	return 0;
}

static int dpu_vdpa_dev_add(struct vdpa_mgmt_dev *mgmt, const char *name,
			    const struct vdpa_dev_set_config *cfg)
{
	struct dpu_vdpa_fn *fn = mgmt_to_fn(mgmt);
	struct device *pdev = &fn->pdev->dev;
	struct dpu_vdpa_dev *dev;
	u32 ngroups = fn->type->ngroups ?: 1;
	int err;

	/* the vdpa core passes the attribute as it came: "" names no device */
	if (!name || !*name) {
		dev_err(pdev, "dev add: empty device name\n");
		return -EINVAL;
	}
	if (fn->dev) {
		dev_err(pdev, "function already has vDPA device %s\n",
			dev_name(&fn->dev->vdpa.dev));
		return -EBUSY;
	}

	dev = dpu_vdpa_compat_alloc_device(struct dpu_vdpa_dev, vdpa, pdev, &dpu_vdpa_ops,
					   ngroups, ngroups, name, false);
	if (IS_ERR(dev)) {
		dev_err(pdev, "cannot allocate vDPA device %s: %ld\n", name, PTR_ERR(dev));
		return PTR_ERR(dev);
	}
	dev->fn = fn;
	mutex_init(&dev->lock);
	spin_lock_init(&dev->cb_lock);
	dev->config_irq = -1;
	dev->shadow_irq = -1;
	INIT_WORK(&dev->mode_work, dpu_vdpa_mode_work);
	INIT_DELAYED_WORK(&dev->doorbell_poll, dpu_vdpa_doorbell_poll);
	INIT_LIST_HEAD(&dev->node);
	dev->vdpa.mdev = mgmt;
	dpu_vdpa_compat_set_dma_dev(&dev->vdpa, pdev);
	/* queues served in software are mapped on the vDPA device itself */
	dev->vdpa.dev.dma_mask = &dev->vdpa.dev.coherent_dma_mask;
	err = dma_set_mask_and_coherent(&dev->vdpa.dev, DMA_BIT_MASK(64));
	if (err)
		goto err_put;

	err = dpu_vdpa_dev_check_features(dev, cfg);
	if (err)
		goto err_put;
	err = dpu_vdpa_as_init(dev);
	if (err)
		goto err_as;
	dev->nvqs = fn->num_queues;
	if (fn->type->dev_setup) {
		err = fn->type->dev_setup(dev, cfg);
		if (err)
			goto err_as;
	}

	err = dpu_vdpa_vqs_alloc(dev);
	if (err)
		goto err_teardown;

	err = dpu_vdpa_cbs_track(dev);
	if (err)
		goto err_teardown;
	err = _vdpa_register_device(&dev->vdpa, dev->nvqs);
	if (err) {
		dev_err(pdev, "cannot register vDPA device %s: %d\n", name, err);
		goto err_untrack;
	}
	fn->dev = dev;
	dpu_vdpa_genl_dev_add(dev);
	dev_info(pdev, "vDPA device %s: %u queues, features %#llx\n", name, dev->nvqs,
		 dev->device_features);
	return 0;

err_untrack:
	dpu_vdpa_cbs_untrack(dev);
err_teardown:
	dpu_vdpa_dev_teardown(dev);
	goto err_put;
err_as:
	dpu_vdpa_as_cleanup(dev);
err_put:
	put_device(&dev->vdpa.dev);
	return err;
}

static void dpu_vdpa_dev_del(struct vdpa_mgmt_dev *mgmt, struct vdpa_device *vdpa)
{
	struct dpu_vdpa_fn *fn = mgmt_to_fn(mgmt);
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);

	/* keep the memory until the function is quiet and torn down */
	get_device(&vdpa->dev);
	/* waits for a netlink command working on the device */
	dpu_vdpa_genl_dev_del(dev);
	_vdpa_unregister_device(vdpa);
	dpu_vdpa_cbs_untrack(dev);
	/* the consumer has been detached; make sure the function is stopped */
	dpu_vdpa_reset_full(dev);
	dpu_vdpa_dev_teardown(dev);
	fn->dev = NULL;
	dev_info(&fn->pdev->dev, "vDPA device %s deleted\n", dev_name(&vdpa->dev));
	put_device(&vdpa->dev);
}

#ifdef HAVE_VDPA_MGMT_OP_DEV_SET_ATTR
/* "vdpa dev set": what may be set is the device type's to say. */
static int dpu_vdpa_dev_set_attr(struct vdpa_mgmt_dev *mgmt, struct vdpa_device *vdpa,
				 const struct vdpa_dev_set_config *config)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	const struct dpu_vdpa_type *type = dev->fn->type;
	int err;

	if (!type->set_attr)
		return -EOPNOTSUPP;
	mutex_lock(&dev->lock);
	err = type->set_attr(dev, config);
	mutex_unlock(&dev->lock);
	return err;
}
#endif

static const struct vdpa_mgmtdev_ops dpu_vdpa_mgmt_ops = {
	.dev_add = dpu_vdpa_dev_add,
	.dev_del = dpu_vdpa_dev_del,
#ifdef HAVE_VDPA_MGMT_OP_DEV_SET_ATTR
	.dev_set_attr = dpu_vdpa_dev_set_attr,
#endif
};

int dpu_vdpa_mgmt_register(struct dpu_vdpa_fn *fn)
{
	struct vdpa_mgmt_dev *mgmt = &fn->mgmt;

	fn->id_table[0].device = fn->vpm.id.device;
	fn->id_table[0].vendor = VIRTIO_DEV_ANY_ID;
	mgmt->id_table = fn->id_table;
	mgmt->device = &fn->pdev->dev;
	mgmt->ops = &dpu_vdpa_mgmt_ops;
	mgmt->config_attr_mask = fn->type->config_attr_mask;
	mgmt->supported_features = fn->type->offered_features(fn);
	if (!mgmt->max_supported_vqs)
		mgmt->max_supported_vqs = fn->num_queues;
	return vdpa_mgmtdev_register(mgmt);
}

/* Deletes the function's device, if any, through dpu_vdpa_dev_del. */
void dpu_vdpa_mgmt_unregister(struct dpu_vdpa_fn *fn)
{
	vdpa_mgmtdev_unregister(&fn->mgmt);
}
