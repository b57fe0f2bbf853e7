// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of libvdpamgmt without a kernel (TAP): requests built into a
 * buffer and read back attribute by attribute, replies and extended acks
 * made by hand and parsed, names and address parsing.  Run under valgrind
 * by tests/unit/vdpa-mgmt-requests.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/dpu_vdpa.h>
#include <linux/dpu_vdpa_state.h>
#include <linux/vdpa.h>

#include "libvdpamgmt.h"
#include "test_tap.h"

#define FAMILY	0x1d
#define DPU_FAMILY	0x2a

_Static_assert(DPU_VDPA_A_MAX <= VDPA_ATTR_MAX, "struct attrs holds dpu_vdpa's attributes");
#define BUF	4096
#define NL_BIG	(DPU_VDPA_STATE_MAX_LEN + 4096)

/* --- reading a built request back */

struct attrs {
	const struct nlattr *tb[VDPA_ATTR_MAX + 1];
	int count;
};

static int attrs_cb(const struct nlattr *attr, void *data)
{
	struct attrs *a = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= VDPA_ATTR_MAX)
		a->tb[type] = attr;
	a->count++;
	return MNL_CB_OK;
}

static const struct genlmsghdr *read_request(const void *buf, int len, struct attrs *a)
{
	const struct nlmsghdr *nlh = buf;

	memset(a, 0, sizeof(*a));
	if (len < 0 || (unsigned int)len != nlh->nlmsg_len)
		return NULL;
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attrs_cb, a);
	return mnl_nlmsg_get_payload(nlh);
}

static int attr_is_str(const struct attrs *a, int type, const char *want)
{
	const struct nlattr *attr = a->tb[type];

	return attr && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0 &&
	       !strcmp(mnl_attr_get_str(attr), want);
}

static void test_dev_add(void)
{
	struct vdpamgmt_dev_params p = {
		.name = "vdpa0", .mgmtdev = "pci/0000:00:08.0",
		.set = VDPAMGMT_DEV_PARAM_MAC | VDPAMGMT_DEV_PARAM_MTU |
		       VDPAMGMT_DEV_PARAM_MAX_VQP | VDPAMGMT_DEV_PARAM_FEATURES,
		.mac = { 0x02, 0, 0, 0, 0x0a, 0x01 }, .mtu = 4000, .max_vq_pairs = 2,
		.device_features = 0x300010000ULL,
	};
	char buf[BUF], small[40];
	const struct nlmsghdr *nlh = (void *)buf;
	const struct genlmsghdr *genl;
	struct attrs a;
	int len;

	len = vdpamgmt_build_dev_add(buf, sizeof(buf), FAMILY, 7, &p);
	genl = read_request(buf, len, &a);
	check("dev add: a request of the length returned", genl != NULL);
	check("dev add: family, NLM_F_REQUEST, no dump, seq",
	      nlh->nlmsg_type == FAMILY && (nlh->nlmsg_flags & NLM_F_REQUEST) &&
	      !(nlh->nlmsg_flags & NLM_F_DUMP) && nlh->nlmsg_seq == 7);
	check("dev add: VDPA_CMD_DEV_NEW, version 1",
	      genl && genl->cmd == VDPA_CMD_DEV_NEW && genl->version == VDPA_GENL_VERSION);
	check("dev add: mgmtdev split into bus \"pci\" and name \"0000:00:08.0\"",
	      attr_is_str(&a, VDPA_ATTR_MGMTDEV_BUS_NAME, "pci") &&
	      attr_is_str(&a, VDPA_ATTR_MGMTDEV_DEV_NAME, "0000:00:08.0"));
	check("dev add: device name", attr_is_str(&a, VDPA_ATTR_DEV_NAME, "vdpa0"));
	check("dev add: mac, 6 bytes",
	      a.tb[VDPA_ATTR_DEV_NET_CFG_MACADDR] &&
	      mnl_attr_get_payload_len(a.tb[VDPA_ATTR_DEV_NET_CFG_MACADDR]) == 6 &&
	      !memcmp(mnl_attr_get_payload(a.tb[VDPA_ATTR_DEV_NET_CFG_MACADDR]), p.mac, 6));
	check("dev add: mtu as u16 (the kernel's policy type)",
	      a.tb[VDPA_ATTR_DEV_NET_CFG_MTU] &&
	      mnl_attr_get_payload_len(a.tb[VDPA_ATTR_DEV_NET_CFG_MTU]) == 2 &&
	      mnl_attr_get_u16(a.tb[VDPA_ATTR_DEV_NET_CFG_MTU]) == 4000);
	check("dev add: max_vqp as u16",
	      a.tb[VDPA_ATTR_DEV_NET_CFG_MAX_VQP] &&
	      mnl_attr_get_payload_len(a.tb[VDPA_ATTR_DEV_NET_CFG_MAX_VQP]) == 2 &&
	      mnl_attr_get_u16(a.tb[VDPA_ATTR_DEV_NET_CFG_MAX_VQP]) == 2);
	check("dev add: device_features as u64",
	      a.tb[VDPA_ATTR_DEV_FEATURES] &&
	      mnl_attr_get_payload_len(a.tb[VDPA_ATTR_DEV_FEATURES]) == 8 &&
	      mnl_attr_get_u64(a.tb[VDPA_ATTR_DEV_FEATURES]) == 0x300010000ULL);
	check("dev add: nothing else", a.count == 7);

	p.set = 0;
	p.mgmtdev = "vdpasim_net";
	len = vdpamgmt_build_dev_add(buf, sizeof(buf), FAMILY, 1, &p);
	read_request(buf, len, &a);
	check("dev add: handle without bus sends the name alone, no optional attributes",
	      len > 0 && !a.tb[VDPA_ATTR_MGMTDEV_BUS_NAME] &&
	      attr_is_str(&a, VDPA_ATTR_MGMTDEV_DEV_NAME, "vdpasim_net") && a.count == 2);

	p.mgmtdev = "pci/";
	check("dev add: \"pci/\" refused",
	      vdpamgmt_build_dev_add(buf, sizeof(buf), FAMILY, 1, &p) == -EINVAL);
	p.mgmtdev = "/0000:00:08.0";
	check("dev add: \"/name\" refused",
	      vdpamgmt_build_dev_add(buf, sizeof(buf), FAMILY, 1, &p) == -EINVAL);
	p.mgmtdev = "a/b/c";
	check("dev add: two slashes refused",
	      vdpamgmt_build_dev_add(buf, sizeof(buf), FAMILY, 1, &p) == -EINVAL);
	p.mgmtdev = "pci/0000:00:08.0";
	p.name = "";
	check("dev add: empty name refused",
	      vdpamgmt_build_dev_add(buf, sizeof(buf), FAMILY, 1, &p) == -EINVAL);
	p.name = "vdpa0";
	check("dev add: a buffer too small is -EMSGSIZE, not an overflow",
	      vdpamgmt_build_dev_add(small, sizeof(small), FAMILY, 1, &p) == -EMSGSIZE);
}

