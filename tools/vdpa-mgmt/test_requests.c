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
#include <linux/vdpa.h>

#include "libvdpamgmt.h"

#define FAMILY	0x1d
#define BUF	4096

static int test_num, test_failed;

static void check(const char *what, int ok)
{
	test_num++;
	if (ok) {
		printf("ok %d - %s\n", test_num, what);
	} else {
		test_failed++;
		printf("not ok %d - %s\n", test_num, what);
	}
}

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
	struct vdpa_dev_params p = {
		.name = "vdpa0", .mgmtdev = "pci/0000:00:08.0",
		.set = VDPA_DEV_PARAM_MAC | VDPA_DEV_PARAM_MTU | VDPA_DEV_PARAM_MAX_VQP |
		       VDPA_DEV_PARAM_FEATURES,
		.mac = { 0x02, 0, 0, 0, 0x0a, 0x01 }, .mtu = 4000, .max_vq_pairs = 2,
		.device_features = 0x300010000ULL,
	};
	char buf[BUF], small[40];
	const struct nlmsghdr *nlh = (void *)buf;
	const struct genlmsghdr *genl;
	struct attrs a;
	int len;

	len = vdpa_build_dev_add(buf, sizeof(buf), FAMILY, 7, &p);
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
	len = vdpa_build_dev_add(buf, sizeof(buf), FAMILY, 1, &p);
	read_request(buf, len, &a);
	check("dev add: handle without bus sends the name alone, no optional attributes",
	      len > 0 && !a.tb[VDPA_ATTR_MGMTDEV_BUS_NAME] &&
	      attr_is_str(&a, VDPA_ATTR_MGMTDEV_DEV_NAME, "vdpasim_net") && a.count == 2);

	p.mgmtdev = "pci/";
	check("dev add: \"pci/\" refused", vdpa_build_dev_add(buf, sizeof(buf), FAMILY, 1, &p) ==
	      -EINVAL);
	p.mgmtdev = "/0000:00:08.0";
	check("dev add: \"/name\" refused", vdpa_build_dev_add(buf, sizeof(buf), FAMILY, 1, &p) ==
	      -EINVAL);
	p.mgmtdev = "a/b/c";
	check("dev add: two slashes refused",
	      vdpa_build_dev_add(buf, sizeof(buf), FAMILY, 1, &p) == -EINVAL);
	p.mgmtdev = "pci/0000:00:08.0";
	p.name = "";
	check("dev add: empty name refused",
	      vdpa_build_dev_add(buf, sizeof(buf), FAMILY, 1, &p) == -EINVAL);
	p.name = "vdpa0";
	check("dev add: a buffer too small is -EMSGSIZE, not an overflow",
	      vdpa_build_dev_add(small, sizeof(small), FAMILY, 1, &p) == -EMSGSIZE);
}

