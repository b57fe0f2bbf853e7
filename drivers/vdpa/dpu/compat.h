/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What differs between the kernels the driver builds for, in one place.
 *
 * The driver is written against the newest interfaces it uses.  What a
 * target kernel lacks is found by probing it, never by its version:
 * conftest.sh, run by Kbuild, compiles probes against its headers and looks
 * in its exports, and writes HAVE_* into dpu_vdpa_conftest.h of the build
 * tree; macros and uapi constants are tested right here with #ifdef.
 *
 * Below, what a kernel lacks is filled in where it can be, each under its
 * probe.  The vdpa_config_ops and vdpa_mgmtdev_ops members a kernel lacks
 * are left out where the ops tables are, under these probes:
 *
 *   HAVE_VDPA_OP_SUSPEND              .suspend: vhost-vdpa's
 *                                     VHOST_VDPA_SUSPEND (SUSPEND backend
 *                                     feature).  Without it, suspend is
 *                                     the dpu_vdpa netlink family's only.
 *   HAVE_VDPA_OP_RESUME               .resume: VHOST_VDPA_RESUME.  Without
 *                                     it a VMM resets a suspended device to
 *                                     run it again; the netlink family
 *                                     still resumes.
 *   HAVE_VDPA_OP_GET_VQ_SIZE          .get_vq_size: a size limit per queue.
 *                                     Without it consumers size every queue
 *                                     by get_vq_num_max, the smallest.
 *   HAVE_VDPA_OP_GET_VQ_DMA_DEV       .get_vq_dma_dev: virtio_vdpa maps the
 *                                     queues served in software on the vDPA
 *                                     device, and tells the driver that it
 *                                     uses the DMA API by asking.  Without
 *                                     it virtio_vdpa maps every ring on
 *                                     the function: see
 *                                     dpu_vdpa_compat_binds_dma_api and
 *                                     dpu_vdpa_compat_soft_vq_on_fn.
 *   HAVE_VDPA_OP_GET_VQ_MAP           .get_vq_map: the same question as
 *                                     get_vq_dma_dev, whose place it took
 *                                     in 6.18; its answer is a map token
 *                                     (union virtio_map) holding the DMA
 *                                     device.  Either one is
 *                                     DPU_VDPA_COMPAT_VQ_DMA_DEV below.
 *   HAVE_VDPA_OP_GET_BACKEND_FEATURES .get_backend_features: IOTLB_PERSIST
 *                                     and ENABLE_AFTER_DRIVER_OK offered to
 *                                     vhost-vdpa.  Without it they are not
 *                                     offered; the driver still keeps
 *                                     mappings across resets and takes
 *                                     queues enabled after DRIVER_OK.
 *   HAVE_VDPA_OP_RESET_MAP            .reset_map: vhost-vdpa asks for the
 *                                     default mappings back.  Without it
 *                                     vhost-vdpa unmaps what it mapped.
 *   HAVE_VDPA_MGMT_OP_DEV_SET_ATTR    .dev_set_attr: "vdpa dev set".
 *                                     Without it there is no such command:
 *                                     a device's attributes are those of
 *                                     "vdpa dev add".
 */
#ifndef _DPU_VDPA_COMPAT_H_
#define _DPU_VDPA_COMPAT_H_

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/device.h>
#include <linux/dpu_vdpa.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/iommu.h>
#include <linux/netlink.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/vdpa.h>
#include <uapi/linux/virtio_net.h>

#include "dpu_vdpa_conftest.h"

#ifdef HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* a consumer can ask which device maps a queue, by either op */
#if defined(HAVE_VDPA_OP_GET_VQ_DMA_DEV) || defined(HAVE_VDPA_OP_GET_VQ_MAP)
#define DPU_VDPA_COMPAT_VQ_DMA_DEV 1
#endif

/*
 * The device whose DMA API maps a consumer's rings (the function): since
 * 6.18 it lives in the vDPA device's map token, and vdpa_alloc_device
 * takes the device's own map ops first (NULL: the DMA API of that device).
 */
#ifdef HAVE_VDPA_DEV_VMAP
#define dpu_vdpa_compat_alloc_device(dev_struct, member, parent, config, ngroups, nas, \
				     name, use_va) \
	vdpa_alloc_device(dev_struct, member, parent, config, NULL, ngroups, nas, name, \
			  use_va)

static inline struct device *dpu_vdpa_compat_dma_dev(const struct vdpa_device *vdpa)
{
	return vdpa->vmap.dma_dev;
}

