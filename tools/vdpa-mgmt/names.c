// SPDX-License-Identifier: GPL-2.0-only
/*
 * Names of classes, device types and feature bits, spelled as iproute2's
 * vdpa spells them so that our JSON and theirs compare equal; feature
 * names iproute2 lacks for text and for input; device_features values
 * (hex, names, changes to what a mgmtdev supports, profiles) parsed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define VIRTIO_ID_NET		1
#define VIRTIO_ID_BLOCK		2

const char *vdpamgmt_class_name(unsigned int virtio_id)
{
	switch (virtio_id) {
	case VIRTIO_ID_NET: return "net";
	case VIRTIO_ID_BLOCK: return "block";
	default: return NULL;
	}
}

const char *vdpamgmt_device_type_name(uint32_t virtio_id)
{
	switch (virtio_id) {
	case VIRTIO_ID_NET: return "network";
	case VIRTIO_ID_BLOCK: return "block";
	default: return NULL;
	}
}

/*
 * Feature names.  Every bit the 6.12 uapi headers define for virtio-net
 * (virtio_net.h), virtio-blk (virtio_blk.h) and every device
 * (virtio_config.h, virtio_ring.h) has one, without the VIRTIO_*_F_
 * prefix, in iproute2's spelling where iproute2 has one (RING_EVENT_IDX,
 * ACCESS_PLATFORM).  IPROUTE2 marks the names iproute2's vdpa prints: JSON
 * has those as strings and every other bit as its number, as iproute2
 * does, so that the two tools' JSON stays equal; text shows every name.
 */
struct feature {
	unsigned char bit;
	bool iproute2;
	const char *name;
};

static const struct feature net_features[] = {
	{ 0, true, "CSUM" },
	{ 1, true, "GUEST_CSUM" },
	{ 2, true, "CTRL_GUEST_OFFLOADS" },
	{ 3, true, "MTU" },
	{ 5, true, "MAC" },
	{ 6, false, "GSO" },
	{ 7, true, "GUEST_TSO4" },
	{ 8, true, "GUEST_TSO6" },
	{ 9, true, "GUEST_ECN" },
	{ 10, true, "GUEST_UFO" },
	{ 11, true, "HOST_TSO4" },
	{ 12, true, "HOST_TSO6" },
	{ 13, true, "HOST_ECN" },
	{ 14, true, "HOST_UFO" },
	{ 15, true, "MRG_RXBUF" },
	{ 16, true, "STATUS" },
	{ 17, true, "CTRL_VQ" },
	{ 18, true, "CTRL_RX" },
	{ 19, true, "CTRL_VLAN" },
	{ 20, true, "CTRL_RX_EXTRA" },
	{ 21, true, "GUEST_ANNOUNCE" },
	{ 22, true, "MQ" },
	{ 23, true, "CTRL_MAC_ADDR" },
	/* iproute2 names these two for net devices only */
	{ 24, true, "NOTIFY_ON_EMPTY" },
	{ 27, true, "ANY_LAYOUT" },
	{ 50, false, "DEVICE_STATS" },
	{ 52, false, "VQ_NOTF_COAL" },
	{ 53, false, "NOTF_COAL" },
	{ 54, false, "GUEST_USO4" },
	{ 55, false, "GUEST_USO6" },
	{ 56, false, "HOST_USO" },
	{ 57, true, "HASH_REPORT" },
	{ 59, false, "GUEST_HDRLEN" },
	{ 60, true, "RSS" },
	{ 61, true, "RSC_EXT" },
	{ 62, true, "STANDBY" },
	{ 63, true, "SPEED_DUPLEX" },
};

static const struct feature blk_features[] = {
	{ 0, false, "BARRIER" },
	{ 1, false, "SIZE_MAX" },
	{ 2, false, "SEG_MAX" },
	{ 4, false, "GEOMETRY" },
	{ 5, false, "RO" },
	{ 6, false, "BLK_SIZE" },
	{ 7, false, "SCSI" },
	{ 9, false, "FLUSH" },
	{ 10, false, "TOPOLOGY" },
	{ 11, false, "CONFIG_WCE" },
	{ 12, false, "MQ" },
	{ 13, false, "DISCARD" },
	{ 14, false, "WRITE_ZEROES" },
	{ 16, false, "SECURE_ERASE" },
	{ 17, false, "ZONED" },
};

