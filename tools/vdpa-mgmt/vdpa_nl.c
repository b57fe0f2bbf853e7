// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's "vdpa" generic netlink family: requests built into a
 * buffer, replies parsed into the structs of libvdpamgmt.h, and the
 * session calls that tie the two to nl.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/vdpa.h>

#include "internal.h"

_Static_assert(VDPA_ATTR_MAX <= 64, "attribute presence is kept in a u64");

/* --- requests */

/*
 * "pci/0000:00:08.0" is bus "pci" and device "0000:00:08.0"; a handle
 * without a slash is a device name alone (vdpa_sim's "vdpasim_net").
 */
static int put_mgmtdev_handle(struct nlmsghdr *nlh, size_t size, const char *handle)
{
	const char *slash = strchr(handle, '/');
	char bus[VDPAMGMT_NAME_MAX];

	if (!*handle)
		return -EINVAL;
	if (slash) {
		size_t len = (size_t)(slash - handle);

		if (!len || !slash[1] || strchr(slash + 1, '/'))
			return -EINVAL;
		if (len >= sizeof(bus))
			return -EMSGSIZE;
		memcpy(bus, handle, len);
		bus[len] = '\0';
		if (!mnl_attr_put_strz_check(nlh, size, VDPA_ATTR_MGMTDEV_BUS_NAME, bus))
			return -EMSGSIZE;
		handle = slash + 1;
	}
	if (!mnl_attr_put_strz_check(nlh, size, VDPA_ATTR_MGMTDEV_DEV_NAME, handle))
		return -EMSGSIZE;
	return 0;
}

static int put_dev_name(struct nlmsghdr *nlh, size_t size, const char *name)
{
	if (!name || !*name)
		return -EINVAL;
	if (!mnl_attr_put_strz_check(nlh, size, VDPA_ATTR_DEV_NAME, name))
		return -EMSGSIZE;
	return 0;
}

static struct nlmsghdr *vdpa_msg_start(void *buf, size_t size, uint16_t family, uint32_t seq,
				       uint8_t cmd, uint16_t flags)
{
	return genl_msg_start(buf, size, family, cmd, VDPA_GENL_VERSION, flags, seq);
}

int vdpamgmt_build_get(void *buf, size_t size, uint16_t family, uint32_t seq, uint8_t cmd,
		       const char *name)
{
	struct nlmsghdr *nlh;
	int err = 0;

	nlh = vdpa_msg_start(buf, size, family, seq, cmd, name ? 0 : NLM_F_DUMP);
	if (!nlh)
		return -EMSGSIZE;
	if (name && cmd == VDPA_CMD_MGMTDEV_GET)
		err = put_mgmtdev_handle(nlh, size, name);
	else if (name)
		err = put_dev_name(nlh, size, name);
	return err ? err : (int)nlh->nlmsg_len;
}

int vdpamgmt_build_dev_add(void *buf, size_t size, uint16_t family, uint32_t seq,
			   const struct vdpamgmt_dev_params *p)
{
	struct nlmsghdr *nlh;
	int err;

	if (!p->mgmtdev)
		return -EINVAL;
	nlh = vdpa_msg_start(buf, size, family, seq, VDPA_CMD_DEV_NEW, 0);
	if (!nlh)
		return -EMSGSIZE;
	err = put_mgmtdev_handle(nlh, size, p->mgmtdev);
	if (!err)
		err = put_dev_name(nlh, size, p->name);
	if (err)
		return err;
	if ((p->set & VDPAMGMT_DEV_PARAM_MAC) &&
	    !mnl_attr_put_check(nlh, size, VDPA_ATTR_DEV_NET_CFG_MACADDR, sizeof(p->mac), p->mac))
		return -EMSGSIZE;
	if ((p->set & VDPAMGMT_DEV_PARAM_MTU) &&
	    !mnl_attr_put_u16_check(nlh, size, VDPA_ATTR_DEV_NET_CFG_MTU, p->mtu))
		return -EMSGSIZE;
	if ((p->set & VDPAMGMT_DEV_PARAM_MAX_VQP) &&
	    !mnl_attr_put_u16_check(nlh, size, VDPA_ATTR_DEV_NET_CFG_MAX_VQP, p->max_vq_pairs))
		return -EMSGSIZE;
	if ((p->set & VDPAMGMT_DEV_PARAM_FEATURES) &&
	    !mnl_attr_put_u64_check(nlh, size, VDPA_ATTR_DEV_FEATURES, p->device_features))
		return -EMSGSIZE;
	return (int)nlh->nlmsg_len;
}

