// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device-state save and load: the blob of include/uapi/linux/dpu_vdpa_state.h.
 *
 * Save (device suspended): DEVICE, one VQ section per vq with the exact
 * next avail index (used index equal to it), CONFIG as the consumer sees
 * it, and the device type's own sections (net: the control-queue state in
 * NET_* sections marked critical, net_blob.c).
 *
 * Load (before DRIVER_OK): the blob is checked completely before anything
 * changes.  Then it is staged: each vq's next avail index (as set_vq_state
 * would), the net state, and the driver features it was saved with.  The
 * consumer's reset does not drop it (vhost resets before configuring; the
 * avail indexes are restored by every reset), a new load replaces it,
 * DRIVER_OK consumes it, dev_del drops it.  DRIVER_OK fails unless the
 * consumer negotiated exactly the saved driver features; a net device then
 * replays the control-queue state before serving the consumer's commands.
 * Ring addresses, sizes and ready flags are the consumer's to set again:
 * they are checked against this device, not applied.  CONFIG is compared
 * with this device's config space and a difference is logged: config
 * space is the function's (read-only for net); the fields the driver
 * virtualizes are checked through NET_CONFIG.
 *
 * Load errors (each with an extack message):
 *   EBUSY        the device is running (DRIVER_OK)
 *   EINVAL       malformed blob: size, magic, header or section lengths,
 *                alignment, missing or repeated sections, values this
 *                device cannot take (vq count or size, MTU, queue pairs, a
 *                MAC other than its own for a consumer without a control
 *                queue, which could not set it)
 *   EBADMSG      crc32 mismatch
 *   EPROTO       a newer version, or a critical section this driver
 *                does not know
 *   EMEDIUMTYPE  saved from another device type (virtio device id); not
 *                ENODEV, which the netlink family uses for an unknown name
 *   EOPNOTSUPP   saved driver features this device does not offer
 *
 * Locking: dev->lock for the whole save or load; cvq.lock inside it for
 * the control queue's index and state.
 */
#include <linux/crc32.h>
#include <linux/dpu_vdpa_state.h>
#include <linux/mm.h>
#include <linux/virtio_config.h>
#include <net/netlink.h>

#include "compat.h"
#include "dpu_vdpa.h"

/* The IEEE CRC-32 of a blob (zlib's crc32()), its crc32 field taken as zero. */
static u32 dpu_vdpa_state_crc(const void *blob, size_t len)
{
	static const u8 zero[4];
	size_t off = offsetof(struct dpu_vdpa_state_hdr, crc32);
	u32 crc;

	crc = crc32_le(~0, blob, off);
	crc = crc32_le(crc, zero, sizeof(zero));
	crc = crc32_le(crc, blob + off + sizeof(zero), len - off - sizeof(zero));
	return crc ^ ~0;
}

/* ---- save */

/* Append a section header; returns its payload (zeroed, padding included). */
void *dpu_vdpa_state_put(struct dpu_vdpa_state_writer *w, u16 type, u16 flags, u32 len)
{
	struct dpu_vdpa_state_sect *s = (void *)(w->buf + w->off);

	s->type = cpu_to_le16(type);
	s->flags = cpu_to_le16(flags);
	s->len = cpu_to_le32(len);
	w->off += DPU_VDPA_STATE_SECT_SIZE(len);
	return s + 1;
}

/* The next avail index of a suspended device's vq (used index equals it). */
static u16 dpu_vdpa_state_vq_avail(struct dpu_vdpa_dev *dev, u16 i)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	struct dpu_vdpa_vq *vq = &dev->vqs[i];

	if (!type->vq_is_soft || !type->vq_is_soft(dev, i) || !vq->ready)
		return vq->avail_idx;
	/* a queue served in software is paused by suspend: its index is exact */
	return type->soft_avail_idx(dev, i);
}

