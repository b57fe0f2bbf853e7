// SPDX-License-Identifier: GPL-2.0-only
/*
 * The consumer's address spaces: what vhost_vdpa maps with dma_map.
 *
 * Every mapping is kept in a software IOTLB per address space (ASID), so
 * the queues served in software (the net control queue) can translate
 * the consumer's ring addresses.  When the function sits behind an IOMMU
 * that translates, the driver also owns an IOMMU domain for it: while a
 * consumer has mappings the function is attached to that domain, which
 * mirrors the address space of the data queue group, so the function
 * reads and writes guest memory by guest IOVA with no copy.  The domain is
 * detached again once the consumer has unmapped everything and reset the
 * device, so virtio_vdpa (which uses the DMA API on the function's
 * default domain) can take over.
 *
 * The top DPU_VDPA_PRIV_WINDOW bytes of the domain's aperture are kept
 * out of the range offered to consumers: the driver maps its own rings
 * there (dpu_vdpa_fn_buf_map).
 *
 * Net devices have two vq groups, data queues (0) and the control queue
 * (1), and two address spaces, so a VMM can shadow the control queue in
 * an address space of its own while the data queues stay direct.
 */
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/vhost_iotlb.h>

#include "dpu_vdpa.h"

/*
 * One slot per ring: two for the net control queue, then one per vq.  A
 * slot holds a split ring of up to 8192 entries; the window has slots for
 * 254 vqs (126 queue pairs), and costs consumers nothing but IOVA space.
 */
#define DPU_VDPA_PRIV_WINDOW	SZ_64M
#define DPU_VDPA_PRIV_SLOT	SZ_256K
/*
 * Entries per software IOTLB.  A limit of 0 makes vhost_iotlb refuse every
 * range; vhost_vdpa already caps what a VMM maps (max_iotlb_entries), so
 * ours only has to hold a copy of that.
 */
#define DPU_VDPA_IOTLB_LIMIT	UINT_MAX

static int dpu_vdpa_as_prot(u32 perm)
{
	int prot = IOMMU_CACHE;

	if (perm & VHOST_MAP_RO)
		prot |= IOMMU_READ;
	if (perm & VHOST_MAP_WO)
		prot |= IOMMU_WRITE;
	return prot;
}

static void dpu_vdpa_as_add_resv(struct dpu_vdpa_as *as, struct device *dma)
{
	struct iommu_resv_region *r;
	LIST_HEAD(regions);

	iommu_get_resv_regions(dma, &regions);
	list_for_each_entry(r, &regions, list) {
		if (r->type != IOMMU_RESV_MSI && r->type != IOMMU_RESV_RESERVED &&
		    r->type != IOMMU_RESV_SW_MSI)
			continue;
		/*
		 * Where MSIs are translated by the IOMMU (arm-smmu-v3), an
		 * unmanaged domain needs the MSI doorbell mapped in it, or the
		 * function's interrupts fault while it sits on our domain.
		 */
		if (r->type == IOMMU_RESV_SW_MSI &&
		    iommu_get_msi_cookie(as->domain, r->start))
			dev_warn(dma, "no MSI mapping in the vhost-vdpa IOMMU domain: interrupts may fault\n");
		if (vhost_iotlb_add_range(as->resv, r->start, r->start + r->length - 1,
					  0, VHOST_MAP_RW))
			break;
	}
	iommu_put_resv_regions(dma, &regions);
}

/*
 * Empty the domain of what the data group's address space put there, one
 * mapping at a time: unmapping the whole aperture in one call makes
 * intel-iommu walk (and warn about) far more than was ever mapped.
 * as->lock held, or the device being torn down.
 */
static void dpu_vdpa_as_domain_clear(struct dpu_vdpa_as *as)
{
	struct vhost_iotlb *iotlb = as->iotlb[as->group_asid[DPU_VDPA_GROUP_DATA]];
	struct vhost_iotlb_map *map;

	for (map = vhost_iotlb_itree_first(iotlb, 0, U64_MAX); map;
	     map = vhost_iotlb_itree_next(map, 0, U64_MAX))
		iommu_unmap(as->domain, map->start, map->size);
}

