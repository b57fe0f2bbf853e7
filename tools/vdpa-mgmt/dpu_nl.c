// SPDX-License-Identifier: GPL-2.0-only
/*
 * dpu_vdpa's own generic netlink family (<linux/dpu_vdpa.h>): requests
 * built into a buffer, replies parsed, and the session calls on nl.c's
 * core.  Log sync walks the logged range in chunks the kernel accepts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/dpu_vdpa.h>
#include <linux/dpu_vdpa_state.h>
#include <linux/genetlink.h>

#include "internal.h"

_Static_assert(DPU_VDPA_A_MAX < 64, "attribute presence is kept in a u64");
_Static_assert(DPU_VDPA_STAT_MAX < VDPAMGMT_DPU_STATS_MAX, "stats fit struct vdpamgmt_dpu_dev");
_Static_assert(DPU_VDPA_LOG_SYNC_MAX_PAGES % 8 == 0, "chunks are whole bitmap bytes");

#define LOG_SYNC_BITMAP_MAX	(DPU_VDPA_LOG_SYNC_MAX_PAGES / 8)

/* --- requests */

static struct nlmsghdr *dpu_msg_start(void *buf, size_t size, uint16_t family, uint32_t seq,
				      uint8_t cmd, uint16_t flags)
{
	return genl_msg_start(buf, size, family, cmd, DPU_VDPA_GENL_VERSION, flags, seq);
}

static int put_dev_name(struct nlmsghdr *nlh, size_t size, const char *name)
{
	if (!name || !*name)
		return -EINVAL;
	if (!mnl_attr_put_strz_check(nlh, size, DPU_VDPA_A_DEV_NAME, name))
		return -EMSGSIZE;
	return 0;
}

/* A request for NAME (required) and nothing yet after it. */
static struct nlmsghdr *dev_msg_start(void *buf, size_t size, uint16_t family, uint32_t seq,
				      uint8_t cmd, const char *name, int *err)
{
	struct nlmsghdr *nlh = dpu_msg_start(buf, size, family, seq, cmd, 0);

	*err = nlh ? put_dev_name(nlh, size, name) : -EMSGSIZE;
	return *err ? NULL : nlh;
}

int vdpamgmt_dpu_build_dev_cmd(void *buf, size_t size, uint16_t family, uint32_t seq, uint8_t cmd,
			       const char *name)
{
	struct nlmsghdr *nlh;
	int err;

	switch (cmd) {
	case DPU_VDPA_CMD_DEV_GET:
		if (!name) {
			nlh = dpu_msg_start(buf, size, family, seq, cmd, NLM_F_DUMP);
			return nlh ? (int)nlh->nlmsg_len : -EMSGSIZE;
		}
		break;
	case DPU_VDPA_CMD_SUSPEND:
	case DPU_VDPA_CMD_RESUME:
	case DPU_VDPA_CMD_LOG_STOP:
	case DPU_VDPA_CMD_STATE_SAVE:
		break;
	default:
		return -EINVAL;		/* takes more than a name */
	}
	nlh = dev_msg_start(buf, size, family, seq, cmd, name, &err);
	return nlh ? (int)nlh->nlmsg_len : err;
}

int vdpamgmt_dpu_build_log_start(void *buf, size_t size, uint16_t family, uint32_t seq,
				 const char *name, uint64_t iova, uint64_t len, uint32_t page_size,
				 unsigned int flags)
{
	struct nlmsghdr *nlh;
	int err;

	nlh = dev_msg_start(buf, size, family, seq, DPU_VDPA_CMD_LOG_START, name, &err);
	if (!nlh)
		return err;
	if ((len && !mnl_attr_put_u64_check(nlh, size, DPU_VDPA_A_LOG_IOVA, iova)) ||
	    (len && !mnl_attr_put_u64_check(nlh, size, DPU_VDPA_A_LOG_LEN, len)) ||
	    (page_size && !mnl_attr_put_u32_check(nlh, size, DPU_VDPA_A_LOG_PAGE_SIZE, page_size)) ||
	    ((flags & VDPAMGMT_LOG_OWNED) &&
	     !mnl_attr_put_check(nlh, size, DPU_VDPA_A_LOG_OWNED, 0, NULL)))
		return -EMSGSIZE;
	return (int)nlh->nlmsg_len;
}