static int dpu_vdpa_state_save_locked(struct dpu_vdpa_dev *dev, void **blob, size_t *len,
				      void *priv, struct netlink_ext_ack *extack)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	struct dpu_vdpa_state_writer w = { };
	struct dpu_vdpa_state_device *ds;
	struct dpu_vdpa_state_hdr *hdr;
	size_t cfg_len, total, type_len = 0;
	u8 *cfg;
	u16 i;
	int err;

	lockdep_assert_held(&dev->lock);
	if (!(dev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
		NL_SET_ERR_MSG_MOD(extack, "device is not running (no DRIVER_OK)");
		return -EINVAL;
	}
	if (!dev->suspended) {
		NL_SET_ERR_MSG_MOD(extack, "device must be suspended");
		return -EBUSY;
	}
	if (dev->suspend_inexact) {
		/* a resume puts the queues on the relay, whose next suspend is exact */
		NL_SET_ERR_MSG_MOD(extack, "queue state inexact: function completed out of order; resume and suspend again");
		return -EIO;
	}
	if (priv) {
		err = type->state_get(dev, priv, &type_len, extack);
		if (err)
			return err;
	}

	cfg_len = dpu_vdpa_config_size(dev);
	total = sizeof(*hdr) + DPU_VDPA_STATE_SECT_SIZE(sizeof(*ds)) +
		dev->nvqs * DPU_VDPA_STATE_SECT_SIZE(sizeof(struct dpu_vdpa_state_vq)) +
		DPU_VDPA_STATE_SECT_SIZE(cfg_len) + type_len;
	w.buf = kvzalloc(total, GFP_KERNEL);
	if (!w.buf)
		return -ENOMEM;

	hdr = (void *)w.buf;
	hdr->magic = cpu_to_le32(DPU_VDPA_STATE_MAGIC);
	hdr->version = cpu_to_le16(DPU_VDPA_STATE_VERSION);
	hdr->hdr_len = cpu_to_le16(sizeof(*hdr));
	hdr->total_len = cpu_to_le32(total);
	hdr->device_id = cpu_to_le32(dev->fn->vpm.id.device);
	w.off = sizeof(*hdr);

	ds = dpu_vdpa_state_put(&w, DPU_VDPA_STATE_DEVICE, DPU_VDPA_STATE_F_CRITICAL, sizeof(*ds));
	ds->device_features = cpu_to_le64(dev->device_features);
	ds->driver_features = cpu_to_le64(dev->driver_features);
	ds->status = dev->status;
	ds->num_queues = cpu_to_le16(dev->nvqs);
	ds->config_len = cpu_to_le16(cfg_len);

	for (i = 0; i < dev->nvqs; i++) {
		struct dpu_vdpa_vq *vq = &dev->vqs[i];
		struct dpu_vdpa_state_vq *vs;
		u16 avail = dpu_vdpa_state_vq_avail(dev, i);

		vs = dpu_vdpa_state_put(&w, DPU_VDPA_STATE_VQ, DPU_VDPA_STATE_F_CRITICAL,
					sizeof(*vs));
		vs->index = cpu_to_le16(i);
		vs->num = cpu_to_le16(vq->num);
		vs->avail_idx = cpu_to_le16(avail);
		vs->used_idx = cpu_to_le16(avail);
		vs->flags = vq->ready ? DPU_VDPA_STATE_VQ_ENABLED : 0;
		vs->desc_addr = cpu_to_le64(vq->desc_addr);
		vs->driver_addr = cpu_to_le64(vq->driver_addr);
		vs->device_addr = cpu_to_le64(vq->device_addr);
	}

	cfg = dpu_vdpa_state_put(&w, DPU_VDPA_STATE_CONFIG, 0, cfg_len);
	dpu_vdpa_config_read(dev, cfg, cfg_len);
	if (priv)
		type->state_put(dev, &w, priv, cfg, cfg_len);

	WARN_ON_ONCE(w.off != total);
	hdr->crc32 = cpu_to_le32(dpu_vdpa_state_crc(w.buf, total));
	*blob = w.buf;
	*len = total;
	dev_dbg(&dev->vdpa.dev, "state saved: %zu bytes, %u vqs, features %#llx\n", total,
		dev->nvqs, dev->driver_features);
	return 0;
}

