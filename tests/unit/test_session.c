// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of the dpu_vdpa session calls against a fake kernel (TAP):
 * libmnl's socket calls are wrapped (-Wl,--wrap) so that requests reach a
 * small model of the family here, which answers as the contract says.
 * What this covers that the request tests cannot: log sync's walk over a
 * range in chunks of at most DPU_VDPA_LOG_SYNC_MAX_PAGES pages (and a
 * receive buffer big enough for a full one), and migrate's order of steps
 * and its way back when a step fails, including the destination it adds
 * through the vdpa family (modelled just enough: config get, add, del).
 * Run under valgrind by
 * tests/unit/vdpa-mgmt-session.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <valgrind/memcheck.h>
#include <linux/dpu_vdpa.h>
#include <linux/dpu_vdpa_state.h>
#include <linux/genetlink.h>
#include <linux/vdpa.h>

#include "libvdpamgmt.h"
#include "test_tap.h"

#define FAKE_FAMILY	0x30		/* dpu_vdpa */
#define FAKE_VDPA	0x31		/* the kernel's vdpa family */
#define REPLY_MAX	(256 * 1024)

/* --- the fake kernel */

struct fake_dev {
	const char *name;
	bool absent;			/* not added (vdpa's DEV_NEW adds it) */
	uint8_t status;
	bool suspended, logging, loaded;
	uint64_t iova, len;
	uint32_t page_size;
	char mgmtdev[64];		/* what DEV_NEW got */
	uint64_t features;
	uint8_t mac[6];
	uint16_t mtu, max_vqp;
	unsigned int given;		/* VDPAMGMT_DEV_PARAM_* DEV_NEW got */
	uint32_t max_vqs;		/* vdpa's DEV_GET */
	uint64_t offered;		/* vdpa's config: device features */
};

/* src's provisioning, as "vdpa dev config show" reports it */
#define SRC_FEATURES	((1ULL << 32) | (1ULL << 5) | (1ULL << 3) | (1ULL << 22))
static const uint8_t src_mac[6] = { 0x02, 0, 0, 0, 0x0e, 0x01 };

static struct fake_dev devs[2];
static char calls[4096];		/* "SUSPEND src;..." */
static uint8_t fail_cmd;		/* answer this command on fail_dev with an error */
static const char *fail_dev;
static uint64_t next_sync_page;		/* LOG_SYNC must walk the range in order */
static uint64_t max_sync_pages;
static bool sync_out_of_order;
static uint8_t reply[REPLY_MAX];
static size_t reply_len;
static int fake_socket;			/* what mnl_socket_open returns a pointer to */

static const char *const cmd_names[] = {
	[DPU_VDPA_CMD_DEV_GET] = "DEV_GET", [DPU_VDPA_CMD_SUSPEND] = "SUSPEND",
	[DPU_VDPA_CMD_RESUME] = "RESUME", [DPU_VDPA_CMD_LOG_START] = "LOG_START",
	[DPU_VDPA_CMD_LOG_SYNC] = "LOG_SYNC", [DPU_VDPA_CMD_LOG_STOP] = "LOG_STOP",
	[DPU_VDPA_CMD_STATE_SAVE] = "STATE_SAVE", [DPU_VDPA_CMD_STATE_LOAD] = "STATE_LOAD",
};
static const char *const vdpa_cmd_names[] = {
	[VDPA_CMD_DEV_NEW] = "vdpa DEV_NEW", [VDPA_CMD_DEV_DEL] = "vdpa DEV_DEL",
	[VDPA_CMD_DEV_GET] = "vdpa DEV_GET",
	[VDPA_CMD_DEV_CONFIG_GET] = "vdpa CONFIG_GET",
};

static void fake_reset(void)
{
	memset(devs, 0, sizeof(devs));
	devs[0] = (struct fake_dev){ .name = "src", .status = 0x0f, .max_vqs = 5,
				     .offered = SRC_FEATURES };
	devs[1] = (struct fake_dev){ .name = "dst", .status = 0x03, .max_vqs = 5,
				     .offered = SRC_FEATURES };
	calls[0] = '\0';
	fail_cmd = 0;
	fail_dev = NULL;
	max_sync_pages = 0;
	sync_out_of_order = false;
}

static bool page_is_dirty(uint64_t page)
{
	return page % 3 == 0 || page % 1000 == 7;
}

