// SPDX-License-Identifier: GPL-2.0-only
/*
 * The session and the generic netlink core: socket, family resolution,
 * request/reply with extended acks, dumps.  Nothing vdpa-specific here, so
 * dpu_vdpa's own family can use the same code when it exists.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "internal.h"

struct vdpamgmt *vdpamgmt_new(void)
{
	struct vdpamgmt *vm = calloc(1, sizeof(*vm));

	if (!vm)
		return NULL;
	vm->recv_buf = malloc(NL_RECV_SIZE);
	if (!vm->recv_buf) {
		free(vm);
		return NULL;
	}
	return vm;
}

void vdpamgmt_free(struct vdpamgmt *vm)
{
	if (!vm)
		return;
	if (vm->nl)
		mnl_socket_close(vm->nl);
	free(vm->recv_buf);
	free(vm);
}

const char *vdpamgmt_error(const struct vdpamgmt *vm)
{
	return vm->error;
}

int vm_fail(struct vdpamgmt *vm, int err, const char *fmt, ...)
{
	va_list ap;

	if (err < 0)
		err = -err;
	va_start(ap, fmt);
	vsnprintf(vm->error, sizeof(vm->error), fmt, ap);
	va_end(ap);
	vm->error_is_extack = false;
	return -err;
}

void vm_clear_error(struct vdpamgmt *vm)
{
	vm->error[0] = '\0';
	vm->error_is_extack = false;
}

static int nl_open(struct vdpamgmt *vm)
{
	int one = 1;

	if (vm->nl)
		return 0;
	vm->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!vm->nl)
		return vm_fail(vm, errno, "cannot open a netlink socket: %s", strerror(errno));
	if (mnl_socket_bind(vm->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = errno;

		mnl_socket_close(vm->nl);
		vm->nl = NULL;
		return vm_fail(vm, err, "cannot bind the netlink socket: %s", strerror(err));
	}
	vm->portid = mnl_socket_get_portid(vm->nl);
	/* Extended acks carry the kernel's reason; capped acks keep them small. */
	mnl_socket_setsockopt(vm->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(vm->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

struct nlmsghdr *genl_msg_start(void *buf, size_t size, uint16_t family, uint8_t cmd,
				uint8_t version, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	if (size < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*genl)))
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

struct extack_msg {
	char *msg;
	size_t size;
};

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	struct extack_msg *out = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(out->msg, out->size, "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

int vdpamgmt_parse_nlmsgerr(const struct nlmsghdr *nlh, char *msg, size_t msg_size)
{
	size_t payload = mnl_nlmsg_get_payload_len(nlh);
	struct extack_msg out = { msg, msg_size };
	size_t tlv_offset;
	int err;

	if (msg_size)
		msg[0] = '\0';
	if (nlh->nlmsg_type == NLMSG_DONE) {
		/* a dump's end: an int status, then maybe the TLVs */
		if (payload < sizeof(int))
			return 0;
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		tlv_offset = sizeof(int);
	} else {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		if (payload < sizeof(*e))
			return -EPROTO;
		err = e->error;
		tlv_offset = sizeof(*e);
		/* uncapped: our request comes back first */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= sizeof(e->msg))
			tlv_offset += e->msg.nlmsg_len - sizeof(e->msg);
	}
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && msg_size && tlv_offset < payload)
		mnl_attr_parse(nlh, tlv_offset, extack_attr_cb, &out);
	return err;
}

/*
 * One batch of messages from the socket.  Returns 1 while more is to come,
 * 0 at the end of the reply, or a negative errno from the kernel.
 */
static int nl_read_batch(struct vdpamgmt *vm, const uint8_t *buf, size_t len, uint32_t seq,
			 bool dump, nl_msg_cb cb, void *arg, int *stop)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int remaining = (int)len;
	char extack[VDPAMGMT_ERR_MAX];
	int err;

	for (; mnl_nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
		if (nlh->nlmsg_seq != seq || (nlh->nlmsg_pid && nlh->nlmsg_pid != vm->portid))
			continue;	/* a late answer to something else */
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_OVERRUN:
			return vm_fail(vm, ENOBUFS, "netlink reply lost (overrun)");
		case NLMSG_ERROR:
		case NLMSG_DONE:
			err = vdpamgmt_parse_nlmsgerr(nlh, extack, sizeof(extack));
			if (err == 0 && nlh->nlmsg_type == NLMSG_ERROR && dump)
				continue;	/* an ack inside a dump: keep reading */
			if (err < 0) {
				if (extack[0]) {
					vm_fail(vm, err, "%s", extack);
					vm->error_is_extack = true;
				} else {
					vm_fail(vm, err, "%s", strerror(-err));
				}
				return err;
			}
			return 0;
		default:
			if (*stop || !cb)
				continue;
			*stop = cb(nlh, arg);
			break;
		}
	}
	return 1;
}