/**
 * dpu_vdpa_state_save - the state of a suspended device as a blob
 * @dev: the device; takes dev->lock
 * @blob: set to a kvmalloc'd blob the caller kvfree()s
 * @len: set to its length
 * @extack: the reason of a refusal
 *
 * Return: 0, -EBUSY if not suspended, -EINVAL if not running, -EOVERFLOW
 * if the guest's MAC table is larger than what is tracked, -ENOMEM.
 */
int dpu_vdpa_state_save(struct dpu_vdpa_dev *dev, void **blob, size_t *len,
			struct netlink_ext_ack *extack)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	void *priv = NULL;
	int err;

	if (type->state_size) {
		priv = kzalloc(type->state_size, GFP_KERNEL);
		if (!priv)
			return -ENOMEM;
	}
	mutex_lock(&dev->lock);
	err = dpu_vdpa_state_save_locked(dev, blob, len, priv, extack);
	mutex_unlock(&dev->lock);
	kfree(priv);
	return err;
}

/* ---- load */

/* A blob, parsed and checked against the device, not applied yet. */
struct dpu_vdpa_state_parsed {
	bool have_device;
	struct dpu_vdpa_state_device device;
	u16 *avail;			/* per vq */
	unsigned long *vq_seen;		/* VQ sections met, by index */
	size_t hdr_len;			/* where the sections start */
	const u8 *config;
	u32 config_len;
	void *priv;			/* the type's own sections (state_size) */
};

/* Largest size vq @i may have under @features (get_vq_size, with the blob's features). */
static u16 dpu_vdpa_state_vq_max(struct dpu_vdpa_dev *dev, u16 i, u64 features)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	struct dpu_vdpa_vq *vq = &dev->vqs[i];

	if (type->state_vq_soft && type->state_vq_soft(dev, i, features))
		return DPU_VDPA_SOFT_VQ_MAX;
	return vq->max_num ?: DPU_VDPA_SOFT_VQ_MAX;
}

static int dpu_vdpa_state_parse_vq(struct dpu_vdpa_dev *dev, struct dpu_vdpa_state_parsed *p,
				   const struct dpu_vdpa_state_vq *vs,
				   struct netlink_ext_ack *extack)
{
	u16 i = le16_to_cpu(vs->index);

	if (i >= dev->nvqs) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "VQ section for vq %u: this device has only %u vqs",
				       i, dev->nvqs);
		return -EINVAL;
	}
	if (test_and_set_bit(i, p->vq_seen)) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "two VQ sections for vq %u", i);
		return -EINVAL;
	}
	if (le16_to_cpu(vs->avail_idx) != le16_to_cpu(vs->used_idx)) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "vq %u: used index %u is not avail index %u", i,
				       le16_to_cpu(vs->used_idx), le16_to_cpu(vs->avail_idx));
		return -EINVAL;
	}
	p->avail[i] = le16_to_cpu(vs->avail_idx);
	return 0;
}

/* Minimum payload of a section this driver knows; 0 for an unknown one. */
static size_t dpu_vdpa_state_min_len(struct dpu_vdpa_dev *dev, u16 type)
{
	const struct dpu_vdpa_type *dt = dev->fn->type;

	switch (type) {
	case DPU_VDPA_STATE_DEVICE:
		return sizeof(struct dpu_vdpa_state_device);
	case DPU_VDPA_STATE_VQ:
		return sizeof(struct dpu_vdpa_state_vq);
	case DPU_VDPA_STATE_CONFIG:
		return 1;	/* known; any length, checked against config_len */
	}
	/* the device type's own sections */
	return dt->state_min_len ? dt->state_min_len(type) : 0;
}