static struct nlmsghdr *reply_msg(const struct nlmsghdr *req, uint16_t type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(reply + reply_len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_seq = req->nlmsg_seq;
	return nlh;
}

static void reply_done(struct nlmsghdr *nlh)
{
	reply_len += nlh->nlmsg_len;
}

static void reply_ack(const struct nlmsghdr *req, int error, const char *extack)
{
	struct nlmsghdr *nlh = reply_msg(req, NLMSG_ERROR);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	e->error = error;
	e->msg = *req;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	if (extack) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extack);
	}
	reply_done(nlh);
}

static struct nlmsghdr *reply_genl(const struct nlmsghdr *req, uint16_t family, uint8_t cmd)
{
	struct nlmsghdr *nlh = reply_msg(req, family);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static void fake_family(const struct nlmsghdr *req)
{
	uint16_t id = 0;
	struct nlattr *attr;
	struct nlmsghdr *nlh;

	mnl_attr_for_each(attr, req, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != CTRL_ATTR_FAMILY_NAME)
			continue;
		if (!strcmp(mnl_attr_get_str(attr), DPU_VDPA_GENL_NAME))
			id = FAKE_FAMILY;
		else if (!strcmp(mnl_attr_get_str(attr), VDPA_GENL_NAME))
			id = FAKE_VDPA;
	}
	if (!id) {
		reply_ack(req, -ENOENT, NULL);
		return;
	}
	nlh = reply_genl(req, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, id);
	reply_done(nlh);
	reply_ack(req, 0, NULL);
}

static void fake_dev_get(const struct nlmsghdr *req, const struct fake_dev *d)
{
	struct nlmsghdr *nlh = reply_genl(req, FAKE_FAMILY, DPU_VDPA_CMD_DEV_GET);

	mnl_attr_put_strz(nlh, DPU_VDPA_A_DEV_NAME, d->name);
	mnl_attr_put_u32(nlh, DPU_VDPA_A_DEVICE_ID, 1);
	mnl_attr_put_u8(nlh, DPU_VDPA_A_STATUS, d->status);
	mnl_attr_put_u8(nlh, DPU_VDPA_A_SUSPENDED, d->suspended);
	mnl_attr_put_u8(nlh, DPU_VDPA_A_LOGGING, d->logging);
	if (d->logging) {
		mnl_attr_put_u32(nlh, DPU_VDPA_A_LOG_PAGE_SIZE, d->page_size);
		mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_IOVA, d->iova);
		mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_LEN, d->len);
	}
	if (d->loaded) {
		static const uint16_t avail[2] = { 5, 9 };
		struct nlattr *nest = mnl_attr_nest_start(nlh, DPU_VDPA_A_STAGED);

		mnl_attr_put_u64(nlh, DPU_VDPA_STAGED_DRIVER_FEATURES, SRC_FEATURES);
		mnl_attr_put(nlh, DPU_VDPA_STAGED_AVAIL, sizeof(avail), avail);
		mnl_attr_nest_end(nlh, nest);
	}
	reply_done(nlh);
}

static void fake_log_sync(const struct nlmsghdr *req, const struct nlattr *const *tb,
			  const struct fake_dev *d)
{
	uint64_t iova = mnl_attr_get_u64(tb[DPU_VDPA_A_LOG_IOVA]);
	uint64_t len = mnl_attr_get_u64(tb[DPU_VDPA_A_LOG_LEN]);
	uint64_t pages = len / d->page_size, first = iova / d->page_size, dirty = 0, i;
	static uint8_t bitmap[DPU_VDPA_LOG_SYNC_MAX_PAGES / 8];
	struct nlmsghdr *nlh;

	if (first != next_sync_page || len % d->page_size || !pages ||
	    pages > DPU_VDPA_LOG_SYNC_MAX_PAGES)
		sync_out_of_order = true;
	if (pages > max_sync_pages)
		max_sync_pages = pages;
	next_sync_page = first + pages;
	memset(bitmap, 0, sizeof(bitmap));
	for (i = 0; i < pages && i < DPU_VDPA_LOG_SYNC_MAX_PAGES; i++)
		if (page_is_dirty(first + i)) {
			bitmap[i / 8] |= 1u << (i % 8);
			dirty++;
		}
	nlh = reply_genl(req, FAKE_FAMILY, DPU_VDPA_CMD_LOG_SYNC);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_IOVA, iova);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_LEN, len);
	mnl_attr_put_u32(nlh, DPU_VDPA_A_LOG_PAGE_SIZE, d->page_size);
	mnl_attr_put(nlh, DPU_VDPA_A_LOG_BITMAP, (pages + 7) / 8, bitmap);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_DIRTY, dirty);
	reply_done(nlh);
}