int vdpamgmt_dpu_build_log_sync(void *buf, size_t size, uint16_t family, uint32_t seq,
				const char *name, uint64_t iova, uint64_t len)
{
	struct nlmsghdr *nlh;
	int err;

	nlh = dev_msg_start(buf, size, family, seq, DPU_VDPA_CMD_LOG_SYNC, name, &err);
	if (!nlh)
		return err;
	if (!mnl_attr_put_u64_check(nlh, size, DPU_VDPA_A_LOG_IOVA, iova) ||
	    (len && !mnl_attr_put_u64_check(nlh, size, DPU_VDPA_A_LOG_LEN, len)))
		return -EMSGSIZE;
	return (int)nlh->nlmsg_len;
}

int vdpamgmt_dpu_build_state_load(void *buf, size_t size, uint16_t family, uint32_t seq,
				  const char *name, const void *blob, size_t len)
{
	struct nlmsghdr *nlh;
	int err;

	if (!len || len > DPU_VDPA_STATE_MAX_LEN)
		return -EINVAL;
	nlh = dev_msg_start(buf, size, family, seq, DPU_VDPA_CMD_STATE_LOAD, name, &err);
	if (!nlh)
		return err;
	if (!mnl_attr_put_check(nlh, size, DPU_VDPA_A_STATE, len, blob))
		return -EMSGSIZE;
	return (int)nlh->nlmsg_len;
}

/* --- replies */

static const struct nl_uint_field dev_fields[] = {
	NL_FIELD(DPU_VDPA_A_DEVICE_ID, struct vdpamgmt_dpu_dev, device_id),
	NL_FIELD(DPU_VDPA_A_STATUS, struct vdpamgmt_dpu_dev, status),
	NL_FIELD(DPU_VDPA_A_MODE, struct vdpamgmt_dpu_dev, mode),
	NL_FIELD(DPU_VDPA_A_LOG_PAGE_SIZE, struct vdpamgmt_dpu_dev, log_page_size),
	NL_FIELD(DPU_VDPA_A_LOG_IOVA, struct vdpamgmt_dpu_dev, log_iova),
	NL_FIELD(DPU_VDPA_A_LOG_LEN, struct vdpamgmt_dpu_dev, log_len),
	NL_FIELD(DPU_VDPA_A_CORE_CAPS, struct vdpamgmt_dpu_dev, core_caps),
};

static int get_flag(const struct nlattr *attr, bool *out)
{
	uint64_t v;

	if (!attr)
		return 0;
	if (nl_attr_get_uint(attr, &v) || v > 1)
		return -EINVAL;
	*out = v;
	return 0;
}

static int get_optional_str(const struct nlattr *attr, char *out, size_t size)
{
	return attr ? nl_attr_get_str(attr, out, size) : 0;
}

static int parse_stats(const struct nlattr *nest, struct vdpamgmt_dpu_dev *out)
{
	const struct nlattr *tb[DPU_VDPA_STAT_MAX + 1];
	unsigned int i;

	if (nl_attrs_parse_nested(nest, tb, DPU_VDPA_STAT_MAX, &out->stats_present))
		return -EINVAL;
	out->stats_present &= ~((1ULL << DPU_VDPA_STAT_UNSPEC) | (1ULL << DPU_VDPA_STAT_PAD));
	for (i = DPU_VDPA_STAT_PAD + 1; i <= DPU_VDPA_STAT_MAX; i++)
		if (tb[i] && nl_attr_get_uint(tb[i], &out->stats[i]))
			return -EINVAL;
	return 0;
}

