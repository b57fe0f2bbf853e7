// SPDX-License-Identifier: GPL-2.0-only
/* Device-state save and restore: placeholder until the blob code lands. */
#include "dpu_vdpa.h"

int dpu_vdpa_state_save(struct dpu_vdpa_dev *dev, void **blob, size_t *len,
			struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_MOD(extack, "state save is not implemented yet");
	return -EOPNOTSUPP;
}

int dpu_vdpa_state_load(struct dpu_vdpa_dev *dev, const void *blob, size_t len,
			struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_MOD(extack, "state load is not implemented yet");
	return -EOPNOTSUPP;
}