static void fake_state_save(const struct nlmsghdr *req)
{
	struct vdpamgmt_state_vq vqs[2] = {
		{ .index = 0, .num = 256 }, { .index = 1, .num = 256 }
	};
	struct vdpamgmt_state st = { .device_id = 1, .num_queues = 2, .vqs = vqs };
	uint8_t blob[1024];
	struct nlmsghdr *nlh = reply_genl(req, FAKE_FAMILY, DPU_VDPA_CMD_STATE_SAVE);
	int len = vdpamgmt_state_encode(&st, blob, sizeof(blob));

	mnl_attr_put(nlh, DPU_VDPA_A_STATE, (size_t)len, blob);
	reply_done(nlh);
}

/* one table size for the requests of both families */
#define FAKE_ATTR_MAX	(DPU_VDPA_A_MAX > VDPA_ATTR_MAX ? DPU_VDPA_A_MAX : VDPA_ATTR_MAX)

static int fake_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(attr) <= FAKE_ATTR_MAX)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static struct fake_dev *fake_find(const char *name)
{
	for (int i = 0; i < 2; i++)
		if (!strcmp(devs[i].name, name))
			return &devs[i];
	return NULL;
}

static void fake_config_get(const struct nlmsghdr *req, const struct fake_dev *d)
{
	struct nlmsghdr *nlh = reply_genl(req, FAKE_VDPA, VDPA_CMD_DEV_CONFIG_GET);

	mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, d->name);
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 1);
	mnl_attr_put_u64(nlh, VDPA_ATTR_DEV_FEATURES, d->offered);
	if (d->status & 0x08)		/* FEATURES_OK: the consumer took them all */
		mnl_attr_put_u64(nlh, VDPA_ATTR_DEV_NEGOTIATED_FEATURES, d->offered);
	mnl_attr_put(nlh, VDPA_ATTR_DEV_NET_CFG_MACADDR, sizeof(src_mac), src_mac);
	mnl_attr_put_u16(nlh, VDPA_ATTR_DEV_NET_CFG_MTU, 4000);
	mnl_attr_put_u16(nlh, VDPA_ATTR_DEV_NET_CFG_MAX_VQP, 2);
	reply_done(nlh);
}

static void fake_vdpa_dev_get(const struct nlmsghdr *req, const struct fake_dev *d)
{
	struct nlmsghdr *nlh = reply_genl(req, FAKE_VDPA, VDPA_CMD_DEV_GET);

	mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, d->name);
	mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_BUS_NAME, "pci");
	mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_DEV_NAME, "0000:00:08.0");
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 1);
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_MAX_VQS, d->max_vqs);
	reply_done(nlh);
}