/* every device type's (after the type's own table, which may name 24 and 27) */
static const struct feature common_features[] = {
	{ 24, false, "NOTIFY_ON_EMPTY" },
	{ 27, false, "ANY_LAYOUT" },
	{ 28, true, "RING_INDIRECT_DESC" },
	{ 29, true, "RING_EVENT_IDX" },
	{ 32, true, "VERSION_1" },
	{ 33, true, "ACCESS_PLATFORM" },
	{ 34, true, "RING_PACKED" },
	{ 35, true, "IN_ORDER" },
	{ 36, true, "ORDER_PLATFORM" },
	{ 37, true, "SR_IOV" },
	{ 38, true, "NOTIFICATION_DATA" },
	{ 39, false, "NOTIF_CONFIG_DATA" },
	{ 40, false, "RING_RESET" },
	{ 41, false, "ADMIN_VQ" },
};

/* The device type's own table, and its length; NULL for other types. */
static const struct feature *type_features(uint32_t device_id, size_t *n)
{
	switch (device_id) {
	case VIRTIO_ID_NET:
		*n = ARRAY_SIZE(net_features);
		return net_features;
	case VIRTIO_ID_BLOCK:
		*n = ARRAY_SIZE(blk_features);
		return blk_features;
	default:
		*n = 0;
		return NULL;
	}
}

static const struct feature *feature_by_bit(uint32_t device_id, unsigned int bit)
{
	const struct feature *own;
	size_t n, i;

	own = type_features(device_id, &n);
	for (i = 0; i < n; i++)
		if (own[i].bit == bit)
			return &own[i];
	for (i = 0; i < ARRAY_SIZE(common_features); i++)
		if (common_features[i].bit == bit)
			return &common_features[i];
	return NULL;
}

const char *vdpamgmt_feature_name(uint32_t device_id, unsigned int bit)
{
	const struct feature *f = feature_by_bit(device_id, bit);

	return f && f->iproute2 ? f->name : NULL;
}

const char *vdpamgmt_feature_full_name(uint32_t device_id, unsigned int bit)
{
	const struct feature *f = feature_by_bit(device_id, bit);

	return f ? f->name : NULL;
}

/* "bit_54" (what text output shows for a bit without a name): 0..63, else -1. */
static int bit_number(const char *name, size_t len)
{
	unsigned int v = 0;
	size_t i;

	if (len < 5 || len > 6 || strncasecmp(name, "bit_", 4))
		return -1;
	for (i = 4; i < len; i++) {
		if (name[i] < '0' || name[i] > '9' || (i == 5 && name[4] == '0'))
			return -1;
		v = v * 10 + (unsigned int)(name[i] - '0');
	}
	return v < 64 ? (int)v : -1;
}

/*
 * The kernel headers' spelling is taken too: VIRTIO_NET_F_MQ, VIRTIO_F_VERSION_1,
 * VIRTIO_RING_F_EVENT_IDX (iproute2's RING_EVENT_IDX).
 */
static void strip_prefix(const char **name, size_t *len, char *buf, size_t size)
{
	static const char *const prefixes[] = { "VIRTIO_NET_F_", "VIRTIO_BLK_F_", "VIRTIO_F_" };
	size_t i, p;

	if (*len > 15 && !strncasecmp(*name, "VIRTIO_RING_F_", 14) && *len - 14 + 5 < size) {
		snprintf(buf, size, "RING_%.*s", (int)(*len - 14), *name + 14);
		*name = buf;
		*len = strlen(buf);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(prefixes); i++) {
		p = strlen(prefixes[i]);
		if (*len > p && !strncasecmp(*name, prefixes[i], p)) {
			*name += p;
			*len -= p;
			return;
		}
	}
}

static int lookup(const struct feature *table, size_t n, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(table[i].name) == len && !strncasecmp(table[i].name, name, len))
			return table[i].bit;
	return -1;
}