static void test_other_requests(void)
{
	struct vdpamgmt_dev_params p = { .name = "vdpa0", .set = VDPAMGMT_DEV_PARAM_MAC,
				     .mac = { 2, 0, 0, 0, 0, 9 } };
	char buf[BUF];
	const struct nlmsghdr *nlh = (void *)buf;
	const struct genlmsghdr *genl;
	struct attrs a;
	int len;

	len = vdpamgmt_build_get(buf, sizeof(buf), FAMILY, 1, VDPA_CMD_DEV_GET, NULL);
	genl = read_request(buf, len, &a);
	check("dev show: no name is a dump with no attributes",
	      genl && genl->cmd == VDPA_CMD_DEV_GET && (nlh->nlmsg_flags & NLM_F_DUMP) &&
	      a.count == 0);
	len = vdpamgmt_build_get(buf, sizeof(buf), FAMILY, 1, VDPA_CMD_DEV_CONFIG_GET, "vdpa0");
	genl = read_request(buf, len, &a);
	check("dev config show NAME: one device, by name",
	      genl && genl->cmd == VDPA_CMD_DEV_CONFIG_GET && !(nlh->nlmsg_flags & NLM_F_DUMP) &&
	      attr_is_str(&a, VDPA_ATTR_DEV_NAME, "vdpa0") && a.count == 1);
	len = vdpamgmt_build_get(buf, sizeof(buf), FAMILY, 1, VDPA_CMD_MGMTDEV_GET,
				 "pci/0000:00:09.0");
	genl = read_request(buf, len, &a);
	check("mgmtdev show HANDLE: bus and device name",
	      genl && genl->cmd == VDPA_CMD_MGMTDEV_GET &&
	      attr_is_str(&a, VDPA_ATTR_MGMTDEV_BUS_NAME, "pci") &&
	      attr_is_str(&a, VDPA_ATTR_MGMTDEV_DEV_NAME, "0000:00:09.0") && a.count == 2);
	len = vdpamgmt_build_dev_del(buf, sizeof(buf), FAMILY, 1, "vdpa0");
	genl = read_request(buf, len, &a);
	check("dev del: VDPA_CMD_DEV_DEL with the name",
	      genl && genl->cmd == VDPA_CMD_DEV_DEL &&
	      attr_is_str(&a, VDPA_ATTR_DEV_NAME, "vdpa0") && a.count == 1);
	len = vdpamgmt_build_dev_set(buf, sizeof(buf), FAMILY, 1, &p);
	genl = read_request(buf, len, &a);
	check("dev set: VDPA_CMD_DEV_ATTR_SET with name and mac",
	      genl && genl->cmd == VDPA_CMD_DEV_ATTR_SET &&
	      attr_is_str(&a, VDPA_ATTR_DEV_NAME, "vdpa0") &&
	      a.tb[VDPA_ATTR_DEV_NET_CFG_MACADDR] && a.count == 2);
	p.set = VDPAMGMT_DEV_PARAM_MTU;
	check("dev set: anything but the mac is refused (the kernel sets only that)",
	      vdpamgmt_build_dev_set(buf, sizeof(buf), FAMILY, 1, &p) == -EINVAL);
}

/* --- replies made by hand, as the kernel sends them */

static struct nlmsghdr *reply_start(char *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(buf, 0, BUF);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = FAMILY;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = VDPA_GENL_VERSION;
	return nlh;
}

