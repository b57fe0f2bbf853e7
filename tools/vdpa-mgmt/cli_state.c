// SPDX-License-Identifier: GPL-2.0-only
/*
 * dev state show: a device-state blob, decoded, as an output tree.  No
 * kernel is involved, so this is also how to inspect what "dev state save"
 * wrote or what is about to be loaded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/dpu_vdpa_state.h>

#include "cli.h"
#include "files.h"

#define VIRTIO_NET_S_LINK_UP	1
#define VIRTIO_NET_S_ANNOUNCE	2

static void format_mac(const uint8_t mac[6], char text[18])
{
	snprintf(text, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

static void out_vqs(struct out_node *obj, const struct vdpamgmt_state *st)
{
	struct out_node *vqs = out_object(obj, "vqs");
	char key[8];

	for (unsigned int i = 0; i < st->num_queues; i++) {
		const struct vdpamgmt_state_vq *vq = &st->vqs[i];
		struct out_node *q;

		snprintf(key, sizeof(key), "%u", vq->index);
		q = out_object(vqs, key);
		out_bool(q, "enabled", vq->flags & DPU_VDPA_STATE_VQ_ENABLED);
		out_uint(q, "num", vq->num);
		out_uint(q, "avail_idx", vq->avail_idx);
		out_uint(q, "used_idx", vq->used_idx);
		cli_out_hex(q, "desc_addr", vq->desc_addr);
		cli_out_hex(q, "driver_addr", vq->driver_addr);
		cli_out_hex(q, "device_addr", vq->device_addr);
	}
}

static void out_config_bytes(struct out_node *obj, const struct vdpamgmt_state *st)
{
	char *hex = malloc(2 * (size_t)st->config_len + 1);

	if (!hex) {
		fputs("vdpa-mgmt: out of memory\n", stderr);
		exit(EXIT_FAILED);
	}
	for (unsigned int i = 0; i < st->config_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", st->config[i]);
	hex[2 * (size_t)st->config_len] = '\0';
	out_string(obj, "config", hex);
	free(hex);
}

void cli_out_rx_mode(struct out_node *obj, uint32_t flags)
{
	static const char *const names[] = {
		"PROMISC", "ALLMULTI", "ALLUNI", "NOMULTI", "NOUNI", "NOBCAST",
	};
	struct out_node *arr = out_array(obj, "rx_mode");
	char text[16];

	for (unsigned int bit = 0; bit < 32; bit++) {
		if (!(flags & (1u << bit)))
			continue;
		if (bit < sizeof(names) / sizeof(names[0])) {
			out_string(arr, NULL, names[bit]);
		} else {
			snprintf(text, sizeof(text), "bit_%u", bit);
			out_uint_text(arr, NULL, bit, text);
		}
	}
}

static void out_mac_table(struct out_node *obj, const struct vdpamgmt_state *st)
{
	struct out_node *uni = out_array(obj, "unicast_macs");
	struct out_node *multi = out_array(obj, "multicast_macs");
	uint64_t n = (uint64_t)st->mac_table.unicast + st->mac_table.multicast;
	char mac[18];

	for (uint64_t i = 0; i < n; i++) {
		format_mac(st->mac_table.macs[i], mac);
		out_string(i < st->mac_table.unicast ? uni : multi, NULL, mac);
	}
}

static void out_net(struct out_node *obj, const struct vdpamgmt_state *st)
{
	struct out_node *vlans;
	char mac[18];

	if (VDPAMGMT_STATE_HAS(st, DPU_VDPA_STATE_NET_CONFIG)) {
		format_mac(st->net_config.mac, mac);
		out_string(obj, "mac", mac);
		out_uint(obj, "mtu", st->net_config.mtu);
		out_string(obj, "link", (st->net_config.status & VIRTIO_NET_S_LINK_UP) ? "up" :
			   "down");
		out_bool(obj, "link_announce", st->net_config.status & VIRTIO_NET_S_ANNOUNCE);
		out_uint(obj, "max_vq_pairs", st->net_config.max_virtqueue_pairs);
	}
	if (VDPAMGMT_STATE_HAS(st, DPU_VDPA_STATE_NET_MQ))
		out_uint(obj, "vq_pairs", st->mq_pairs);
	if (VDPAMGMT_STATE_HAS(st, DPU_VDPA_STATE_NET_RX_MODE))
		cli_out_rx_mode(obj, st->rx_mode);
	if (VDPAMGMT_STATE_HAS(st, DPU_VDPA_STATE_NET_MAC_TABLE))
		out_mac_table(obj, st);
	if (VDPAMGMT_STATE_HAS(st, DPU_VDPA_STATE_NET_VLAN)) {
		vlans = out_array(obj, "vlans");
		for (unsigned int vid = 0; vid < 4096; vid++)
			if (st->vlan[vid / 8] & (1u << (vid % 8)))
				out_uint(vlans, NULL, vid);
	}
}

static void out_unknown(struct out_node *obj, const struct vdpamgmt_state *st)
{
	struct out_node *skipped = out_object(obj, "skipped_sections");
	char key[24];

	for (unsigned int i = 0; i < st->unknown_count; i++) {
		const struct vdpamgmt_state_unknown *u = &st->unknown[i];
		struct out_node *s;

		snprintf(key, sizeof(key), "offset %u", u->offset);
		s = out_object(skipped, key);
		out_uint(s, "type", u->type);
		cli_out_hex(s, "flags", u->flags);
		out_uint(s, "len", u->len);
	}
}

static void state_out(struct out_node *section, const char *name, const struct vdpamgmt_state *st)
{
	struct out_node *obj = out_object(section, name);
	const char *type = vdpamgmt_device_type_name(st->device_id);

	out_uint(obj, "version", st->version);
	out_uint(obj, "total_len", st->total_len);
	cli_out_hex(obj, "crc32", st->crc32);
	if (type)
		out_string(obj, "type", type);
	else
		out_uint(obj, "device_id", st->device_id);
	cli_out_status(obj, "status", st->status);
	cli_out_features(obj, "device_features", st->device_features, st->device_id);
	cli_out_features(obj, "driver_features", st->driver_features, st->device_id);
	out_uint(obj, "num_queues", st->num_queues);
	out_uint(obj, "config_len", st->config_len);
	if (st->config)
		out_config_bytes(obj, st);
	out_net(obj, st);
	out_vqs(obj, st);
	if (st->unknown_count)
		out_unknown(obj, st);
}

int cmd_dev_state_show(struct cli *c, int argc, char **argv)
{
	char why[FILE_WHY_MAX];
	struct vdpamgmt_state st;
	struct out_node *root;
	uint8_t *blob;
	size_t len;
	int err;

	if (argc != 1)
		return cli_usage_error(c, argc ? "unexpected argument \"%s\"" : "missing FILE%s",
				       argc ? argv[1] : "");
	err = file_read_all(argv[0], DPU_VDPA_STATE_MAX_LEN, &blob, &len, why);
	if (err)
		return cli_failed(c, argv[0], err, "%s", why);
	err = vdpamgmt_state_decode(blob, len, &st, why, sizeof(why));
	free(blob);
	if (err)
		return cli_failed(c, argv[0], err, "%s", why);
	root = out_new();
	state_out(out_object(root, "state"), argv[0], &st);
	vdpamgmt_state_release(&st);
	return cli_emit(c, root);
}
