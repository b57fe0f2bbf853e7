// SPDX-License-Identifier: GPL-2.0-only
/*
 * Access to consumer memory by the addresses it put in its rings, for the
 * queues the driver serves in software: the net control queue and the data
 * queues in shadow mode.
 *
 * How an address of a queue group becomes a page:
 *  - a vhost_vdpa consumer maps its memory with dma_map: addresses are IOVAs
 *    of the group's address space, translated through the software IOTLB
 *    (addr_space.c) to pages vhost keeps pinned;
 *  - virtio_vdpa maps the data queues with the DMA API on the PCI function
 *    (net.c, vq_dma_dev): addresses are translated by the function's
 *    platform IOMMU domain, or are physical when it has none;
 *  - virtio_vdpa maps the net control queue on the vDPA device itself,
 *    which has no IOMMU: its addresses are physical.  A kernel without
 *    get_vq_dma_dev has it mapped on the function like the data queues
 *    (compat.h, dpu_vdpa_compat_soft_vq_on_fn).
 * Any other consumer without mappings is refused.
 *
 * The address space lock is held across each copy, so a page cannot be
 * unmapped from under it.
 */
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/mm.h>

#include "dpu_vdpa.h"

/*
 * Whether the consumer hands out DMA API addresses (virtio_vdpa does): it
 * asked for its queues' DMA devices instead of mapping its memory into an
 * address space.
 */
bool dpu_vdpa_mem_dma_api(struct dpu_vdpa_dev *dev)
{
	return READ_ONCE(dev->consumer_dma_api);
}

/* A DMA address virtio_vdpa got for the function: to a physical address. */
static int dpu_vdpa_mem_platform(struct dpu_vdpa_dev *dev, unsigned int group, u64 addr,
				 phys_addr_t *pa, u64 *contig)
{
	struct iommu_domain *domain = NULL;

	if (group == DPU_VDPA_GROUP_DATA || dpu_vdpa_compat_soft_vq_on_fn())
		domain = iommu_get_domain_for_dev(dpu_vdpa_dev_to_dev(dev));
	if (!domain || !(domain->type & __IOMMU_DOMAIN_PAGING)) {
		*pa = addr;
		*contig = U64_MAX;
		return 0;
	}
	*pa = iommu_iova_to_phys(domain, addr);
	if (!*pa)
		return -EFAULT;
	*contig = PAGE_SIZE - offset_in_page(addr);
	return 0;
}

static int dpu_vdpa_mem_walk(struct dpu_vdpa_dev *dev, unsigned int group, u64 addr,
			     void *buf, size_t len, bool write)
{
	struct dpu_vdpa_as *as = &dev->as;
	u32 perm = write ? VHOST_MAP_WO : VHOST_MAP_RO;
	bool translate;
	int err = 0;

	if (addr + len < addr)
		return -EFAULT;

	mutex_lock(&as->lock);
	translate = dpu_vdpa_as_mapped(dev, group);
	if (!translate && !dpu_vdpa_mem_dma_api(dev)) {
		err = -EFAULT;
		goto out;
	}
	while (len) {
		phys_addr_t pa;
		u64 contig;
		size_t chunk;
		void *va;

		if (translate)
			err = dpu_vdpa_as_translate(dev, group, addr, perm, &pa, &contig);
		else
			err = dpu_vdpa_mem_platform(dev, group, addr, &pa, &contig);
		if (err)
			break;
		chunk = min3((u64)len, (u64)(PAGE_SIZE - offset_in_page(pa)), contig);
		if (!pfn_valid(PHYS_PFN(pa))) {
			err = -EFAULT;
			break;
		}
		va = kmap_local_page(pfn_to_page(PHYS_PFN(pa))) + offset_in_page(pa);
		/* ring indexes are read and written whole: the other side polls them */
		if (chunk == 2 && len == 2 && IS_ALIGNED(pa, 2)) {
			if (write)
				WRITE_ONCE(*(u16 *)va, *(u16 *)buf);
			else
				*(u16 *)buf = READ_ONCE(*(u16 *)va);
		} else if (write) {
			memcpy(va, buf, chunk);
		} else {
			memcpy(buf, va, chunk);
		}
		kunmap_local(va);
		addr += chunk;
		buf += chunk;
		len -= chunk;
	}
out:
	mutex_unlock(&as->lock);
	return err;
}

int dpu_vdpa_mem_read(struct dpu_vdpa_dev *dev, unsigned int group, u64 addr, void *buf,
		      size_t len)
{
	return dpu_vdpa_mem_walk(dev, group, addr, buf, len, false);
}

int dpu_vdpa_mem_write(struct dpu_vdpa_dev *dev, unsigned int group, u64 addr,
		       const void *buf, size_t len)
{
	return dpu_vdpa_mem_walk(dev, group, addr, (void *)buf, len, true);
}

int dpu_vdpa_mem_read16(struct dpu_vdpa_dev *dev, unsigned int group, u64 addr, u16 *val)
{
	__virtio16 v;
	int err = dpu_vdpa_mem_walk(dev, group, addr, &v, sizeof(v), false);

	*val = err ? 0 : dpu_vdpa_u16(v);
	return err;
}

