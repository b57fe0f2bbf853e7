// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device config space as the consumer sees it: the function's own,
 * cut to what the device type presents, with the fields the driver
 * virtualizes (the MAC given to "vdpa dev add", the queue pairs, ...)
 * patched in by the type.  The vdpa ops, the state blob and the netlink
 * family all read it here.
 */
#include "dpu_vdpa.h"

#define DPU_VDPA_CONFIG_MAX	256

/* Bytes of config space the consumer sees. */
size_t dpu_vdpa_config_size(struct dpu_vdpa_dev *dev)
{
	size_t len = dev->fn->vpm.device_len;

	if (dev->fn->type->config_size)
		len = dev->fn->type->config_size(dev);
	return min_t(size_t, len, DPU_VDPA_CONFIG_MAX);
}

/*
 * The config space as the consumer sees it: the function's, with the
 * fields the driver virtualizes patched in.  @size is at most
 * dpu_vdpa_config_size(); state.c saves it.
 */
void dpu_vdpa_config_read(struct dpu_vdpa_dev *dev, u8 *buf, size_t size)
{
	u8 cfg[DPU_VDPA_CONFIG_MAX] = { };
	size_t full = dpu_vdpa_config_size(dev);

	dpu_vdpa_hw_read_config(dev->fn, cfg, full);
	if (dev->fn->type->config_patch)
		dev->fn->type->config_patch(dev, cfg, full);
	memcpy(buf, cfg, min(size, full));
}

/* get_config: bytes past the end read as 0. */
void dpu_vdpa_config_get(struct dpu_vdpa_dev *dev, unsigned int offset, void *buf,
			 unsigned int len)
{
	size_t size = dpu_vdpa_config_size(dev);
	u8 cfg[DPU_VDPA_CONFIG_MAX];

	memset(buf, 0, len);
	if (offset >= size)
		return;
	dpu_vdpa_config_read(dev, cfg, size);
	memcpy(buf, cfg + offset, min_t(size_t, len, size - offset));
}

/* set_config: only where the type lets the consumer write. */
void dpu_vdpa_config_set(struct dpu_vdpa_dev *dev, unsigned int offset, const void *buf,
			 unsigned int len)
{
	const struct dpu_vdpa_type *type = dev->fn->type;

	if (offset + len > dev->fn->vpm.device_len ||
	    (type->config_writable && !type->config_writable(dev, offset, len))) {
		dev_dbg(&dev->vdpa.dev, "config write at %u len %u ignored\n", offset, len);
		return;
	}
	dpu_vdpa_hw_write_config(dev->fn, offset, buf, len);
}