/*
 * The aperture @domain will have in front of the function.  It is only
 * known once a domain sits on the function's IOMMU (intel-iommu narrows it
 * to the IOMMU's address width at attach), and the range offered to
 * vhost_vdpa is read when it binds.  The function's own DMA API domain is
 * on that IOMMU already: its aperture is the one.  Only where that domain
 * does not translate (identity) is @domain tried on, while the function is
 * quiet; that detach puts the default domain back, which the IOMMU core
 * cannot undo if it fails, so it is avoided where it can be.
 */
static int dpu_vdpa_as_geometry(struct iommu_domain *domain, struct device *dma,
				struct iommu_domain_geometry *geo)
{
	struct iommu_domain *def = iommu_get_domain_for_dev(dma);
	int err;

	if (def && def->type & __IOMMU_DOMAIN_PAGING && def->geometry.force_aperture) {
		*geo = def->geometry;
		return 0;
	}
	err = iommu_attach_device(domain, dma);
	if (err) {
		dev_info(dma, "cannot attach an IOMMU domain for vhost-vdpa (%d): software translation only\n",
			 err);
		return err;
	}
	iommu_detach_device(domain, dma);
	*geo = domain->geometry;
	return 0;
}

/* dev_add: software IOTLBs, and a domain if the function has an IOMMU. */
int dpu_vdpa_as_init(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_as *as = &dev->as;
	struct device *dma = dpu_vdpa_dev_to_dev(dev);
	struct iommu_domain_geometry geo;
	struct iommu_domain *domain;
	unsigned int i;
	int err;

	mutex_init(&as->lock);
	as->first = 0;
	as->last = U64_MAX;
	for (i = 0; i < DPU_VDPA_MAX_AS; i++) {
		as->iotlb[i] = vhost_iotlb_alloc(DPU_VDPA_IOTLB_LIMIT, 0);
		if (!as->iotlb[i])
			return -ENOMEM;
	}
	as->resv = vhost_iotlb_alloc(DPU_VDPA_IOTLB_LIMIT, 0);
	if (!as->resv)
		return -ENOMEM;

	if (!device_iommu_mapped(dma))
		return 0;
	domain = iommu_paging_domain_alloc(dma);
	if (IS_ERR(domain)) {
		/* out of memory is this dev add's failure, not a kind of IOMMU */
		if (PTR_ERR(domain) == -ENOMEM)
			return -ENOMEM;
		dev_info(dma, "no IOMMU domain for vhost-vdpa (%ld): software translation only\n",
			 PTR_ERR(domain));
		return 0;
	}
	err = dpu_vdpa_as_geometry(domain, dma, &geo);
	if (err == -ENOMEM) {
		iommu_domain_free(domain);
		return err;
	}
	if (err || !geo.force_aperture ||
	    geo.aperture_end - geo.aperture_start < 2 * DPU_VDPA_PRIV_WINDOW) {
		iommu_domain_free(domain);
		return 0;
	}
	as->domain = domain;
	as->first = geo.aperture_start;
	as->priv_base = geo.aperture_end + 1 - DPU_VDPA_PRIV_WINDOW;
	as->last = as->priv_base - 1;
	dpu_vdpa_as_add_resv(as, dma);
	return 0;
}

/* Called with as->lock held. */
static void dpu_vdpa_as_detach(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_as *as = &dev->as;

	lockdep_assert_held(&dev->as.lock);
	if (!as->attached)
		return;
	iommu_detach_device(as->domain, dpu_vdpa_dev_to_dev(dev));
	/* the domain holds no mapping now: all address spaces are empty */
	as->attached = false;
	dev_dbg(&dev->vdpa.dev, "function back on its DMA API domain\n");
}

/* dev_del: the device is reset and has no consumer. */
void dpu_vdpa_as_cleanup(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_as *as = &dev->as;
	unsigned int i;

	mutex_lock(&as->lock);
	if (as->attached) {
		/* a consumer that never unmapped: empty the domain first */
		dpu_vdpa_as_domain_clear(as);
		dpu_vdpa_as_detach(dev);
	}
	mutex_unlock(&as->lock);
	if (as->domain)
		iommu_domain_free(as->domain);
	as->domain = NULL;
	for (i = 0; i < DPU_VDPA_MAX_AS; i++) {
		if (as->iotlb[i])
			vhost_iotlb_free(as->iotlb[i]);
		as->iotlb[i] = NULL;
	}
	if (as->resv)
		vhost_iotlb_free(as->resv);
	as->resv = NULL;
	mutex_destroy(&as->lock);
}