/* The header: length, magic, version, crc, device id; where the sections start. */
static int dpu_vdpa_state_parse_hdr(struct dpu_vdpa_dev *dev, const u8 *blob, size_t len,
				    size_t *sections, struct netlink_ext_ack *extack)
{
	struct dpu_vdpa_state_hdr hdr;
	size_t hdr_len;
	u16 version;
	u32 crc;

	if (len < sizeof(hdr) || len > DPU_VDPA_STATE_MAX_LEN) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "state of %zu bytes: %zu to %u expected", len,
				       sizeof(hdr), DPU_VDPA_STATE_MAX_LEN);
		return -EINVAL;
	}
	memcpy(&hdr, blob, sizeof(hdr));
	if (le32_to_cpu(hdr.magic) != DPU_VDPA_STATE_MAGIC) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "bad magic %#x, not a dpu_vdpa state",
				       le32_to_cpu(hdr.magic));
		return -EINVAL;
	}
	version = le16_to_cpu(hdr.version);
	if (version > DPU_VDPA_STATE_VERSION) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "state version %u, this driver reads up to %u",
				       version, DPU_VDPA_STATE_VERSION);
		return -EPROTO;
	}
	if (!version) {
		NL_SET_ERR_MSG_MOD(extack, "state version 0");
		return -EINVAL;
	}
	if (le32_to_cpu(hdr.total_len) != len) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "state total_len %u, %zu bytes given",
				       le32_to_cpu(hdr.total_len), len);
		return -EINVAL;
	}
	hdr_len = le16_to_cpu(hdr.hdr_len);
	if (hdr_len < sizeof(hdr) || hdr_len > len || !IS_ALIGNED(hdr_len, DPU_VDPA_STATE_ALIGN) ||
	    !IS_ALIGNED(len, DPU_VDPA_STATE_ALIGN)) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "state hdr_len %zu or length %zu bad or unaligned",
				       hdr_len, len);
		return -EINVAL;
	}
	crc = dpu_vdpa_state_crc(blob, len);
	if (le32_to_cpu(hdr.crc32) != crc) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "state crc32 %#x, computed %#x",
				       le32_to_cpu(hdr.crc32), crc);
		return -EBADMSG;
	}
	if (le32_to_cpu(hdr.device_id) != dev->fn->vpm.id.device) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "state of virtio device id %u, this device is %u",
				       le32_to_cpu(hdr.device_id), dev->fn->vpm.id.device);
		return -EMEDIUMTYPE;
	}
	*sections = hdr_len;
	return 0;
}

/* One known section, whose payload is at least dpu_vdpa_state_min_len long. */
static int dpu_vdpa_state_parse_sect(struct dpu_vdpa_dev *dev, struct dpu_vdpa_state_parsed *p,
				     u16 type, const u8 *payload, u32 plen,
				     struct netlink_ext_ack *extack)
{
	switch (type) {
	case DPU_VDPA_STATE_DEVICE:
		if (p->have_device) {
			NL_SET_ERR_MSG_MOD(extack, "two DEVICE sections");
			return -EINVAL;
		}
		memcpy(&p->device, payload, sizeof(p->device));
		p->have_device = true;
		return 0;
	case DPU_VDPA_STATE_VQ: {
		struct dpu_vdpa_state_vq vs;

		memcpy(&vs, payload, sizeof(vs));
		return dpu_vdpa_state_parse_vq(dev, p, &vs, extack);
	}
	case DPU_VDPA_STATE_CONFIG:
		if (p->config) {
			NL_SET_ERR_MSG_MOD(extack, "two CONFIG sections");
			return -EINVAL;
		}
		p->config = payload;
		p->config_len = plen;
		return 0;
	}
	/* one of the type's own (dpu_vdpa_state_min_len) */
	return dev->fn->type->state_parse(dev, p->priv, type, payload, plen, extack);
}

/* Framing: the header, then every section inside the blob. */
static int dpu_vdpa_state_parse(struct dpu_vdpa_dev *dev, const u8 *blob, size_t len,
				struct dpu_vdpa_state_parsed *p, struct netlink_ext_ack *extack)
{
	size_t off;
	int err;