int vdpamgmt_dpu_parse_dev(const struct nlmsghdr *nlh, struct vdpamgmt_dpu_dev *out)
{
	const struct nlattr *tb[DPU_VDPA_A_MAX + 1];

	memset(out, 0, sizeof(*out));
	if (nl_attrs_parse(nlh, tb, DPU_VDPA_A_MAX, &out->present) || !tb[DPU_VDPA_A_DEV_NAME] ||
	    nl_attr_get_str(tb[DPU_VDPA_A_DEV_NAME], out->name, sizeof(out->name)) ||
	    get_optional_str(tb[DPU_VDPA_A_MGMTDEV_NAME], out->mgmtdev, sizeof(out->mgmtdev)) ||
	    get_optional_str(tb[DPU_VDPA_A_BUS_DRIVER], out->bus_driver,
			     sizeof(out->bus_driver)) ||
	    get_flag(tb[DPU_VDPA_A_SUSPENDED], &out->suspended) ||
	    get_flag(tb[DPU_VDPA_A_LOGGING], &out->logging) ||
	    (tb[DPU_VDPA_A_LOG_OWNED] && mnl_attr_get_payload_len(tb[DPU_VDPA_A_LOG_OWNED])) ||
	    (tb[DPU_VDPA_A_STATS] && parse_stats(tb[DPU_VDPA_A_STATS], out)))
		return -EINVAL;
	out->log_owned = tb[DPU_VDPA_A_LOG_OWNED];
	return nl_store_uint_fields(tb, out, dev_fields, ARRAY_SIZE(dev_fields));
}

static const struct nl_uint_field staged_fields[] = {
	NL_FIELD(DPU_VDPA_STAGED_DRIVER_FEATURES, struct vdpamgmt_dpu_staged, driver_features),
	NL_FIELD(DPU_VDPA_STAGED_NET_PAIRS, struct vdpamgmt_dpu_staged, net_pairs),
	NL_FIELD(DPU_VDPA_STAGED_NET_RX_FLAGS, struct vdpamgmt_dpu_staged, net_rx_flags),
	NL_FIELD(DPU_VDPA_STAGED_NET_MACS, struct vdpamgmt_dpu_staged, net_macs),
	NL_FIELD(DPU_VDPA_STAGED_NET_VLANS, struct vdpamgmt_dpu_staged, net_vlans),
};

int vdpamgmt_dpu_parse_staged(const struct nlmsghdr *nlh, struct vdpamgmt_dpu_staged *out)
{
	const struct nlattr *tb[DPU_VDPA_A_MAX + 1], *st[DPU_VDPA_STAGED_MAX + 1], *a;
	uint64_t present;
	uint32_t i, n;
	uint16_t idx;

	memset(out, 0, sizeof(*out));
	if (nl_attrs_parse(nlh, tb, DPU_VDPA_A_MAX, &present))
		return -EINVAL;
	if (!tb[DPU_VDPA_A_STAGED])
		return 0;
	if (nl_attrs_parse_nested(tb[DPU_VDPA_A_STAGED], st, DPU_VDPA_STAGED_MAX, &out->present) ||
	    !st[DPU_VDPA_STAGED_DRIVER_FEATURES] ||
	    nl_store_uint_fields(st, out, staged_fields, ARRAY_SIZE(staged_fields)))
		return -EINVAL;
	out->present &= ~((1ULL << DPU_VDPA_STAGED_UNSPEC) | (1ULL << DPU_VDPA_STAGED_PAD));
	a = st[DPU_VDPA_STAGED_AVAIL];
	if (a) {
		if (mnl_attr_get_payload_len(a) % sizeof(uint16_t))
			return -EINVAL;
		n = mnl_attr_get_payload_len(a) / sizeof(uint16_t);
		out->num_vqs = n;
		for (i = 0; i < n && i < VDPAMGMT_DPU_STAGED_VQS_MAX; i++) {
			memcpy(&idx, (const uint8_t *)mnl_attr_get_payload(a) + i * sizeof(idx),
			       sizeof(idx));
			out->avail[i] = idx;
		}
	}
	a = st[DPU_VDPA_STAGED_NET_MAC];
	if (a) {
		if (mnl_attr_get_payload_len(a) != sizeof(out->net_mac))
			return -EINVAL;
		memcpy(out->net_mac, mnl_attr_get_payload(a), sizeof(out->net_mac));
	}
	return 1;
}

