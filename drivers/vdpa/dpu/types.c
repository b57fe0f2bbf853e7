// SPDX-License-Identifier: GPL-2.0-only
/*
 * The table of device types.  A type with code of its own lives in a file
 * of its own (net.c, blk.c) and has an entry in dpu_vdpa_types; any other
 * virtio device type is passed through as the function has it.
 */
#include "dpu_vdpa.h"

/* Features of a type without a control path of its own: the function's. */
u64 dpu_vdpa_type_passthrough_features(struct dpu_vdpa_fn *fn)
{
	return fn->features & (DPU_VDPA_TRANSPORT_FEATURES | DPU_VDPA_DEVICE_TYPE_FEATURES);
}

int dpu_vdpa_type_passthrough_probe(struct dpu_vdpa_fn *fn)
{
	fn->mgmt.max_supported_vqs = fn->num_queues;
	return 0;
}

/* Any other virtio device type: config writes go through as they are. */
static const struct dpu_vdpa_type dpu_vdpa_type_generic = {
	.config_attr_mask = BIT_ULL(VDPA_ATTR_DEV_FEATURES),
	.fn_probe = dpu_vdpa_type_passthrough_probe,
	.offered_features = dpu_vdpa_type_passthrough_features,
};

static const struct dpu_vdpa_type *const dpu_vdpa_types[] = {
	&dpu_vdpa_type_net,
	&dpu_vdpa_type_blk,
};

const struct dpu_vdpa_type *dpu_vdpa_type_lookup(u32 device_id)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dpu_vdpa_types); i++)
		if (dpu_vdpa_types[i]->device_id == device_id)
			return dpu_vdpa_types[i];
	return &dpu_vdpa_type_generic;
}