	err = dpu_vdpa_state_parse_hdr(dev, blob, len, &p->hdr_len, extack);
	if (err)
		return err;
	for (off = p->hdr_len; off < len; ) {
		struct dpu_vdpa_state_sect s;
		const u8 *payload;
		size_t min;
		u16 type, flags;
		u32 plen;

		if (len - off < sizeof(s)) {
			NL_SET_ERR_MSG_FMT_MOD(extack, "truncated section header at %zu", off);
			return -EINVAL;
		}
		memcpy(&s, blob + off, sizeof(s));
		type = le16_to_cpu(s.type);
		flags = le16_to_cpu(s.flags);
		plen = le32_to_cpu(s.len);
		payload = blob + off + sizeof(s);
		if (DPU_VDPA_STATE_SECT_SIZE(plen) > len - off) {
			NL_SET_ERR_MSG_FMT_MOD(extack, "section %u at %zu: %u bytes overrun the state",
					       type, off, plen);
			return -EINVAL;
		}
		off += DPU_VDPA_STATE_SECT_SIZE(plen);

		min = dpu_vdpa_state_min_len(dev, type);
		if (!min) {
			if (flags & DPU_VDPA_STATE_F_CRITICAL) {
				NL_SET_ERR_MSG_FMT_MOD(extack, "unknown critical section type %u",
						       type);
				return -EPROTO;
			}
			dev_dbg(&dev->vdpa.dev, "state load: section type %u skipped\n", type);
			continue;
		}
		if (plen < min) {
			NL_SET_ERR_MSG_FMT_MOD(extack, "section %u of %u bytes, at least %zu",
					       type, plen, min);
			return -EINVAL;
		}
		err = dpu_vdpa_state_parse_sect(dev, p, type, payload, plen, extack);
		if (err)
			return err;
	}
	return 0;
}

/* Every vq's ring size within what this device takes. */
static int dpu_vdpa_state_check_vqs(struct dpu_vdpa_dev *dev, const u8 *blob, size_t len,
				    size_t off, u64 features, struct netlink_ext_ack *extack)
{
	/* the framing was checked by dpu_vdpa_state_parse */
	while (off < len) {
		struct dpu_vdpa_state_sect s;
		struct dpu_vdpa_state_vq vs;
		u16 i, num, max;

		memcpy(&s, blob + off, sizeof(s));
		if (le16_to_cpu(s.type) == DPU_VDPA_STATE_VQ) {
			memcpy(&vs, blob + off + sizeof(s), sizeof(vs));
			i = le16_to_cpu(vs.index);
			num = le16_to_cpu(vs.num);
			max = dpu_vdpa_state_vq_max(dev, i, features);
			if (num > max || (num && !is_power_of_2(num))) {
				NL_SET_ERR_MSG_FMT_MOD(extack, "vq %u: size %u, this device takes up to %u",
						       i, num, max);
				return -EINVAL;
			}
		}
		off += DPU_VDPA_STATE_SECT_SIZE(le32_to_cpu(s.len));
	}
	return 0;
}

/* Sections present and consistent with this device. */
static int dpu_vdpa_state_check(struct dpu_vdpa_dev *dev, const u8 *blob, size_t len,
				struct dpu_vdpa_state_parsed *p, struct netlink_ext_ack *extack)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	u64 drv, bad;
	u16 nq, cfg_len;
	int err;

	if (!p->have_device) {
		NL_SET_ERR_MSG_MOD(extack, "state has no DEVICE section");
		return -EINVAL;
	}
	drv = le64_to_cpu(p->device.driver_features);
	bad = drv & ~dev->device_features;
	if (bad) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "saved driver features %#llx not offered here",
				       bad);
		dev_err(&dev->vdpa.dev, "state load: driver features %#llx, device offers %#llx (missing %#llx)\n",
			drv, dev->device_features, bad);
		return -EOPNOTSUPP;
	}
	nq = le16_to_cpu(p->device.num_queues);
	if (nq != dev->nvqs) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "saved with %u vqs, this device has %u", nq,
				       dev->nvqs);
		return -EINVAL;
	}
	if (bitmap_weight(p->vq_seen, dev->nvqs) != nq) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "VQ sections for %u of %u vqs",
				       bitmap_weight(p->vq_seen, dev->nvqs), nq);
		return -EINVAL;
	}
	err = dpu_vdpa_state_check_vqs(dev, blob, len, p->hdr_len, drv, extack);
	if (err)
		return err;
	cfg_len = le16_to_cpu(p->device.config_len);
	if (p->config && p->config_len != cfg_len) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "CONFIG section of %u bytes, config_len %u",
				       p->config_len, cfg_len);
		return -EINVAL;
	}
	if (p->priv)
		return type->state_check(dev, p->priv, drv, extack);
	return 0;
}

