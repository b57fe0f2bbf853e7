// SPDX-License-Identifier: GPL-2.0-only
/*
 * The commands: each parses its own arguments completely before it asks
 * the kernel anything (a bad command line changes nothing and exits 2),
 * then calls libvdpamgmt and prints through the output tree.
 *
 * Commands that make something a user needs next print it (pci bind: the
 * mgmtdev; dev attach: the chardev, netdev or disk); the others are
 * silent on success, as iproute2 is.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/vdpa.h>

#include "apply.h"
#include "cli.h"

#define VIRTIO_ID_NET		1
#define VIRTIO_ID_BLOCK		2
#define VIRTIO_NET_S_LINK_UP	1
#define VIRTIO_NET_S_ANNOUNCE	2
#define ATTACH_TIMEOUT_S	10

void cli_print_usage(FILE *out, const struct command *cmd)
{
	fprintf(out, "vdpa-mgmt %s%s%s\n", cmd->words, cmd->args[0] ? " " : "", cmd->args);
}

int cli_usage_error(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vdpa-mgmt: %s: ", c->cmd->words);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nusage: ", stderr);
	cli_print_usage(stderr, c->cmd);
	return EXIT_USAGE;
}

/* "vdpa-mgmt: dev add vdpa0: <why> (EBUSY)" */
static int report_failure(struct cli *c, const char *object, int err, const char *why)
{
	const char *name = strerrorname_np(err < 0 ? -err : err);

	fprintf(stderr, "vdpa-mgmt: %s%s%s: %s (%s)\n", c->cmd->words, object ? " " : "",
		object ? object : "", why[0] ? why : strerror(err < 0 ? -err : err),
		name ? name : "unknown error");
	return EXIT_FAILED;
}

int cli_op_failed(struct cli *c, const char *object, int err)
{
	return report_failure(c, object, err, vdpamgmt_error(c->vm));
}