static uint64_t bits_set(const uint8_t *bitmap, uint64_t bits)
{
	uint64_t count = 0, i;

	for (i = 0; i < bits / 8; i++)
		count += (unsigned int)__builtin_popcount(bitmap[i]);
	if (bits % 8)
		count += (unsigned int)__builtin_popcount(bitmap[i] & ((1u << (bits % 8)) - 1));
	return count;
}

int vdpamgmt_dpu_parse_log_sync(const struct nlmsghdr *nlh, struct vdpamgmt_dpu_log_chunk *chunk)
{
	const struct nlattr *tb[DPU_VDPA_A_MAX + 1];
	static const uint16_t required[] = {
		DPU_VDPA_A_LOG_IOVA, DPU_VDPA_A_LOG_LEN, DPU_VDPA_A_LOG_PAGE_SIZE,
		DPU_VDPA_A_LOG_BITMAP, DPU_VDPA_A_LOG_DIRTY,
	};
	uint64_t present, page_size;
	size_t i;

	memset(chunk, 0, sizeof(*chunk));
	if (nl_attrs_parse(nlh, tb, DPU_VDPA_A_MAX, &present))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(required); i++)
		if (!tb[required[i]])
			return -EINVAL;
	if (nl_attr_get_uint(tb[DPU_VDPA_A_LOG_IOVA], &chunk->iova) ||
	    nl_attr_get_uint(tb[DPU_VDPA_A_LOG_LEN], &chunk->len) ||
	    nl_attr_get_uint(tb[DPU_VDPA_A_LOG_PAGE_SIZE], &page_size) ||
	    nl_attr_get_uint(tb[DPU_VDPA_A_LOG_DIRTY], &chunk->dirty))
		return -EINVAL;
	/* a page size the kernel could have accepted, a whole number of pages */
	if (page_size < 4096 || page_size > (1u << 30) || (page_size & (page_size - 1)) ||
	    chunk->len % page_size || chunk->iova % page_size)
		return -EINVAL;
	chunk->page_size = (uint32_t)page_size;
	chunk->pages = chunk->len / page_size;
	chunk->bitmap = mnl_attr_get_payload(tb[DPU_VDPA_A_LOG_BITMAP]);
	if (mnl_attr_get_payload_len(tb[DPU_VDPA_A_LOG_BITMAP]) < (chunk->pages + 7) / 8 ||
	    chunk->dirty != bits_set(chunk->bitmap, chunk->pages))
		return -EINVAL;
	return 0;
}

int vdpamgmt_dpu_parse_state(const struct nlmsghdr *nlh, const uint8_t **blob, size_t *len)
{
	const struct nlattr *tb[DPU_VDPA_A_MAX + 1];
	uint64_t present;

	if (nl_attrs_parse(nlh, tb, DPU_VDPA_A_MAX, &present) || !tb[DPU_VDPA_A_STATE])
		return -EINVAL;
	*blob = mnl_attr_get_payload(tb[DPU_VDPA_A_STATE]);
	*len = mnl_attr_get_payload_len(tb[DPU_VDPA_A_STATE]);
	return 0;
}

/* --- session calls */

static int dpu_family(struct vdpamgmt *vm, uint16_t *family)
{
	int err = 0;

	if (!vm->dpu_family)
		err = nl_family_id(vm, DPU_VDPA_GENL_NAME, &vm->dpu_family);
	*family = vm->dpu_family;
	return err;
}

static int malformed_reply(struct vdpamgmt *vm, const char *cmd)
{
	return vm_fail(vm, EPROTO, "malformed %s reply from the kernel", cmd);
}

