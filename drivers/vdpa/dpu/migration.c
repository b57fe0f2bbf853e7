// SPDX-License-Identifier: GPL-2.0-only
/*
 * Suspend, resume and the dirty log.  (Being written: see shadow.c.)
 */
#include "dpu_vdpa.h"

int dpu_vdpa_suspend(struct dpu_vdpa_dev *dev, struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_MOD(extack, "suspend is not implemented yet");
	return -EOPNOTSUPP;
}

int dpu_vdpa_resume(struct dpu_vdpa_dev *dev, struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_MOD(extack, "resume is not implemented yet");
	return -EOPNOTSUPP;
}

int dpu_vdpa_log_start(struct dpu_vdpa_dev *dev, u32 page_size, u64 iova, u64 len,
		       struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_MOD(extack, "dirty logging is not implemented yet");
	return -EOPNOTSUPP;
}

int dpu_vdpa_log_sync(struct dpu_vdpa_dev *dev, u64 iova, u64 npages,
		      unsigned long *bitmap, u64 *dirty, struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_MOD(extack, "dirty logging is not implemented yet");
	return -EOPNOTSUPP;
}

int dpu_vdpa_log_stop(struct dpu_vdpa_dev *dev, struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_MOD(extack, "dirty logging is not implemented yet");
	return -EOPNOTSUPP;
}