static inline void dpu_vdpa_compat_set_dma_dev(struct vdpa_device *vdpa, struct device *dev)
{
	vdpa->vmap.dma_dev = dev;
}
#else
#define dpu_vdpa_compat_alloc_device(dev_struct, member, parent, config, ngroups, nas, \
				     name, use_va) \
	vdpa_alloc_device(dev_struct, member, parent, config, ngroups, nas, name, use_va)

static inline struct device *dpu_vdpa_compat_dma_dev(const struct vdpa_device *vdpa)
{
	return vdpa->dma_dev;
}

static inline void dpu_vdpa_compat_set_dma_dev(struct vdpa_device *vdpa, struct device *dev)
{
	vdpa->dma_dev = dev;
}
#endif

/*
 * The vdpa op probes listed above, as DEV_GET reports them
 * (DPU_VDPA_A_CORE_CAPS): a user sees what the running kernel's vDPA core
 * lacks.  modinfo's "conftest" field lists every probe (main.c).
 */
static inline u32 dpu_vdpa_core_caps(void)
{
	u32 caps = 0;

#ifdef HAVE_VDPA_OP_SUSPEND
	caps |= BIT(DPU_VDPA_CORE_CAP_SUSPEND);
#endif
#ifdef HAVE_VDPA_OP_RESUME
	caps |= BIT(DPU_VDPA_CORE_CAP_RESUME);
#endif
#ifdef HAVE_VDPA_OP_GET_VQ_SIZE
	caps |= BIT(DPU_VDPA_CORE_CAP_VQ_SIZE);
#endif
#ifdef DPU_VDPA_COMPAT_VQ_DMA_DEV
	caps |= BIT(DPU_VDPA_CORE_CAP_VQ_DMA_DEV);
#endif
#ifdef HAVE_VDPA_OP_GET_BACKEND_FEATURES
	caps |= BIT(DPU_VDPA_CORE_CAP_BACKEND_FEATURES);
#endif
#ifdef HAVE_VDPA_OP_RESET_MAP
	caps |= BIT(DPU_VDPA_CORE_CAP_RESET_MAP);
#endif
#ifdef HAVE_VDPA_MGMT_OP_DEV_SET_ATTR
	caps |= BIT(DPU_VDPA_CORE_CAP_DEV_SET);
#endif
	return caps;
}

/*
 * A paging domain for @dev.  Before iommu_paging_domain_alloc, a domain
 * was allocated for the device's bus, and a failure had no errno: it is
 * taken as "no domain for this device", which leaves the driver to
 * translate in software, as any other refusal does (addr_space.c).
 */
#ifndef HAVE_IOMMU_PAGING_DOMAIN_ALLOC
static inline struct iommu_domain *iommu_paging_domain_alloc(struct device *dev)
{
	struct iommu_domain *domain = iommu_domain_alloc(dev->bus);

	return domain ?: ERR_PTR(-ENODEV);
}
#endif

/*
 * iommu_map with the caller's gfp_t.  Before it took one, iommu_map
 * allocated with GFP_KERNEL and iommu_map_atomic with GFP_ATOMIC.
 */
#ifndef HAVE_IOMMU_MAP_GFP
static inline int dpu_vdpa_compat_iommu_map(struct iommu_domain *domain, unsigned long iova,
					    phys_addr_t paddr, size_t size, int prot, gfp_t gfp)
{
	if (gfpflags_allow_blocking(gfp))
		return iommu_map(domain, iova, paddr, size, prot);
	return iommu_map_atomic(domain, iova, paddr, size, prot);
}

#define iommu_map dpu_vdpa_compat_iommu_map
#endif

/*
 * The reserved regions of @dev.  Where the kernel keeps iommu_get_resv_regions
 * to itself, those of the device's IOMMU group are what it exports: the
 * device's and its group mates', copies that iommu_put_resv_regions frees
 * the same way.  The driver only attaches a domain to a device alone in its
 * group (iommu_attach_device refuses others), where both are the same.
 */
#ifndef HAVE_IOMMU_GET_RESV_REGIONS
static inline void dpu_vdpa_compat_get_resv_regions(struct device *dev, struct list_head *list)
{
	struct iommu_group *group = iommu_group_get(dev);

	if (!group)
		return;
	/* as with the device's own call, a failure leaves the list short */
	iommu_get_group_resv_regions(group, list);
	iommu_group_put(group);
}

#define iommu_get_resv_regions dpu_vdpa_compat_get_resv_regions
#endif