static void test_parse_replies(void)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0x0a, 0x01 };
	struct vdpamgmt_dev_config cfg;
	struct vdpamgmt_mgmtdev md;
	struct vdpamgmt_dev dev;
	struct nlmsghdr *nlh;
	char buf[BUF];
	struct nlattr *attr;

	nlh = reply_start(buf, VDPA_CMD_MGMTDEV_NEW);
	mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_BUS_NAME, "pci");
	mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_DEV_NAME, "0000:00:08.0");
	mnl_attr_put_u64(nlh, VDPA_ATTR_MGMTDEV_SUPPORTED_CLASSES, 1ULL << 1);
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_MGMTDEV_MAX_VQS, 9);
	mnl_attr_put_u64(nlh, VDPA_ATTR_DEV_SUPPORTED_FEATURES, 0x1c0000330ffffafULL);
	check("mgmtdev reply parsed: handle, classes, max vqs, features",
	      !vdpamgmt_parse_mgmtdev(nlh, &md) && !strcmp(md.handle, "pci/0000:00:08.0") &&
	      md.classes == 2 && md.max_supported_vqs == 9 &&
	      md.supported_features == 0x1c0000330ffffafULL &&
	      VDPAMGMT_HAS(&md, VDPA_ATTR_DEV_MGMTDEV_MAX_VQS) &&
	      !VDPAMGMT_HAS(&md, VDPA_ATTR_DEV_NAME));

	nlh = reply_start(buf, VDPA_CMD_DEV_NEW);
	mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_DEV_NAME, "vdpasim_net");
	mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, "vdpa0");
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 1);
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_VENDOR_ID, 0x1af4);
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_MAX_VQS, 5);
	mnl_attr_put_u16(nlh, VDPA_ATTR_DEV_MAX_VQ_SIZE, 256);
	mnl_attr_put_u16(nlh, VDPA_ATTR_DEV_MIN_VQ_SIZE, 1);
	mnl_attr_put_u32(nlh, VDPA_ATTR_MAX + 3, 77);	/* from a newer kernel */
	check("dev reply parsed; an attribute from a newer kernel is ignored",
	      !vdpamgmt_parse_dev(nlh, &dev) && !strcmp(dev.name, "vdpa0") &&
	      !strcmp(dev.mgmtdev, "vdpasim_net") && dev.device_id == 1 &&
	      dev.vendor_id == 0x1af4 && dev.max_vqs == 5 && dev.max_vq_size == 256 &&
	      dev.min_vq_size == 1);

	nlh = reply_start(buf, VDPA_CMD_DEV_NEW);
	mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_DEV_NAME, "x");
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 1);
	check("dev reply without a device name is malformed", vdpamgmt_parse_dev(nlh, &dev) ==
	      -EINVAL);

	nlh = reply_start(buf, VDPA_CMD_DEV_NEW);
	mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_DEV_NAME, "x");
	mnl_attr_put(nlh, VDPA_ATTR_DEV_NAME, 3, "abc");	/* no NUL */
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 1);
	check("a string without its NUL is malformed", vdpamgmt_parse_dev(nlh, &dev) == -EINVAL);

	nlh = reply_start(buf, VDPA_CMD_DEV_CONFIG_GET);
	mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, "vdpa0");
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 1);
	mnl_attr_put_u64(nlh, VDPA_ATTR_DEV_NEGOTIATED_FEATURES, 0x300000020ULL);
	mnl_attr_put_u64(nlh, VDPA_ATTR_DEV_FEATURES, 0x3000000a0ULL);
	mnl_attr_put_u16(nlh, VDPA_ATTR_DEV_NET_CFG_MTU, 4000);
	mnl_attr_put(nlh, VDPA_ATTR_DEV_NET_CFG_MACADDR, 6, mac);
	mnl_attr_put_u16(nlh, VDPA_ATTR_DEV_NET_STATUS, 1);	/* u16 on the wire */
	mnl_attr_put_u16(nlh, VDPA_ATTR_DEV_NET_CFG_MAX_VQP, 2);
	check("net config reply parsed: mac, status sent as u16, mtu, max_vqp, features",
	      !vdpamgmt_parse_dev_config(nlh, &cfg) && !memcmp(cfg.net.mac, mac, 6) &&
	      cfg.net.status == 1 && cfg.net.mtu == 4000 && cfg.net.max_vq_pairs == 2 &&
	      cfg.negotiated_features == 0x300000020ULL && cfg.device_features == 0x3000000a0ULL);

	nlh = reply_start(buf, VDPA_CMD_DEV_CONFIG_GET);
	mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, "blk0");
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 2);
	mnl_attr_put_u64(nlh, VDPA_ATTR_DEV_BLK_CFG_CAPACITY, 2097152);
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_BLK_CFG_SEG_MAX, 254);
	mnl_attr_put_u16(nlh, VDPA_ATTR_DEV_BLK_CFG_NUM_QUEUES, 2);
	mnl_attr_put_u8(nlh, VDPA_ATTR_DEV_BLK_READ_ONLY, 0);
	mnl_attr_put_u8(nlh, VDPA_ATTR_DEV_BLK_FLUSH, 1);
	check("block config reply parsed",
	      !vdpamgmt_parse_dev_config(nlh, &cfg) && cfg.device_id == 2 &&
	      cfg.blk.capacity == 2097152 && cfg.blk.seg_max == 254 && cfg.blk.num_queues == 2 &&
	      cfg.blk.flush == 1 && VDPAMGMT_HAS(&cfg, VDPA_ATTR_DEV_BLK_READ_ONLY) &&
	      !VDPAMGMT_HAS(&cfg, VDPA_ATTR_DEV_BLK_CFG_SIZE_MAX));

	nlh = reply_start(buf, VDPA_CMD_DEV_CONFIG_GET);
	mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, "vdpa0");
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 1);
	mnl_attr_put(nlh, VDPA_ATTR_DEV_NET_CFG_MACADDR, 4, mac);
	check("a 4-byte mac is malformed", vdpamgmt_parse_dev_config(nlh, &cfg) == -EINVAL);

	nlh = reply_start(buf, VDPA_CMD_DEV_CONFIG_GET);
	mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, "vdpa0");
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 1);
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_NET_CFG_MTU, 70000);
	check("a value too wide for its field is malformed, not truncated",
	      vdpamgmt_parse_dev_config(nlh, &cfg) == -EINVAL);
	(void)attr;
}

/* An NLMSG_ERROR as the kernel sends it: capped or not, with or without extack. */
static struct nlmsghdr *error_msg(char *buf, int error, bool capped, const char *extack)
{
	struct nlmsghdr *nlh, *req;
	struct nlmsgerr *e;
	char reqbuf[BUF];
	size_t echo = 0;