int cli_failed(struct cli *c, const char *object, int err, const char *fmt, ...)
{
	char why[VDPAMGMT_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return report_failure(c, object, err, why);
}

int cli_flush_stdout(struct cli *c)
{
	int err;

	if (!fflush(stdout) && !ferror(stdout))
		return EXIT_OK;
	err = errno ? errno : EIO;
	return cli_failed(c, NULL, err, "cannot write to standard output: %s", strerror(err));
}

int cli_emit(struct cli *c, struct out_node *root)
{
	errno = 0;
	out_print(root, stdout, c->format);
	out_free(root);
	return cli_flush_stdout(c);
}

/* --- argument checks, all before any kernel call */

int cli_check_dev_name(struct cli *c, const char *name)
{
	const char *p;

	if (!*name || strlen(name) >= VDPAMGMT_NAME_MAX)
		return cli_usage_error(c, "device name must be 1-%d characters",
				       VDPAMGMT_NAME_MAX - 1);
	for (p = name; *p; p++)
		if (*p == '/' || isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return cli_usage_error(c, "device name \"%s\" has a '/' or a blank", name);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return cli_usage_error(c, "\"%s\" is not a device name", name);
	return 0;
}

int cli_check_mgmtdev(struct cli *c, const char *handle)
{
	const char *slash = strchr(handle, '/');

	if (!*handle || strlen(handle) >= VDPAMGMT_NAME_MAX ||
	    (slash && (slash == handle || !slash[1] || strchr(slash + 1, '/'))))
		return cli_usage_error(c, "\"%s\" is not a management device (pci/0000:00:08.0)",
				       handle);
	return 0;
}

int cli_parse_u16(struct cli *c, const char *what, const char *text, uint16_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = isdigit((unsigned char)text[0]) ? strtoul(text, &end, 10) : 0;
	if (!isdigit((unsigned char)text[0]) || *end || errno || v > UINT16_MAX)
		return cli_usage_error(c, "%s \"%s\" is not a number from 0 to 65535", what, text);
	*out = (uint16_t)v;
	return 0;
}

int cli_parse_u64(struct cli *c, const char *what, const char *text, uint64_t *out)
{
	static const char suffixes[] = "KMGT";
	const char *suffix;
	unsigned long long v;
	unsigned int shift;
	char *end;

	errno = 0;
	v = isdigit((unsigned char)text[0]) ? strtoull(text, &end, 0) : 0;
	if (!isdigit((unsigned char)text[0]) || errno)
		goto bad;
	if (*end) {
		/* 4G: a power of 1024, for decimal numbers only (0x1G is not) */
		suffix = strchr(suffixes, *end);
		if (!suffix || end[1] || !strncasecmp(text, "0x", 2))
			goto bad;
		shift = 10 * (unsigned int)(suffix - suffixes + 1);
		if (v > (UINT64_MAX >> shift))
			goto bad;
		v <<= shift;
	}
	*out = v;
	return 0;
bad:
	return cli_usage_error(c, "%s \"%s\" is not a 64-bit number (decimal, 0x hex, "
			       "or with K, M, G, T)", what, text);
}

static int parse_mac(struct cli *c, const char *text, uint8_t mac[6])
{
	if (vdpamgmt_mac_parse(text, mac))
		return cli_usage_error(c, "mac \"%s\" is not a MAC address (02:00:00:00:00:01)",
				       text);
	return 0;
}

static int parse_bdf(struct cli *c, const char *text, char bdf[16])
{
	if (vdpamgmt_pci_bdf_parse(text, bdf))
		return cli_usage_error(c, "\"%s\" is not a PCI address (0000:00:08.0)", text);
	return 0;
}

/* "key value" pairs, each key at most once, in any order. */
int cli_parse_keywords(struct cli *c, int argc, char **argv, struct keyword *kw, size_t n)
{
	int i;
	size_t k;

	for (i = 0; i < argc; i += 2) {
		for (k = 0; k < n && strcmp(argv[i], kw[k].name); k++)
			;
		if (k == n)
			return cli_usage_error(c, "unknown argument \"%s\"", argv[i]);
		if (i + 1 >= argc)
			return cli_usage_error(c, "\"%s\" needs a value", argv[i]);
		if (kw[k].value)
			return cli_usage_error(c, "\"%s\" given twice", argv[i]);
		kw[k].value = argv[i + 1];
	}
	return 0;
}

/*
 * JSON as iproute2's: its names as strings, other bits as numbers.  Text
 * names every bit the kernel headers name, bit_N the rest: all of it
 * accepted back by dev add device_features.
 */
void cli_out_features(struct out_node *obj, const char *key, uint64_t features,
			 uint32_t device_id)
{
	struct out_node *arr = out_array(obj, key);
	unsigned int bit;
	char text[16];

	for (bit = 0; bit < 64; bit++) {
		const char *name, *full;

		if (!(features & (1ULL << bit)))
			continue;
		name = vdpamgmt_feature_name(device_id, bit);
		full = vdpamgmt_feature_full_name(device_id, bit);
		if (name) {
			out_string(arr, NULL, name);
		} else {
			snprintf(text, sizeof(text), "bit_%u", bit);
			out_uint_text(arr, NULL, bit, full ? full : text);
		}
	}
}

uint32_t cli_mgmtdev_device_id(const struct vdpamgmt_mgmtdev *m)
{
	if (!VDPAMGMT_HAS(m, VDPA_ATTR_MGMTDEV_SUPPORTED_CLASSES))
		return 0;
	if (m->classes & (1ULL << VIRTIO_ID_NET))
		return VIRTIO_ID_NET;
	if (m->classes & (1ULL << VIRTIO_ID_BLOCK))
		return VIRTIO_ID_BLOCK;
	return 0;
}

void cli_out_hex(struct out_node *obj, const char *key, uint64_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "0x%llx", (unsigned long long)value);
	out_uint_text(obj, key, value, text);
}

void cli_out_status(struct out_node *obj, const char *key, uint8_t status)
{
	static const char *const names[8] = {
		[0] = "ACKNOWLEDGE", [1] = "DRIVER", [2] = "DRIVER_OK", [3] = "FEATURES_OK",
		[6] = "NEEDS_RESET", [7] = "FAILED",
	};
	struct out_node *arr = out_array(obj, key);
	unsigned int bit;
	char text[16];

	for (bit = 0; bit < 8; bit++) {
		if (!(status & (1u << bit)))
			continue;
		if (names[bit]) {
			out_string(arr, NULL, names[bit]);
		} else {
			snprintf(text, sizeof(text), "bit_%u", bit);
			out_uint_text(arr, NULL, bit, text);
		}
	}
}

/* --- mgmtdev */

static int mgmtdev_out(const struct vdpamgmt_mgmtdev *m, void *arg)
{
	struct out_node *obj = out_object(arg, m->handle);

	if (VDPAMGMT_HAS(m, VDPA_ATTR_MGMTDEV_SUPPORTED_CLASSES)) {
		struct out_node *arr = out_array(obj, "supported_classes");
		unsigned int id;

		for (id = 1; id < 64; id++) {
			const char *name = vdpamgmt_class_name(id);

			if (m->classes & (1ULL << id))
				out_string(arr, NULL, name ? name : "< unknown class >");
		}
	}
	if (VDPAMGMT_HAS(m, VDPA_ATTR_DEV_MGMTDEV_MAX_VQS))
		out_uint(obj, "max_supported_vqs", m->max_supported_vqs);
	/* the type whose names dev add device_features takes on this mgmtdev */
	if (VDPAMGMT_HAS(m, VDPA_ATTR_DEV_SUPPORTED_FEATURES))
		cli_out_features(obj, "dev_features", m->supported_features,
				 cli_mgmtdev_device_id(m));
	return 0;
}

static int cmd_mgmtdev_show(struct cli *c, int argc, char **argv)
{
	struct out_node *root, *section;
	struct vdpamgmt_mgmtdev one;
	int err;

	if (argc > 1)
		return cli_usage_error(c, "unexpected argument \"%s\"", argv[1]);
	if (argc == 1 && cli_check_mgmtdev(c, argv[0]))
		return EXIT_USAGE;
	root = out_new();
	section = out_object(root, "mgmtdev");
	if (argc == 1) {
		err = vdpamgmt_mgmtdev_get(c->vm, argv[0], &one);
		if (!err)
			mgmtdev_out(&one, section);
	} else {
		err = vdpamgmt_mgmtdev_for_each(c->vm, mgmtdev_out, section);
	}
	if (err) {
		out_free(root);
		return cli_op_failed(c, argc ? argv[0] : NULL, err);
	}
	return cli_emit(c, root);
}

/* --- dev show / config show */

struct dev_walk {
	struct cli *c;
	struct out_node *section;
};

static void out_attachment(struct vdpamgmt *vm, struct out_node *obj, const char *name)
{
	struct vdpamgmt_attachment a;

	if (vdpamgmt_dev_attachment(vm, name, &a) || !a.driver[0])
		return;
	out_string(obj, "driver", a.driver);
	if (a.chardev[0])
		out_string(obj, "chardev", a.chardev);
	if (a.netdev[0])
		out_string(obj, "netdev", a.netdev);
	if (a.blockdev[0])
		out_string(obj, "blockdev", a.blockdev);
	if (a.virtio[0] && !a.netdev[0] && !a.blockdev[0])
		out_string(obj, "virtio", a.virtio);
}

static int dev_out(const struct vdpamgmt_dev *d, void *arg)
{
	struct dev_walk *w = arg;
	struct out_node *obj = out_object(w->section, d->name);
	const char *type = vdpamgmt_device_type_name(d->device_id);

	/* iproute2's fields first, with its names */
	out_string(obj, "type", type ? type : "<unknown type>");
	out_string(obj, "mgmtdev", d->mgmtdev);
	if (VDPAMGMT_HAS(d, VDPA_ATTR_DEV_VENDOR_ID))
		out_uint(obj, "vendor_id", d->vendor_id);
	if (VDPAMGMT_HAS(d, VDPA_ATTR_DEV_MAX_VQS))
		out_uint(obj, "max_vqs", d->max_vqs);
	if (VDPAMGMT_HAS(d, VDPA_ATTR_DEV_MAX_VQ_SIZE))
		out_uint(obj, "max_vq_size", d->max_vq_size);
	/* then ours */
	if (VDPAMGMT_HAS(d, VDPA_ATTR_DEV_MIN_VQ_SIZE))
		out_uint(obj, "min_vq_size", d->min_vq_size);
	out_attachment(w->c->vm, obj, d->name);
	return 0;
}

static int cmd_dev_show(struct cli *c, int argc, char **argv)
{
	struct dev_walk w = { c, NULL };
	struct out_node *root;
	struct vdpamgmt_dev one;
	int err;

	if (argc > 1)
		return cli_usage_error(c, "unexpected argument \"%s\"", argv[1]);
	if (argc == 1 && cli_check_dev_name(c, argv[0]))
		return EXIT_USAGE;
	root = out_new();
	w.section = out_object(root, "dev");
	if (argc == 1) {
		err = vdpamgmt_dev_get(c->vm, argv[0], &one);
		if (!err)
			dev_out(&one, &w);
	} else {
		err = vdpamgmt_dev_for_each(c->vm, dev_out, &w);
	}
	if (err) {
		out_free(root);
		return cli_op_failed(c, argc ? argv[0] : NULL, err);
	}
	return cli_emit(c, root);
}

static void out_net_config(struct out_node *obj, const struct vdpamgmt_dev_config *cfg)
{
	char mac[18];

	if (VDPAMGMT_HAS(cfg, VDPA_ATTR_DEV_NET_CFG_MACADDR)) {
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", cfg->net.mac[0],
			 cfg->net.mac[1], cfg->net.mac[2], cfg->net.mac[3], cfg->net.mac[4],
			 cfg->net.mac[5]);
		out_string(obj, "mac", mac);
	}
	/* iproute2 spells these keys "link " and "link_announce ": not copied */
	if (VDPAMGMT_HAS(cfg, VDPA_ATTR_DEV_NET_STATUS)) {
		out_string(obj, "link", (cfg->net.status & VIRTIO_NET_S_LINK_UP) ? "up" : "down");
		out_bool(obj, "link_announce", cfg->net.status & VIRTIO_NET_S_ANNOUNCE);
	}
	if (VDPAMGMT_HAS(cfg, VDPA_ATTR_DEV_NET_CFG_MAX_VQP))
		out_uint(obj, "max_vq_pairs", cfg->net.max_vq_pairs);
	if (VDPAMGMT_HAS(cfg, VDPA_ATTR_DEV_NET_CFG_MTU))
		out_uint(obj, "mtu", cfg->net.mtu);
}

