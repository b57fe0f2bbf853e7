// SPDX-License-Identifier: GPL-2.0-only
/*
 * Access to consumer memory by the addresses it put in its rings, for the
 * queues the driver serves in software (the net control queue).
 *
 * A vhost_vdpa consumer maps its memory with dma_map: addresses are IOVAs
 * of the queue group's address space, translated through the software
 * IOTLB (addr_space.c) to pages vhost keeps pinned.  virtio_vdpa maps
 * those queues with the DMA API on the vDPA device, which has no IOMMU
 * (see net.c, vq_dma_dev), so with no mapping at all its addresses are
 * physical.  Any other consumer without mappings is refused.
 *
 * The address space lock is held across each copy, so a page cannot be
 * unmapped from under it.
 */
#include <linux/highmem.h>
#include <linux/mm.h>

#include "dpu_vdpa.h"

static bool dpu_vdpa_mem_identity(struct dpu_vdpa_dev *dev)
{
	struct device_driver *drv = READ_ONCE(dev->vdpa.dev.driver);

	return drv && !strcmp(drv->name, "virtio_vdpa");
}

static int dpu_vdpa_mem_walk(struct dpu_vdpa_dev *dev, u64 addr, void *buf, size_t len,
			     bool write)
{
	struct dpu_vdpa_as *as = &dev->as;
	const unsigned int group = DPU_VDPA_GROUP_CVQ;
	u32 perm = write ? VHOST_MAP_WO : VHOST_MAP_RO;
	bool translate;
	int err = 0;

	if (addr + len < addr)
		return -EFAULT;

	mutex_lock(&as->lock);
	translate = dpu_vdpa_as_mapped(dev, group);
	if (!translate && !dpu_vdpa_mem_identity(dev)) {
		err = -EFAULT;
		goto out;
	}
	while (len) {
		phys_addr_t pa = addr;
		u64 contig = U64_MAX;
		size_t chunk;
		void *va;

		if (translate) {
			err = dpu_vdpa_as_translate(dev, group, addr, perm, &pa, &contig);
			if (err)
				break;
		}
		chunk = min3((u64)len, (u64)(PAGE_SIZE - offset_in_page(pa)), contig);
		if (!pfn_valid(PHYS_PFN(pa))) {
			err = -EFAULT;
			break;
		}
		va = kmap_local_page(pfn_to_page(PHYS_PFN(pa)));
		if (write)
			memcpy(va + offset_in_page(pa), buf, chunk);
		else
			memcpy(buf, va + offset_in_page(pa), chunk);
		kunmap_local(va);
		addr += chunk;
		buf += chunk;
		len -= chunk;
	}
out:
	mutex_unlock(&as->lock);
	return err;
}

int dpu_vdpa_mem_read(struct dpu_vdpa_dev *dev, u64 addr, void *buf, size_t len)
{
	return dpu_vdpa_mem_walk(dev, addr, buf, len, false);
}

int dpu_vdpa_mem_write(struct dpu_vdpa_dev *dev, u64 addr, const void *buf, size_t len)
{
	return dpu_vdpa_mem_walk(dev, addr, (void *)buf, len, true);
}