static bool dpu_vdpa_as_empty(struct dpu_vdpa_as *as)
{
	unsigned int i;

	for (i = 0; i < DPU_VDPA_MAX_AS; i++)
		if (as->iotlb[i]->nmaps)
			return false;
	return true;
}

/*
 * Put the function on the driver's domain, filled from the data group's
 * address space.  as->lock held; the function must not be running.
 */
static int dpu_vdpa_as_attach(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_as *as = &dev->as;
	struct vhost_iotlb *iotlb = as->iotlb[as->group_asid[DPU_VDPA_GROUP_DATA]];
	struct vhost_iotlb_map *map;
	int err;

	lockdep_assert_held(&dev->as.lock);
	if (as->attached)
		return 0;
	/* attach first: the IOMMU sets the domain's page-table depth then */
	err = iommu_attach_device(as->domain, dpu_vdpa_dev_to_dev(dev));
	if (err) {
		dev_err(&dev->vdpa.dev, "cannot attach the function to its IOMMU domain: %d\n",
			err);
		return err;
	}
	as->attached = true;
	for (map = vhost_iotlb_itree_first(iotlb, 0, U64_MAX); map;
	     map = vhost_iotlb_itree_next(map, 0, U64_MAX)) {
		err = iommu_map(as->domain, map->start, map->addr, map->size,
				dpu_vdpa_as_prot(map->perm), GFP_KERNEL);
		if (err) {
			dev_err(&dev->vdpa.dev, "IOMMU refused [%#llx, %#llx] -> %#llx: %d\n",
				map->start, map->last, map->addr, err);
			goto err_detach;
		}
	}
	dev_dbg(&dev->vdpa.dev, "function on the driver's IOMMU domain\n");
	return 0;

err_detach:
	dpu_vdpa_as_domain_clear(as);
	dpu_vdpa_as_detach(dev);
	return err;
}

/*
 * Point the data group at @asid.  The domain mirrors the data group, so
 * while the function is on it, it is emptied and refilled from @asid.
 * as->lock held; the function is not running.
 */
static int dpu_vdpa_as_set_data_asid(struct dpu_vdpa_dev *dev, u32 asid)
{
	struct dpu_vdpa_as *as = &dev->as;

	lockdep_assert_held(&as->lock);
	if (as->attached) {
		dpu_vdpa_as_domain_clear(as);
		dpu_vdpa_as_detach(dev);
	}
	as->group_asid[DPU_VDPA_GROUP_DATA] = asid;
	/*
	 * Mappings made in @asid while it served another group never reached
	 * the domain: the function must be on it before it can run the data
	 * queues directly (dpu_vdpa_as_reach).
	 */
	if (as->domain && as->iotlb[asid]->nmaps)
		return dpu_vdpa_as_attach(dev);
	return 0;
}

/* Leave the domain once nothing is mapped and the device is reset. */
static void dpu_vdpa_as_maybe_detach(struct dpu_vdpa_dev *dev)
{
	lockdep_assert_held(&dev->as.lock);
	if (dev->as.attached && dpu_vdpa_as_empty(&dev->as) &&
	    !(dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		dpu_vdpa_as_detach(dev);
}

int dpu_vdpa_dma_map(struct vdpa_device *vdpa, unsigned int asid, u64 iova, u64 size,
		     u64 pa, u32 perm, void *opaque)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	struct dpu_vdpa_as *as = &dev->as;
	u64 last = iova + size - 1;
	int err;

	if (asid >= vdpa->nas || !size || last < iova || !perm || perm & ~VHOST_MAP_RW)
		return -EINVAL;
	if (iova < as->first || last > as->last) {
		dev_dbg(&vdpa->dev, "map [%#llx, %#llx] outside [%#llx, %#llx]\n",
			iova, last, as->first, as->last);
		return -ERANGE;
	}

	mutex_lock(&dev->lock);
	mutex_lock(&as->lock);
	err = -EEXIST;
	if (vhost_iotlb_itree_first(as->iotlb[asid], iova, last))
		goto out;
	err = -EINVAL;
	if (vhost_iotlb_itree_first(as->resv, iova, last)) {
		dev_dbg(&vdpa->dev, "map [%#llx, %#llx] overlaps an IOMMU reserved region\n",
			iova, last);
		goto out;
	}
	err = vhost_iotlb_add_range(as->iotlb[asid], iova, last, pa, perm);
	if (err)
		goto out;

	if (as->domain && asid == as->group_asid[DPU_VDPA_GROUP_DATA]) {
		if (as->attached) {
			err = iommu_map(as->domain, iova, pa, size, dpu_vdpa_as_prot(perm),
					GFP_KERNEL);
		} else if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
			/* the running function reads the DMA API domain */
			dev_err(&vdpa->dev, "first mapping after DRIVER_OK: reset the device first\n");
			err = -EBUSY;
		} else {
			err = dpu_vdpa_as_attach(dev);
		}
		if (err)
			vhost_iotlb_del_range(as->iotlb[asid], iova, last);
	}
out:
	mutex_unlock(&as->lock);
	mutex_unlock(&dev->lock);
	dev_dbg(&vdpa->dev, "map asid %u [%#llx, %#llx] -> %#llx perm %#x: %d\n", asid, iova,
		last, pa, perm, err);
	return err;
}