/* Log how the saved config space differs from this device's (not an error). */
static void dpu_vdpa_state_compare_config(struct dpu_vdpa_dev *dev,
					  const struct dpu_vdpa_state_parsed *p)
{
	u8 cfg[256];
	size_t n = min(dpu_vdpa_config_size(dev), sizeof(cfg)), i;

	if (!p->config)
		return;
	if (p->config_len != n)
		dev_warn(&dev->vdpa.dev, "state load: config space saved with %u bytes, here %zu\n",
			 p->config_len, n);
	dpu_vdpa_config_read(dev, cfg, n);
	n = min_t(size_t, n, p->config_len);
	for (i = 0; i < n; i++) {
		if (cfg[i] != p->config[i]) {
			dev_info(&dev->vdpa.dev, "state load: config byte %zu is %#x here, saved %#x\n",
				 i, cfg[i], p->config[i]);
			break;
		}
	}
}

static void dpu_vdpa_state_apply(struct dpu_vdpa_dev *dev, const struct dpu_vdpa_state_parsed *p)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	u16 i;

	for (i = 0; i < dev->nvqs; i++) {
		dev->vqs[i].avail_idx = p->avail[i];
		dev->vqs[i].state_avail_idx = p->avail[i];
	}
	if (p->priv)
		type->state_apply(dev, p->priv);
	dev->state_features = le64_to_cpu(p->device.driver_features);
	dev->state_loaded = true;
}

/**
 * dpu_vdpa_state_load - stage a saved state for the next DRIVER_OK
 * @dev: the device; takes dev->lock
 * @blob: the state, as dpu_vdpa_state_save made it
 * @len: its length
 * @extack: the reason of a refusal
 *
 * Nothing changes unless the whole blob is accepted.  Errors: see the
 * comment at the top of this file.
 */
int dpu_vdpa_state_load(struct dpu_vdpa_dev *dev, const void *blob, size_t len,
			struct netlink_ext_ack *extack)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	struct dpu_vdpa_state_parsed p = { };
	int err = -ENOMEM;

	p.avail = kcalloc(dev->nvqs, sizeof(*p.avail), GFP_KERNEL);
	p.vq_seen = bitmap_zalloc(dev->nvqs, GFP_KERNEL);
	if (!p.avail || !p.vq_seen)
		goto out_free;
	if (type->state_size) {
		p.priv = kzalloc(type->state_size, GFP_KERNEL);
		if (!p.priv)
			goto out_free;
		type->state_init(dev, p.priv);
	}

	mutex_lock(&dev->lock);
	if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
		NL_SET_ERR_MSG_MOD(extack, "device is running (DRIVER_OK): load before it starts");
		err = -EBUSY;
		goto out_unlock;
	}
	err = dpu_vdpa_state_parse(dev, blob, len, &p, extack);
	if (!err)
		err = dpu_vdpa_state_check(dev, blob, len, &p, extack);
	if (err) {
		dev_dbg(&dev->vdpa.dev, "state load of %zu bytes refused: %d\n", len, err);
		goto out_unlock;
	}
	dpu_vdpa_state_compare_config(dev, &p);
	dpu_vdpa_state_apply(dev, &p);
	dev_info(&dev->vdpa.dev, "state loaded: %zu bytes, %u vqs, driver features %#llx\n",
		 len, dev->nvqs, dev->state_features);
out_unlock:
	mutex_unlock(&dev->lock);
out_free:
	kfree(p.priv);
	bitmap_free(p.vq_seen);
	kfree(p.avail);
	return err;
}

