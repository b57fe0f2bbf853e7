// SPDX-License-Identifier: GPL-2.0-only
/*
 * dpu_vdpa: vDPA devices on SmartNIC/DPU PCI functions that speak the
 * virtio-pci modern layout.
 *
 * The driver claims no function by itself: a function is handed to it
 * explicitly, e.g.
 *
 *   echo dpu_vdpa > /sys/bus/pci/devices/0000:00:08.0/driver_override
 *   echo 0000:00:08.0 > /sys/bus/pci/drivers_probe
 *
 * so loading it never takes the host's own virtio devices away.  Each
 * function becomes the vDPA management device "pci/<BDF>".
 */
#include <linux/module.h>

#include "dpu_vdpa.h"

static int dpu_vdpa_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct dpu_vdpa_fn *fn;
	int err;

	fn = kzalloc(sizeof(*fn), GFP_KERNEL);
	if (!fn)
		return -ENOMEM;
	fn->pdev = pdev;

	err = dpu_vdpa_hw_probe(fn);
	if (err)
		goto err_free;
	fn->type = dpu_vdpa_type_lookup(fn->vpm.id.device);
	if (fn->type->fn_probe) {
		err = fn->type->fn_probe(fn);
		if (err)
			goto err_hw;
	}
	pci_set_drvdata(pdev, fn);

	err = dpu_vdpa_mgmt_register(fn);
	if (err) {
		dev_err(&pdev->dev, "cannot register vDPA management device: %d\n", err);
		goto err_hw;
	}
	dev_info(&pdev->dev, "vDPA management device pci/%s: virtio device %u, %u queues\n",
		 pci_name(pdev), fn->vpm.id.device, fn->num_queues);
	return 0;

err_hw:
	dpu_vdpa_hw_remove(fn);
err_free:
	kfree(fn);
	return err;
}

static void dpu_vdpa_remove(struct pci_dev *pdev)
{
	struct dpu_vdpa_fn *fn = pci_get_drvdata(pdev);

	dpu_vdpa_mgmt_unregister(fn);
	dpu_vdpa_hw_remove(fn);
	kfree(fn);
}

/*
 * The relays of the control queue and of shadowed data queues.  Unbound:
 * a consumer that busy-polls for the answer to its kick (QEMU waiting on
 * its shadow control queue, DPDK's virtio-user) runs on the CPU the kick
 * came from, where a per-CPU work item would wait out the poller's time
 * slice for every command.  It also lets a relay keep up with small
 * packets from a sender on another CPU: make bench (5 interleaved rounds,
 * shadow over direct) measured per-CPU WQ_HIGHPRI at ping RTT p50 1.13x
 * but 64-byte UDP 0.50x, against 1.60x and 1.11x unbound (doc/bench).
 * WQ_MEM_RECLAIM: a virtio_blk on virtio_vdpa may be writing back through
 * a shadowed queue when memory is short.
 */
struct workqueue_struct *dpu_vdpa_wq;

static struct pci_driver dpu_vdpa_driver = {
	.name		= DPU_VDPA_DRV_NAME,
	.id_table	= NULL,	/* driver_override or new_id only */
	.probe		= dpu_vdpa_probe,
	.remove		= dpu_vdpa_remove,
};

static int __init dpu_vdpa_init(void)
{
	int err;

	dpu_vdpa_wq = alloc_workqueue("dpu_vdpa", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!dpu_vdpa_wq)
		return -ENOMEM;
	err = dpu_vdpa_genl_register();
	if (err)
		goto err_wq;
	err = pci_register_driver(&dpu_vdpa_driver);
	if (err)
		goto err_genl;
	return 0;

err_genl:
	dpu_vdpa_genl_unregister();
err_wq:
	destroy_workqueue(dpu_vdpa_wq);
	return err;
}
module_init(dpu_vdpa_init);

static void __exit dpu_vdpa_exit(void)
{
	pci_unregister_driver(&dpu_vdpa_driver);
	dpu_vdpa_genl_unregister();
	destroy_workqueue(dpu_vdpa_wq);
}
module_exit(dpu_vdpa_exit);

MODULE_DESCRIPTION("vDPA driver for SmartNIC/DPU functions with a virtio data path");
MODULE_LICENSE("GPL");
MODULE_VERSION(DPU_VDPA_VERSION);
/* what the kernel it was built for has and lacks: see compat.h */
MODULE_INFO(conftest, DPU_VDPA_CONFTEST_RESULTS);
