/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The consumer's address spaces and the function's reach into them
 * (addr_space.c), and reading and writing consumer memory by ring address
 * (guest_mem.c).
 */
#ifndef _DPU_VDPA_ADDR_SPACE_H_
#define _DPU_VDPA_ADDR_SPACE_H_

#include <linux/mutex.h>
#include <linux/vdpa.h>
#include <linux/vhost_iotlb.h>

struct dpu_vdpa_dev;

/*
 * A buffer of the driver's own that the function reads and writes while
 * the CPU does, coherent memory (addr_space.c, dpu_vdpa_fn_buf_map).
 */
struct dpu_vdpa_fn_buf {
	void *va;		/* NULL until first mapped */
	size_t size;
	dma_addr_t dma;		/* the address the function uses, while mapped */
	bool mapped;
	/* pages at a private IOVA of the driver's domain, else dma_alloc_coherent */
	bool in_domain;
};

/*
 * How the function reaches the buffers of the consumer's data queues.
 * Whatever a vhost consumer does (map only another address space, move
 * the data group onto an empty one, unmap everything while running), its
 * IOVAs reach the function only through the driver's IOMMU domain.
 */
enum dpu_vdpa_reach {
	/* nothing may be handed to the function: refuse to run the queues */
	DPU_VDPA_REACH_NONE,
	/*
	 * the consumer's addresses as they are: virtio_vdpa's DMA API
	 * addresses, or IOVAs of the driver's domain, which mirrors the data
	 * group's address space; direct mode may run
	 */
	DPU_VDPA_REACH_IOVA,
	/*
	 * no IOMMU: the shadow relay hands the function physical addresses
	 * of pages it holds a reference to, from the software IOTLB
	 */
	DPU_VDPA_REACH_TRANSLATE,
};

#define DPU_VDPA_MAX_AS		2
#define DPU_VDPA_MAX_GROUPS	2
#define DPU_VDPA_GROUP_DATA	0
#define DPU_VDPA_GROUP_CVQ	1

/**
 * struct dpu_vdpa_as - the consumer's address spaces (addr_space.c)
 *
 * @lock protects everything below it except the constants set at dev_add
 * (domain, first, last, priv_base, resv).  It nests inside
 * dpu_vdpa_dev.lock and dpu_vdpa_cvq.lock.
 */
struct dpu_vdpa_as {
	struct mutex lock;	/* see above */
	/* what the consumer mapped, per address space; pages pinned by vhost */
	struct vhost_iotlb *iotlb[DPU_VDPA_MAX_AS];
	u32 group_asid[DPU_VDPA_MAX_GROUPS];
	/* the function is on @domain, which mirrors the data group's space */
	bool attached;
	struct iommu_domain *domain;	/* NULL: no IOMMU to translate */
	struct vhost_iotlb *resv;	/* IOMMU reserved regions (MSI) */
	u64 first, last;		/* IOVA range offered to consumers */
	u64 priv_base;			/* the driver's own window above it */
};

/* addr_space.c */
int dpu_vdpa_as_init(struct dpu_vdpa_dev *dev);
void dpu_vdpa_as_cleanup(struct dpu_vdpa_dev *dev);
void dpu_vdpa_as_reset(struct dpu_vdpa_dev *dev);
enum dpu_vdpa_reach dpu_vdpa_as_reach(struct dpu_vdpa_dev *dev);
bool dpu_vdpa_as_mapped(struct dpu_vdpa_dev *dev, unsigned int group);
bool dpu_vdpa_as_span(struct dpu_vdpa_dev *dev, unsigned int group, u64 *first, u64 *end);
bool dpu_vdpa_as_logged(struct dpu_vdpa_dev *dev, unsigned int group);
int dpu_vdpa_as_translate(struct dpu_vdpa_dev *dev, unsigned int group, u64 addr, u32 perm,
			  phys_addr_t *pa, u64 *contig);
int dpu_vdpa_fn_buf_map(struct dpu_vdpa_dev *dev, struct dpu_vdpa_fn_buf *buf, size_t size,
			unsigned int slot);
void dpu_vdpa_fn_buf_unmap(struct dpu_vdpa_dev *dev, struct dpu_vdpa_fn_buf *buf);
void dpu_vdpa_fn_buf_free(struct dpu_vdpa_dev *dev, struct dpu_vdpa_fn_buf *buf);
int dpu_vdpa_dma_map(struct vdpa_device *vdpa, unsigned int asid, u64 iova, u64 size,
		     u64 pa, u32 perm, void *opaque);
int dpu_vdpa_dma_unmap(struct vdpa_device *vdpa, unsigned int asid, u64 iova, u64 size);
int dpu_vdpa_reset_map(struct vdpa_device *vdpa, unsigned int asid);
struct vdpa_iova_range dpu_vdpa_get_iova_range(struct vdpa_device *vdpa);
u32 dpu_vdpa_get_vq_group(struct vdpa_device *vdpa, u16 idx);
int dpu_vdpa_set_group_asid(struct vdpa_device *vdpa, unsigned int group, unsigned int asid);
u64 dpu_vdpa_get_backend_features(const struct vdpa_device *vdpa);

/* guest_mem.c: reading and writing consumer memory by ring address */
int dpu_vdpa_mem_read(struct dpu_vdpa_dev *dev, unsigned int group, u64 addr, void *buf,
		      size_t len);
int dpu_vdpa_mem_write(struct dpu_vdpa_dev *dev, unsigned int group, u64 addr,
		       const void *buf, size_t len);
int dpu_vdpa_mem_read16(struct dpu_vdpa_dev *dev, unsigned int group, u64 addr, u16 *val);
int dpu_vdpa_mem_write16(struct dpu_vdpa_dev *dev, unsigned int group, u64 addr, u16 val);
bool dpu_vdpa_mem_dma_api(struct dpu_vdpa_dev *dev);
enum dpu_vdpa_reach dpu_vdpa_mem_fn_reach(struct dpu_vdpa_dev *dev);
bool dpu_vdpa_mem_fn_translates(struct dpu_vdpa_dev *dev);
int dpu_vdpa_mem_fn_check(struct dpu_vdpa_dev *dev, u64 addr, u32 len, u32 perm);
int dpu_vdpa_mem_fn_segment(struct dpu_vdpa_dev *dev, u64 addr, u64 len, u32 perm, u64 *pa,
			    u64 *contig);
void dpu_vdpa_mem_fn_unpin(u64 pa, u64 len);

#endif /* _DPU_VDPA_ADDR_SPACE_H_ */
