// SPDX-License-Identifier: GPL-2.0
/* vhost-client info: what the device and the vhost-vdpa backend offer. */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_blk.h>

#include "vc.h"

static const char *const backend_names[] = {
	[VHOST_BACKEND_F_IOTLB_MSG_V2] = "IOTLB_MSG_V2",
	[VHOST_BACKEND_F_IOTLB_BATCH] = "IOTLB_BATCH",
	[VHOST_BACKEND_F_IOTLB_ASID] = "IOTLB_ASID",
	[VHOST_BACKEND_F_SUSPEND] = "SUSPEND",
	[VHOST_BACKEND_F_RESUME] = "RESUME",
	[VHOST_BACKEND_F_ENABLE_AFTER_DRIVER_OK] = "ENABLE_AFTER_DRIVER_OK",
	[VHOST_BACKEND_F_DESC_ASID] = "DESC_ASID",
	[VHOST_BACKEND_F_IOTLB_PERSIST] = "IOTLB_PERSIST",
};

static const char *type_name(uint32_t id)
{
	switch (id) {
	case VIRTIO_ID_NET: return "net";
	case VIRTIO_ID_BLOCK: return "blk";
	case VIRTIO_ID_CONSOLE: return "console";
	case VIRTIO_ID_RNG: return "rng";
	case VIRTIO_ID_SCSI: return "scsi";
	case 26: return "fs";
	default: return "other";
	}
}

static void bit_names(uint64_t f, uint32_t device_id, bool backend, bool json)
{
	const char *sep = "";
	unsigned int bit;

	for (bit = 0; bit < 64; bit++) {
		const char *n = NULL;
		char tmp[16];

		if (!(f & (1ull << bit)))
			continue;
		if (backend) {
			if (bit < sizeof(backend_names) / sizeof(backend_names[0]))
				n = backend_names[bit];
		} else {
			n = vc_feature_name(device_id, bit);
		}
		if (!n) {
			snprintf(tmp, sizeof(tmp), "bit%u", bit);
			n = tmp;
		}
		printf(json ? "%s\"%s\"" : "%s%s", sep, n);
		sep = json ? ", " : " ";
	}
}

static void print_features(const char *key, uint64_t f, uint32_t id, bool backend)
{
	if (opt.json) {
		printf("  \"%s\": \"0x%llx\",\n  \"%s_names\": [", key, (unsigned long long)f, key);
		bit_names(f, id, backend, true);
		printf("],\n");
	} else {
		printf("%-18s 0x%016llx ", key, (unsigned long long)f);
		bit_names(f, id, backend, false);
		putchar('\n');
	}
}

static void kv_u(const char *key, unsigned long long v)
{
	if (opt.json)
		printf("  \"%s\": %llu,\n", key, v);
	else
		printf("%-18s %llu\n", key, v);
}

static void kv_s(const char *key, const char *v)
{
	if (opt.json)
		printf("  \"%s\": \"%s\",\n", key, v);
	else
		printf("%-18s %s\n", key, v);
}

static void kv_x(const char *key, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%llx", v);
	kv_s(key, buf);
}

static uint16_t cfg16(const struct vc_dev *d, size_t off)
{
	uint16_t v;

	memcpy(&v, d->config + off, sizeof(v));
	return le16toh(v);
}

static uint32_t cfg32(const struct vc_dev *d, size_t off)
{
	uint32_t v;

	memcpy(&v, d->config + off, sizeof(v));
	return le32toh(v);
}

static uint64_t cfg64(const struct vc_dev *d, size_t off)
{
	uint64_t v;

	memcpy(&v, d->config + off, sizeof(v));
	return le64toh(v);
}

static bool offered(const struct vc_dev *d, unsigned int bit)
{
	return d->dev_features & (1ull << bit);
}

static void net_config(const struct vc_dev *d)
{
	char mac[18];

	if (offered(d, VIRTIO_NET_F_MAC))
		kv_s("net_mac", vc_fmt_mac(d->config, mac));
	if (offered(d, VIRTIO_NET_F_STATUS)) {
		uint16_t s = cfg16(d, offsetof(struct virtio_net_config, status));

		kv_u("net_status", s);
		kv_s("net_link", s & VIRTIO_NET_S_LINK_UP ? "up" : "down");
	}
	if (offered(d, VIRTIO_NET_F_MQ))
		kv_u("net_max_vqp", cfg16(d, offsetof(struct virtio_net_config, max_virtqueue_pairs)));
	if (offered(d, VIRTIO_NET_F_MTU))
		kv_u("net_mtu", cfg16(d, offsetof(struct virtio_net_config, mtu)));
}