	memset(buf, 0, BUF);
	req = mnl_nlmsg_put_header(reqbuf);
	req->nlmsg_type = FAMILY;
	mnl_nlmsg_put_extra_header(req, sizeof(struct genlmsghdr));
	mnl_attr_put_strz(req, VDPA_ATTR_DEV_NAME, "vdpa0");

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	if (!capped)
		echo = req->nlmsg_len - sizeof(*req);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e) + echo);
	e->error = error;
	memcpy(&e->msg, req, sizeof(*req) + echo);
	if (capped)
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	if (extack) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extack);
	}
	return nlh;
}

static void test_parse_errors(void)
{
	char buf[BUF], msg[256];
	struct nlmsghdr *nlh;
	int err;

	nlh = error_msg(buf, -EOPNOTSUPP, true, "vdpa: Operation not supported by the device.");
	err = vdpamgmt_parse_nlmsgerr(nlh, msg, sizeof(msg));
	check("capped error with extack: errno and message",
	      err == -EOPNOTSUPP && !strcmp(msg, "vdpa: Operation not supported by the device."));
	nlh = error_msg(buf, -ENODEV, false, "vdpa: device not found");
	err = vdpamgmt_parse_nlmsgerr(nlh, msg, sizeof(msg));
	check("uncapped error (request echoed) with extack: the message after the echo",
	      err == -ENODEV && !strcmp(msg, "vdpa: device not found"));
	nlh = error_msg(buf, -EBUSY, true, NULL);
	err = vdpamgmt_parse_nlmsgerr(nlh, msg, sizeof(msg));
	check("error without extack: errno, empty message", err == -EBUSY && msg[0] == '\0');
	nlh = error_msg(buf, 0, true, NULL);
	check("an ack is 0", vdpamgmt_parse_nlmsgerr(nlh, msg, sizeof(msg)) == 0);

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = -EINVAL;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "dump failed");
	err = vdpamgmt_parse_nlmsgerr(nlh, msg, sizeof(msg));
	check("NLMSG_DONE of a failed dump: errno and extack",
	      err == -EINVAL && !strcmp(msg, "dump failed"));

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	check("a truncated NLMSG_ERROR is -EPROTO",
	      vdpamgmt_parse_nlmsgerr(nlh, msg, sizeof(msg)) == -EPROTO);
}

static void test_names(void)
{
	uint8_t mac[6];
	char bdf[16];

	check("feature names as iproute2: net MAC, transport VERSION_1, blk bit unnamed",
	      !strcmp(vdpamgmt_feature_name(1, 5), "MAC") &&
	      !strcmp(vdpamgmt_feature_name(2, 32), "VERSION_1") && !vdpamgmt_feature_name(2, 5) &&
	      !vdpamgmt_feature_name(1, 54) && !vdpamgmt_feature_name(1, 64));
	check("class and type names",
	      !strcmp(vdpamgmt_class_name(1), "net") && !strcmp(vdpamgmt_class_name(2), "block") &&
	      !vdpamgmt_class_name(3) && !strcmp(vdpamgmt_device_type_name(1), "network"));
	check("mac parsed",
	      !vdpamgmt_mac_parse("02:00:00:00:0A:ff", mac) && mac[0] == 2 && mac[4] == 0x0a &&
	      mac[5] == 0xff);
	check("bad macs refused",
	      vdpamgmt_mac_parse("02:00:00:00:0a", mac) == -EINVAL &&
	      vdpamgmt_mac_parse("02:00:00:00:0a:1", mac) == -EINVAL &&
	      vdpamgmt_mac_parse("02:00:00:00:0a:011", mac) == -EINVAL &&
	      vdpamgmt_mac_parse("02-00-00-00-0a-01", mac) == -EINVAL &&
	      vdpamgmt_mac_parse("0x:00:00:00:0a:01", mac) == -EINVAL &&
	      vdpamgmt_mac_parse(" 2:00:00:00:0a:01", mac) == -EINVAL &&
	      vdpamgmt_mac_parse("zz:00:00:00:0a:01", mac) == -EINVAL);
	check("PCI addresses: full and short forms, made canonical",
	      !vdpamgmt_pci_bdf_parse("0000:00:08.0", bdf) && !strcmp(bdf, "0000:00:08.0") &&
	      !vdpamgmt_pci_bdf_parse("00:1F.3", bdf) && !strcmp(bdf, "0000:00:1f.3"));
	check("bad PCI addresses refused",
	      vdpamgmt_pci_bdf_parse("0000:00:08", bdf) == -EINVAL &&
	      vdpamgmt_pci_bdf_parse("0000:00:20.0", bdf) == -EINVAL &&
	      vdpamgmt_pci_bdf_parse("0000:00:08.8", bdf) == -EINVAL &&
	      vdpamgmt_pci_bdf_parse("0000:00:08.0x", bdf) == -EINVAL &&
	      vdpamgmt_pci_bdf_parse("-0:00:08.0", bdf) == -EINVAL &&
	      vdpamgmt_pci_bdf_parse("", bdf) == -EINVAL);
}

/* --- dpu_vdpa's family */

static int attr_is_u64(const struct attrs *a, int type, uint64_t want)
{
	const struct nlattr *attr = a->tb[type];

	return attr && mnl_attr_get_payload_len(attr) == 8 && mnl_attr_get_u64(attr) == want;
}

