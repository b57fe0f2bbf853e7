// SPDX-License-Identifier: GPL-2.0-only
/*
 * Local migration between two dpu_vdpa devices (vdpamgmt_dpu_migrate_local):
 * the steps of the dpu_vdpa family in the order the contract needs them,
 * and the way back if one of them fails.  See libvdpamgmt.h for what it
 * does and does not do.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/dpu_vdpa.h>
#include <linux/vdpa.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "internal.h"

#define VIRTIO_STATUS_DRIVER_OK	4

struct migration {
	struct vdpamgmt *vm;
	const struct vdpamgmt_dpu_migrate_params *p;
	struct vdpamgmt_dpu_migrate_result *result;
	bool added_dst;
	bool started_log;
	bool suspended;
};

static void progress(struct migration *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void progress(struct migration *m, const char *fmt, ...)
{
	char line[VDPAMGMT_ERR_MAX];
	va_list ap;

	if (!m->p->progress)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	m->p->progress(line, m->p->progress_arg);
}

/* Put the step's name before the reason the session holds. */
static int step_failed(struct migration *m, int err, const char *step, const char *name)
{
	char why[VDPAMGMT_ERR_MAX];
	bool extack = m->vm->error_is_extack;

	snprintf(why, sizeof(why), "%s", m->vm->error[0] ? m->vm->error : strerror(-err));
	vm_fail(m->vm, err, "%s %s: %s", step, name, why);
	m->vm->error_is_extack = extack;
	return err;
}

/*
 * DST on p->dst_mgmtdev, provisioned as SRC is: its device features, and
 * for net the MAC, MTU and queue pairs its config space shows.
 */
static int add_destination(struct migration *m, const struct vdpamgmt_dpu_dev *src)
{
	const struct vdpamgmt_dpu_migrate_params *p = m->p;
	struct vdpamgmt_dev_params add = { .name = p->dst, .mgmtdev = p->dst_mgmtdev };
	struct vdpamgmt_dev_config cfg;
	uint64_t f;
	int err;

	err = vdpamgmt_dev_config_get(m->vm, p->src, &cfg);
	if (err)
		return step_failed(m, err, "dev config show", p->src);
	f = cfg.device_features;
	if (VDPAMGMT_HAS(&cfg, VDPA_ATTR_DEV_FEATURES))
		add.set |= VDPAMGMT_DEV_PARAM_FEATURES;
	add.device_features = f;
	if (src->device_id == VIRTIO_ID_NET) {
		if (VDPAMGMT_HAS(&cfg, VDPA_ATTR_DEV_NET_CFG_MACADDR) &&
		    (f >> VIRTIO_NET_F_MAC & 1)) {
			add.set |= VDPAMGMT_DEV_PARAM_MAC;
			memcpy(add.mac, cfg.net.mac, sizeof(add.mac));
		}
		if (VDPAMGMT_HAS(&cfg, VDPA_ATTR_DEV_NET_CFG_MTU) && (f >> VIRTIO_NET_F_MTU & 1)) {
			add.set |= VDPAMGMT_DEV_PARAM_MTU;
			add.mtu = cfg.net.mtu;
		}
		if (VDPAMGMT_HAS(&cfg, VDPA_ATTR_DEV_NET_CFG_MAX_VQP) &&
		    (f >> VIRTIO_NET_F_MQ & 1)) {
			add.set |= VDPAMGMT_DEV_PARAM_MAX_VQP;
			add.max_vq_pairs = cfg.net.max_vq_pairs;
		}
	}
	err = vdpamgmt_dev_add(m->vm, &add);
	if (err)
		return step_failed(m, err, "dev add", p->dst);
	m->added_dst = true;
	progress(m, "%s: added on %s, provisioned as %s (device_features 0x%llx)", p->dst,
		 p->dst_mgmtdev, p->src, (unsigned long long)f);
	return 0;
}

/*
 * What DST's state load would refuse, found before SRC is suspended: a
 * different number of vqs, or driver features SRC's consumer negotiated
 * that DST does not offer.
 */