static void out_blk_config(struct out_node *obj, const struct vdpamgmt_dev_config *cfg)
{
	static const struct {
		enum vdpa_attr attr;
		const char *key;
		size_t offset;
		size_t size;
	} fields[] = {
#define BLK(attr, member) { attr, #member, offsetof(struct vdpamgmt_dev_config, blk.member), \
			    sizeof(((struct vdpamgmt_dev_config *)0)->blk.member) }
		BLK(VDPA_ATTR_DEV_BLK_CFG_CAPACITY, capacity),
		BLK(VDPA_ATTR_DEV_BLK_CFG_SIZE_MAX, size_max),
		BLK(VDPA_ATTR_DEV_BLK_CFG_BLK_SIZE, blk_size),
		BLK(VDPA_ATTR_DEV_BLK_CFG_SEG_MAX, seg_max),
		BLK(VDPA_ATTR_DEV_BLK_CFG_NUM_QUEUES, num_queues),
		BLK(VDPA_ATTR_DEV_BLK_CFG_PHY_BLK_EXP, physical_block_exp),
		BLK(VDPA_ATTR_DEV_BLK_CFG_ALIGN_OFFSET, alignment_offset),
		BLK(VDPA_ATTR_DEV_BLK_CFG_MIN_IO_SIZE, min_io_size),
		BLK(VDPA_ATTR_DEV_BLK_CFG_OPT_IO_SIZE, opt_io_size),
		BLK(VDPA_ATTR_DEV_BLK_CFG_MAX_DISCARD_SEC, max_discard_sectors),
		BLK(VDPA_ATTR_DEV_BLK_CFG_MAX_DISCARD_SEG, max_discard_seg),
		BLK(VDPA_ATTR_DEV_BLK_CFG_DISCARD_SEC_ALIGN, discard_sector_alignment),
		BLK(VDPA_ATTR_DEV_BLK_CFG_MAX_WRITE_ZEROES_SEC, max_write_zeroes_sectors),
		BLK(VDPA_ATTR_DEV_BLK_CFG_MAX_WRITE_ZEROES_SEG, max_write_zeroes_seg),
#undef BLK
	};
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const uint8_t *p = (const uint8_t *)cfg + fields[i].offset;
		uint64_t v = 0;

		if (!VDPAMGMT_HAS(cfg, fields[i].attr))
			continue;
		switch (fields[i].size) {
		case 1: v = *p; break;
		case 2: { uint16_t x; memcpy(&x, p, 2); v = x; break; }
		case 4: { uint32_t x; memcpy(&x, p, 4); v = x; break; }
		default: memcpy(&v, p, 8); break;
		}
		out_uint(obj, fields[i].key, v);
	}
	if (VDPAMGMT_HAS(cfg, VDPA_ATTR_DEV_BLK_READ_ONLY))
		out_bool(obj, "read_only", cfg->blk.read_only);
	if (VDPAMGMT_HAS(cfg, VDPA_ATTR_DEV_BLK_FLUSH))
		out_bool(obj, "flush", cfg->blk.flush);
}

