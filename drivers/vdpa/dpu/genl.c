// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "dpu_vdpa" generic netlink family (include/uapi/linux/dpu_vdpa.h):
 * suspend, resume, dirty log, device state, and a query, for any dpu_vdpa
 * device whichever bus driver holds it.
 *
 * Devices are found by name in dpu_vdpa_devs.  dpu_vdpa_devs_lock is held
 * for a whole command, so a device cannot be deleted under it: dev_del
 * takes it (inside the vdpa core's device lock) to unlink the device.
 * Commands take it before dev->lock and never take a vdpa core lock.
 */
#include <linux/vmalloc.h>
#include <net/genetlink.h>
#include <linux/dpu_vdpa_state.h>

#include "dpu_vdpa.h"

static LIST_HEAD(dpu_vdpa_devs);
static DEFINE_MUTEX(dpu_vdpa_devs_lock);	/* protects dpu_vdpa_devs */

void dpu_vdpa_genl_dev_add(struct dpu_vdpa_dev *dev)
{
	mutex_lock(&dpu_vdpa_devs_lock);
	list_add_tail(&dev->node, &dpu_vdpa_devs);
	mutex_unlock(&dpu_vdpa_devs_lock);
}

void dpu_vdpa_genl_dev_del(struct dpu_vdpa_dev *dev)
{
	mutex_lock(&dpu_vdpa_devs_lock);
	list_del_init(&dev->node);
	mutex_unlock(&dpu_vdpa_devs_lock);
}

static const struct nla_policy dpu_vdpa_genl_policy[DPU_VDPA_A_MAX + 1] = {
	[DPU_VDPA_A_DEV_NAME] = { .type = NLA_NUL_STRING, .len = 63 },
	[DPU_VDPA_A_LOG_PAGE_SIZE] = { .type = NLA_U32 },	/* checked by log_start */
	[DPU_VDPA_A_LOG_IOVA] = { .type = NLA_U64 },
	[DPU_VDPA_A_LOG_LEN] = { .type = NLA_U64 },
	[DPU_VDPA_A_STATE] = { .type = NLA_BINARY, .len = DPU_VDPA_STATE_MAX_LEN },
	[DPU_VDPA_A_LOG_OWNED] = { .type = NLA_FLAG },
};

/*
 * A required attribute: the missing type goes in the extack for programs
 * (NLMSGERR_ATTR_MISS_TYPE), its name in the message for people.
 */
static bool dpu_vdpa_genl_missing(struct genl_info *info, int type, const char *name)
{
	if (!GENL_REQ_ATTR_CHECK(info, type))
		return false;
	NL_SET_ERR_MSG_FMT_MOD(info->extack, "%s is required", name);
	return true;
}

/* The device named in the request; dpu_vdpa_devs_lock held. */
static struct dpu_vdpa_dev *dpu_vdpa_genl_find(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[DPU_VDPA_A_DEV_NAME];
	struct dpu_vdpa_dev *dev;

	lockdep_assert_held(&dpu_vdpa_devs_lock);
	if (dpu_vdpa_genl_missing(info, DPU_VDPA_A_DEV_NAME, "device name (DPU_VDPA_A_DEV_NAME)"))
		return ERR_PTR(-EINVAL);
	list_for_each_entry(dev, &dpu_vdpa_devs, node)
		if (!strcmp(dev_name(&dev->vdpa.dev), nla_data(attr)))
			return dev;
	NL_SET_ERR_MSG_FMT_MOD(info->extack, "no dpu_vdpa device named \"%s\"",
			       (char *)nla_data(attr));
	NL_SET_BAD_ATTR(info->extack, attr);
	return ERR_PTR(-ENODEV);
}

static int dpu_vdpa_genl_put_stats(struct sk_buff *msg, struct dpu_vdpa_dev *dev)
{
	const struct {
		int attr;
		atomic64_t *val;
	} stats[] = {
		{ DPU_VDPA_STAT_RELAYED_AVAIL, &dev->stats.relayed_avail },
		{ DPU_VDPA_STAT_RELAYED_USED, &dev->stats.relayed_used },
		{ DPU_VDPA_STAT_DIRTY_MARKED, &dev->stats.dirty_marked },
		{ DPU_VDPA_STAT_SUSPENDS, &dev->stats.suspends },
		{ DPU_VDPA_STAT_MODE_SWITCHES, &dev->stats.mode_switches },
		{ DPU_VDPA_STAT_REWOUND, &dev->stats.rewound },
		{ DPU_VDPA_STAT_RING_ERRORS, &dev->stats.ring_errors },
	};
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(msg, DPU_VDPA_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(stats); i++)
		if (nla_put_u64_64bit(msg, stats[i].attr, atomic64_read(stats[i].val),
				      DPU_VDPA_STAT_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static u32 dpu_vdpa_genl_shadow_vqs(struct dpu_vdpa_dev *dev)
{
	u32 n = 0;
	u16 i;

	for (i = 0; i < dev->nvqs; i++)
		n += READ_ONCE(dev->vqs[i].shadow);
	return n;
}

/*
 * @admin: the caller has CAP_NET_ADMIN.  A staged state is the guest's (its
 * MAC, RX mode, ring positions), like a saved one, which only an admin may
 * save: others do not see it.
 */
static int dpu_vdpa_genl_fill_dev(struct sk_buff *msg, struct dpu_vdpa_dev *dev, u32 portid,
				  u32 seq, int flags, bool admin)
{
	struct device_driver *drv = READ_ONCE(dev->vdpa.dev.driver);
	char mgmtdev[32];
	void *hdr;
	int err = -EMSGSIZE;

	hdr = genlmsg_put(msg, portid, seq, &dpu_vdpa_genl_family, flags, DPU_VDPA_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	snprintf(mgmtdev, sizeof(mgmtdev), "pci/%s", pci_name(dev->fn->pdev));
	mutex_lock(&dev->lock);
	if (nla_put_string(msg, DPU_VDPA_A_DEV_NAME, dev_name(&dev->vdpa.dev)) ||
	    nla_put_string(msg, DPU_VDPA_A_MGMTDEV_NAME, mgmtdev) ||
	    nla_put_u32(msg, DPU_VDPA_A_DEVICE_ID, dev->fn->vpm.id.device) ||
	    nla_put_string(msg, DPU_VDPA_A_BUS_DRIVER, drv ? drv->name : "") ||
	    /* with NEEDS_RESET when the consumer would see it */
	    nla_put_u8(msg, DPU_VDPA_A_STATUS, dev->vdpa.config->get_status(&dev->vdpa)) ||
	    nla_put_u8(msg, DPU_VDPA_A_MODE, dev->mode) ||
	    nla_put_u8(msg, DPU_VDPA_A_SUSPENDED, dev->suspended) ||
	    nla_put_u8(msg, DPU_VDPA_A_LOGGING, dev->log.active))
		goto out;
	if (dev->log.active &&
	    (nla_put_u32(msg, DPU_VDPA_A_LOG_PAGE_SIZE, 1U << dev->log.page_shift) ||
	     nla_put_u64_64bit(msg, DPU_VDPA_A_LOG_IOVA, dev->log.iova, DPU_VDPA_A_PAD) ||
	     nla_put_u64_64bit(msg, DPU_VDPA_A_LOG_LEN, dev->log.len, DPU_VDPA_A_PAD) ||
	     (dev->log.owner && nla_put_flag(msg, DPU_VDPA_A_LOG_OWNED))))
		goto out;
	if (dpu_vdpa_genl_put_stats(msg, dev) ||
	    nla_put_u32(msg, DPU_VDPA_A_SHADOW_VQS, dpu_vdpa_genl_shadow_vqs(dev)) ||
	    nla_put_u32(msg, DPU_VDPA_A_CORE_CAPS, dpu_vdpa_core_caps()) ||
	    (admin && dpu_vdpa_state_put_staged(msg, dev)))
		goto out;
	err = 0;
out:
	mutex_unlock(&dev->lock);
	if (err) {
		genlmsg_cancel(msg, hdr);
		return err;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

static int dpu_vdpa_genl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct dpu_vdpa_dev *dev;
	struct sk_buff *msg;
	int err;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&dpu_vdpa_devs_lock);
	dev = dpu_vdpa_genl_find(info);
	err = IS_ERR(dev) ? PTR_ERR(dev) :
	      dpu_vdpa_genl_fill_dev(msg, dev, info->snd_portid, info->snd_seq, 0,
				     netlink_capable(skb, CAP_NET_ADMIN));
	mutex_unlock(&dpu_vdpa_devs_lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int dpu_vdpa_genl_dev_get_dumpit(struct sk_buff *msg, struct netlink_callback *cb)
{
	struct dpu_vdpa_dev *dev;
	long idx = 0, start = cb->args[0];
	int err = 0;

	mutex_lock(&dpu_vdpa_devs_lock);
	list_for_each_entry(dev, &dpu_vdpa_devs, node) {
		if (idx++ < start)
			continue;
		err = dpu_vdpa_genl_fill_dev(msg, dev, NETLINK_CB(cb->skb).portid,
					     cb->nlh->nlmsg_seq, NLM_F_MULTI,
					     netlink_capable(cb->skb, CAP_NET_ADMIN));
		if (err) {
			idx--;
			break;
		}
	}
	mutex_unlock(&dpu_vdpa_devs_lock);
	cb->args[0] = idx;
	/* a full message ends this part of the dump; the next part goes on */
	if (err == -EMSGSIZE && msg->len)
		return msg->len;
	return err ?: msg->len;
}

/* The commands that only act on the device: suspend, resume, log stop. */
static int dpu_vdpa_genl_dev_op(struct genl_info *info,
				int (*op)(struct dpu_vdpa_dev *dev, struct netlink_ext_ack *extack))
{
	struct dpu_vdpa_dev *dev;
	int err;

	mutex_lock(&dpu_vdpa_devs_lock);
	dev = dpu_vdpa_genl_find(info);
	err = IS_ERR(dev) ? PTR_ERR(dev) : op(dev, info->extack);
	mutex_unlock(&dpu_vdpa_devs_lock);
	return err;
}

static int dpu_vdpa_genl_suspend(struct sk_buff *skb, struct genl_info *info)
{
	return dpu_vdpa_genl_dev_op(info, dpu_vdpa_suspend);
}

static int dpu_vdpa_genl_resume(struct sk_buff *skb, struct genl_info *info)
{
	return dpu_vdpa_genl_dev_op(info, dpu_vdpa_resume);
}

static int dpu_vdpa_genl_log_stop(struct sk_buff *skb, struct genl_info *info)
{
	return dpu_vdpa_genl_dev_op(info, dpu_vdpa_log_stop);
}

static int dpu_vdpa_genl_log_start(struct sk_buff *skb, struct genl_info *info)
{
	struct dpu_vdpa_dev *dev;
	u32 page_size = SZ_4K, owner = 0;
	u64 iova = 0, len = 0;	/* len 0: the consumer's whole address space */
	int err;

	if (info->attrs[DPU_VDPA_A_LOG_IOVA] &&
	    dpu_vdpa_genl_missing(info, DPU_VDPA_A_LOG_LEN,
				  "DPU_VDPA_A_LOG_LEN (with DPU_VDPA_A_LOG_IOVA)"))
		return -EINVAL;
	if (info->attrs[DPU_VDPA_A_LOG_LEN]) {
		len = nla_get_u64(info->attrs[DPU_VDPA_A_LOG_LEN]);
		if (!len) {
			NL_SET_ERR_MSG_MOD(info->extack, "empty IOVA range");
			NL_SET_BAD_ATTR(info->extack, info->attrs[DPU_VDPA_A_LOG_LEN]);
			return -EINVAL;
		}
	}
	if (info->attrs[DPU_VDPA_A_LOG_IOVA])
		iova = nla_get_u64(info->attrs[DPU_VDPA_A_LOG_IOVA]);
	if (info->attrs[DPU_VDPA_A_LOG_PAGE_SIZE])
		page_size = nla_get_u32(info->attrs[DPU_VDPA_A_LOG_PAGE_SIZE]);
	if (nla_get_flag(info->attrs[DPU_VDPA_A_LOG_OWNED])) {
		/* a kernel socket has port 0, which means "no owner" */
		if (!info->snd_portid) {
			NL_SET_ERR_MSG_MOD(info->extack, "an owned log needs a socket with a port");
			return -EINVAL;
		}
		owner = info->snd_portid;
	}
	mutex_lock(&dpu_vdpa_devs_lock);
	dev = dpu_vdpa_genl_find(info);
	err = IS_ERR(dev) ? PTR_ERR(dev) :
	      dpu_vdpa_log_start(dev, page_size, iova, len, owner, info->extack);
	mutex_unlock(&dpu_vdpa_devs_lock);
	return err;
}

static int dpu_vdpa_genl_log_sync(struct sk_buff *skb, struct genl_info *info)
{
	struct dpu_vdpa_dev *dev;
	struct sk_buff *msg = NULL;
	unsigned long *bitmap = NULL;
	u64 iova, npages, len, dirty = 0;
	u32 page_size;
	void *hdr;
	int err;

	if (dpu_vdpa_genl_missing(info, DPU_VDPA_A_LOG_IOVA, "DPU_VDPA_A_LOG_IOVA"))
		return -EINVAL;
	iova = nla_get_u64(info->attrs[DPU_VDPA_A_LOG_IOVA]);

	mutex_lock(&dpu_vdpa_devs_lock);
	dev = dpu_vdpa_genl_find(info);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto out;
	}
	mutex_lock(&dev->lock);
	page_size = dev->log.active ? 1U << dev->log.page_shift : 0;
	mutex_unlock(&dev->lock);
	if (!page_size) {
		NL_SET_ERR_MSG_MOD(info->extack, "dirty logging is not started");
		err = -ENOENT;
		goto out;
	}
	len = (u64)DPU_VDPA_LOG_SYNC_MAX_PAGES * page_size;
	if (info->attrs[DPU_VDPA_A_LOG_LEN])
		len = nla_get_u64(info->attrs[DPU_VDPA_A_LOG_LEN]);
	if (!len || len % page_size || len / page_size > DPU_VDPA_LOG_SYNC_MAX_PAGES) {
		NL_SET_ERR_MSG_FMT_MOD(info->extack, "len: multiple of %u bytes, 1 to %u pages",
				       page_size, DPU_VDPA_LOG_SYNC_MAX_PAGES);
		err = -EINVAL;
		goto out;
	}
	npages = len / page_size;
	bitmap = bitmap_zalloc(npages, GFP_KERNEL);
	msg = genlmsg_new(nla_total_size(BITS_TO_BYTES(npages)) + 128, GFP_KERNEL);
	if (!bitmap || !msg) {
		err = -ENOMEM;
		goto out;
	}
	err = dpu_vdpa_log_sync(dev, iova, npages, bitmap, &dirty, info->extack);
	if (err)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &dpu_vdpa_genl_family, 0, DPU_VDPA_CMD_LOG_SYNC);
	err = -EMSGSIZE;
	if (!hdr ||
	    nla_put_u64_64bit(msg, DPU_VDPA_A_LOG_IOVA, iova, DPU_VDPA_A_PAD) ||
	    nla_put_u64_64bit(msg, DPU_VDPA_A_LOG_LEN, len, DPU_VDPA_A_PAD) ||
	    nla_put_u32(msg, DPU_VDPA_A_LOG_PAGE_SIZE, page_size) ||
	    nla_put_u64_64bit(msg, DPU_VDPA_A_LOG_DIRTY, dirty, DPU_VDPA_A_PAD))
		goto out;
	/* bit i of byte i / 8, LSB first: a bitmap of longs, little-endian */
	bitmap_to_arr32((u32 *)bitmap, bitmap, npages);
	cpu_to_le32_array((u32 *)bitmap, DIV_ROUND_UP(npages, 32));
	if (nla_put(msg, DPU_VDPA_A_LOG_BITMAP, BITS_TO_BYTES(npages), bitmap))
		goto out;
	genlmsg_end(msg, hdr);
	mutex_unlock(&dpu_vdpa_devs_lock);
	bitmap_free(bitmap);
	return genlmsg_reply(msg, info);

out:
	mutex_unlock(&dpu_vdpa_devs_lock);
	bitmap_free(bitmap);
	nlmsg_free(msg);
	return err;
}

static int dpu_vdpa_genl_state_save(struct sk_buff *skb, struct genl_info *info)
{
	struct dpu_vdpa_dev *dev;
	struct sk_buff *msg = NULL;
	void *blob = NULL, *hdr;
	size_t len = 0;
	int err;

	mutex_lock(&dpu_vdpa_devs_lock);
	dev = dpu_vdpa_genl_find(info);
	err = IS_ERR(dev) ? PTR_ERR(dev) : dpu_vdpa_state_save(dev, &blob, &len, info->extack);
	mutex_unlock(&dpu_vdpa_devs_lock);
	if (err)
		return err;
	err = -EMSGSIZE;
	if (len > DPU_VDPA_STATE_MAX_LEN) {
		NL_SET_ERR_MSG_MOD(info->extack, "device state does not fit one message");
		goto out;
	}
	err = -ENOMEM;
	msg = genlmsg_new(nla_total_size(len) + 64, GFP_KERNEL);
	if (!msg)
		goto out;
	err = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &dpu_vdpa_genl_family, 0, DPU_VDPA_CMD_STATE_SAVE);
	if (!hdr || nla_put(msg, DPU_VDPA_A_STATE, len, blob))
		goto out;
	genlmsg_end(msg, hdr);
	kvfree(blob);
	return genlmsg_reply(msg, info);

out:
	nlmsg_free(msg);
	kvfree(blob);
	return err;
}

static int dpu_vdpa_genl_state_load(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[DPU_VDPA_A_STATE];
	struct dpu_vdpa_dev *dev;
	int err;

	if (dpu_vdpa_genl_missing(info, DPU_VDPA_A_STATE, "DPU_VDPA_A_STATE"))
		return -EINVAL;
	mutex_lock(&dpu_vdpa_devs_lock);
	dev = dpu_vdpa_genl_find(info);
	err = IS_ERR(dev) ? PTR_ERR(dev) :
	      dpu_vdpa_state_load(dev, nla_data(attr), nla_len(attr), info->extack);
	mutex_unlock(&dpu_vdpa_devs_lock);
	return err;
}

static const struct genl_ops dpu_vdpa_genl_ops[] = {
	{
		.cmd = DPU_VDPA_CMD_DEV_GET,
		.doit = dpu_vdpa_genl_dev_get_doit,
		.dumpit = dpu_vdpa_genl_dev_get_dumpit,
	},
	{
		.cmd = DPU_VDPA_CMD_SUSPEND,
		.doit = dpu_vdpa_genl_suspend,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DPU_VDPA_CMD_RESUME,
		.doit = dpu_vdpa_genl_resume,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DPU_VDPA_CMD_LOG_START,
		.doit = dpu_vdpa_genl_log_start,
		.flags = GENL_ADMIN_PERM,
	},
	{
		/* it clears the bits it returns: a change */
		.cmd = DPU_VDPA_CMD_LOG_SYNC,
		.doit = dpu_vdpa_genl_log_sync,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DPU_VDPA_CMD_LOG_STOP,
		.doit = dpu_vdpa_genl_log_stop,
		.flags = GENL_ADMIN_PERM,
	},
	{
		/* the state is the guest's: no less private than a change */
		.cmd = DPU_VDPA_CMD_STATE_SAVE,
		.doit = dpu_vdpa_genl_state_save,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DPU_VDPA_CMD_STATE_LOAD,
		.doit = dpu_vdpa_genl_state_load,
		.flags = GENL_ADMIN_PERM,
	},
};

struct genl_family dpu_vdpa_genl_family __ro_after_init = {
	.name = DPU_VDPA_GENL_NAME,
	.version = DPU_VDPA_GENL_VERSION,
	.maxattr = DPU_VDPA_A_MAX,
	.policy = dpu_vdpa_genl_policy,
	.resv_start_op = DPU_VDPA_CMD_STATE_LOAD + 1,	/* strict checks on every command */
	.module = THIS_MODULE,
	.ops = dpu_vdpa_genl_ops,
	.n_ops = ARRAY_SIZE(dpu_vdpa_genl_ops),
	.netnsok = false,
};

/*
 * A closed socket releases the logs it owns (LOG_OWNED).  Called in
 * process context, with no netlink lock held, for every netlink socket of
 * any protocol that had a port.  The family lives in init_net only.
 */
static int dpu_vdpa_genl_sock_released(struct notifier_block *nb, unsigned long event,
				       void *ptr)
{
	struct netlink_notify *n = ptr;
	struct dpu_vdpa_dev *dev;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC || !n->portid ||
	    !net_eq(n->net, &init_net))
		return NOTIFY_DONE;
	mutex_lock(&dpu_vdpa_devs_lock);
	list_for_each_entry(dev, &dpu_vdpa_devs, node)
		dpu_vdpa_log_release(dev, n->portid);
	mutex_unlock(&dpu_vdpa_devs_lock);
	return NOTIFY_DONE;
}

static struct notifier_block dpu_vdpa_genl_notifier = {
	.notifier_call = dpu_vdpa_genl_sock_released,
};

int dpu_vdpa_genl_register(void)
{
	int err;

	err = netlink_register_notifier(&dpu_vdpa_genl_notifier);
	if (err)
		return err;
	err = genl_register_family(&dpu_vdpa_genl_family);
	if (err)
		netlink_unregister_notifier(&dpu_vdpa_genl_notifier);
	return err;
}

void dpu_vdpa_genl_unregister(void)
{
	genl_unregister_family(&dpu_vdpa_genl_family);
	netlink_unregister_notifier(&dpu_vdpa_genl_notifier);
}