/*
 * Device reset (vdpa_ops.c), dev->lock held, after the vqs were cleared: a
 * loaded state outlives the consumer's reset (its avail indexes are set
 * again), not dev_del's (@full).
 */
void dpu_vdpa_state_reset(struct dpu_vdpa_dev *dev, bool full)
{
	u16 i;

	lockdep_assert_held(&dev->lock);
	if (!dev->state_loaded)
		return;
	if (full) {
		dev->state_loaded = false;
		dev_dbg(&dev->vdpa.dev, "loaded state dropped\n");
		return;
	}
	for (i = 0; i < dev->nvqs; i++)
		dev->vqs[i].avail_idx = dev->vqs[i].state_avail_idx;
}

/* DRIVER_OK, before the function starts: the consumer took the saved features. */
int dpu_vdpa_state_check_features(struct dpu_vdpa_dev *dev)
{
	lockdep_assert_held(&dev->lock);
	if (!dev->state_loaded || dev->driver_features == dev->state_features)
		return 0;
	dev_err(&dev->vdpa.dev, "loaded state was saved with driver features %#llx, the consumer negotiated %#llx\n",
		dev->state_features, dev->driver_features);
	return -EINVAL;
}

/**
 * dpu_vdpa_state_put_staged - a staged state, as DEV_GET reports it
 * @msg: the reply being built
 * @dev: the device; dev->lock held
 *
 * Nothing when no state waits for DRIVER_OK.  Return: 0 or -EMSGSIZE.
 */
int dpu_vdpa_state_put_staged(struct sk_buff *msg, struct dpu_vdpa_dev *dev)
{
	const struct dpu_vdpa_type *type = dev->fn->type;
	struct nlattr *nest, *attr;
	u16 *avail, i;

	lockdep_assert_held(&dev->lock);
	if (!dev->state_loaded)
		return 0;
	nest = nla_nest_start(msg, DPU_VDPA_A_STAGED);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, DPU_VDPA_STAGED_DRIVER_FEATURES, dev->state_features,
			      DPU_VDPA_STAGED_PAD))
		goto cancel;
	attr = nla_reserve(msg, DPU_VDPA_STAGED_AVAIL, dev->nvqs * sizeof(*avail));
	if (!attr)
		goto cancel;
	avail = nla_data(attr);
	for (i = 0; i < dev->nvqs; i++)
		avail[i] = dev->vqs[i].state_avail_idx;
	if (type->state_report && type->state_report(dev, msg))
		goto cancel;
	nla_nest_end(msg, nest);
	return 0;

cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

/*
 * DRIVER_OK of a consumer that maps its rings with the DMA API (the
 * kernel's own virtio driver, through virtio_vdpa): it starts every ring
 * at index 0, so a staged state's ring indexes are not for it; what the
 * state set through the control queue is still replayed.  virtio_vdpa
 * sets each ring to 0 in its find_vqs, but a state loaded after that and
 * before DRIVER_OK would move them: served from the saved index, virtio_net's
 * first control command looks already taken and its probe waits for the
 * answer forever, holding the device lock.
 */
void dpu_vdpa_state_rings_from_zero(struct dpu_vdpa_dev *dev)
{
	bool ignored = false;
	u16 i;

	lockdep_assert_held(&dev->lock);
	if (!dev->state_loaded)
		return;
	for (i = 0; i < dev->nvqs; i++) {
		ignored |= dev->vqs[i].avail_idx;
		dev->vqs[i].avail_idx = 0;
		dev->vqs[i].state_avail_idx = 0;
	}
	if (ignored)
		dev_info(&dev->vdpa.dev, "loaded state: ring indexes ignored, a kernel driver starts its rings at 0\n");
}

/* DRIVER_OK succeeded: the loaded state is in effect. */
void dpu_vdpa_state_consumed(struct dpu_vdpa_dev *dev)
{
	lockdep_assert_held(&dev->lock);
	if (!dev->state_loaded)
		return;
	dev->state_loaded = false;
	dev_dbg(&dev->vdpa.dev, "loaded state in effect\n");
}