/* The vdpa family, for migrate's checks and destination: get, config get, add, del. */
static void fake_vdpa_request(const struct nlmsghdr *req)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(req);
	const struct nlattr *tb[FAKE_ATTR_MAX + 1] = { 0 };
	const char *name = "";
	struct fake_dev *d;

	mnl_attr_parse(req, sizeof(*g), fake_attr_cb, tb);
	if (tb[VDPA_ATTR_DEV_NAME])
		name = mnl_attr_get_str(tb[VDPA_ATTR_DEV_NAME]);
	snprintf(calls + strlen(calls), sizeof(calls) - strlen(calls), "%s%s %s",
		 calls[0] ? ";" : "", g->cmd < sizeof(vdpa_cmd_names) / sizeof(vdpa_cmd_names[0]) &&
		 vdpa_cmd_names[g->cmd] ? vdpa_cmd_names[g->cmd] : "vdpa ?", name);
	d = fake_find(name);
	if (!d || (d->absent && g->cmd != VDPA_CMD_DEV_NEW)) {
		reply_ack(req, -ENODEV, NULL);
		return;
	}
	switch (g->cmd) {
	case VDPA_CMD_DEV_GET:
		fake_vdpa_dev_get(req, d);
		break;
	case VDPA_CMD_DEV_CONFIG_GET:
		fake_config_get(req, d);
		break;
	case VDPA_CMD_DEV_NEW:
		if (!d->absent) {
			reply_ack(req, -EEXIST, NULL);
			return;
		}
		d->absent = false;
		d->status = 0;
		snprintf(d->mgmtdev, sizeof(d->mgmtdev), "%s/%s",
			 tb[VDPA_ATTR_MGMTDEV_BUS_NAME] ?
			 mnl_attr_get_str(tb[VDPA_ATTR_MGMTDEV_BUS_NAME]) : "",
			 tb[VDPA_ATTR_MGMTDEV_DEV_NAME] ?
			 mnl_attr_get_str(tb[VDPA_ATTR_MGMTDEV_DEV_NAME]) : "");
		if (tb[VDPA_ATTR_DEV_FEATURES]) {
			d->given |= VDPAMGMT_DEV_PARAM_FEATURES;
			d->features = mnl_attr_get_u64(tb[VDPA_ATTR_DEV_FEATURES]);
			d->offered = d->features;
		}
		if (tb[VDPA_ATTR_DEV_NET_CFG_MACADDR]) {
			d->given |= VDPAMGMT_DEV_PARAM_MAC;
			memcpy(d->mac, mnl_attr_get_payload(tb[VDPA_ATTR_DEV_NET_CFG_MACADDR]), 6);
		}
		if (tb[VDPA_ATTR_DEV_NET_CFG_MTU]) {
			d->given |= VDPAMGMT_DEV_PARAM_MTU;
			d->mtu = mnl_attr_get_u16(tb[VDPA_ATTR_DEV_NET_CFG_MTU]);
		}
		if (tb[VDPA_ATTR_DEV_NET_CFG_MAX_VQP]) {
			d->given |= VDPAMGMT_DEV_PARAM_MAX_VQP;
			d->max_vqp = mnl_attr_get_u16(tb[VDPA_ATTR_DEV_NET_CFG_MAX_VQP]);
		}
		break;
	case VDPA_CMD_DEV_DEL:
		d->absent = true;
		break;
	}
	reply_ack(req, 0, NULL);
}

static void fake_request(const struct nlmsghdr *req)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(req);
	const struct nlattr *tb[FAKE_ATTR_MAX + 1] = { 0 };
	struct fake_dev *d = NULL;
	const char *name = "";

	mnl_attr_parse(req, sizeof(*g), fake_attr_cb, tb);
	if (tb[DPU_VDPA_A_DEV_NAME])
		name = mnl_attr_get_str(tb[DPU_VDPA_A_DEV_NAME]);
	d = fake_find(name);
	snprintf(calls + strlen(calls), sizeof(calls) - strlen(calls), "%s%s %s",
		 calls[0] ? ";" : "", g->cmd <= DPU_VDPA_CMD_MAX ? cmd_names[g->cmd] : "?", name);
	if (!d || d->absent) {
		reply_ack(req, -ENODEV, "dpu_vdpa: no such device");
		return;
	}
	if (g->cmd == fail_cmd && fail_dev && !strcmp(fail_dev, name)) {
		reply_ack(req, -EIO, "dpu_vdpa: injected failure");
		return;
	}
	switch (g->cmd) {
	case DPU_VDPA_CMD_DEV_GET: fake_dev_get(req, d); break;
	case DPU_VDPA_CMD_SUSPEND: d->suspended = true; break;
	case DPU_VDPA_CMD_RESUME: d->suspended = false; break;
	case DPU_VDPA_CMD_LOG_START:
		/* no range: the consumer's whole space, 1 GiB from 0 here */
		d->logging = true;
		d->iova = tb[DPU_VDPA_A_LOG_IOVA] ? mnl_attr_get_u64(tb[DPU_VDPA_A_LOG_IOVA]) : 0;
		d->len = tb[DPU_VDPA_A_LOG_LEN] ? mnl_attr_get_u64(tb[DPU_VDPA_A_LOG_LEN]) :
						   1ULL << 30;
		d->page_size = tb[DPU_VDPA_A_LOG_PAGE_SIZE] ?
			       mnl_attr_get_u32(tb[DPU_VDPA_A_LOG_PAGE_SIZE]) : 4096;
		next_sync_page = d->iova / d->page_size;
		break;
	case DPU_VDPA_CMD_LOG_SYNC: fake_log_sync(req, tb, d); break;
	case DPU_VDPA_CMD_LOG_STOP: d->logging = false; break;
	case DPU_VDPA_CMD_STATE_SAVE: fake_state_save(req); break;
	case DPU_VDPA_CMD_STATE_LOAD: d->loaded = tb[DPU_VDPA_A_STATE] != NULL; break;
	}
	reply_ack(req, 0, NULL);
}