int vdpamgmt_build_dev_set(void *buf, size_t size, uint16_t family, uint32_t seq,
			   const struct vdpamgmt_dev_params *p)
{
	struct nlmsghdr *nlh;
	int err;

	/* the kernel changes nothing but the MAC (VDPA_CMD_DEV_ATTR_SET) */
	if (p->set != VDPAMGMT_DEV_PARAM_MAC)
		return -EINVAL;
	nlh = vdpa_msg_start(buf, size, family, seq, VDPA_CMD_DEV_ATTR_SET, 0);
	if (!nlh)
		return -EMSGSIZE;
	err = put_dev_name(nlh, size, p->name);
	if (err)
		return err;
	if (!mnl_attr_put_check(nlh, size, VDPA_ATTR_DEV_NET_CFG_MACADDR, sizeof(p->mac), p->mac))
		return -EMSGSIZE;
	return (int)nlh->nlmsg_len;
}

int vdpamgmt_build_dev_del(void *buf, size_t size, uint16_t family, uint32_t seq, const char *name)
{
	struct nlmsghdr *nlh;
	int err;

	nlh = vdpa_msg_start(buf, size, family, seq, VDPA_CMD_DEV_DEL, 0);
	if (!nlh)
		return -EMSGSIZE;
	err = put_dev_name(nlh, size, name);
	return err ? err : (int)nlh->nlmsg_len;
}

/* --- replies */

struct attr_table {
	const struct nlattr *tb[VDPA_ATTR_MAX + 1];
	uint64_t present;
};

static int attr_table_parse(const struct nlmsghdr *nlh, struct attr_table *t)
{
	return nl_attrs_parse(nlh, t->tb, VDPA_ATTR_MAX, &t->present);
}

static int mgmtdev_handle_get(const struct attr_table *t, char *out, size_t size)
{
	char bus[VDPAMGMT_NAME_MAX], dev[VDPAMGMT_NAME_MAX];
	int n;

	if (!t->tb[VDPA_ATTR_MGMTDEV_DEV_NAME] ||
	    nl_attr_get_str(t->tb[VDPA_ATTR_MGMTDEV_DEV_NAME], dev, sizeof(dev)))
		return -EINVAL;
	if (!t->tb[VDPA_ATTR_MGMTDEV_BUS_NAME]) {
		n = snprintf(out, size, "%s", dev);
	} else {
		if (nl_attr_get_str(t->tb[VDPA_ATTR_MGMTDEV_BUS_NAME], bus, sizeof(bus)))
			return -EINVAL;
		n = snprintf(out, size, "%s/%s", bus, dev);
	}
	return (size_t)n < size ? 0 : -EINVAL;
}

static const struct nl_uint_field mgmtdev_fields[] = {
	NL_FIELD(VDPA_ATTR_MGMTDEV_SUPPORTED_CLASSES, struct vdpamgmt_mgmtdev, classes),
	NL_FIELD(VDPA_ATTR_DEV_MGMTDEV_MAX_VQS, struct vdpamgmt_mgmtdev, max_supported_vqs),
	NL_FIELD(VDPA_ATTR_DEV_SUPPORTED_FEATURES, struct vdpamgmt_mgmtdev, supported_features),
};

int vdpamgmt_parse_mgmtdev(const struct nlmsghdr *nlh, struct vdpamgmt_mgmtdev *out)
{
	struct attr_table t;

	memset(out, 0, sizeof(*out));
	if (attr_table_parse(nlh, &t) || mgmtdev_handle_get(&t, out->handle, sizeof(out->handle)))
		return -EINVAL;
	out->present = t.present;
	return nl_store_uint_fields(t.tb, out, mgmtdev_fields, ARRAY_SIZE(mgmtdev_fields));
}

static const struct nl_uint_field dev_fields[] = {
	NL_FIELD(VDPA_ATTR_DEV_ID, struct vdpamgmt_dev, device_id),
	NL_FIELD(VDPA_ATTR_DEV_VENDOR_ID, struct vdpamgmt_dev, vendor_id),
	NL_FIELD(VDPA_ATTR_DEV_MAX_VQS, struct vdpamgmt_dev, max_vqs),
	NL_FIELD(VDPA_ATTR_DEV_MAX_VQ_SIZE, struct vdpamgmt_dev, max_vq_size),
	NL_FIELD(VDPA_ATTR_DEV_MIN_VQ_SIZE, struct vdpamgmt_dev, min_vq_size),
};