static int config_out(const struct vdpamgmt_dev_config *cfg, void *arg)
{
	struct dev_walk *w = arg;
	struct out_node *obj = out_object(w->section, cfg->name);

	if (cfg->device_id == VIRTIO_ID_NET)
		out_net_config(obj, cfg);
	else if (cfg->device_id == VIRTIO_ID_BLOCK)
		out_blk_config(obj, cfg);
	if (VDPAMGMT_HAS(cfg, VDPA_ATTR_DEV_NEGOTIATED_FEATURES))
		cli_out_features(obj, "negotiated_features", cfg->negotiated_features, cfg->device_id);
	/* what the device offers its driver (dev add device_features): ours */
	if (VDPAMGMT_HAS(cfg, VDPA_ATTR_DEV_FEATURES))
		cli_out_features(obj, "device_features", cfg->device_features, cfg->device_id);
	return 0;
}

static int cmd_dev_config_show(struct cli *c, int argc, char **argv)
{
	struct dev_walk w = { c, NULL };
	struct vdpamgmt_dev_config one;
	struct out_node *root;
	int err;

	if (argc > 1)
		return cli_usage_error(c, "unexpected argument \"%s\"", argv[1]);
	if (argc == 1 && cli_check_dev_name(c, argv[0]))
		return EXIT_USAGE;
	root = out_new();
	w.section = out_object(root, "config");
	if (argc == 1) {
		err = vdpamgmt_dev_config_get(c->vm, argv[0], &one);
		if (!err)
			config_out(&one, &w);
	} else {
		err = vdpamgmt_dev_config_for_each(c->vm, config_out, &w);
	}
	if (err) {
		out_free(root);
		return cli_op_failed(c, argc ? argv[0] : NULL, err);
	}
	return cli_emit(c, root);
}

