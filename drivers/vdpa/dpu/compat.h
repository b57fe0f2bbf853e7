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

#include "dpu_vdpa_conftest.h"

#endif /* _DPU_VDPA_COMPAT_H_ */