int nl_transact(struct vdpamgmt *vm, struct nlmsghdr *req, nl_msg_cb cb, void *arg)
{
	bool dump = req->nlmsg_flags & NLM_F_DUMP;
	int stop = 0;
	ssize_t n;
	int err;

	vm_clear_error(vm);
	err = nl_open(vm);
	if (err)
		return err;
	/* Every request gets an answer we wait for: data and ack, or DONE. */
	if (!dump)
		req->nlmsg_flags |= NLM_F_ACK;
	req->nlmsg_seq = ++vm->seq;
	if (mnl_socket_sendto(vm->nl, req, req->nlmsg_len) < 0)
		return vm_fail(vm, errno, "netlink send failed: %s", strerror(errno));
	do {
		n = mnl_socket_recvfrom(vm->nl, vm->recv_buf, NL_RECV_SIZE);
		if (n < 0)
			return vm_fail(vm, errno, "netlink receive failed: %s", strerror(errno));
		err = nl_read_batch(vm, vm->recv_buf, (size_t)n, req->nlmsg_seq, dump, cb, arg,
				    &stop);
	} while (err > 0);
	if (err < 0)
		return err;
	if (stop < 0 && !vm->error[0])
		vm_fail(vm, stop, "%s", strerror(-stop));
	return stop;
}

int nl_build_failed(struct vdpamgmt *vm, int err)
{
	if (err == -EMSGSIZE)
		return vm_fail(vm, err, "request too large (names too long?)");
	return vm_fail(vm, err, "invalid request (a name or handle is empty or malformed)");
}

struct family_reply {
	uint16_t id;
};

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct family_reply *out = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
		out->id = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int family_msg_cb(const struct nlmsghdr *nlh, void *arg)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, arg);
	return 0;
}

int nl_family_id(struct vdpamgmt *vm, const char *name, uint16_t *id)
{
	struct family_reply reply = { 0 };
	struct nlmsghdr *nlh;
	int err;

	nlh = genl_msg_start(vm->req_buf, sizeof(vm->req_buf), GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
			     1, 0, 0);
	if (!mnl_attr_put_strz_check(nlh, sizeof(vm->req_buf), CTRL_ATTR_FAMILY_NAME, name))
		return vm_fail(vm, ENAMETOOLONG, "family name too long");
	err = nl_transact(vm, nlh, family_msg_cb, &reply);
	if (err == -ENOENT)
		return vm_fail(vm, ENOENT,
			       "the kernel has no \"%s\" netlink family (is the %s module loaded?)",
			       name, name);
	if (err)
		return err;
	if (!reply.id)
		return vm_fail(vm, EPROTO, "no id in the kernel's answer for family \"%s\"", name);
	*id = reply.id;
	return 0;
}

/* --- reply attributes, for any family */

struct attrs_parse {
	const struct nlattr **tb;
	uint16_t max;
	uint64_t *present;
};

static int attrs_parse_cb(const struct nlattr *attr, void *data)
{
	struct attrs_parse *p = data;
	uint16_t type = mnl_attr_get_type(attr);

	/* attributes of a newer kernel are none of our business */
	if (type > p->max)
		return MNL_CB_OK;
	p->tb[type] = attr;
	if (type < 64)
		*p->present |= 1ULL << type;
	return MNL_CB_OK;
}

int nl_attrs_parse(const struct nlmsghdr *nlh, const struct nlattr **tb, uint16_t max,
		   uint64_t *present)
{
	struct attrs_parse p = { tb, max, present };

	memset(tb, 0, sizeof(*tb) * (max + 1u));
	*present = 0;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attrs_parse_cb, &p) != MNL_CB_OK)
		return -EINVAL;
	return 0;
}

int nl_attrs_parse_nested(const struct nlattr *nest, const struct nlattr **tb, uint16_t max,
			  uint64_t *present)
{
	struct attrs_parse p = { tb, max, present };

	memset(tb, 0, sizeof(*tb) * (max + 1u));
	*present = 0;
	if (mnl_attr_parse_nested(nest, attrs_parse_cb, &p) != MNL_CB_OK)
		return -EINVAL;
	return 0;
}

/*
 * An unsigned attribute of any width: the kernel's width is what it
 * sends (NET_STATUS is documented u8 but sent as u16), so read what is
 * there rather than trusting a table.
 */
int nl_attr_get_uint(const struct nlattr *attr, uint64_t *value)
{
	const void *p = mnl_attr_get_payload(attr);

	switch (mnl_attr_get_payload_len(attr)) {
	case 1: *value = *(const uint8_t *)p; return 0;
	case 2: { uint16_t v; memcpy(&v, p, 2); *value = v; return 0; }
	case 4: { uint32_t v; memcpy(&v, p, 4); *value = v; return 0; }
	case 8: { uint64_t v; memcpy(&v, p, 8); *value = v; return 0; }
	default: return -EINVAL;
	}
}

int nl_attr_get_str(const struct nlattr *attr, char *out, size_t size)
{
	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return -EINVAL;
	if ((size_t)snprintf(out, size, "%s", mnl_attr_get_str(attr)) >= size)
		return -EINVAL;
	return 0;
}

int nl_store_uint_fields(const struct nlattr *const *tb, void *out,
			 const struct nl_uint_field *fields, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct nlattr *attr = tb[fields[i].type];
		uint8_t *dst = (uint8_t *)out + fields[i].offset;
		uint64_t v;

		if (!attr)
			continue;
		if (nl_attr_get_uint(attr, &v))
			return -EINVAL;
		switch (fields[i].size) {
		case 1: if (v > UINT8_MAX) return -EINVAL; *dst = (uint8_t)v; break;
		case 2: { uint16_t x = (uint16_t)v; if (v > UINT16_MAX) return -EINVAL;
			memcpy(dst, &x, 2); break; }
		case 4: { uint32_t x = (uint32_t)v; if (v > UINT32_MAX) return -EINVAL;
			memcpy(dst, &x, 4); break; }
		default: memcpy(dst, &v, 8); break;
		}
	}
	return 0;
}