int dpu_vdpa_dma_unmap(struct vdpa_device *vdpa, unsigned int asid, u64 iova, u64 size)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	struct dpu_vdpa_as *as = &dev->as;
	struct vhost_iotlb_map *map;
	u64 last = iova + size - 1;

	if (asid >= vdpa->nas || !size || last < iova)
		return -EINVAL;

	mutex_lock(&dev->lock);
	mutex_lock(&as->lock);
	while ((map = vhost_iotlb_itree_first(as->iotlb[asid], iova, last))) {
		if (as->attached && asid == as->group_asid[DPU_VDPA_GROUP_DATA])
			iommu_unmap(as->domain, map->start, map->size);
		vhost_iotlb_map_free(as->iotlb[asid], map);
	}
	dpu_vdpa_as_maybe_detach(dev);
	mutex_unlock(&as->lock);
	mutex_unlock(&dev->lock);
	return 0;
}

#ifdef HAVE_VDPA_OP_RESET_MAP
int dpu_vdpa_reset_map(struct vdpa_device *vdpa, unsigned int asid)
{
	if (asid >= vdpa->nas)
		return -EINVAL;
	/* the default state is "nothing mapped": drop what is left */
	return dpu_vdpa_dma_unmap(vdpa, asid, 0, U64_MAX);
}
#endif

struct vdpa_iova_range dpu_vdpa_get_iova_range(struct vdpa_device *vdpa)
{
	struct dpu_vdpa_as *as = &vdpa_to_dpu(vdpa)->as;

	return (struct vdpa_iova_range) { .first = as->first, .last = as->last };
}

u32 dpu_vdpa_get_vq_group(struct vdpa_device *vdpa, u16 idx)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	const struct dpu_vdpa_type *type = dev->fn->type;

	/* only net has a second group: its software control queue */
	if (vdpa->ngroups > 1 && type->vq_is_soft && type->vq_is_soft(dev, idx))
		return DPU_VDPA_GROUP_CVQ;
	return DPU_VDPA_GROUP_DATA;
}

int dpu_vdpa_set_group_asid(struct vdpa_device *vdpa, unsigned int group, unsigned int asid)
{
	struct dpu_vdpa_dev *dev = vdpa_to_dpu(vdpa);
	struct dpu_vdpa_as *as = &dev->as;
	int err = 0;

	if (group >= vdpa->ngroups || asid >= vdpa->nas)
		return -EINVAL;

	mutex_lock(&dev->lock);
	mutex_lock(&as->lock);
	if (as->group_asid[group] == asid)
		goto out;
	if (group == DPU_VDPA_GROUP_DATA) {
		/*
		 * Not while the queues run: refilling the domain under the
		 * function would fault it, and without a domain the relay
		 * would translate in-flight chains through another space.
		 */
		if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
			err = -EBUSY;
			goto out;
		}
		err = dpu_vdpa_as_set_data_asid(dev, asid);
	} else {
		as->group_asid[group] = asid;
	}
	dev_dbg(&vdpa->dev, "group %u -> address space %u: %d\n", group, asid, err);
out:
	mutex_unlock(&as->lock);
	mutex_unlock(&dev->lock);
	return err;
}

#ifdef HAVE_VDPA_OP_GET_BACKEND_FEATURES
u64 dpu_vdpa_get_backend_features(const struct vdpa_device *vdpa)
{
	/*
	 * Mappings live until unmapped or reset_map, whatever the device
	 * status; queues may be enabled after DRIVER_OK (QEMU restores the
	 * control-queue state first, then enables the data queues).
	 */
	return BIT_ULL(VHOST_BACKEND_F_IOTLB_PERSIST) |
	       BIT_ULL(VHOST_BACKEND_F_ENABLE_AFTER_DRIVER_OK);
}
#endif