static void test_other_requests(void)
{
	struct vdpa_dev_params p = { .name = "vdpa0", .set = VDPA_DEV_PARAM_MAC,
				     .mac = { 2, 0, 0, 0, 0, 9 } };
	char buf[BUF];
	const struct nlmsghdr *nlh = (void *)buf;
	const struct genlmsghdr *genl;
	struct attrs a;
	int len;

	len = vdpa_build_get(buf, sizeof(buf), FAMILY, 1, VDPA_CMD_DEV_GET, NULL);
	genl = read_request(buf, len, &a);
	check("dev show: no name is a dump with no attributes",
	      genl && genl->cmd == VDPA_CMD_DEV_GET && (nlh->nlmsg_flags & NLM_F_DUMP) &&
	      a.count == 0);
	len = vdpa_build_get(buf, sizeof(buf), FAMILY, 1, VDPA_CMD_DEV_CONFIG_GET, "vdpa0");
	genl = read_request(buf, len, &a);
	check("dev config show NAME: one device, by name",
	      genl && genl->cmd == VDPA_CMD_DEV_CONFIG_GET && !(nlh->nlmsg_flags & NLM_F_DUMP) &&
	      attr_is_str(&a, VDPA_ATTR_DEV_NAME, "vdpa0") && a.count == 1);
	len = vdpa_build_get(buf, sizeof(buf), FAMILY, 1, VDPA_CMD_MGMTDEV_GET, "pci/0000:00:09.0");
	genl = read_request(buf, len, &a);
	check("mgmtdev show HANDLE: bus and device name",
	      genl && genl->cmd == VDPA_CMD_MGMTDEV_GET &&
	      attr_is_str(&a, VDPA_ATTR_MGMTDEV_BUS_NAME, "pci") &&
	      attr_is_str(&a, VDPA_ATTR_MGMTDEV_DEV_NAME, "0000:00:09.0") && a.count == 2);
	len = vdpa_build_dev_del(buf, sizeof(buf), FAMILY, 1, "vdpa0");
	genl = read_request(buf, len, &a);
	check("dev del: VDPA_CMD_DEV_DEL with the name",
	      genl && genl->cmd == VDPA_CMD_DEV_DEL &&
	      attr_is_str(&a, VDPA_ATTR_DEV_NAME, "vdpa0") && a.count == 1);
	len = vdpa_build_dev_set(buf, sizeof(buf), FAMILY, 1, &p);
	genl = read_request(buf, len, &a);
	check("dev set: VDPA_CMD_DEV_ATTR_SET with name and mac",
	      genl && genl->cmd == VDPA_CMD_DEV_ATTR_SET &&
	      attr_is_str(&a, VDPA_ATTR_DEV_NAME, "vdpa0") &&
	      a.tb[VDPA_ATTR_DEV_NET_CFG_MACADDR] && a.count == 2);
	p.set = VDPA_DEV_PARAM_MTU;
	check("dev set: anything but the mac is refused (the kernel sets only that)",
	      vdpa_build_dev_set(buf, sizeof(buf), FAMILY, 1, &p) == -EINVAL);
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
	struct vdpa_dev_config cfg;
	struct vdpa_mgmtdev md;
	struct vdpa_dev dev;
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
	      !vdpa_parse_mgmtdev(nlh, &md) && !strcmp(md.handle, "pci/0000:00:08.0") &&
	      md.classes == 2 && md.max_supported_vqs == 9 &&
	      md.supported_features == 0x1c0000330ffffafULL &&
	      VDPA_HAS(&md, VDPA_ATTR_DEV_MGMTDEV_MAX_VQS) &&
	      !VDPA_HAS(&md, VDPA_ATTR_DEV_NAME));

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
	      !vdpa_parse_dev(nlh, &dev) && !strcmp(dev.name, "vdpa0") &&
	      !strcmp(dev.mgmtdev, "vdpasim_net") && dev.device_id == 1 &&
	      dev.vendor_id == 0x1af4 && dev.max_vqs == 5 && dev.max_vq_size == 256 &&
	      dev.min_vq_size == 1);

	nlh = reply_start(buf, VDPA_CMD_DEV_NEW);
	mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_DEV_NAME, "x");
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 1);
	check("dev reply without a device name is malformed", vdpa_parse_dev(nlh, &dev) ==
	      -EINVAL);

	nlh = reply_start(buf, VDPA_CMD_DEV_NEW);
	mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_DEV_NAME, "x");
	mnl_attr_put(nlh, VDPA_ATTR_DEV_NAME, 3, "abc");	/* no NUL */
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 1);
	check("a string without its NUL is malformed", vdpa_parse_dev(nlh, &dev) == -EINVAL);

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
	      !vdpa_parse_dev_config(nlh, &cfg) && !memcmp(cfg.net.mac, mac, 6) &&
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
	      !vdpa_parse_dev_config(nlh, &cfg) && cfg.device_id == 2 &&
	      cfg.blk.capacity == 2097152 && cfg.blk.seg_max == 254 && cfg.blk.num_queues == 2 &&
	      cfg.blk.flush == 1 && VDPA_HAS(&cfg, VDPA_ATTR_DEV_BLK_READ_ONLY) &&
	      !VDPA_HAS(&cfg, VDPA_ATTR_DEV_BLK_CFG_SIZE_MAX));

	nlh = reply_start(buf, VDPA_CMD_DEV_CONFIG_GET);
	mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, "vdpa0");
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 1);
	mnl_attr_put(nlh, VDPA_ATTR_DEV_NET_CFG_MACADDR, 4, mac);
	check("a 4-byte mac is malformed", vdpa_parse_dev_config(nlh, &cfg) == -EINVAL);

	nlh = reply_start(buf, VDPA_CMD_DEV_CONFIG_GET);
	mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, "vdpa0");
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 1);
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_NET_CFG_MTU, 70000);
	check("a value too wide for its field is malformed, not truncated",
	      vdpa_parse_dev_config(nlh, &cfg) == -EINVAL);
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
	err = vdpa_parse_nlmsgerr(nlh, msg, sizeof(msg));
	check("capped error with extack: errno and message",
	      err == -EOPNOTSUPP && !strcmp(msg, "vdpa: Operation not supported by the device."));
	nlh = error_msg(buf, -ENODEV, false, "vdpa: device not found");
	err = vdpa_parse_nlmsgerr(nlh, msg, sizeof(msg));
	check("uncapped error (request echoed) with extack: the message after the echo",
	      err == -ENODEV && !strcmp(msg, "vdpa: device not found"));
	nlh = error_msg(buf, -EBUSY, true, NULL);
	err = vdpa_parse_nlmsgerr(nlh, msg, sizeof(msg));
	check("error without extack: errno, empty message", err == -EBUSY && msg[0] == '\0');
	nlh = error_msg(buf, 0, true, NULL);
	check("an ack is 0", vdpa_parse_nlmsgerr(nlh, msg, sizeof(msg)) == 0);

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = -EINVAL;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "dump failed");
	err = vdpa_parse_nlmsgerr(nlh, msg, sizeof(msg));
	check("NLMSG_DONE of a failed dump: errno and extack",
	      err == -EINVAL && !strcmp(msg, "dump failed"));

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	check("a truncated NLMSG_ERROR is -EPROTO", vdpa_parse_nlmsgerr(nlh, msg, sizeof(msg)) ==
	      -EPROTO);
}