int vdpamgmt_parse_dev(const struct nlmsghdr *nlh, struct vdpamgmt_dev *out)
{
	struct attr_table t;

	memset(out, 0, sizeof(*out));
	if (attr_table_parse(nlh, &t) || !t.tb[VDPA_ATTR_DEV_NAME] || !t.tb[VDPA_ATTR_DEV_ID] ||
	    nl_attr_get_str(t.tb[VDPA_ATTR_DEV_NAME], out->name, sizeof(out->name)) ||
	    mgmtdev_handle_get(&t, out->mgmtdev, sizeof(out->mgmtdev)))
		return -EINVAL;
	out->present = t.present;
	return nl_store_uint_fields(t.tb, out, dev_fields, ARRAY_SIZE(dev_fields));
}

static const struct nl_uint_field config_fields[] = {
	NL_FIELD(VDPA_ATTR_DEV_ID, struct vdpamgmt_dev_config, device_id),
	NL_FIELD(VDPA_ATTR_DEV_NEGOTIATED_FEATURES, struct vdpamgmt_dev_config,
	      negotiated_features),
	NL_FIELD(VDPA_ATTR_DEV_FEATURES, struct vdpamgmt_dev_config, device_features),
	NL_FIELD(VDPA_ATTR_DEV_NET_STATUS, struct vdpamgmt_dev_config, net.status),
	NL_FIELD(VDPA_ATTR_DEV_NET_CFG_MAX_VQP, struct vdpamgmt_dev_config, net.max_vq_pairs),
	NL_FIELD(VDPA_ATTR_DEV_NET_CFG_MTU, struct vdpamgmt_dev_config, net.mtu),
	NL_FIELD(VDPA_ATTR_DEV_BLK_CFG_CAPACITY, struct vdpamgmt_dev_config, blk.capacity),
	NL_FIELD(VDPA_ATTR_DEV_BLK_CFG_SIZE_MAX, struct vdpamgmt_dev_config, blk.size_max),
	NL_FIELD(VDPA_ATTR_DEV_BLK_CFG_BLK_SIZE, struct vdpamgmt_dev_config, blk.blk_size),
	NL_FIELD(VDPA_ATTR_DEV_BLK_CFG_SEG_MAX, struct vdpamgmt_dev_config, blk.seg_max),
	NL_FIELD(VDPA_ATTR_DEV_BLK_CFG_NUM_QUEUES, struct vdpamgmt_dev_config, blk.num_queues),
	NL_FIELD(VDPA_ATTR_DEV_BLK_CFG_PHY_BLK_EXP, struct vdpamgmt_dev_config,
	      blk.physical_block_exp),
	NL_FIELD(VDPA_ATTR_DEV_BLK_CFG_ALIGN_OFFSET, struct vdpamgmt_dev_config,
	      blk.alignment_offset),
	NL_FIELD(VDPA_ATTR_DEV_BLK_CFG_MIN_IO_SIZE, struct vdpamgmt_dev_config, blk.min_io_size),
	NL_FIELD(VDPA_ATTR_DEV_BLK_CFG_OPT_IO_SIZE, struct vdpamgmt_dev_config, blk.opt_io_size),
	NL_FIELD(VDPA_ATTR_DEV_BLK_CFG_MAX_DISCARD_SEC, struct vdpamgmt_dev_config,
	      blk.max_discard_sectors),
	NL_FIELD(VDPA_ATTR_DEV_BLK_CFG_MAX_DISCARD_SEG, struct vdpamgmt_dev_config,
	      blk.max_discard_seg),
	NL_FIELD(VDPA_ATTR_DEV_BLK_CFG_DISCARD_SEC_ALIGN, struct vdpamgmt_dev_config,
	      blk.discard_sector_alignment),
	NL_FIELD(VDPA_ATTR_DEV_BLK_CFG_MAX_WRITE_ZEROES_SEC, struct vdpamgmt_dev_config,
	      blk.max_write_zeroes_sectors),
	NL_FIELD(VDPA_ATTR_DEV_BLK_CFG_MAX_WRITE_ZEROES_SEG, struct vdpamgmt_dev_config,
	      blk.max_write_zeroes_seg),
	NL_FIELD(VDPA_ATTR_DEV_BLK_READ_ONLY, struct vdpamgmt_dev_config, blk.read_only),
	NL_FIELD(VDPA_ATTR_DEV_BLK_FLUSH, struct vdpamgmt_dev_config, blk.flush),
};