/* A command that takes the name alone, with a reply message to CB if any. */
static int dev_cmd(struct vdpamgmt *vm, uint8_t cmd, const char *name, nl_msg_cb cb,
		   void *arg)
{
	uint16_t family;
	int len, err;

	err = dpu_family(vm, &family);
	if (err)
		return err;
	len = vdpamgmt_dpu_build_dev_cmd(vm->req_buf, sizeof(vm->req_buf), family, 0, cmd, name);
	if (len < 0)
		return nl_build_failed(vm, len);
	return nl_transact(vm, (struct nlmsghdr *)vm->req_buf, cb, arg);
}

struct dev_walk {
	struct vdpamgmt *vm;
	struct vdpamgmt_dpu_dev *dev;
	vdpamgmt_dpu_dev_cb cb;		/* NULL: one device, into *dev */
	void *arg;
	unsigned int count;
};

static int dev_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dev_walk *w = data;

	if (vdpamgmt_dpu_parse_dev(nlh, w->dev))
		return malformed_reply(w->vm, "DEV_GET");
	w->count++;
	return w->cb ? w->cb(w->dev, w->arg) : 0;
}

int vdpamgmt_dpu_dev_get(struct vdpamgmt *vm, const char *name, struct vdpamgmt_dpu_dev *out)
{
	struct dev_walk w = { .vm = vm, .dev = out };
	int err;

	if (!name)
		return nl_build_failed(vm, -EINVAL);
	err = dev_cmd(vm, DPU_VDPA_CMD_DEV_GET, name, dev_msg_cb, &w);
	if (!err && !w.count)
		return vm_fail(vm, EPROTO, "the kernel answered without a device");
	return err;
}

struct staged_get {
	struct vdpamgmt *vm;
	struct vdpamgmt_dpu_staged *out;
	int found;			/* -1: no reply */
};

static int staged_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct staged_get *g = data;

	g->found = vdpamgmt_dpu_parse_staged(nlh, g->out);
	return g->found < 0 ? malformed_reply(g->vm, "DEV_GET") : 0;
}

int vdpamgmt_dpu_staged_get(struct vdpamgmt *vm, const char *name, struct vdpamgmt_dpu_staged *out)
{
	struct staged_get g = { .vm = vm, .out = out, .found = -1 };
	int err;

	if (!name)
		return nl_build_failed(vm, -EINVAL);
	err = dev_cmd(vm, DPU_VDPA_CMD_DEV_GET, name, staged_msg_cb, &g);
	if (err)
		return err;
	if (g.found < 0)
		return vm_fail(vm, EPROTO, "the kernel answered without a device");
	return g.found;
}

int vdpamgmt_dpu_dev_for_each(struct vdpamgmt *vm, vdpamgmt_dpu_dev_cb cb, void *arg)
{
	struct vdpamgmt_dpu_dev one;
	struct dev_walk w = { .vm = vm, .dev = &one, .cb = cb, .arg = arg };

	return dev_cmd(vm, DPU_VDPA_CMD_DEV_GET, NULL, dev_msg_cb, &w);
}

int vdpamgmt_dpu_suspend(struct vdpamgmt *vm, const char *name)
{
	return dev_cmd(vm, DPU_VDPA_CMD_SUSPEND, name, NULL, NULL);
}

int vdpamgmt_dpu_resume(struct vdpamgmt *vm, const char *name)
{
	return dev_cmd(vm, DPU_VDPA_CMD_RESUME, name, NULL, NULL);
}

int vdpamgmt_dpu_log_stop(struct vdpamgmt *vm, const char *name)
{
	return dev_cmd(vm, DPU_VDPA_CMD_LOG_STOP, name, NULL, NULL);
}