static int check_compatible(struct migration *m)
{
	const struct vdpamgmt_dpu_migrate_params *p = m->p;
	struct vdpamgmt_dev_config src_cfg, dst_cfg;
	struct vdpamgmt_dev src, dst;
	uint64_t missing;
	int err;

	err = vdpamgmt_dev_get(m->vm, p->src, &src);
	if (err)
		return step_failed(m, err, "dev show", p->src);
	err = vdpamgmt_dev_get(m->vm, p->dst, &dst);
	if (err)
		return step_failed(m, err, "dev show", p->dst);
	if (src.max_vqs != dst.max_vqs)
		return vm_fail(m->vm, EINVAL, "%s has %u vqs, %s has %u: the state would not load",
			       p->src, src.max_vqs, p->dst, dst.max_vqs);
	err = vdpamgmt_dev_config_get(m->vm, p->src, &src_cfg);
	if (err)
		return step_failed(m, err, "dev config show", p->src);
	err = vdpamgmt_dev_config_get(m->vm, p->dst, &dst_cfg);
	if (err)
		return step_failed(m, err, "dev config show", p->dst);
	missing = src_cfg.negotiated_features & ~dst_cfg.device_features;
	if (VDPAMGMT_HAS(&src_cfg, VDPA_ATTR_DEV_NEGOTIATED_FEATURES) &&
	    VDPAMGMT_HAS(&dst_cfg, VDPA_ATTR_DEV_FEATURES) && missing)
		return vm_fail(m->vm, EOPNOTSUPP, "%s does not offer features 0x%llx that %s's "
			       "consumer uses: the state would not load", p->dst,
			       (unsigned long long)missing, p->src);
	return 0;
}

/* Checks before anything changes; with dst_mgmtdev, DST added after them. */
static int check_devices(struct migration *m, struct vdpamgmt_dpu_dev *src)
{
	const struct vdpamgmt_dpu_migrate_params *p = m->p;
	struct vdpamgmt_dpu_dev dst;
	int err;

	if (!p->src || !p->dst || !strcmp(p->src, p->dst))
		return vm_fail(m->vm, EINVAL, "source and destination must be two devices");
	err = vdpamgmt_dpu_dev_get(m->vm, p->src, src);
	if (err)
		return step_failed(m, err, "dev get", p->src);
	if (!(src->status & VIRTIO_STATUS_DRIVER_OK))
		return vm_fail(m->vm, EINVAL, "%s is not running (no DRIVER_OK): nothing to "
			       "migrate", p->src);
	if (src->suspended)
		return vm_fail(m->vm, EALREADY, "%s is suspended already", p->src);
	err = vdpamgmt_dpu_dev_get(m->vm, p->dst, &dst);
	if (p->dst_mgmtdev) {
		if (!err)
			return vm_fail(m->vm, EEXIST, "%s exists already: migrate to it without "
				       "mgmtdev, or name a new device", p->dst);
		if (err != -ENODEV)
			return step_failed(m, err, "dev get", p->dst);
		err = add_destination(m, src);
		if (err)
			return err;
		err = vdpamgmt_dpu_dev_get(m->vm, p->dst, &dst);
		/*
		 * The vdpa bus probes a new device at once: virtio_vdpa would
		 * have started it.  Unbinding resets it, ready for the load;
		 * its real consumer attaches afterwards.
		 */
		if (!err && dst.bus_driver[0]) {
			err = vdpamgmt_dev_detach(m->vm, p->dst);
			if (err)
				return step_failed(m, err, "dev detach", p->dst);
			progress(m, "%s: detached from %s, which took it when added", p->dst,
				 dst.bus_driver);
			err = vdpamgmt_dpu_dev_get(m->vm, p->dst, &dst);
		}
	}
	if (err)
		return step_failed(m, err, "dev get", p->dst);
	if (src->device_id != dst.device_id)
		return vm_fail(m->vm, EINVAL, "%s is virtio device %u, %s is %u", p->src,
			       src->device_id, p->dst, dst.device_id);
	if (dst.status & VIRTIO_STATUS_DRIVER_OK)
		return vm_fail(m->vm, EBUSY, "%s is running (DRIVER_OK): a state can only be "
			       "loaded before its consumer starts it", p->dst);
	return check_compatible(m);
}

static int start_log(struct migration *m, const struct vdpamgmt_dpu_dev *src)
{
	const struct vdpamgmt_dpu_migrate_params *p = m->p;
	int err;

	if (!p->log_len) {
		if (src->logging)
			progress(m, "%s: logging already (0x%llx, %llu bytes): final sync from it",
				 p->src, (unsigned long long)src->log_iova,
				 (unsigned long long)src->log_len);
		return 0;
	}
	/* owned: a migration killed half-way leaves no log running */
	err = vdpamgmt_dpu_log_start(m->vm, p->src, p->log_iova, p->log_len, p->log_page_size,
				     VDPAMGMT_LOG_OWNED);
	if (err)
		return step_failed(m, err, "log start", p->src);
	m->started_log = true;
	progress(m, "%s: log started at 0x%llx, %llu bytes", p->src,
		 (unsigned long long)p->log_iova, (unsigned long long)p->log_len);
	return 0;
}