/* NAME (LEN bytes) for a DEVICE_ID device; VDPAMGMT_FEATURES_ANY_TYPE: any type's. */
static int feature_bit(uint32_t device_id, const char *name, size_t len)
{
	const struct feature *own;
	char buf[64];
	size_t n;
	int bit;

	bit = bit_number(name, len);
	if (bit >= 0)
		return bit;
	strip_prefix(&name, &len, buf, sizeof(buf));
	if (device_id == VDPAMGMT_FEATURES_ANY_TYPE) {
		bit = lookup(net_features, ARRAY_SIZE(net_features), name, len);
		if (bit < 0)
			bit = lookup(blk_features, ARRAY_SIZE(blk_features), name, len);
	} else {
		own = type_features(device_id, &n);
		bit = lookup(own, n, name, len);
	}
	if (bit < 0)
		bit = lookup(common_features, ARRAY_SIZE(common_features), name, len);
	return bit;
}

int vdpamgmt_feature_bit(uint32_t device_id, const char *name)
{
	int bit = feature_bit(device_id, name, strlen(name));

	return bit < 0 ? -ENOENT : bit;
}

/*
 * What QEMU's shadow virtqueue (x-svq=on, and every migration of a
 * -netdev vhost-vdpa) accepts of a net device, QEMU 10.0: the device
 * features of net/vhost-vdpa.c vdpa_svq_device_features, and of the
 * transport bits (28-41) only those hw/virtio/vhost-shadow-virtqueue.c
 * vhost_svq_valid_features lets through (RING_EVENT_IDX, VERSION_1,
 * ACCESS_PLATFORM).  One feature more and QEMU refuses the device ("vdpa
 * svq does not work with features 0x...") or blocks migration.  Not in
 * it: GUEST_ANNOUNCE, GSO, DEVICE_STATS, the notification coalescing and
 * USO bits, GUEST_HDRLEN, NOTIFY_ON_EMPTY, RING_INDIRECT_DESC,
 * RING_PACKED, IN_ORDER, ORDER_PLATFORM, SR_IOV, NOTIFICATION_DATA,
 * RING_RESET.  QEMU's list also has bit 26, VHOST_F_LOG_ALL: vhost's own,
 * not a device feature, so not here.  CTRL_VLAN is in it; a test that
 * does not want QEMU's VLAN table replayed drops it with -CTRL_VLAN.
 * tests/nested/migrate.sh creates its devices with this profile.
 */
#define BIT64(n)	(1ULL << (n))
static const uint64_t qemu_svq_features =
	BIT64(0) | BIT64(1) | BIT64(2) | BIT64(3) | BIT64(5) |		/* CSUM .. MAC */
	BIT64(7) | BIT64(8) | BIT64(9) | BIT64(10) |			/* GUEST_TSO4 .. GUEST_UFO */
	BIT64(11) | BIT64(12) | BIT64(13) | BIT64(14) |			/* HOST_TSO4 .. HOST_UFO */
	BIT64(15) | BIT64(16) | BIT64(17) | BIT64(18) | BIT64(19) |	/* MRG_RXBUF .. CTRL_VLAN */
	BIT64(20) | BIT64(22) | BIT64(23) |				/* CTRL_RX_EXTRA, MQ, CTRL_MAC_ADDR */
	BIT64(27) | BIT64(29) | BIT64(32) | BIT64(33) |			/* ANY_LAYOUT, EVENT_IDX, VERSION_1, ACCESS_PLATFORM */
	BIT64(57) | BIT64(60) | BIT64(61) | BIT64(62) | BIT64(63);	/* HASH_REPORT, RSS .. SPEED_DUPLEX */

static const struct {
	const char *name;
	uint32_t device_id;
	uint64_t features;
} profiles[] = {
	{ "qemu-svq", VIRTIO_ID_NET, qemu_svq_features },
};

int vdpamgmt_feature_profile(const char *name, uint32_t *device_id, uint64_t *features)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(profiles); i++) {
		if (!strcmp(profiles[i].name, name)) {
			*device_id = profiles[i].device_id;
			*features = profiles[i].features;
			return 0;
		}
	}
	return -ENOENT;
}