/* Reset: groups go back to address space 0; mappings persist. */
void dpu_vdpa_as_reset(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_as *as = &dev->as;
	unsigned int g;

	mutex_lock(&as->lock);
	for (g = 0; g < DPU_VDPA_MAX_GROUPS; g++)
		if (g != DPU_VDPA_GROUP_DATA)
			as->group_asid[g] = 0;
	if (as->group_asid[DPU_VDPA_GROUP_DATA] && dpu_vdpa_as_set_data_asid(dev, 0))
		dev_err(&dev->vdpa.dev, "cannot restore the data address space\n");
	dpu_vdpa_as_maybe_detach(dev);
	mutex_unlock(&as->lock);
}

/*
 * How the function may reach a vhost consumer's data buffers: the one
 * place that decides whether the consumer's IOVAs may be handed to the
 * function (see enum dpu_vdpa_reach).  Takes as->lock.
 */
enum dpu_vdpa_reach dpu_vdpa_as_reach(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_as *as = &dev->as;
	enum dpu_vdpa_reach reach = DPU_VDPA_REACH_NONE;
	bool mapped;

	mutex_lock(&as->lock);
	mapped = as->iotlb[as->group_asid[DPU_VDPA_GROUP_DATA]]->nmaps;
	/* the domain mirrors exactly the data group's address space */
	if (as->attached && mapped)
		reach = DPU_VDPA_REACH_IOVA;
	else if (!as->domain && mapped)
		reach = DPU_VDPA_REACH_TRANSLATE;
	mutex_unlock(&as->lock);
	return reach;
}

/*
 * Translate @addr of the address space of @group for the CPU: the
 * physical address and how many bytes from it are contiguous.  Without
 * consumer mappings the addresses are the physical ones virtio_vdpa gave
 * (see guest_mem.c).  as->lock held.
 */
int dpu_vdpa_as_translate(struct dpu_vdpa_dev *dev, unsigned int group, u64 addr, u32 perm,
			  phys_addr_t *pa, u64 *contig)
{
	struct dpu_vdpa_as *as = &dev->as;
	struct vhost_iotlb *iotlb = as->iotlb[as->group_asid[group]];
	struct vhost_iotlb_map *map;

	lockdep_assert_held(&as->lock);
	map = vhost_iotlb_itree_first(iotlb, addr, addr);
	if (!map || (map->perm & perm) != perm)
		return -EFAULT;
	*pa = map->addr + (addr - map->start);
	*contig = map->last - addr + 1;
	return 0;
}

/*
 * Whether @group reaches the consumer's memory through the data group's
 * address space, whose IOVAs the dirty log covers.  Takes as->lock.
 */
bool dpu_vdpa_as_logged(struct dpu_vdpa_dev *dev, unsigned int group)
{
	struct dpu_vdpa_as *as = &dev->as;
	bool logged;

	mutex_lock(&as->lock);
	logged = as->group_asid[group] == as->group_asid[DPU_VDPA_GROUP_DATA] &&
		 as->iotlb[as->group_asid[group]]->nmaps;
	mutex_unlock(&as->lock);
	return logged;
}

/*
 * The span [*first, *end) of what the consumer mapped in @group's address
 * space, for a dirty log that covers all of it.  False when nothing is
 * mapped.
 */
bool dpu_vdpa_as_span(struct dpu_vdpa_dev *dev, unsigned int group, u64 *first, u64 *end)
{
	struct dpu_vdpa_as *as = &dev->as;
	struct vhost_iotlb_map *map;
	struct vhost_iotlb *iotlb;
	u64 last = 0;
	bool any;

	mutex_lock(&as->lock);
	iotlb = as->iotlb[as->group_asid[group]];
	map = vhost_iotlb_itree_first(iotlb, 0, U64_MAX);
	any = map;
	if (map)
		*first = map->start;	/* the tree is ordered by start */
	for (; map; map = vhost_iotlb_itree_next(map, 0, U64_MAX))
		last = max(last, map->last);
	mutex_unlock(&as->lock);
	/* a span ending at 2^64 stops one page short: no log is that large */
	if (any)
		*end = last == U64_MAX ? last : last + 1;
	return any;
}