/* --- libmnl's socket, wrapped */

struct mnl_socket *__wrap_mnl_socket_open(int bus);
int __wrap_mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid);
unsigned int __wrap_mnl_socket_get_portid(const struct mnl_socket *nl);
int __wrap_mnl_socket_setsockopt(const struct mnl_socket *nl, int type, void *buf,
				 socklen_t len);
ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *req, size_t len);
ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t size);
int __wrap_mnl_socket_close(struct mnl_socket *nl);

struct mnl_socket *__wrap_mnl_socket_open(int bus)
{
	(void)bus;
	return (struct mnl_socket *)&fake_socket;
}

int __wrap_mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid)
{
	(void)nl, (void)groups, (void)pid;
	return 0;
}

unsigned int __wrap_mnl_socket_get_portid(const struct mnl_socket *nl)
{
	(void)nl;
	return 4242;
}

int __wrap_mnl_socket_setsockopt(const struct mnl_socket *nl, int type, void *buf,
				 socklen_t len)
{
	(void)nl, (void)type, (void)buf, (void)len;
	return 0;
}

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *req, size_t len)
{
	const struct nlmsghdr *nlh = req;

	(void)nl;
	/* what the kernel's sendto() would read: valgrind checks it as it checks a syscall */
	VALGRIND_CHECK_MEM_IS_DEFINED(req, len);
	reply_len = 0;
	if (nlh->nlmsg_type == GENL_ID_CTRL)
		fake_family(nlh);
	else if (nlh->nlmsg_type == FAKE_VDPA)
		fake_vdpa_request(nlh);
	else
		fake_request(nlh);
	return (ssize_t)len;
}

/* As the kernel and libmnl do: a reply larger than the buffer is an error. */
ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t size)
{
	(void)nl;
	if (reply_len > size) {
		errno = ENOSPC;
		return -1;
	}
	memcpy(buf, reply, reply_len);
	return (ssize_t)reply_len;
}

int __wrap_mnl_socket_close(struct mnl_socket *nl)
{
	(void)nl;
	return 0;
}

/* --- tests */

struct bitmap_check {
	uint64_t first_page;		/* of the range */
	uint64_t next_page;		/* where the next chunk must start */
	uint64_t wrong_bits;
	unsigned int chunks;
};

static int check_chunk(const struct vdpamgmt_dpu_log_chunk *chunk, void *arg)
{
	struct bitmap_check *bc = arg;
	uint64_t first = chunk->iova / chunk->page_size;

	if (first != bc->next_page)
		bc->wrong_bits++;
	for (uint64_t i = 0; i < chunk->pages; i++)
		if (!!(chunk->bitmap[i / 8] & (1u << (i % 8))) != page_is_dirty(first + i))
			bc->wrong_bits++;
	bc->next_page = first + chunk->pages;
	bc->chunks++;
	return 0;
}

static void test_log_sync(void)
{
	struct vdpamgmt *vm = vdpamgmt_new();
	const uint64_t max = DPU_VDPA_LOG_SYNC_MAX_PAGES;
	struct vdpamgmt_dpu_log_summary sum;
	struct bitmap_check bc = { 0 };
	uint64_t pages = 2 * max + 100, dirty = 0;
	int err;

	fake_reset();
	/* from the middle of page 1 to the middle of the last: rounded out */
	err = vdpamgmt_dpu_log_start(vm, "src", 0x1800, (pages - 1) * 4096, 0, 0);
	check("log start", err == 0 && devs[0].logging && devs[0].page_size == 4096);
	err = vdpamgmt_dpu_log_range(vm, "src", &sum);
	check("log range: the device's, rounded out to pages",
	      err == 0 && sum.iova == 0x1000 && sum.pages == pages && sum.page_size == 4096 &&
	      sum.len == pages * 4096 && sum.dirty == 0);
	for (uint64_t p = 1; p < 1 + pages; p++)
		dirty += page_is_dirty(p);
	bc.next_page = 1;
	err = vdpamgmt_dpu_log_sync(vm, "src", check_chunk, &bc, &sum);
	if (err)
		printf("# %s\n", vdpamgmt_error(vm));
	check("log sync of 2 * MAX_PAGES + 100 pages: three chunks, full ones first",
	      err == 0 && sum.chunks == 3 && bc.chunks == 3 && max_sync_pages == max);
	check("the chunks walk the range in order, none over MAX_PAGES",
	      !sync_out_of_order && bc.next_page == 1 + pages);
	check("the range is rounded out to pages",
	      sum.iova == 0x1000 && sum.pages == pages && sum.len == pages * 4096);
	check("every bit is the fake kernel's, and the dirty count adds up",
	      bc.wrong_bits == 0 && sum.dirty == dirty);

	devs[0].logging = false;
	err = vdpamgmt_dpu_log_sync(vm, "src", NULL, NULL, &sum);
	check("log sync of a device not logging: ENOENT, said so",
	      err == -ENOENT && !strcmp(vdpamgmt_error(vm), "not logging"));
	vdpamgmt_free(vm);
}