int vdpamgmt_parse_dev_config(const struct nlmsghdr *nlh, struct vdpamgmt_dev_config *out)
{
	const struct nlattr *mac;
	struct attr_table t;

	memset(out, 0, sizeof(*out));
	if (attr_table_parse(nlh, &t) || !t.tb[VDPA_ATTR_DEV_NAME] || !t.tb[VDPA_ATTR_DEV_ID] ||
	    nl_attr_get_str(t.tb[VDPA_ATTR_DEV_NAME], out->name, sizeof(out->name)))
		return -EINVAL;
	mac = t.tb[VDPA_ATTR_DEV_NET_CFG_MACADDR];
	if (mac) {
		if (mnl_attr_get_payload_len(mac) != sizeof(out->net.mac))
			return -EINVAL;
		memcpy(out->net.mac, mnl_attr_get_payload(mac), sizeof(out->net.mac));
	}
	out->present = t.present;
	return nl_store_uint_fields(t.tb, out, config_fields, ARRAY_SIZE(config_fields));
}

/* --- session calls */

static int vdpa_family(struct vdpamgmt *vm, uint16_t *family)
{
	int err = 0;

	if (!vm->vdpa_family)
		err = nl_family_id(vm, VDPA_GENL_NAME, &vm->vdpa_family);
	*family = vm->vdpa_family;
	return err;
}

/* A dump or a single object, each reply message parsed then handed on. */
struct walk {
	struct vdpamgmt *vm;
	int (*parse)(const struct nlmsghdr *nlh, void *obj);
	int (*deliver)(const struct walk *w);	/* to the caller's typed callback */
	void *obj;				/* where parse() puts one object */
	union {
		vdpamgmt_mgmtdev_cb mgmtdev;
		vdpamgmt_dev_cb dev;
		vdpamgmt_dev_config_cb config;
	} cb;
	void *arg;
	unsigned int count;
};

static int walk_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct walk *w = data;

	if (w->parse(nlh, w->obj))
		return vm_fail(w->vm, EPROTO, "malformed reply from the kernel");
	w->count++;
	return w->deliver ? w->deliver(w) : 0;
}

static int vdpa_walk(struct vdpamgmt *vm, uint8_t cmd, const char *name, struct walk *w)
{
	uint16_t family;
	int len, err;

	err = vdpa_family(vm, &family);
	if (err)
		return err;
	len = vdpamgmt_build_get(vm->req_buf, sizeof(vm->req_buf), family, 0, cmd, name);
	if (len < 0)
		return nl_build_failed(vm, len);
	w->vm = vm;
	err = nl_transact(vm, (struct nlmsghdr *)vm->req_buf, walk_msg_cb, w);
	if (!err && name && !w->count)
		return vm_fail(vm, EPROTO, "the kernel answered without an object");
	return err;
}

static int parse_mgmtdev(const struct nlmsghdr *nlh, void *obj)
{
	return vdpamgmt_parse_mgmtdev(nlh, obj);
}

static int deliver_mgmtdev(const struct walk *w)
{
	return w->cb.mgmtdev(w->obj, w->arg);
}

static int parse_dev(const struct nlmsghdr *nlh, void *obj)
{
	return vdpamgmt_parse_dev(nlh, obj);
}

static int deliver_dev(const struct walk *w)
{
	return w->cb.dev(w->obj, w->arg);
}

static int parse_dev_config(const struct nlmsghdr *nlh, void *obj)
{
	return vdpamgmt_parse_dev_config(nlh, obj);
}

static int deliver_dev_config(const struct walk *w)
{
	return w->cb.config(w->obj, w->arg);
}

int vdpamgmt_mgmtdev_get(struct vdpamgmt *vm, const char *handle, struct vdpamgmt_mgmtdev *out)
{
	struct walk w = { .parse = parse_mgmtdev, .obj = out };

	return vdpa_walk(vm, VDPA_CMD_MGMTDEV_GET, handle, &w);
}

int vdpamgmt_mgmtdev_for_each(struct vdpamgmt *vm, vdpamgmt_mgmtdev_cb cb, void *arg)
{
	struct vdpamgmt_mgmtdev one;
	struct walk w = { .parse = parse_mgmtdev, .deliver = deliver_mgmtdev, .obj = &one,
			  .cb.mgmtdev = cb, .arg = arg };

	return vdpa_walk(vm, VDPA_CMD_MGMTDEV_GET, NULL, &w);
}