/* Whether the consumer gave any mapping for @group's address space. */
bool dpu_vdpa_as_mapped(struct dpu_vdpa_dev *dev, unsigned int group)
{
	struct dpu_vdpa_as *as = &dev->as;

	lockdep_assert_held(&as->lock);
	return as->iotlb[as->group_asid[group]]->nmaps;
}

/*
 * Buffers of the driver's own that the function reads and writes while the
 * CPU does: the shadow rings and the control queue's ring and command
 * buffer.  A ring is live shared memory, so these are coherent in either
 * case: pages mapped at a private IOVA of the driver's domain while the
 * function is on it, else dma_alloc_coherent memory.  Never a streaming
 * mapping: under swiotlb (swiotlb=force, confidential VMs) that is a
 * bounce copy, and a sync in either direction would overwrite what the
 * other side wrote meanwhile.
 *
 * Map allocates the memory, zeroed, the first time (the caller fills it in
 * afterwards), or again when the kind or size it needs has changed.  Unmap
 * takes the address away from the function, but keeps coherent memory,
 * which needs no mapping: a function that was not reset yet may still hold
 * its address.  Free gives the memory back, once the function has let go
 * of it.  The function is not running; dev->lock held; all may sleep.
 */
static void dpu_vdpa_fn_buf_release(struct dpu_vdpa_dev *dev, struct dpu_vdpa_fn_buf *buf)
{
	if (!buf->va)
		return;
	if (buf->in_domain)
		free_pages_exact(buf->va, buf->size);
	else
		dma_free_coherent(dpu_vdpa_dev_to_dev(dev), buf->size, buf->va, buf->dma);
	buf->va = NULL;
	buf->size = 0;
}

int dpu_vdpa_fn_buf_map(struct dpu_vdpa_dev *dev, struct dpu_vdpa_fn_buf *buf, size_t size,
			unsigned int slot)
{
	struct dpu_vdpa_as *as = &dev->as;
	struct device *dma = dpu_vdpa_dev_to_dev(dev);
	bool in_domain;
	int err = 0;

	if (WARN_ON_ONCE(buf->mapped || !size))
		return -EINVAL;
	mutex_lock(&as->lock);
	in_domain = as->attached;
	if (in_domain && ((slot + 1) * DPU_VDPA_PRIV_SLOT > DPU_VDPA_PRIV_WINDOW ||
			  size > DPU_VDPA_PRIV_SLOT)) {
		mutex_unlock(&as->lock);
		dev_err(&dev->vdpa.dev, "no room for a %zu-byte ring in slot %u of the private window\n",
			size, slot);
		return -ENOSPC;
	}
	if (buf->va && (buf->in_domain != in_domain || buf->size != size))
		dpu_vdpa_fn_buf_release(dev, buf);
	if (!buf->va) {
		/* contiguous for the function either way: one address */
		if (in_domain)
			buf->va = alloc_pages_exact(size, GFP_KERNEL | __GFP_ZERO);
		else
			buf->va = dma_alloc_coherent(dma, size, &buf->dma, GFP_KERNEL);
		if (!buf->va) {
			err = -ENOMEM;
			goto out;
		}
		buf->size = size;
		buf->in_domain = in_domain;
	}
	if (in_domain) {
		buf->dma = as->priv_base + slot * DPU_VDPA_PRIV_SLOT;
		err = iommu_map(as->domain, buf->dma, virt_to_phys(buf->va), PAGE_ALIGN(size),
				IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE, GFP_KERNEL);
	}
	buf->mapped = !err;
out:
	mutex_unlock(&as->lock);
	return err;
}

void dpu_vdpa_fn_buf_unmap(struct dpu_vdpa_dev *dev, struct dpu_vdpa_fn_buf *buf)
{
	struct dpu_vdpa_as *as = &dev->as;

	if (!buf->mapped)
		return;
	if (buf->in_domain) {
		mutex_lock(&as->lock);
		iommu_unmap(as->domain, buf->dma, PAGE_ALIGN(buf->size));
		mutex_unlock(&as->lock);
	}
	buf->mapped = false;
}

void dpu_vdpa_fn_buf_free(struct dpu_vdpa_dev *dev, struct dpu_vdpa_fn_buf *buf)
{
	dpu_vdpa_fn_buf_unmap(dev, buf);
	dpu_vdpa_fn_buf_release(dev, buf);
}
