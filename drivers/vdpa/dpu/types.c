// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device types without a control path of their own: their config space
 * and queues are the function's, passed through.  Net lives in net.c.
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "dpu_vdpa.h"

static u64 passthrough_offered_features(struct dpu_vdpa_fn *fn)
{
	return fn->features & (DPU_VDPA_TRANSPORT_FEATURES | DPU_VDPA_DEVICE_TYPE_FEATURES);
}

/* virtio-blk: only the write-cache mode is writable (VIRTIO_BLK_F_CONFIG_WCE). */
static bool blk_config_writable(struct dpu_vdpa_dev *dev, unsigned int offset, unsigned int len)
{
	return offset == offsetof(struct virtio_blk_config, wce) && len == 1 &&
	       dev->driver_features & BIT_ULL(VIRTIO_BLK_F_CONFIG_WCE);
}

static int passthrough_fn_probe(struct dpu_vdpa_fn *fn)
{
	fn->mgmt.max_supported_vqs = fn->num_queues;
	return 0;
}

const struct dpu_vdpa_type dpu_vdpa_type_blk = {
	.device_id = VIRTIO_ID_BLOCK,
	.config_attr_mask = BIT_ULL(VDPA_ATTR_DEV_FEATURES),
	.fn_probe = passthrough_fn_probe,
	.offered_features = passthrough_offered_features,
	.config_writable = blk_config_writable,
};

/* Any other virtio device type: config writes go through as they are. */
const struct dpu_vdpa_type dpu_vdpa_type_generic = {
	.config_attr_mask = BIT_ULL(VDPA_ATTR_DEV_FEATURES),
	.fn_probe = passthrough_fn_probe,
	.offered_features = passthrough_offered_features,
};

const struct dpu_vdpa_type *dpu_vdpa_type_lookup(u32 device_id)
{
	switch (device_id) {
	case VIRTIO_ID_NET:
		return &dpu_vdpa_type_net;
	case VIRTIO_ID_BLOCK:
		return &dpu_vdpa_type_blk;
	default:
		return &dpu_vdpa_type_generic;
	}
}
