// SPDX-License-Identifier: GPL-2.0-only
/*
 * Access to consumer memory by the addresses it put in its rings, for the
 * queues the driver serves in software (the net control queue).
 *
 * virtio_vdpa maps those queues with the DMA API on a device without an
 * IOMMU (see net.c, vq_dma_dev), so their addresses are physical.  Other
 * consumers hand out addresses the driver cannot resolve yet and are
 * refused rather than guessed at.
 */
#include <linux/highmem.h>
#include <linux/mm.h>

#include "dpu_vdpa.h"

static bool dpu_vdpa_mem_identity(struct dpu_vdpa_dev *dev)
{
	struct device_driver *drv = READ_ONCE(dev->vdpa.dev.driver);

	return drv && !strcmp(drv->name, "virtio_vdpa");
}

typedef void (*dpu_vdpa_mem_fn)(void *page_addr, void *buf, size_t len);

static void dpu_vdpa_mem_copy_from(void *page_addr, void *buf, size_t len)
{
	memcpy(buf, page_addr, len);
}

static void dpu_vdpa_mem_copy_to(void *page_addr, void *buf, size_t len)
{
	memcpy(page_addr, buf, len);
}

static int dpu_vdpa_mem_walk(struct dpu_vdpa_dev *dev, u64 addr, void *buf, size_t len,
			     dpu_vdpa_mem_fn fn)
{
	if (!dpu_vdpa_mem_identity(dev))
		return -EOPNOTSUPP;
	if (addr + len < addr)
		return -EFAULT;

	while (len) {
		unsigned long pfn = PHYS_PFN(addr);
		size_t off = offset_in_page(addr);
		size_t chunk = min_t(size_t, len, PAGE_SIZE - off);
		void *va;

		if (!pfn_valid(pfn))
			return -EFAULT;
		va = kmap_local_page(pfn_to_page(pfn));
		fn(va + off, buf, chunk);
		kunmap_local(va);
		addr += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

int dpu_vdpa_mem_read(struct dpu_vdpa_dev *dev, u64 addr, void *buf, size_t len)
{
	return dpu_vdpa_mem_walk(dev, addr, buf, len, dpu_vdpa_mem_copy_from);
}

int dpu_vdpa_mem_write(struct dpu_vdpa_dev *dev, u64 addr, const void *buf, size_t len)
{
	return dpu_vdpa_mem_walk(dev, addr, (void *)buf, len, dpu_vdpa_mem_copy_to);
}