static void test_errors(void)
{
	struct vdpamgmt *vm = vdpamgmt_new();
	int err;

	fake_reset();
	fail_cmd = DPU_VDPA_CMD_SUSPEND;
	fail_dev = "src";
	err = vdpamgmt_dpu_suspend(vm, "src");
	check("a refused suspend: the errno and the kernel's extack",
	      err == -EIO && !strcmp(vdpamgmt_error(vm), "dpu_vdpa: injected failure"));
	/* 5 bytes: the attribute is padded to 8, bytes sent like the rest */
	err = vdpamgmt_dpu_state_load(vm, "dst", "\x44\x50\x55\x56\x01", 5);
	check("state load of a blob that is not a multiple of 4: sent whole, padding defined",
	      err == 0 && devs[1].loaded);
	err = vdpamgmt_dpu_resume(vm, "nosuch");
	check("a missing device: ENODEV and the kernel's words",
	      err == -ENODEV && !strcmp(vdpamgmt_error(vm), "dpu_vdpa: no such device"));
	vdpamgmt_free(vm);
}

static void progress_line(const char *line, void *arg)
{
	(void)arg;
	printf("# progress: %s\n", line);
}

/* migrate's compatibility checks: vdpa's view of both devices */
#define CHECKS	"vdpa DEV_GET src;vdpa DEV_GET dst;vdpa CONFIG_GET src;vdpa CONFIG_GET dst;"