int vdpamgmt_dev_get(struct vdpamgmt *vm, const char *name, struct vdpamgmt_dev *out)
{
	struct walk w = { .parse = parse_dev, .obj = out };

	return vdpa_walk(vm, VDPA_CMD_DEV_GET, name, &w);
}

int vdpamgmt_dev_for_each(struct vdpamgmt *vm, vdpamgmt_dev_cb cb, void *arg)
{
	struct vdpamgmt_dev one;
	struct walk w = { .parse = parse_dev, .deliver = deliver_dev, .obj = &one,
			  .cb.dev = cb, .arg = arg };

	return vdpa_walk(vm, VDPA_CMD_DEV_GET, NULL, &w);
}

int vdpamgmt_dev_config_get(struct vdpamgmt *vm, const char *name, struct vdpamgmt_dev_config *out)
{
	struct walk w = { .parse = parse_dev_config, .obj = out };

	return vdpa_walk(vm, VDPA_CMD_DEV_CONFIG_GET, name, &w);
}

int vdpamgmt_dev_config_for_each(struct vdpamgmt *vm, vdpamgmt_dev_config_cb cb, void *arg)
{
	struct vdpamgmt_dev_config one;
	struct walk w = { .parse = parse_dev_config, .deliver = deliver_dev_config, .obj = &one,
			  .cb.config = cb, .arg = arg };

	return vdpa_walk(vm, VDPA_CMD_DEV_CONFIG_GET, NULL, &w);
}

/* The kernel log names a management device "+bus:name", as in its handle. */
static void mgmtdev_kmsg_device(const char *handle, char *out, size_t size)
{
	const char *slash = strchr(handle, '/');

	if (slash)
		snprintf(out, size, "+%.*s:%s", (int)(slash - handle), handle, slash + 1);
	else
		out[0] = '\0';
}

/*
 * Send the request in vm->req_buf.  The vdpa core passes no extack to a
 * driver's dev_add or dev_set_attr: a driver can only say why it refused
 * in the kernel log, so on a failure without extack the first error the
 * kernel logged for DEVICE (a kmsg DEVICE= key; "" for none) is the reason.
 */
static int transact_driver_reason(struct vdpamgmt *vm, const char *device)
{
	char reason[VDPAMGMT_ERR_MAX];
	struct kmsg_mark mark;
	int err;

	kmsg_mark_set(&mark);
	err = nl_transact(vm, (struct nlmsghdr *)vm->req_buf, NULL, NULL);
	if (err && !vm->error_is_extack && device[0] &&
	    kmsg_error_since(&mark, device, reason, sizeof(reason)))
		vm_fail(vm, err, "%s", reason);
	kmsg_mark_release(&mark);
	return err;
}

int vdpamgmt_dev_add(struct vdpamgmt *vm, const struct vdpamgmt_dev_params *params)
{
	char device[VDPAMGMT_NAME_MAX + 2];
	uint16_t family;
	int len, err;

	err = vdpa_family(vm, &family);
	if (err)
		return err;
	len = vdpamgmt_build_dev_add(vm->req_buf, sizeof(vm->req_buf), family, 0, params);
	if (len < 0)
		return nl_build_failed(vm, len);
	mgmtdev_kmsg_device(params->mgmtdev, device, sizeof(device));
	return transact_driver_reason(vm, device);
}

int vdpamgmt_dev_del(struct vdpamgmt *vm, const char *name)
{
	uint16_t family;
	int len, err;

	err = vdpa_family(vm, &family);
	if (err)
		return err;
	len = vdpamgmt_build_dev_del(vm->req_buf, sizeof(vm->req_buf), family, 0, name);
	if (len < 0)
		return nl_build_failed(vm, len);
	return nl_transact(vm, (struct nlmsghdr *)vm->req_buf, NULL, NULL);
}

int vdpamgmt_dev_set_mac(struct vdpamgmt *vm, const char *name, const uint8_t mac[6])
{
	struct vdpamgmt_dev_params params = { .name = name, .set = VDPAMGMT_DEV_PARAM_MAC };
	char device[VDPAMGMT_NAME_MAX + 8];
	uint16_t family;
	int len, err;

	memcpy(params.mac, mac, sizeof(params.mac));
	err = vdpa_family(vm, &family);
	if (err)
		return err;
	len = vdpamgmt_build_dev_set(vm->req_buf, sizeof(vm->req_buf), family, 0, &params);
	if (len < 0)
		return nl_build_failed(vm, len);
	/* the driver logs on the vDPA device itself */
	snprintf(device, sizeof(device), "+vdpa:%s", name);
	return transact_driver_reason(vm, device);
}