int vdpamgmt_dpu_log_start(struct vdpamgmt *vm, const char *name, uint64_t iova, uint64_t len,
			   uint32_t page_size, unsigned int flags)
{
	uint16_t family;
	int n, err;

	err = dpu_family(vm, &family);
	if (err)
		return err;
	n = vdpamgmt_dpu_build_log_start(vm->req_buf, sizeof(vm->req_buf), family, 0, name, iova,
					 len, page_size, flags);
	if (n < 0)
		return nl_build_failed(vm, n);
	return nl_transact(vm, (struct nlmsghdr *)vm->req_buf, NULL, NULL);
}

/* One LOG_SYNC reply, its bitmap copied out of the receive buffer. */
struct sync_reply {
	struct vdpamgmt *vm;
	struct vdpamgmt_dpu_log_chunk chunk;
	uint8_t *bitmap;		/* LOG_SYNC_BITMAP_MAX bytes */
	unsigned int count;
};

static int sync_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sync_reply *r = data;

	if (vdpamgmt_dpu_parse_log_sync(nlh, &r->chunk) ||
	    r->chunk.pages > DPU_VDPA_LOG_SYNC_MAX_PAGES)
		return malformed_reply(r->vm, "LOG_SYNC");
	memcpy(r->bitmap, r->chunk.bitmap, (r->chunk.pages + 7) / 8);
	r->chunk.bitmap = r->bitmap;
	r->count++;
	return 0;
}

/* Chunk [IOVA, IOVA + PAGES * page size) of the log into R. */
static int log_sync_chunk(struct vdpamgmt *vm, uint16_t family, const char *name,
			  uint64_t iova, uint64_t pages, uint32_t page_size, struct sync_reply *r)
{
	int len, err;

	len = vdpamgmt_dpu_build_log_sync(vm->req_buf, sizeof(vm->req_buf), family, 0, name, iova,
					  pages * page_size);
	if (len < 0)
		return nl_build_failed(vm, len);
	r->count = 0;
	err = nl_transact(vm, (struct nlmsghdr *)vm->req_buf, sync_msg_cb, r);
	if (err)
		return err;
	if (r->count != 1)
		return vm_fail(vm, EPROTO, "the kernel answered LOG_SYNC with %u replies",
			       r->count);
	if (r->chunk.iova != iova || r->chunk.pages != pages || r->chunk.page_size != page_size)
		return vm_fail(vm, EPROTO, "the kernel synced %llu pages of %u bytes at 0x%llx; "
			       "asked for %llu of %u at 0x%llx",
			       (unsigned long long)r->chunk.pages, r->chunk.page_size,
			       (unsigned long long)r->chunk.iova, (unsigned long long)pages,
			       page_size, (unsigned long long)iova);
	return 0;
}

int vdpamgmt_dpu_log_range(struct vdpamgmt *vm, const char *name,
			   struct vdpamgmt_dpu_log_summary *range)
{
	struct vdpamgmt_dpu_dev dev;
	uint64_t first, last;
	uint32_t page_size;
	int err;

	memset(range, 0, sizeof(*range));
	err = vdpamgmt_dpu_dev_get(vm, name, &dev);
	if (err)
		return err;
	if (!dev.logging)
		return vm_fail(vm, ENOENT, "not logging");
	page_size = dev.log_page_size;
	if (!VDPAMGMT_HAS(&dev, DPU_VDPA_A_LOG_IOVA) || !VDPAMGMT_HAS(&dev, DPU_VDPA_A_LOG_LEN) ||
	    !dev.log_len || page_size < 4096 || (page_size & (page_size - 1)))
		return vm_fail(vm, EPROTO, "the kernel reports logging without a valid range");
	/* the range rounded out to pages, as the kernel logs it; no sum can wrap */
	if (dev.log_iova + (dev.log_len - 1) < dev.log_iova)
		return vm_fail(vm, EPROTO, "the kernel reports a log range past 2^64");
	first = dev.log_iova / page_size;
	last = (dev.log_iova + (dev.log_len - 1)) / page_size;
	range->iova = first * page_size;
	range->page_size = page_size;
	range->pages = last - first + 1;
	range->len = range->pages * page_size;	/* 0 only for the whole 2^64 */
	return 0;
}