static void blk_config(const struct vc_dev *d)
{
	kv_u("blk_capacity", cfg64(d, offsetof(struct virtio_blk_config, capacity)));
	if (offered(d, VIRTIO_BLK_F_BLK_SIZE))
		kv_u("blk_size", cfg32(d, offsetof(struct virtio_blk_config, blk_size)));
	if (offered(d, VIRTIO_BLK_F_SIZE_MAX))
		kv_u("blk_size_max", cfg32(d, offsetof(struct virtio_blk_config, size_max)));
	if (offered(d, VIRTIO_BLK_F_SEG_MAX))
		kv_u("blk_seg_max", cfg32(d, offsetof(struct virtio_blk_config, seg_max)));
	if (offered(d, VIRTIO_BLK_F_MQ))
		kv_u("blk_num_queues", cfg16(d, offsetof(struct virtio_blk_config, num_queues)));
	kv_s("blk_ro", offered(d, VIRTIO_BLK_F_RO) ? "yes" : "no");
}

/*
 * Per-vq facts: the size the vq allows (GET_VRING_SIZE) and its group
 * (GET_VRING_GROUP); the group ioctls answer EOPNOTSUPP when the parent
 * has no vq groups.
 */
static void vq_info(struct vc_dev *d)
{
	const char *sep = "";
	int group_err = 0, size_err = 0;
	uint32_t i;

	if (opt.json)
		printf("  \"vq_list\": [");
	for (i = 0; i < d->nvqs; i++) {
		struct vhost_vring_state g = { .index = i }, sz = { .index = i };
		int ge, se;

		ge = ioctl(d->fd, VHOST_VDPA_GET_VRING_GROUP, &g) < 0 ? errno : 0;
		se = ioctl(d->fd, VHOST_VDPA_GET_VRING_SIZE, &sz) < 0 ? errno : 0;
		if (ge)
			group_err = ge;
		if (se)
			size_err = se;
		if (opt.json) {
			printf("%s{\"index\": %u", sep, i);
			if (!ge)
				printf(", \"group\": %u", g.num);
			if (!se)
				printf(", \"size\": %u", sz.num);
			printf("}");
			sep = ", ";
		} else {
			printf("vq %-2u              ", i);
			if (!ge)
				printf(" group %u", g.num);
			if (!se)
				printf(" size %u", sz.num);
			putchar('\n');
		}
	}
	if (opt.json)
		printf("],\n");
	if (group_err)
		kv_s("vq_group", strerror(group_err));
	if (size_err)
		kv_s("vq_size", strerror(size_err));
}

int cmd_info(void)
{
	struct vc_dev d;
	char range[64];
	uint8_t status;

	vc_open(&d, opt.dev);
	if (opt.group_asid[0] >= 0) {
		struct vhost_vring_state s = { .index = opt.group_asid[0],
					       .num = opt.group_asid[1] };

		if (ioctl(d.fd, VHOST_VDPA_SET_GROUP_ASID, &s) < 0)
			vc_die(VC_EXIT_ERR, "ioctl VHOST_VDPA_SET_GROUP_ASID on %s: %s", d.path,
			       strerror(errno));
	}
	status = vc_get_status(&d);
	if (opt.json)
		printf("{\n");
	kv_s("device", d.path);
	kv_u("device_id", d.device_id);
	kv_s("type", type_name(d.device_id));
	print_features("features", d.dev_features, d.device_id, false);
	print_features("backend_offered", d.backend_offered, 0, true);
	print_features("backend_acked", d.backend, 0, true);
	kv_s("suspend", (d.backend_offered & (1ull << VHOST_BACKEND_F_SUSPEND)) ?
	     "offered" : "not offered");
	kv_s("resume", (d.backend_offered & (1ull << VHOST_BACKEND_F_RESUME)) ?
	     "offered" : "not offered");
	kv_u("vqs", d.nvqs);
	kv_u("vring_num", d.vring_num);
	snprintf(range, sizeof(range), "0x%llx-0x%llx", (unsigned long long)d.range.first,
		 (unsigned long long)d.range.last);
	kv_s("iova_range", range);
	kv_u("config_size", d.config_size);
	kv_x("status", status);
	if (d.device_id == VIRTIO_ID_NET)
		net_config(&d);
	else if (d.device_id == VIRTIO_ID_BLOCK)
		blk_config(&d);
	if (vc_has_backend(&d, VHOST_BACKEND_F_IOTLB_ASID)) {
		kv_u("groups", d.ngroups);
		kv_u("address_spaces", d.nas);
		if (opt.group_asid[0] >= 0) {
			char ga[32];

			snprintf(ga, sizeof(ga), "group %d -> asid %d", opt.group_asid[0],
				 opt.group_asid[1]);
			kv_s("group_asid_set", ga);
		}
	}
	vq_info(&d);
	if (opt.json)
		printf("  \"ok\": true\n}\n");
	vc_close(&d);
	return VC_EXIT_OK;
}
