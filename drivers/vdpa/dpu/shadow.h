/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The shadow virtqueue relay (shadow.c), for the files that start, stop
 * and move queues (vq_mode.c, vdpa_ops.c, irq.c) and that add and remove
 * devices (mgmt.c).  Its state is opaque: struct dpu_vdpa_svq is
 * shadow.c's alone.
 *
 * Locking: each relay has a mutex of its own, nested inside
 * dpu_vdpa_dev.lock and outside dpu_vdpa_as.lock.  Callers hold dev->lock
 * to start, stop or move a queue (prepare, run, halt, drain, rewind,
 * release, set_to_direct); not for init and cancel (dev add and del),
 * destroy (the device's release), notify (any context), doorbell_poll (a
 * work item) or broken.
 */
#ifndef _DPU_VDPA_SHADOW_H_
#define _DPU_VDPA_SHADOW_H_

#include "dpu_vdpa.h"

/* lifetime: dev_add to the device's release */
int dpu_vdpa_svq_init(struct dpu_vdpa_vq *vq);
void dpu_vdpa_svq_cancel(struct dpu_vdpa_vq *vq);
void dpu_vdpa_svq_destroy(struct dpu_vdpa_vq *vq);

/* a queue into shadow mode: prepare with the function queue off, then run */
int dpu_vdpa_svq_prepare(struct dpu_vdpa_vq *vq, bool to_direct);
void dpu_vdpa_svq_fn_ring(struct dpu_vdpa_vq *vq, u64 *desc, u64 *driver, u64 *device);
void dpu_vdpa_svq_run(struct dpu_vdpa_vq *vq);
/* kick or interrupt: atomic context */
void dpu_vdpa_svq_notify(struct dpu_vdpa_vq *vq);
void dpu_vdpa_doorbell_poll(struct work_struct *work);

/* stopping: halt the worker, optionally drain, rewind to what the function did not use */
void dpu_vdpa_svq_halt(struct dpu_vdpa_vq *vq);
void dpu_vdpa_svq_drain(struct dpu_vdpa_vq *vq, unsigned int timeout_ms);
u16 dpu_vdpa_svq_rewind(struct dpu_vdpa_vq *vq);
void dpu_vdpa_svq_release(struct dpu_vdpa_vq *vq);

/* state */
u16 dpu_vdpa_svq_avail_idx(struct dpu_vdpa_vq *vq);
bool dpu_vdpa_svq_broken(struct dpu_vdpa_dev *dev);

/* back to direct mode at the next index wrap (vq_mode.c) */
bool dpu_vdpa_svq_at_wrap(struct dpu_vdpa_vq *vq);
void dpu_vdpa_svq_set_to_direct(struct dpu_vdpa_vq *vq, bool to_direct);

#endif /* _DPU_VDPA_SHADOW_H_ */