const char *vdpamgmt_feature_profile_name(unsigned int index)
{
	return index < ARRAY_SIZE(profiles) ? profiles[index].name : NULL;
}

static int fail(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *type_word(uint32_t device_id)
{
	const char *name = vdpamgmt_class_name(device_id);

	return name ? name : "this management device's";
}

bool vdpamgmt_features_is_hex(const char *text)
{
	const char *p = text;

	if (!strncasecmp(p, "0x", 2))
		return true;	/* parse says if it is not */
	if (!*p)
		return false;
	for (; *p; p++)
		if (!isxdigit((unsigned char)*p))
			return false;
	return true;
}

int vdpamgmt_features_parse(const char *text, uint32_t device_id, uint64_t supported,
			    uint64_t *out, char *why, size_t why_size)
{
	const bool any = device_id == VDPAMGMT_FEATURES_ANY_TYPE;
	const char *term, *end, *name;
	uint64_t set = 0, profile;
	uint32_t profile_type;
	size_t len, nlen;
	bool first = true;
	char pname[32];
	int bit;

	why[0] = '\0';
	if (vdpamgmt_features_is_hex(text)) {
		const char *digits = text + (strncasecmp(text, "0x", 2) ? 0 : 2);
		unsigned long long v;
		char *endp;

		errno = 0;
		v = strtoull(digits, &endp, 16);
		if (!isxdigit((unsigned char)*digits) || *endp || errno)
			return fail(why, why_size, "\"%s\" is not a 64-bit hex number", text);
		*out = v;
		return 0;
	}
	for (term = text;; term = end + 1, first = false) {
		end = strchr(term, ',');
		len = end ? (size_t)(end - term) : strlen(term);
		if (!len)
			return fail(why, why_size, "an empty name in \"%s\"", text);
		if (len > 8 && !strncmp(term, "profile=", 8)) {
			if (!first)
				return fail(why, why_size, "a profile comes first (profile=NAME,-FEATURE...)");
			snprintf(pname, sizeof(pname), "%.*s", (int)(len - 8), term + 8);
			if (len - 8 >= sizeof(pname) ||
			    vdpamgmt_feature_profile(pname, &profile_type, &profile))
				return fail(why, why_size, "unknown profile \"%.*s\" (known: qemu-svq)",
					    (int)(len - 8), term + 8);
			if (!any && device_id != profile_type)
				return fail(why, why_size, "profile %s is for %s devices only",
					    pname, type_word(profile_type));
			set = supported & profile;
		} else {
			name = term;
			nlen = len;
			if (*term == '+' || *term == '-') {
				name++;
				nlen--;
			}
			bit = nlen ? feature_bit(device_id, name, nlen) : -1;
			if (bit < 0) {
				if (!any && nlen && feature_bit(VDPAMGMT_FEATURES_ANY_TYPE, name, nlen) >= 0)
					return fail(why, why_size, "%.*s is not a feature of %s devices",
						    (int)nlen, name, type_word(device_id));
				return fail(why, why_size, "unknown feature \"%.*s\"", (int)nlen, name);
			}
			/* a first + or - starts from what the mgmtdev supports */
			if (first && name != term)
				set = supported;
			if (*term == '-') {
				set &= ~BIT64(bit);
			} else if (!any && !(supported & BIT64(bit))) {
				return fail(why, why_size, "%.*s is not offered by the management device",
					    (int)nlen, name);
			} else {
				set |= BIT64(bit);
			}
		}
		if (!end)
			break;
	}
	*out = set;
	return 0;
}

int vdpamgmt_mac_parse(const char *text, uint8_t mac[6])
{
	unsigned int b[6];
	int used = 0, i;

	if (strlen(text) != 17 ||
	    sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &used) != 6 || used != 17)
		return -EINVAL;
	for (i = 0; i < 17; i++) {
		char c = text[i];

		if (i % 3 == 2 ? c != ':' : !((c >= '0' && c <= '9') ||
					     (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return -EINVAL;
	}
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}