int vdpamgmt_dpu_log_sync(struct vdpamgmt *vm, const char *name, vdpamgmt_dpu_log_cb cb, void *arg,
			  struct vdpamgmt_dpu_log_summary *summary)
{
	struct sync_reply r = { .vm = vm };
	uint64_t page, first, last;
	uint32_t page_size;
	uint16_t family;
	int err;

	memset(summary, 0, sizeof(*summary));
	err = dpu_family(vm, &family);
	if (!err)
		err = vdpamgmt_dpu_log_range(vm, name, summary);
	if (err)
		return err;
	page_size = summary->page_size;
	first = summary->iova / page_size;
	last = first + summary->pages - 1;

	r.bitmap = malloc(LOG_SYNC_BITMAP_MAX);
	if (!r.bitmap)
		return vm_fail(vm, ENOMEM, "out of memory");
	for (page = first; page <= last; page += r.chunk.pages) {
		uint64_t pages = last - page + 1;

		if (pages > DPU_VDPA_LOG_SYNC_MAX_PAGES)
			pages = DPU_VDPA_LOG_SYNC_MAX_PAGES;
		err = log_sync_chunk(vm, family, name, page * page_size, pages, page_size, &r);
		if (err)
			break;
		summary->dirty += r.chunk.dirty;
		summary->chunks++;
		err = cb ? cb(&r.chunk, arg) : 0;
		if (err || page + pages - 1 == last)	/* done: page += would wrap at 2^64 */
			break;
	}
	free(r.bitmap);
	if (err < 0 && !vm->error[0])
		vm_fail(vm, err, "%s", strerror(-err));
	return err;
}

struct state_reply {
	struct vdpamgmt *vm;
	uint8_t *blob;
	size_t len;
};

static int state_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct state_reply *r = data;
	const uint8_t *blob;
	size_t len;

	if (r->blob || vdpamgmt_dpu_parse_state(nlh, &blob, &len) || !len ||
	    len > DPU_VDPA_STATE_MAX_LEN)
		return malformed_reply(r->vm, "STATE_SAVE");
	r->blob = malloc(len);
	if (!r->blob)
		return vm_fail(r->vm, ENOMEM, "out of memory");
	memcpy(r->blob, blob, len);
	r->len = len;
	return 0;
}

int vdpamgmt_dpu_state_save(struct vdpamgmt *vm, const char *name, uint8_t **blob, size_t *len)
{
	struct state_reply r = { .vm = vm };
	int err;

	*blob = NULL;
	*len = 0;
	err = dev_cmd(vm, DPU_VDPA_CMD_STATE_SAVE, name, state_msg_cb, &r);
	if (!err && !r.blob)
		err = vm_fail(vm, EPROTO, "the kernel answered STATE_SAVE without a blob");
	if (err) {
		free(r.blob);
		return err;
	}
	*blob = r.blob;
	*len = r.len;
	return 0;
}

int vdpamgmt_dpu_state_load(struct vdpamgmt *vm, const char *name, const void *blob, size_t len)
{
	size_t size = NL_REQ_SIZE + len;
	uint16_t family;
	void *buf;
	int n, err;

	if (!len || len > DPU_VDPA_STATE_MAX_LEN)
		return vm_fail(vm, EINVAL, "a state blob is 1 to %u bytes, not %zu",
			       DPU_VDPA_STATE_MAX_LEN, len);
	err = dpu_family(vm, &family);
	if (err)
		return err;
	/* zeroed: libmnl leaves the padding after the name and the blob as it finds it */
	buf = calloc(1, size);
	if (!buf)
		return vm_fail(vm, ENOMEM, "out of memory");
	n = vdpamgmt_dpu_build_state_load(buf, size, family, 0, name, blob, len);
	err = n < 0 ? nl_build_failed(vm, n) : nl_transact(vm, buf, NULL, NULL);
	free(buf);
	return err;
}