/* --- dev add / del / set */

/*
 * device_features in names: what the mgmtdev supports is the base of +/-
 * and of a profile, and its class says whose names they are.  Nothing is
 * added if a name does not fit it.
 */
int cli_resolve_features(struct cli *c, const char *name, const char *mgmtdev,
			 const char *text, uint64_t *features)
{
	char why[VDPAMGMT_ERR_MAX];
	struct vdpamgmt_mgmtdev m;
	int err;

	err = vdpamgmt_mgmtdev_get(c->vm, mgmtdev, &m);
	if (err)
		return cli_op_failed(c, name, err);
	if (!VDPAMGMT_HAS(&m, VDPA_ATTR_DEV_SUPPORTED_FEATURES))
		return cli_failed(c, name, EOPNOTSUPP, "device_features: %s does not report its "
				  "features; give them in hex", mgmtdev);
	err = vdpamgmt_features_parse(text, cli_mgmtdev_device_id(&m), m.supported_features,
				      features, why, sizeof(why));
	if (err)
		return cli_failed(c, name, -err, "device_features: %s", why);
	return 0;
}

static int cmd_dev_add(struct cli *c, int argc, char **argv)
{
	enum { NAME, MGMTDEV, MAC, MTU, MAX_VQP, FEATURES };
	struct keyword kw[] = {
		[NAME] = { "name" }, [MGMTDEV] = { "mgmtdev" }, [MAC] = { "mac" },
		[MTU] = { "mtu" }, [MAX_VQP] = { "max_vqp" }, [FEATURES] = { "device_features" },
	};
	struct vdpamgmt_dev_params p = { 0 };
	char why[VDPAMGMT_ERR_MAX];
	int err;

	if (cli_parse_keywords(c, argc, argv, kw, sizeof(kw) / sizeof(kw[0])))
		return EXIT_USAGE;
	if (!kw[NAME].value)
		return cli_usage_error(c, "missing \"name NAME\"");
	if (!kw[MGMTDEV].value)
		return cli_usage_error(c, "missing \"mgmtdev MGMTDEV\"");
	if (cli_check_dev_name(c, kw[NAME].value) || cli_check_mgmtdev(c, kw[MGMTDEV].value))
		return EXIT_USAGE;
	p.name = kw[NAME].value;
	p.mgmtdev = kw[MGMTDEV].value;
	if (kw[MAC].value) {
		if (parse_mac(c, kw[MAC].value, p.mac))
			return EXIT_USAGE;
		p.set |= VDPAMGMT_DEV_PARAM_MAC;
	}
	if (kw[MTU].value) {
		if (cli_parse_u16(c, "mtu", kw[MTU].value, &p.mtu))
			return EXIT_USAGE;
		p.set |= VDPAMGMT_DEV_PARAM_MTU;
	}
	if (kw[MAX_VQP].value) {
		if (cli_parse_u16(c, "max_vqp", kw[MAX_VQP].value, &p.max_vq_pairs))
			return EXIT_USAGE;
		p.set |= VDPAMGMT_DEV_PARAM_MAX_VQP;
	}
	if (kw[FEATURES].value) {
		/* names: checked here, resolved against the mgmtdev below */
		if (vdpamgmt_features_parse(kw[FEATURES].value, VDPAMGMT_FEATURES_ANY_TYPE, 0,
					    &p.device_features, why, sizeof(why)))
			return cli_usage_error(c, "device_features: %s", why);
		p.set |= VDPAMGMT_DEV_PARAM_FEATURES;
	}
	if (kw[FEATURES].value && !vdpamgmt_features_is_hex(kw[FEATURES].value)) {
		err = cli_resolve_features(c, p.name, p.mgmtdev, kw[FEATURES].value,
				       &p.device_features);
		if (err)
			return err;
	}
	err = vdpamgmt_dev_add(c->vm, &p);
	return err ? cli_op_failed(c, p.name, err) : EXIT_OK;
}

static int cmd_dev_del(struct cli *c, int argc, char **argv)
{
	int err;

	if (argc != 1)
		return cli_usage_error(c, argc ? "unexpected argument \"%s\"" : "missing NAME%s",
				       argc ? argv[1] : "");
	if (cli_check_dev_name(c, argv[0]))
		return EXIT_USAGE;
	err = vdpamgmt_dev_del(c->vm, argv[0]);
	return err ? cli_op_failed(c, argv[0], err) : EXIT_OK;
}