static void test_migrate(void)
{
	struct vdpamgmt_dpu_migrate_params p = {
		.src = "src", .dst = "dst", .log_iova = 0, .log_len = 64 * 4096,
		.progress = progress_line,
	};
	struct vdpamgmt_dpu_migrate_result res;
	struct vdpamgmt *vm = vdpamgmt_new();
	int err;

	fake_reset();
	err = vdpamgmt_dpu_migrate_local(vm, &p, &res);
	if (err)
		printf("# %s\n", vdpamgmt_error(vm));
	check("migrate: the steps in the contract's order",
	      err == 0 && !strcmp(calls, "DEV_GET src;DEV_GET dst;" CHECKS "LOG_START src;SUSPEND src;"
				  "DEV_GET src;LOG_SYNC src;STATE_SAVE src;STATE_LOAD dst;"
				  "LOG_STOP src"));
	check("migrate: src left suspended, not logging; dst loaded",
	      devs[0].suspended && !devs[0].logging && devs[1].loaded && !devs[1].suspended);
	check("migrate: the result has the log and the blob's queues",
	      res.logged && res.log.pages == 64 && res.log.dirty == 22 + 1 && res.num_queues == 2 &&
	      res.state_len > 0);
	{
		struct vdpamgmt_dpu_staged st;
		struct vdpamgmt_dpu_dev d;

		check("migrate: dst has the state staged, src nothing (DEV_GET's STAGED)",
		      !vdpamgmt_dpu_dev_get(vm, "dst", &d) && VDPAMGMT_HAS(&d, DPU_VDPA_A_STAGED) &&
		      vdpamgmt_dpu_staged_get(vm, "dst", &st) == 1 &&
		      st.driver_features == SRC_FEATURES && st.num_vqs == 2 && st.avail[1] == 9 &&
		      !vdpamgmt_dpu_dev_get(vm, "src", &d) && !VDPAMGMT_HAS(&d, DPU_VDPA_A_STAGED) &&
		      vdpamgmt_dpu_staged_get(vm, "src", &st) == 0);
		check("staged get of a device the kernel does not know: its error",
		      vdpamgmt_dpu_staged_get(vm, "nosuch", &st) < 0);
	}

	fake_reset();
	fail_cmd = DPU_VDPA_CMD_STATE_LOAD;
	fail_dev = "dst";
	err = vdpamgmt_dpu_migrate_local(vm, &p, &res);
	check("migrate with a refused load: the load's errno, the step named",
	      err == -EIO &&
	      !strcmp(vdpamgmt_error(vm), "state load dst: dpu_vdpa: injected failure"));
	check("and src is back: log stopped, resumed",
	      !devs[0].suspended && !devs[0].logging &&
	      strstr(calls, "STATE_LOAD dst;LOG_STOP src;RESUME src") &&
	      !strstr(strstr(calls, "RESUME src"), ";"));

	fake_reset();
	fail_cmd = DPU_VDPA_CMD_SUSPEND;
	fail_dev = "src";
	err = vdpamgmt_dpu_migrate_local(vm, &p, &res);
	check("migrate with a refused suspend: the log it started is stopped, nothing resumed",
	      err == -EIO && !devs[0].logging && !strstr(calls, "RESUME") &&
	      !strcmp(vdpamgmt_error(vm), "suspend src: dpu_vdpa: injected failure"));

	fake_reset();
	devs[1].status = 0x0f;
	err = vdpamgmt_dpu_migrate_local(vm, &p, &res);
	check("migrate onto a running device: EBUSY before anything changes",
	      err == -EBUSY && !strcmp(calls, "DEV_GET src;DEV_GET dst"));

	fake_reset();
	devs[1].max_vqs = 3;
	err = vdpamgmt_dpu_migrate_local(vm, &p, &res);
	check("migrate to a device with fewer vqs: EINVAL before anything changes",
	      err == -EINVAL && !strcmp(calls, "DEV_GET src;DEV_GET dst;vdpa DEV_GET src;"
					"vdpa DEV_GET dst") &&
	      !strcmp(vdpamgmt_error(vm), "src has 5 vqs, dst has 3: the state would not load"));

	fake_reset();
	devs[1].offered = SRC_FEATURES & ~(1ULL << 22);
	err = vdpamgmt_dpu_migrate_local(vm, &p, &res);
	check("migrate to a device without a feature src's consumer uses: EOPNOTSUPP, up front",
	      err == -EOPNOTSUPP &&
	      !strcmp(calls, "DEV_GET src;DEV_GET dst;vdpa DEV_GET src;vdpa DEV_GET dst;"
			     "vdpa CONFIG_GET src;vdpa CONFIG_GET dst") && strstr(vdpamgmt_error(vm), "features 0x400000"));

	fake_reset();
	devs[0].status = 0x03;
	err = vdpamgmt_dpu_migrate_local(vm, &p, &res);
	check("migrate of a device not running: EINVAL before anything changes",
	      err == -EINVAL && !strcmp(calls, "DEV_GET src"));

	fake_reset();
	p.log_len = 0;
	err = vdpamgmt_dpu_migrate_local(vm, &p, &res);
	check("migrate without a range on a device not logging: no log steps",
	      err == 0 && !res.logged && !strcmp(calls, "DEV_GET src;DEV_GET dst;" CHECKS "SUSPEND src;"
					      "STATE_SAVE src;STATE_LOAD dst"));

	fake_reset();
	devs[0].logging = true;		/* a VMM's log: synced, left running */
	devs[0].iova = 0;
	devs[0].len = 16 * 4096;
	devs[0].page_size = 4096;
	next_sync_page = 0;
	err = vdpamgmt_dpu_migrate_local(vm, &p, &res);
	check("migrate of a device logging already: final sync from it, not stopped",
	      err == 0 && res.logged && res.log.pages == 16 && devs[0].logging &&
	      !strstr(calls, "LOG_START") && !strstr(calls, "LOG_STOP"));
	vdpamgmt_free(vm);
}