int dpu_vdpa_mem_write16(struct dpu_vdpa_dev *dev, unsigned int group, u64 addr, u16 val)
{
	__virtio16 v = dpu_vdpa_v16(val);

	return dpu_vdpa_mem_walk(dev, group, addr, &v, sizeof(v), true);
}

/*
 * How the function reaches the consumer's data buffers (enum
 * dpu_vdpa_reach).  virtio_vdpa hands it DMA API addresses, valid on the
 * function as they are; a vhost consumer's IOVAs only through the
 * driver's domain, or translated when there is no IOMMU at all.
 */
enum dpu_vdpa_reach dpu_vdpa_mem_fn_reach(struct dpu_vdpa_dev *dev)
{
	if (dpu_vdpa_mem_dma_api(dev))
		return DPU_VDPA_REACH_IOVA;
	return dpu_vdpa_as_reach(dev);
}

/* Does the relay hand the function physical addresses (no IOMMU)? */
bool dpu_vdpa_mem_fn_translates(struct dpu_vdpa_dev *dev)
{
	return dpu_vdpa_mem_fn_reach(dev) == DPU_VDPA_REACH_TRANSLATE;
}

/*
 * With an IOMMU domain (or virtio_vdpa's DMA addresses) the function uses
 * the consumer's addresses as they are.  The driver's own rings sit above
 * the range offered to the consumer, in the same IOMMU domain: a
 * descriptor must not reach them.
 */
int dpu_vdpa_mem_fn_check(struct dpu_vdpa_dev *dev, u64 addr, u32 len, u32 perm)
{
	struct dpu_vdpa_as *as = &dev->as;
	u64 last = addr + len - 1;
	int err = 0;

	/* a zero-sized buffer is no buffer (virtio 1.2, 2.7.5) */
	if (!len)
		return -EINVAL;
	if (!READ_ONCE(as->attached))
		return 0;
	if (addr < as->first || addr > as->last || (u64)len - 1 > as->last - addr)
		return -EFAULT;
	/*
	 * Mapped, with the access the function needs, all the way: the
	 * domain would stop anything else, but the function would then see
	 * a fault for a chain the relay could have refused itself.
	 */
	mutex_lock(&as->lock);
	while (addr <= last) {
		struct vhost_iotlb_map *map;

		map = vhost_iotlb_itree_first(as->iotlb[as->group_asid[DPU_VDPA_GROUP_DATA]],
					      addr, addr);
		if (!map || (map->perm & perm) != perm) {
			err = -EFAULT;
			break;
		}
		if (map->last >= last)
			break;
		addr = map->last + 1;
	}
	mutex_unlock(&as->lock);
	return err;
}

/*
 * Give or drop a reference to every page of [@pa, @pa + @len), a folio at
 * a time, so a huge page costs one reference.  Getting fails, holding
 * nothing, where a page has no struct page.
 */
static int dpu_vdpa_mem_pages(u64 pa, u64 len, bool get)
{
	unsigned long first = PHYS_PFN(pa), last = PHYS_PFN(pa + len - 1), pfn;

	for (pfn = first; pfn <= last; ) {
		struct folio *folio;

		if (!pfn_valid(pfn)) {
			if (get && pfn > first)
				dpu_vdpa_mem_pages(pa, PFN_PHYS(pfn) - pa, false);
			return -EFAULT;
		}
		folio = page_folio(pfn_to_page(pfn));
		if (get)
			folio_get(folio);
		else
			folio_put(folio);
		pfn = folio_pfn(folio) + folio_nr_pages(folio);
	}
	return 0;
}

void dpu_vdpa_mem_fn_unpin(u64 pa, u64 len)
{
	if (len)
		dpu_vdpa_mem_pages(pa, len, false);
}

/*
 * Without a domain: the physical address of consumer address @addr and how
 * many of the next @len bytes are physically contiguous from it.  Those
 * pages get a reference of the relay's own, taken while the mapping is
 * held (as->lock), so a VMM that unmaps them (vhost then unpins) cannot
 * have them freed while the function may still write them; the relay
 * drops it with dpu_vdpa_mem_fn_unpin when the function gave the buffer
 * back or its queue was stopped.
 */
int dpu_vdpa_mem_fn_segment(struct dpu_vdpa_dev *dev, u64 addr, u64 len, u32 perm, u64 *pa,
			    u64 *contig)
{
	struct dpu_vdpa_as *as = &dev->as;
	phys_addr_t p;
	u64 run;
	int err;

	if (!len)
		return -EINVAL;
	mutex_lock(&as->lock);
	err = dpu_vdpa_as_translate(dev, DPU_VDPA_GROUP_DATA, addr, perm, &p, &run);
	if (!err) {
		run = min(run, len);
		err = dpu_vdpa_mem_pages(p, run, true);
	}
	mutex_unlock(&as->lock);
	if (err)
		return err;
	*pa = p;
	*contig = run;
	return 0;
}