static int cmd_dev_set(struct cli *c, int argc, char **argv)
{
	struct keyword kw[] = { { .name = "mac" } };
	const char *name;
	uint8_t mac[6];
	int err;

	/* "dev set NAME mac MAC", or iproute2's "dev set name NAME mac MAC" */
	if (argc >= 2 && !strcmp(argv[0], "name")) {
		argc--;
		argv++;
	}
	if (argc < 1)
		return cli_usage_error(c, "missing NAME");
	name = argv[0];
	if (cli_check_dev_name(c, name) || cli_parse_keywords(c, argc - 1, argv + 1, kw, 1))
		return EXIT_USAGE;
	if (!kw[0].value)
		return cli_usage_error(c, "nothing to set (mac MAC)");
	if (parse_mac(c, kw[0].value, mac))
		return EXIT_USAGE;
	err = vdpamgmt_dev_set_mac(c->vm, name, mac);
	return err ? cli_op_failed(c, name, err) : EXIT_OK;
}

/* --- dev attach / detach */

static int cmd_dev_attach(struct cli *c, int argc, char **argv)
{
	struct keyword kw[] = { { .name = "timeout" } };
	struct vdpamgmt_attachment a;
	struct out_node *root, *obj;
	const char *driver;
	uint16_t timeout_s = ATTACH_TIMEOUT_S;
	int err;

	if (argc < 2)
		return cli_usage_error(c, argc ? "missing vhost or virtio" : "missing NAME");
	if (cli_check_dev_name(c, argv[0]))
		return EXIT_USAGE;
	if (!strcmp(argv[1], "vhost") || !strcmp(argv[1], VDPAMGMT_DRIVER_VHOST))
		driver = VDPAMGMT_DRIVER_VHOST;
	else if (!strcmp(argv[1], "virtio") || !strcmp(argv[1], VDPAMGMT_DRIVER_VIRTIO))
		driver = VDPAMGMT_DRIVER_VIRTIO;
	else
		return cli_usage_error(c, "\"%s\": attach to vhost or virtio", argv[1]);
	if (cli_parse_keywords(c, argc - 2, argv + 2, kw, 1))
		return EXIT_USAGE;
	if (kw[0].value && cli_parse_u16(c, "timeout", kw[0].value, &timeout_s))
		return EXIT_USAGE;

	err = vdpamgmt_dev_attach(c->vm, argv[0], driver, timeout_s * 1000u, &a);
	if (err)
		return cli_op_failed(c, argv[0], err);
	if (c->format == OUT_HUMAN) {
		/* the one thing to use next, alone on its line for scripts */
		errno = 0;
		printf("%s\n", a.chardev[0] ? a.chardev : a.netdev[0] ? a.netdev :
		       a.blockdev[0] ? a.blockdev : a.virtio);
		return cli_flush_stdout(c);
	}
	root = out_new();
	obj = out_object(out_object(root, "dev"), argv[0]);
	out_string(obj, "driver", a.driver);
	if (a.chardev[0])
		out_string(obj, "chardev", a.chardev);
	if (a.virtio[0])
		out_string(obj, "virtio", a.virtio);
	if (a.netdev[0])
		out_string(obj, "netdev", a.netdev);
	if (a.blockdev[0])
		out_string(obj, "blockdev", a.blockdev);
	return cli_emit(c, root);
}

static int cmd_dev_detach(struct cli *c, int argc, char **argv)
{
	int err;

	if (argc != 1)
		return cli_usage_error(c, argc ? "unexpected argument \"%s\"" : "missing NAME%s",
				       argc ? argv[1] : "");
	if (cli_check_dev_name(c, argv[0]))
		return EXIT_USAGE;
	err = vdpamgmt_dev_detach(c->vm, argv[0]);
	return err ? cli_op_failed(c, argv[0], err) : EXIT_OK;
}

/* --- pci */

static void out_pci_fn(struct out_node *section, const struct vdpamgmt_pci_fn *fn)
{
	struct out_node *obj = out_object(section, fn->bdf);
	char text[VDPAMGMT_NAME_MAX + 8];

	snprintf(text, sizeof(text), "0x%04x", fn->vendor);
	out_string(obj, "vendor", text);
	snprintf(text, sizeof(text), "0x%04x", fn->device);
	out_string(obj, "device", text);
	if (fn->driver[0])
		out_string(obj, "driver", fn->driver);
	if (fn->driver_override[0])
		out_string(obj, "driver_override", fn->driver_override);
	if (!strcmp(fn->driver, VDPAMGMT_PCI_DRIVER)) {
		snprintf(text, sizeof(text), "pci/%s", fn->bdf);
		out_string(obj, "mgmtdev", text);
	}
}

