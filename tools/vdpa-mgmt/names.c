// SPDX-License-Identifier: GPL-2.0-only
/*
 * Names of classes, device types and feature bits, spelled as iproute2's
 * vdpa spells them so that our JSON and theirs compare equal.  A bit
 * iproute2 does not name stays unnamed here too (printed as its number).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define VIRTIO_ID_NET		1
#define VIRTIO_ID_BLOCK		2
/* transport feature bits (virtio_config.h): named for every device type */
#define TRANSPORT_F_START	28
#define TRANSPORT_F_END		38

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

static const char *const net_features[64] = {
	[0] = "CSUM",
	[1] = "GUEST_CSUM",
	[2] = "CTRL_GUEST_OFFLOADS",
	[3] = "MTU",
	[5] = "MAC",
	[7] = "GUEST_TSO4",
	[8] = "GUEST_TSO6",
	[9] = "GUEST_ECN",
	[10] = "GUEST_UFO",
	[11] = "HOST_TSO4",
	[12] = "HOST_TSO6",
	[13] = "HOST_ECN",
	[14] = "HOST_UFO",
	[15] = "MRG_RXBUF",
	[16] = "STATUS",
	[17] = "CTRL_VQ",
	[18] = "CTRL_RX",
	[19] = "CTRL_VLAN",
	[20] = "CTRL_RX_EXTRA",
	[21] = "GUEST_ANNOUNCE",
	[22] = "MQ",
	[23] = "CTRL_MAC_ADDR",
	[24] = "NOTIFY_ON_EMPTY",
	[27] = "ANY_LAYOUT",
	[57] = "HASH_REPORT",
	[60] = "RSS",
	[61] = "RSC_EXT",
	[62] = "STANDBY",
	[63] = "SPEED_DUPLEX",
};

static const char *const transport_features[TRANSPORT_F_END - TRANSPORT_F_START + 1] = {
	[28 - TRANSPORT_F_START] = "RING_INDIRECT_DESC",
	[29 - TRANSPORT_F_START] = "RING_EVENT_IDX",
	[32 - TRANSPORT_F_START] = "VERSION_1",
	[33 - TRANSPORT_F_START] = "ACCESS_PLATFORM",
	[34 - TRANSPORT_F_START] = "RING_PACKED",
	[35 - TRANSPORT_F_START] = "IN_ORDER",
	[36 - TRANSPORT_F_START] = "ORDER_PLATFORM",
	[37 - TRANSPORT_F_START] = "SR_IOV",
	[38 - TRANSPORT_F_START] = "NOTIFICATION_DATA",
};

const char *vdpamgmt_feature_name(uint32_t device_id, unsigned int bit)
{
	if (bit >= 64)
		return NULL;
	if (bit >= TRANSPORT_F_START && bit <= TRANSPORT_F_END)
		return transport_features[bit - TRANSPORT_F_START];
	if (device_id == VIRTIO_ID_NET)
		return net_features[bit];
	return NULL;
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