/* migrate with dst_mgmtdev: DST added, provisioned as SRC; deleted on failure */
static void test_migrate_add(void)
{
	struct vdpamgmt_dpu_migrate_params p = {
		.src = "src", .dst = "dst", .dst_mgmtdev = "pci/0000:00:09.0",
		.progress = progress_line,
	};
	struct vdpamgmt_dpu_migrate_result res;
	struct vdpamgmt *vm = vdpamgmt_new();
	int err;

	fake_reset();
	devs[1].absent = true;
	err = vdpamgmt_dpu_migrate_local(vm, &p, &res);
	if (err)
		printf("# %s\n", vdpamgmt_error(vm));
	check("migrate with mgmtdev: dst added after the checks, before the suspend",
	      err == 0 && !strcmp(calls, "DEV_GET src;DEV_GET dst;vdpa CONFIG_GET src;"
				  "vdpa DEV_NEW dst;DEV_GET dst;" CHECKS "SUSPEND src;STATE_SAVE src;"
				  "STATE_LOAD dst"));
	check("... on the mgmtdev given, with src's features, MAC, MTU and queue pairs",
	      !devs[1].absent && devs[1].loaded && !strcmp(devs[1].mgmtdev, "pci/0000:00:09.0") &&
	      devs[1].given == (VDPAMGMT_DEV_PARAM_FEATURES | VDPAMGMT_DEV_PARAM_MAC |
				VDPAMGMT_DEV_PARAM_MTU | VDPAMGMT_DEV_PARAM_MAX_VQP) &&
	      devs[1].features == SRC_FEATURES && !memcmp(devs[1].mac, src_mac, 6) &&
	      devs[1].mtu == 4000 && devs[1].max_vqp == 2);

	fake_reset();
	devs[1].absent = true;
	fail_cmd = DPU_VDPA_CMD_STATE_LOAD;
	fail_dev = "dst";
	err = vdpamgmt_dpu_migrate_local(vm, &p, &res);
	check("migrate with mgmtdev, load refused: src resumed, the dst it added deleted",
	      err == -EIO && devs[1].absent && !devs[0].suspended &&
	      strstr(calls, "STATE_LOAD dst;RESUME src;vdpa DEV_DEL dst") &&
	      !strcmp(vdpamgmt_error(vm), "state load dst: dpu_vdpa: injected failure"));

	fake_reset();
	devs[1].absent = true;
	devs[1].max_vqs = 3;		/* what the function gives a new device */
	err = vdpamgmt_dpu_migrate_local(vm, &p, &res);
	check("migrate with mgmtdev, the new device has fewer vqs: EINVAL, deleted, no suspend",
	      err == -EINVAL && devs[1].absent && !strstr(calls, "SUSPEND") &&
	      strstr(calls, "vdpa DEV_NEW dst") && strstr(calls, "vdpa DEV_DEL dst"));

	fake_reset();
	err = vdpamgmt_dpu_migrate_local(vm, &p, &res);
	check("migrate with mgmtdev onto a device that exists: EEXIST, nothing added or changed",
	      err == -EEXIST && !strcmp(calls, "DEV_GET src;DEV_GET dst"));

	fake_reset();
	devs[1].absent = true;
	devs[0].status = 0x03;
	err = vdpamgmt_dpu_migrate_local(vm, &p, &res);
	check("migrate with mgmtdev of a device not running: EINVAL, nothing added",
	      err == -EINVAL && !strcmp(calls, "DEV_GET src") && devs[1].absent);

	fake_reset();
	p.dst_mgmtdev = NULL;
	devs[1].absent = true;
	err = vdpamgmt_dpu_migrate_local(vm, &p, &res);
	check("migrate without mgmtdev to a device that does not exist: ENODEV, step named",
	      err == -ENODEV && !strncmp(vdpamgmt_error(vm), "dev get dst: ", 13));
	vdpamgmt_free(vm);
}

static void test_log_start_whole(void)
{
	struct vdpamgmt *vm = vdpamgmt_new();
	struct vdpamgmt_dpu_log_summary range;
	int err;

	fake_reset();
	err = vdpamgmt_dpu_log_start(vm, "src", 0, 0, 0, 0);
	if (!err)
		err = vdpamgmt_dpu_log_range(vm, "src", &range);
	check("log start with len 0: the kernel's range, read back",
	      err == 0 && range.iova == 0 && range.len == 1ULL << 30 && range.pages == 262144);
	vdpamgmt_free(vm);
}

int main(void)
{
	test_log_sync();
	test_errors();
	test_migrate();
	test_migrate_add();
	test_log_start_whole();
	printf("1..%d\n", test_num);
	return test_failed ? 1 : 0;
}