/*
 * An extack message with printf arguments.  Before extack had a buffer of
 * its own, its message was a pointer that has to stay valid until the
 * netlink core copies it into the ACK, after the handler returns.  The
 * text is formatted into the next slot of a ring instead: a slot is only
 * reused after DPU_VDPA_EXTACK_SLOTS more messages, and its last byte is
 * never written, so a reader always finds the end of a string in it even
 * if that many requests failed in the meantime.  Messages are as long as
 * the kernels with the buffer allow (NETLINK_MAX_FMTMSG_LEN, 80).
 */
#ifndef NL_SET_ERR_MSG_FMT_MOD
#define DPU_VDPA_EXTACK_SLOTS	16
#define DPU_VDPA_EXTACK_LEN	80

static inline __printf(2, 3) void dpu_vdpa_compat_extack_fmt(struct netlink_ext_ack *extack,
							     const char *fmt, ...)
{
	static char ring[DPU_VDPA_EXTACK_SLOTS][DPU_VDPA_EXTACK_LEN];
	static atomic_t next = ATOMIC_INIT(0);
	char *slot;
	va_list args;

	if (!extack)
		return;
	slot = ring[(unsigned int)atomic_inc_return(&next) % DPU_VDPA_EXTACK_SLOTS];
	va_start(args, fmt);
	vsnprintf(slot, DPU_VDPA_EXTACK_LEN, fmt, args);
	va_end(args);
	extack->_msg = slot;
}

#define NL_SET_ERR_MSG_FMT_MOD(extack, fmt, ...) \
	dpu_vdpa_compat_extack_fmt(extack, KBUILD_MODNAME ": " fmt, ##__VA_ARGS__)
#endif

/*
 * Does the bus driver that binds to @dev map its rings with the DMA API,
 * its addresses no IOVAs of an address space (dpu_vdpa_dev.consumer_dma_api)?
 * Where virtio_vdpa asks for its queues' DMA devices it says so itself, by
 * asking (vdpa_ops.c): no driver is taken for one at bind.  Without
 * get_vq_dma_dev or get_vq_map, virtio_vdpa is the one kernel consumer and never asks:
 * only its name tells.  Called at BUS_NOTIFY_BIND_DRIVER, before its probe.
 */
static inline bool dpu_vdpa_compat_binds_dma_api(struct device *dev)
{
#ifdef DPU_VDPA_COMPAT_VQ_DMA_DEV
	return false;
#else
	return dev->driver && !strcmp(dev->driver->name, "virtio_vdpa");
#endif
}

/*
 * Are the rings of a queue served in software (the net control queue)
 * mapped by a DMA API consumer on the function, like the data queues?
 * Where the consumer asks they are mapped on the vDPA device itself, which
 * has no IOMMU (net.c, net_vq_dma_dev); otherwise virtio_vdpa maps every
 * ring on the vDPA device's DMA device, the function (guest_mem.c).
 */
static inline bool dpu_vdpa_compat_soft_vq_on_fn(void)
{
#ifdef DPU_VDPA_COMPAT_VQ_DMA_DEV
	return false;
#else
	return true;
#endif
}

/*
 * virtio-net control commands and feature bits the control queue relay
 * knows (net_cvq.c, net_state.c), from the virtio spec: a uapi header
 * older than them lacks the names, not the device.
 */
#ifndef VIRTIO_NET_F_DEVICE_STATS
#define VIRTIO_NET_F_DEVICE_STATS		50
#endif
#ifndef VIRTIO_NET_F_VQ_NOTF_COAL
#define VIRTIO_NET_F_VQ_NOTF_COAL		52
#endif
#ifndef VIRTIO_NET_CTRL_NOTF_COAL_VQ_SET
#define VIRTIO_NET_CTRL_NOTF_COAL_VQ_SET	2
#endif
#ifndef VIRTIO_NET_CTRL_NOTF_COAL_VQ_GET
#define VIRTIO_NET_CTRL_NOTF_COAL_VQ_GET	3
#endif
#ifndef VIRTIO_NET_CTRL_STATS
#define VIRTIO_NET_CTRL_STATS			8
#endif
#ifndef VIRTIO_NET_CTRL_STATS_QUERY
#define VIRTIO_NET_CTRL_STATS_QUERY		0
#endif
#ifndef VIRTIO_NET_CTRL_STATS_GET
#define VIRTIO_NET_CTRL_STATS_GET		1
#endif

#endif /* _DPU_VDPA_COMPAT_H_ */