static int pci_fn_out(const struct vdpamgmt_pci_fn *fn, void *arg)
{
	out_pci_fn(arg, fn);
	return 0;
}

static int cmd_pci_show(struct cli *c, int argc, char **argv)
{
	struct out_node *root, *section;
	struct vdpamgmt_pci_fn fn;
	char bdf[16];
	int err;

	if (argc > 1)
		return cli_usage_error(c, "unexpected argument \"%s\"", argv[1]);
	if (argc == 1 && parse_bdf(c, argv[0], bdf))
		return EXIT_USAGE;
	root = out_new();
	section = out_object(root, "pci");
	if (argc == 1) {
		err = vdpamgmt_pci_fn_get(c->vm, bdf, &fn);
		if (!err)
			out_pci_fn(section, &fn);
	} else {
		err = vdpamgmt_pci_fn_for_each(c->vm, pci_fn_out, section);
	}
	if (err) {
		out_free(root);
		return cli_op_failed(c, argc ? bdf : NULL, err);
	}
	return cli_emit(c, root);
}

static int cmd_pci_bind(struct cli *c, int argc, char **argv)
{
	struct out_node *root;
	struct vdpamgmt_pci_fn fn;
	char bdf[16];
	int err;

	if (argc != 1)
		return cli_usage_error(c, argc ? "unexpected argument \"%s\"" : "missing BDF%s",
				       argc ? argv[1] : "");
	if (parse_bdf(c, argv[0], bdf))
		return EXIT_USAGE;
	err = vdpamgmt_pci_bind(c->vm, bdf);
	if (!err)
		err = vdpamgmt_pci_fn_get(c->vm, bdf, &fn);
	if (err)
		return cli_op_failed(c, bdf, err);
	if (c->format == OUT_HUMAN) {
		errno = 0;
		printf("pci/%s\n", bdf);	/* the mgmtdev to give dev add */
		return cli_flush_stdout(c);
	}
	root = out_new();
	out_pci_fn(out_object(root, "pci"), &fn);
	return cli_emit(c, root);
}

static int cmd_pci_unbind(struct cli *c, int argc, char **argv)
{
	char bdf[16];
	int err;

	if (argc != 1)
		return cli_usage_error(c, argc ? "unexpected argument \"%s\"" : "missing BDF%s",
				       argc ? argv[1] : "");
	if (parse_bdf(c, argv[0], bdf))
		return EXIT_USAGE;
	err = vdpamgmt_pci_unbind(c->vm, bdf);
	return err ? cli_op_failed(c, bdf, err) : EXIT_OK;
}