static int final_sync(struct migration *m, const struct vdpamgmt_dpu_dev *src)
{
	struct vdpamgmt_dpu_log_summary *log = &m->result->log;
	int err;

	if (!m->started_log && !src->logging)
		return 0;
	err = vdpamgmt_dpu_log_sync(m->vm, m->p->src, m->p->log_cb, m->p->log_arg, log);
	if (err)
		return step_failed(m, err, "log sync", m->p->src);
	m->result->logged = true;
	progress(m, "%s: final log sync: %llu dirty pages of %llu", m->p->src,
		 (unsigned long long)log->dirty, (unsigned long long)log->pages);
	return 0;
}

static int move_state(struct migration *m)
{
	const struct vdpamgmt_dpu_migrate_params *p = m->p;
	char why[VDPAMGMT_ERR_MAX];
	struct vdpamgmt_state st;
	uint8_t *blob;
	size_t len;
	int err;

	err = vdpamgmt_dpu_state_save(m->vm, p->src, &blob, &len);
	if (err)
		return step_failed(m, err, "state save", p->src);
	/*
	 * A malformed blob is not one to hand to another device.  One newer
	 * than this library (-EOPNOTSUPP) is for the kernel to judge at load.
	 */
	err = vdpamgmt_state_decode(blob, len, &st, why, sizeof(why));
	m->result->state_len = len;
	if (err == -EOPNOTSUPP) {
		progress(m, "%s: state saved: %zu bytes, newer than this tool reads (%s)",
			 p->src, len, why);
	} else if (err) {
		free(blob);
		return vm_fail(m->vm, err, "state save %s: the kernel's blob: %s", p->src, why);
	} else {
		m->result->num_queues = st.num_queues;
		vdpamgmt_state_release(&st);
		progress(m, "%s: state saved: %zu bytes, %u vqs", p->src, len,
			 m->result->num_queues);
	}
	err = vdpamgmt_dpu_state_load(m->vm, p->dst, blob, len);
	free(blob);
	if (err)
		return step_failed(m, err, "state load", p->dst);
	progress(m, "%s: state loaded; it applies when its consumer sets DRIVER_OK", p->dst);
	return 0;
}

/* After a failure: the source as it was, as far as we changed it. */
static void roll_back(struct migration *m)
{
	char why[VDPAMGMT_ERR_MAX];
	bool extack = m->vm->error_is_extack;
	int err;

	snprintf(why, sizeof(why), "%s", m->vm->error);
	if (m->started_log) {
		err = vdpamgmt_dpu_log_stop(m->vm, m->p->src);
		progress(m, "%s: back: log stop %s", m->p->src, err ? m->vm->error : "done");
	}
	if (m->suspended) {
		err = vdpamgmt_dpu_resume(m->vm, m->p->src);
		progress(m, "%s: back: resume %s", m->p->src, err ? m->vm->error : "done");
	}
	if (m->added_dst) {
		err = vdpamgmt_dev_del(m->vm, m->p->dst);
		progress(m, "%s: back: dev del %s", m->p->dst, err ? m->vm->error : "done");
	}
	/* the reason of the failure, not of the way back */
	snprintf(m->vm->error, sizeof(m->vm->error), "%s", why);
	m->vm->error_is_extack = extack;
}

int vdpamgmt_dpu_migrate_local(struct vdpamgmt *vm,
			       const struct vdpamgmt_dpu_migrate_params *params,
			       struct vdpamgmt_dpu_migrate_result *result)
{
	struct migration m = { .vm = vm, .p = params, .result = result };
	struct vdpamgmt_dpu_dev src;
	int err;

	memset(result, 0, sizeof(*result));
	err = check_devices(&m, &src);
	if (!err)
		err = start_log(&m, &src);
	if (err) {
		roll_back(&m);
		return err;
	}
	err = vdpamgmt_dpu_suspend(vm, params->src);
	if (err) {
		step_failed(&m, err, "suspend", params->src);
		roll_back(&m);
		return err;
	}
	m.suspended = true;
	progress(&m, "%s: suspended", params->src);
	err = final_sync(&m, &src);
	if (!err)
		err = move_state(&m);
	if (err) {
		roll_back(&m);
		return err;
	}
	if (m.started_log) {
		err = vdpamgmt_dpu_log_stop(vm, params->src);
		if (err)
			return step_failed(&m, err, "log stop (the state is loaded)", params->src);
		progress(&m, "%s: log stopped", params->src);
	}
	progress(&m, "done: %s stays suspended; %s starts where it stopped at its consumer's "
		 "DRIVER_OK", params->src, params->dst);
	return 0;
}
