// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtio-blk device type: config space and queues are the function's,
 * passed through; only the write-cache mode may be written.
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "dpu_vdpa.h"

/* virtio-blk: only the write-cache mode is writable (VIRTIO_BLK_F_CONFIG_WCE). */
static bool blk_config_writable(struct dpu_vdpa_dev *dev, unsigned int offset, unsigned int len)
{
	return offset == offsetof(struct virtio_blk_config, wce) && len == 1 &&
	       dev->driver_features & BIT_ULL(VIRTIO_BLK_F_CONFIG_WCE);
}

const struct dpu_vdpa_type dpu_vdpa_type_blk = {
	.device_id = VIRTIO_ID_BLOCK,
	.config_attr_mask = BIT_ULL(VDPA_ATTR_DEV_FEATURES),
	.fn_probe = dpu_vdpa_type_passthrough_probe,
	.offered_features = dpu_vdpa_type_passthrough_features,
	.config_writable = blk_config_writable,
};