/* The commands, in help order. */
const struct command cli_commands[] = {
	{ "mgmtdev show", "[MGMTDEV]", "list management devices (functions given to drivers)",
	  cmd_mgmtdev_show, NULL },
	{ "dev show", "[NAME]", "list vDPA devices and what they are attached to",
	  cmd_dev_show, NULL },
	{ "dev add", "name NAME mgmtdev MGMTDEV [mac MAC] [mtu MTU] [max_vqp N] "
		     "[device_features FEATURES]", "create a vDPA device", cmd_dev_add,
	  "  FEATURES, what the device offers its driver:\n"
	  "    0x300000000                     exactly this mask (hex)\n"
	  "    VERSION_1,ACCESS_PLATFORM,MAC   exactly these features\n"
	  "    -GUEST_ANNOUNCE,-HOST_USO       the mgmtdev's features but these (a list\n"
	  "                                    whose first name has + or - starts from them)\n"
	  "    profile=qemu-svq[,-CTRL_VLAN]   those of the mgmtdev's features that stock\n"
	  "                                    QEMU's shadow virtqueue takes (live migration)\n"
	  "  Names as mgmtdev show and dev config show print them (bit_N for a bit\n"
	  "  without one), in any case; terms apply left to right.\n" },
	{ "dev del", "NAME", "delete a vDPA device", cmd_dev_del, NULL },
	{ "dev set", "NAME mac MAC", "change a device attribute", cmd_dev_set, NULL },
	{ "dev config show", "[NAME]", "show the device's config space view",
	  cmd_dev_config_show, NULL },
	{ "dev attach", "NAME {vhost|virtio} [timeout SECONDS]",
	  "bind to vhost_vdpa or virtio_vdpa; print the chardev, netdev or disk",
	  cmd_dev_attach, NULL },
	{ "dev detach", "NAME", "unbind from its bus driver", cmd_dev_detach, NULL },
	{ "dev status", "[NAME]",
	  "dpu_vdpa devices: bus driver, virtio status, mode, suspended, logging, counters",
	  cmd_dev_status, NULL },
	{ "dev suspend", "NAME", "stop the device touching consumer memory; vq state exact",
	  cmd_dev_suspend, NULL },
	{ "dev resume", "NAME", "let a suspended device run again", cmd_dev_resume, NULL },
	{ "dev log start", "NAME [[iova ADDR] len BYTES] [page_size BYTES]",
	  "log the pages the device writes in [ADDR, ADDR + BYTES), or anywhere its consumer mapped", cmd_dev_log_start,
	  "  iova: start of the range (default 0): IOVAs for vhost_vdpa, DMA addresses for\n"
	  "        virtio_vdpa; len: its length, required (the tool cannot know the\n"
	  "        consumer's memory size); page_size: a power of two from 4096 to 1G\n"
	  "        (default: the kernel's, 4096).  The range is rounded out to pages.\n"
	  "  Numbers: decimal, 0x hex, or decimal with K, M, G, T (powers of 1024).\n" },
	{ "dev log sync", "NAME [FILE|-]",
	  "read and clear the dirty bitmap; write it to FILE; print the dirty page count",
	  cmd_dev_log_sync,
	  "  FILE gets the bitmap of the whole logged range: bit i (byte i / 8, LSB first)\n"
	  "  is page iova + i * page_size.  Written whole or not at all.  With \"-\" the\n"
	  "  bitmap goes to stdout and the summary to stderr.  Without FILE the bits\n"
	  "  are still read and cleared.\n" },
	{ "dev log stop", "NAME", "stop logging; back to direct mode where possible",
	  cmd_dev_log_stop, NULL },
	{ "dev state save", "NAME FILE|-", "save a suspended device's state blob",
	  cmd_dev_state_save,
	  "  The blob is written as the kernel gave it, whole or not at all.\n"
	  "  Another host: vdpa-mgmt dev state save A - | ssh host vdpa-mgmt dev state load B -\n" },
	{ "dev state load", "NAME FILE|-", "stage a state blob into a device not yet started",
	  cmd_dev_state_load,
	  "  The blob is checked here first (as dev state show does) unless it is newer\n"
	  "  than this tool (a newer version, an unknown critical section); then the\n"
	  "  kernel checks it against the device.  It applies when the device's\n"
	  "  consumer sets DRIVER_OK.\n" },
	{ "dev state show", "FILE|-", "decode a state blob for humans (-j: JSON)",
	  cmd_dev_state_show, NULL },
	{ "dev migrate",
	  "NAME to NAME2 [mgmtdev MGMTDEV] [iova ADDR len BYTES [page_size BYTES]] [bitmap FILE]",
	  "move a running device's state to another, local dpu_vdpa device", cmd_dev_migrate,
	  "  Steps, each reported on stderr: check both devices (NAME running, NAME2 not\n"
	  "  started, same type); with mgmtdev, add NAME2 there, provisioned as NAME is\n"
	  "  (device_features; net: mac, mtu, max_vqp); log start on NAME if len is\n"
	  "  given; suspend NAME; final log sync if NAME is logging (bitmap to FILE);\n"
	  "  state save; state load into NAME2; log stop if migrate started it.  NAME\n"
	  "  stays suspended; NAME2 starts where NAME stopped when its consumer sets\n"
	  "  DRIVER_OK: switching the consumer (and copying memory, for another host)\n"
	  "  is not done here.  If a step fails, what migrate changed is undone: NAME\n"
	  "  resumed, a log it started stopped, a NAME2 it added deleted.\n" },
	{ "pci show", "[BDF]", "list virtio PCI functions and their drivers", cmd_pci_show, NULL },
	{ "pci bind", "BDF", "hand a PCI function to dpu_vdpa; print its mgmtdev",
	  cmd_pci_bind, NULL },
	{ "pci unbind", "BDF", "give a PCI function back to its usual driver",
	  cmd_pci_unbind, NULL },
	{ "apply", "[--dry-run] [FILE]",
	  "bind functions, create and attach devices as FILE (" APPLY_DEFAULT_FILE ") says",
	  cmd_apply,
	  "  FILE, one line each (# starts a comment):\n"
	  "    function BDF                  hand this PCI function to dpu_vdpa\n"
	  "    device NAME function BDF [mac MAC] [mtu MTU] [max_vqp N]\n"
	  "           [device_features FEATURES] [driver vhost_vdpa|virtio_vdpa|none]\n"
	  "  The whole file is checked first: a bad one changes nothing (exit 2).\n"
	  "  Then only what is missing is done, one line per change; a second run\n"
	  "  says \"nothing to change\".  A device that exists but differs from the\n"
	  "  file, or is on another bus driver, is reported and left alone (exit 1):\n"
	  "  delete it to have it re-created.  --dry-run: print the plan, change nothing.\n" },
};

const size_t cli_command_count = sizeof(cli_commands) / sizeof(cli_commands[0]);
