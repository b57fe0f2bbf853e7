/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside libvdpamgmt: the session, the netlink core (nl.c), the kernel log
 * reader (kmsg.c) and sysfs file helpers (sysfs.c).  Not installed.
 */
#ifndef VDPA_MGMT_INTERNAL_H
#define VDPA_MGMT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libvdpamgmt.h"

struct nlmsghdr;
struct nlattr;
struct mnl_socket;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Big enough for one dump batch of the kernel (it sends up to 32 KiB) and
 * for the largest single replies: dpu_vdpa's STATE_SAVE (a blob of up to
 * 65000 bytes) and a full LOG_SYNC (a 32 KiB bitmap and its headers).
 */
#define NL_RECV_SIZE	(128 * 1024)
#define NL_REQ_SIZE	4096

struct vdpamgmt {
	struct mnl_socket *nl;		/* NULL until the first netlink call */
	uint32_t portid;
	uint32_t seq;
	uint16_t vdpa_family;		/* 0 until resolved */
	uint16_t dpu_family;		/* "dpu_vdpa", 0 until resolved */
	bool error_is_extack;		/* error[] is the kernel's own words */
	char error[VDPAMGMT_ERR_MAX];
	uint8_t *recv_buf;
	uint8_t req_buf[NL_REQ_SIZE];
};

/* Record why a call fails and return -ERR (ERR positive or negative). */
int vm_fail(struct vdpamgmt *vm, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vm_clear_error(struct vdpamgmt *vm);

/* --- nl.c: generic netlink over libmnl */

/* Called for each data message of a reply; non-zero stops and is returned. */
typedef int (*nl_msg_cb)(const struct nlmsghdr *nlh, void *arg);

/* The id of generic netlink family NAME; -ENOENT if the kernel has none. */
int nl_family_id(struct vdpamgmt *vm, const char *name, uint16_t *id);
/*
 * Send REQ (built in any buffer) and read the reply to the end: every
 * data message to CB, then the ack or NLMSG_DONE.  On a kernel error the
 * session's error is the extack message, or strerror() without one.
 */
int nl_transact(struct vdpamgmt *vm, struct nlmsghdr *req, nl_msg_cb cb, void *arg);
/* A request builder's -EMSGSIZE or -EINVAL as the session's error. */
int nl_build_failed(struct vdpamgmt *vm, int err);
/* Start a generic netlink request in BUF; NULL if SIZE is too small. */
struct nlmsghdr *genl_msg_start(void *buf, size_t size, uint16_t family, uint8_t cmd,
				uint8_t version, uint16_t flags, uint32_t seq);

/*
 * Attributes of a reply (after its genlmsghdr) or of a nested attribute,
 * by type into TB[0..MAX]; types above MAX (a newer kernel's) are skipped.
 * *PRESENT gets bit n for each type n < 64 seen.  -EINVAL if malformed.
 */
int nl_attrs_parse(const struct nlmsghdr *nlh, const struct nlattr **tb, uint16_t max,
		   uint64_t *present);
int nl_attrs_parse_nested(const struct nlattr *nest, const struct nlattr **tb, uint16_t max,
			  uint64_t *present);
/* An unsigned attribute of whatever width (1, 2, 4, 8) the kernel sent. */
int nl_attr_get_uint(const struct nlattr *attr, uint64_t *value);
/* A NUL-terminated string attribute that fits OUT; else -EINVAL. */
int nl_attr_get_str(const struct nlattr *attr, char *out, size_t size);

/* Where an unsigned attribute lands in a result struct, and how wide it is. */
struct nl_uint_field {
	uint16_t type;
	uint16_t offset;
	uint8_t size;
};

#define NL_FIELD(attr, type_, member) \
	{ attr, offsetof(type_, member), sizeof(((type_ *)0)->member) }

/* Each FIELDS[i] present in TB into OUT; -EINVAL if a value is too wide. */
int nl_store_uint_fields(const struct nlattr *const *tb, void *out,
			 const struct nl_uint_field *fields, size_t n);

/* --- kmsg.c: what a driver wrote to the kernel log for our request */

struct kmsg_mark {
	int fd;				/* -1: no kernel log (not root) */
};

/* One log record: syslog level, the device it names ("+pci:0000:00:08.0"). */
struct kmsg_record {
	int level;
	const char *device;		/* "" when it names none */
	const char *text;		/* without the "driver device: " prefix */
};

typedef bool (*kmsg_record_cb)(const struct kmsg_record *rec, void *arg);

/* Remember where the log ends now; records after it are ours. */
void kmsg_mark_set(struct kmsg_mark *mark);
/* Each record since the mark, until CB returns true. */
void kmsg_for_each_since(struct kmsg_mark *mark, kmsg_record_cb cb, void *arg);
void kmsg_mark_release(struct kmsg_mark *mark);
/*
 * The first error-level message since MARK about DEVICE (kmsg form,
 * "+bus:name") into OUT; false if there is none.
 */
bool kmsg_error_since(struct kmsg_mark *mark, const char *device, char *out, size_t size);

#endif