static void test_names(void)
{
	uint8_t mac[6];
	char bdf[16];

	check("feature names as iproute2: net MAC, transport VERSION_1, blk bit unnamed",
	      !strcmp(vdpa_feature_name(1, 5), "MAC") &&
	      !strcmp(vdpa_feature_name(2, 32), "VERSION_1") && !vdpa_feature_name(2, 5) &&
	      !vdpa_feature_name(1, 54) && !vdpa_feature_name(1, 64));
	check("class and type names",
	      !strcmp(vdpa_class_name(1), "net") && !strcmp(vdpa_class_name(2), "block") &&
	      !vdpa_class_name(3) && !strcmp(vdpa_device_type_name(1), "network"));
	check("mac parsed",
	      !vdpa_mac_parse("02:00:00:00:0A:ff", mac) && mac[0] == 2 && mac[4] == 0x0a &&
	      mac[5] == 0xff);
	check("bad macs refused",
	      vdpa_mac_parse("02:00:00:00:0a", mac) == -EINVAL &&
	      vdpa_mac_parse("02:00:00:00:0a:1", mac) == -EINVAL &&
	      vdpa_mac_parse("02:00:00:00:0a:011", mac) == -EINVAL &&
	      vdpa_mac_parse("02-00-00-00-0a-01", mac) == -EINVAL &&
	      vdpa_mac_parse("0x:00:00:00:0a:01", mac) == -EINVAL &&
	      vdpa_mac_parse(" 2:00:00:00:0a:01", mac) == -EINVAL &&
	      vdpa_mac_parse("zz:00:00:00:0a:01", mac) == -EINVAL);
	check("PCI addresses: full and short forms, made canonical",
	      !vdpa_pci_bdf_parse("0000:00:08.0", bdf) && !strcmp(bdf, "0000:00:08.0") &&
	      !vdpa_pci_bdf_parse("00:1F.3", bdf) && !strcmp(bdf, "0000:00:1f.3"));
	check("bad PCI addresses refused",
	      vdpa_pci_bdf_parse("0000:00:08", bdf) == -EINVAL &&
	      vdpa_pci_bdf_parse("0000:00:20.0", bdf) == -EINVAL &&
	      vdpa_pci_bdf_parse("0000:00:08.8", bdf) == -EINVAL &&
	      vdpa_pci_bdf_parse("0000:00:08.0x", bdf) == -EINVAL &&
	      vdpa_pci_bdf_parse("-0:00:08.0", bdf) == -EINVAL &&
	      vdpa_pci_bdf_parse("", bdf) == -EINVAL);
}

int main(void)
{
	test_dev_add();
	test_other_requests();
	test_parse_replies();
	test_parse_errors();
	test_names();
	printf("1..%d\n", test_num);
	return test_failed ? 1 : 0;
}