static void test_dpu_requests(void)
{
	static const struct { uint8_t cmd; const char *what; } by_name[] = {
		{ DPU_VDPA_CMD_DEV_GET, "DEV_GET" }, { DPU_VDPA_CMD_SUSPEND, "SUSPEND" },
		{ DPU_VDPA_CMD_RESUME, "RESUME" }, { DPU_VDPA_CMD_LOG_STOP, "LOG_STOP" },
		{ DPU_VDPA_CMD_STATE_SAVE, "STATE_SAVE" },
	};
	char buf[BUF], what[96], small[24];
	static uint8_t big[NL_BIG];
	const struct nlmsghdr *nlh = (void *)buf;
	const struct genlmsghdr *genl;
	uint8_t blob[100];
	struct attrs a;
	size_t i;
	int len;

	for (i = 0; i < sizeof(by_name) / sizeof(by_name[0]); i++) {
		len = vdpamgmt_dpu_build_dev_cmd(buf, sizeof(buf), DPU_FAMILY, 3, by_name[i].cmd,
						 "vdpa0");
		genl = read_request(buf, len, &a);
		snprintf(what, sizeof(what), "dpu %s: its command, version %d, DEV_NAME alone, no dump",
			 by_name[i].what, DPU_VDPA_GENL_VERSION);
		check(what, genl && genl->cmd == by_name[i].cmd &&
		      genl->version == DPU_VDPA_GENL_VERSION && nlh->nlmsg_type == DPU_FAMILY &&
		      nlh->nlmsg_seq == 3 && !(nlh->nlmsg_flags & NLM_F_DUMP) &&
		      attr_is_str(&a, DPU_VDPA_A_DEV_NAME, "vdpa0") && a.count == 1);
	}
	len = vdpamgmt_dpu_build_dev_cmd(buf, sizeof(buf), DPU_FAMILY, 1, DPU_VDPA_CMD_DEV_GET,
					 NULL);
	genl = read_request(buf, len, &a);
	check("dpu DEV_GET without a name: a dump with no attributes",
	      genl && genl->cmd == DPU_VDPA_CMD_DEV_GET && (nlh->nlmsg_flags & NLM_F_DUMP) &&
	      a.count == 0);
	check("dpu SUSPEND without a name refused",
	      vdpamgmt_dpu_build_dev_cmd(buf, sizeof(buf), DPU_FAMILY, 1, DPU_VDPA_CMD_SUSPEND,
					 NULL) == -EINVAL &&
	      vdpamgmt_dpu_build_dev_cmd(buf, sizeof(buf), DPU_FAMILY, 1, DPU_VDPA_CMD_RESUME,
					 "") == -EINVAL);
	check("dpu commands that take more than a name are not built by name alone",
	      vdpamgmt_dpu_build_dev_cmd(buf, sizeof(buf), DPU_FAMILY, 1, DPU_VDPA_CMD_LOG_START,
					 "vdpa0") == -EINVAL &&
	      vdpamgmt_dpu_build_dev_cmd(buf, sizeof(buf), DPU_FAMILY, 1, DPU_VDPA_CMD_STATE_LOAD,
					 "vdpa0") == -EINVAL);

	len = vdpamgmt_dpu_build_log_start(buf, sizeof(buf), DPU_FAMILY, 1, "vdpa0", 0x100000000ULL,
					   1ULL << 34, 2 << 20, 0);
	genl = read_request(buf, len, &a);
	check("LOG_START: name, LOG_IOVA and LOG_LEN as u64, LOG_PAGE_SIZE as u32",
	      genl && genl->cmd == DPU_VDPA_CMD_LOG_START &&
	      attr_is_str(&a, DPU_VDPA_A_DEV_NAME, "vdpa0") &&
	      attr_is_u64(&a, DPU_VDPA_A_LOG_IOVA, 0x100000000ULL) &&
	      attr_is_u64(&a, DPU_VDPA_A_LOG_LEN, 1ULL << 34) &&
	      a.tb[DPU_VDPA_A_LOG_PAGE_SIZE] &&
	      mnl_attr_get_payload_len(a.tb[DPU_VDPA_A_LOG_PAGE_SIZE]) == 4 &&
	      mnl_attr_get_u32(a.tb[DPU_VDPA_A_LOG_PAGE_SIZE]) == 2 << 20 && a.count == 4);
	len = vdpamgmt_dpu_build_log_start(buf, sizeof(buf), DPU_FAMILY, 1, "vdpa0", 0, 4096, 0, 0);
	read_request(buf, len, &a);
	check("LOG_START with page size 0: the kernel's default (no attribute)",
	      len > 0 && !a.tb[DPU_VDPA_A_LOG_PAGE_SIZE] && attr_is_u64(&a, DPU_VDPA_A_LOG_IOVA, 0) &&
	      a.count == 3);
	len = vdpamgmt_dpu_build_log_start(buf, sizeof(buf), DPU_FAMILY, 1, "vdpa0", 0x1000, 0,
					   1 << 16, 0);
	read_request(buf, len, &a);
	check("LOG_START with len 0: no LOG_IOVA or LOG_LEN (the kernel picks the range)",
	      len > 0 && !a.tb[DPU_VDPA_A_LOG_IOVA] && !a.tb[DPU_VDPA_A_LOG_LEN] &&
	      a.tb[DPU_VDPA_A_LOG_PAGE_SIZE] && !a.tb[DPU_VDPA_A_LOG_OWNED] && a.count == 2);
	len = vdpamgmt_dpu_build_log_start(buf, sizeof(buf), DPU_FAMILY, 1, "vdpa0", 0, 0, 0,
					   VDPAMGMT_LOG_OWNED);
	read_request(buf, len, &a);
	check("LOG_START owned: LOG_OWNED as an empty flag",
	      len > 0 && a.tb[DPU_VDPA_A_LOG_OWNED] &&
	      mnl_attr_get_payload_len(a.tb[DPU_VDPA_A_LOG_OWNED]) == 0 && a.count == 2);
	len = vdpamgmt_dpu_build_log_sync(buf, sizeof(buf), DPU_FAMILY, 1, "vdpa0", 0x40000000,
					  (uint64_t)DPU_VDPA_LOG_SYNC_MAX_PAGES * 4096);
	genl = read_request(buf, len, &a);
	check("LOG_SYNC: name, LOG_IOVA, LOG_LEN",
	      genl && genl->cmd == DPU_VDPA_CMD_LOG_SYNC &&
	      attr_is_u64(&a, DPU_VDPA_A_LOG_IOVA, 0x40000000) &&
	      attr_is_u64(&a, DPU_VDPA_A_LOG_LEN, (uint64_t)DPU_VDPA_LOG_SYNC_MAX_PAGES * 4096) &&
	      a.count == 3);
	len = vdpamgmt_dpu_build_log_sync(buf, sizeof(buf), DPU_FAMILY, 1, "vdpa0", 0, 0);
	read_request(buf, len, &a);
	check("LOG_SYNC with len 0: no LOG_LEN (the kernel's default)",
	      len > 0 && !a.tb[DPU_VDPA_A_LOG_LEN] && a.count == 2);

	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 7);
	len = vdpamgmt_dpu_build_state_load(buf, sizeof(buf), DPU_FAMILY, 1, "vdpa1", blob,
					    sizeof(blob));
	genl = read_request(buf, len, &a);
	check("STATE_LOAD: name and STATE, the blob's bytes unchanged",
	      genl && genl->cmd == DPU_VDPA_CMD_STATE_LOAD &&
	      attr_is_str(&a, DPU_VDPA_A_DEV_NAME, "vdpa1") && a.tb[DPU_VDPA_A_STATE] &&
	      mnl_attr_get_payload_len(a.tb[DPU_VDPA_A_STATE]) == sizeof(blob) &&
	      !memcmp(mnl_attr_get_payload(a.tb[DPU_VDPA_A_STATE]), blob, sizeof(blob)) &&
	      a.count == 2);
	{
		static uint8_t max_blob[DPU_VDPA_STATE_MAX_LEN];

		len = vdpamgmt_dpu_build_state_load(big, sizeof(big), DPU_FAMILY, 1, "vdpa1",
						    max_blob, sizeof(max_blob));
		read_request(big, len, &a);
		check("STATE_LOAD of the largest blob fits one attribute",
		      len > DPU_VDPA_STATE_MAX_LEN && a.tb[DPU_VDPA_A_STATE] &&
		      mnl_attr_get_payload_len(a.tb[DPU_VDPA_A_STATE]) == DPU_VDPA_STATE_MAX_LEN);
		check("STATE_LOAD: empty or over the maximum refused, small buffer -EMSGSIZE",
		      vdpamgmt_dpu_build_state_load(big, sizeof(big), DPU_FAMILY, 1, "vdpa1",
						    max_blob, 0) == -EINVAL &&
		      vdpamgmt_dpu_build_state_load(big, sizeof(big), DPU_FAMILY, 1, "vdpa1",
						    max_blob, DPU_VDPA_STATE_MAX_LEN + 1) ==
		      -EINVAL &&
		      vdpamgmt_dpu_build_state_load(buf, sizeof(buf), DPU_FAMILY, 1, "vdpa1",
						    max_blob, sizeof(max_blob)) == -EMSGSIZE &&
		      vdpamgmt_dpu_build_dev_cmd(small, sizeof(small), DPU_FAMILY, 1,
						 DPU_VDPA_CMD_SUSPEND, "vdpa0") == -EMSGSIZE);
	}
}

static struct nlmsghdr *dpu_reply_start(char *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = reply_start(buf, cmd);

	nlh->nlmsg_type = DPU_FAMILY;
	return nlh;
}

static void test_dpu_replies(void)
{
	struct vdpamgmt_dpu_log_chunk chunk;
	struct vdpamgmt_dpu_dev dev;
	const uint8_t *blob;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint8_t bitmap[4] = { 0x81, 0x00, 0xff, 0xf1 };	/* 1 + 1 + 8 + 1 (28 pages) */
	char buf[BUF];
	size_t len;

	nlh = dpu_reply_start(buf, DPU_VDPA_CMD_DEV_GET);
	mnl_attr_put_strz(nlh, DPU_VDPA_A_DEV_NAME, "vdpa0");
	mnl_attr_put_strz(nlh, DPU_VDPA_A_MGMTDEV_NAME, "pci/0000:00:08.0");
	mnl_attr_put_u32(nlh, DPU_VDPA_A_DEVICE_ID, 1);
	mnl_attr_put_strz(nlh, DPU_VDPA_A_BUS_DRIVER, "vhost_vdpa");
	mnl_attr_put_u8(nlh, DPU_VDPA_A_STATUS, 0x0f);
	mnl_attr_put_u8(nlh, DPU_VDPA_A_MODE, DPU_VDPA_MODE_SHADOW);
	mnl_attr_put_u8(nlh, DPU_VDPA_A_SUSPENDED, 1);
	mnl_attr_put_u8(nlh, DPU_VDPA_A_LOGGING, 1);
	mnl_attr_put_u32(nlh, DPU_VDPA_A_LOG_PAGE_SIZE, 4096);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_IOVA, 0x1000);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_LEN, 1ULL << 30);
	nest = mnl_attr_nest_start(nlh, DPU_VDPA_A_STATS);
	mnl_attr_put_u64(nlh, DPU_VDPA_STAT_RELAYED_AVAIL, 12345);
	mnl_attr_put_u64(nlh, DPU_VDPA_STAT_RING_ERRORS, 2);
	mnl_attr_put_u64(nlh, DPU_VDPA_STAT_MAX + 5, 99);	/* a newer kernel's counter */
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, DPU_VDPA_A_MAX + 2, 7);		/* a newer kernel's attribute */
	check("DEV_GET reply parsed: names, id, status, mode, flags, log range",
	      !vdpamgmt_dpu_parse_dev(nlh, &dev) && !strcmp(dev.name, "vdpa0") &&
	      !strcmp(dev.mgmtdev, "pci/0000:00:08.0") && !strcmp(dev.bus_driver, "vhost_vdpa") &&
	      dev.device_id == 1 && dev.status == 0x0f && dev.mode == DPU_VDPA_MODE_SHADOW &&
	      dev.suspended && dev.logging && dev.log_page_size == 4096 &&
	      dev.log_iova == 0x1000 && dev.log_len == 1ULL << 30 &&
	      VDPAMGMT_HAS(&dev, DPU_VDPA_A_LOG_IOVA) && VDPAMGMT_HAS(&dev, DPU_VDPA_A_STATS));
	check("DEV_GET stats: the two sent, by counter; a newer counter ignored",
	      dev.stats[DPU_VDPA_STAT_RELAYED_AVAIL] == 12345 &&
	      dev.stats[DPU_VDPA_STAT_RING_ERRORS] == 2 &&
	      dev.stats_present == ((1ULL << DPU_VDPA_STAT_RELAYED_AVAIL) |
				    (1ULL << DPU_VDPA_STAT_RING_ERRORS)));

	nlh = dpu_reply_start(buf, DPU_VDPA_CMD_DEV_GET);
	mnl_attr_put_strz(nlh, DPU_VDPA_A_DEV_NAME, "vdpa0");
	mnl_attr_put_strz(nlh, DPU_VDPA_A_BUS_DRIVER, "");
	check("DEV_GET reply of an unattached, idle device: empty bus driver, flags false",
	      !vdpamgmt_dpu_parse_dev(nlh, &dev) && dev.bus_driver[0] == '\0' && !dev.logging &&
	      VDPAMGMT_HAS(&dev, DPU_VDPA_A_BUS_DRIVER) && !VDPAMGMT_HAS(&dev, DPU_VDPA_A_STATS));
	mnl_attr_put_u8(nlh, DPU_VDPA_A_SUSPENDED, 2);
	check("DEV_GET: a flag other than 0 or 1 is malformed", vdpamgmt_dpu_parse_dev(nlh, &dev) ==
	      -EINVAL);
	nlh = dpu_reply_start(buf, DPU_VDPA_CMD_DEV_GET);
	mnl_attr_put_u8(nlh, DPU_VDPA_A_MODE, 1);
	check("DEV_GET without a device name is malformed", vdpamgmt_dpu_parse_dev(nlh, &dev) ==
	      -EINVAL);

	/* a staged state: what DEV_GET carries while DRIVER_OK has not consumed it */
	{
		static const uint16_t avail[5] = { 7, 0, 300, 65535, 1 };
		static const uint8_t smac[6] = { 0x02, 0, 0, 0, 0x0e, 0x99 };
		struct vdpamgmt_dpu_staged st;

		check("no STAGED in the reply: nothing staged (0)",
		      vdpamgmt_dpu_parse_staged(nlh, &st) == 0 && !st.present);
		nlh = dpu_reply_start(buf, DPU_VDPA_CMD_DEV_GET);
		mnl_attr_put_strz(nlh, DPU_VDPA_A_DEV_NAME, "vdpa1");
		nest = mnl_attr_nest_start(nlh, DPU_VDPA_A_STAGED);
		mnl_attr_put_u64(nlh, DPU_VDPA_STAGED_DRIVER_FEATURES, (1ULL << 32) | (1ULL << 17));
		mnl_attr_put(nlh, DPU_VDPA_STAGED_AVAIL, sizeof(avail), avail);
		mnl_attr_put(nlh, DPU_VDPA_STAGED_NET_MAC, sizeof(smac), smac);
		mnl_attr_put_u16(nlh, DPU_VDPA_STAGED_NET_PAIRS, 2);
		mnl_attr_put_u32(nlh, DPU_VDPA_STAGED_NET_RX_FLAGS, DPU_VDPA_STATE_RX_ALLMULTI);
		mnl_attr_put_u32(nlh, DPU_VDPA_STAGED_NET_MACS, 3);
		mnl_attr_put_u32(nlh, DPU_VDPA_STAGED_NET_VLANS, 4096);
		mnl_attr_put_u32(nlh, DPU_VDPA_STAGED_MAX + 3, 1);	/* a newer kernel's */
		mnl_attr_nest_end(nlh, nest);
		check("DEV_GET with STAGED: the device says so",
		      !vdpamgmt_dpu_parse_dev(nlh, &dev) && VDPAMGMT_HAS(&dev, DPU_VDPA_A_STAGED));
		check("STAGED parsed: features, 5 avail indexes, mac, pairs, rx mode, macs, vlans",
		      vdpamgmt_dpu_parse_staged(nlh, &st) == 1 &&
		      st.driver_features == ((1ULL << 32) | (1ULL << 17)) && st.num_vqs == 5 &&
		      st.avail[0] == 7 && st.avail[2] == 300 && st.avail[3] == 65535 &&
		      st.avail[4] == 1 && !memcmp(st.net_mac, smac, 6) && st.net_pairs == 2 &&
		      st.net_rx_flags == DPU_VDPA_STATE_RX_ALLMULTI && st.net_macs == 3 &&
		      st.net_vlans == 4096 && VDPAMGMT_HAS(&st, DPU_VDPA_STAGED_NET_VLANS) &&
		      !VDPAMGMT_HAS(&st, DPU_VDPA_STAGED_PAD));
		nlh = dpu_reply_start(buf, DPU_VDPA_CMD_DEV_GET);
		nest = mnl_attr_nest_start(nlh, DPU_VDPA_A_STAGED);
		mnl_attr_put_u64(nlh, DPU_VDPA_STAGED_DRIVER_FEATURES, 1);
		mnl_attr_put(nlh, DPU_VDPA_STAGED_AVAIL, 3, avail);
		mnl_attr_nest_end(nlh, nest);
		check("STAGED: avail indexes of an odd length are malformed",
		      vdpamgmt_dpu_parse_staged(nlh, &st) == -EINVAL);
		nlh = dpu_reply_start(buf, DPU_VDPA_CMD_DEV_GET);
		nest = mnl_attr_nest_start(nlh, DPU_VDPA_A_STAGED);
		mnl_attr_put_u64(nlh, DPU_VDPA_STAGED_DRIVER_FEATURES, 1);
		mnl_attr_put(nlh, DPU_VDPA_STAGED_NET_MAC, 5, smac);
		mnl_attr_nest_end(nlh, nest);
		check("STAGED: a 5-byte mac is malformed",
		      vdpamgmt_dpu_parse_staged(nlh, &st) == -EINVAL);
		nlh = dpu_reply_start(buf, DPU_VDPA_CMD_DEV_GET);
		nest = mnl_attr_nest_start(nlh, DPU_VDPA_A_STAGED);
		mnl_attr_put_u16(nlh, DPU_VDPA_STAGED_NET_PAIRS, 1);
		mnl_attr_nest_end(nlh, nest);
		check("STAGED without driver features is malformed",
		      vdpamgmt_dpu_parse_staged(nlh, &st) == -EINVAL);
	}

	nlh = dpu_reply_start(buf, DPU_VDPA_CMD_LOG_SYNC);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_IOVA, 0x200000);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_LEN, 28 * 4096);
	mnl_attr_put_u32(nlh, DPU_VDPA_A_LOG_PAGE_SIZE, 4096);
	mnl_attr_put(nlh, DPU_VDPA_A_LOG_BITMAP, sizeof(bitmap), bitmap);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_DIRTY, 11);
	check("LOG_SYNC reply: 28 pages, 11 dirty (bits past page 28 not counted)",
	      !vdpamgmt_dpu_parse_log_sync(nlh, &chunk) && chunk.iova == 0x200000 &&
	      chunk.pages == 28 && chunk.dirty == 11 && chunk.page_size == 4096 &&
	      chunk.bitmap[2] == 0xff);

	nlh = dpu_reply_start(buf, DPU_VDPA_CMD_LOG_SYNC);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_IOVA, 0x200000);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_LEN, 28 * 4096);
	mnl_attr_put_u32(nlh, DPU_VDPA_A_LOG_PAGE_SIZE, 4096);
	mnl_attr_put(nlh, DPU_VDPA_A_LOG_BITMAP, sizeof(bitmap), bitmap);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_DIRTY, 12);
	check("LOG_SYNC reply whose LOG_DIRTY is not its bitmap's count is malformed",
	      vdpamgmt_dpu_parse_log_sync(nlh, &chunk) == -EINVAL);

	nlh = dpu_reply_start(buf, DPU_VDPA_CMD_LOG_SYNC);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_IOVA, 0x200000);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_LEN, 40 * 4096);
	mnl_attr_put_u32(nlh, DPU_VDPA_A_LOG_PAGE_SIZE, 4096);
	mnl_attr_put(nlh, DPU_VDPA_A_LOG_BITMAP, sizeof(bitmap), bitmap);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_DIRTY, 11);
	check("LOG_SYNC reply with a bitmap shorter than its pages is malformed",
	      vdpamgmt_dpu_parse_log_sync(nlh, &chunk) == -EINVAL);

	nlh = dpu_reply_start(buf, DPU_VDPA_CMD_LOG_SYNC);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_IOVA, 0x200000);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_LEN, 28 * 4096 + 512);
	mnl_attr_put_u32(nlh, DPU_VDPA_A_LOG_PAGE_SIZE, 4096);
	mnl_attr_put(nlh, DPU_VDPA_A_LOG_BITMAP, sizeof(bitmap), bitmap);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_DIRTY, 11);
	check("LOG_SYNC reply with a length not in whole pages is malformed",
	      vdpamgmt_dpu_parse_log_sync(nlh, &chunk) == -EINVAL);

	nlh = dpu_reply_start(buf, DPU_VDPA_CMD_LOG_SYNC);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_IOVA, 0x200000);
	mnl_attr_put_u64(nlh, DPU_VDPA_A_LOG_LEN, 28 * 4096);
	mnl_attr_put_u32(nlh, DPU_VDPA_A_LOG_PAGE_SIZE, 4096);
	mnl_attr_put(nlh, DPU_VDPA_A_LOG_BITMAP, sizeof(bitmap), bitmap);
	check("LOG_SYNC reply without LOG_DIRTY is malformed",
	      vdpamgmt_dpu_parse_log_sync(nlh, &chunk) == -EINVAL);

	nlh = dpu_reply_start(buf, DPU_VDPA_CMD_STATE_SAVE);
	mnl_attr_put(nlh, DPU_VDPA_A_STATE, sizeof(bitmap), bitmap);
	check("STATE_SAVE reply: the blob, in place",
	      !vdpamgmt_dpu_parse_state(nlh, &blob, &len) && len == sizeof(bitmap) &&
	      !memcmp(blob, bitmap, len));
	nlh = dpu_reply_start(buf, DPU_VDPA_CMD_STATE_SAVE);
	check("STATE_SAVE reply without STATE is malformed",
	      vdpamgmt_dpu_parse_state(nlh, &blob, &len) == -EINVAL);
}

int main(void)
{
	test_dev_add();
	test_other_requests();
	test_parse_replies();
	test_parse_errors();
	test_names();
	test_dpu_requests();
	test_dpu_replies();
	printf("1..%d\n", test_num);
	return test_failed ? 1 : 0;
}
