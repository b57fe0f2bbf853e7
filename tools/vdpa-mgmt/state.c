// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device-state blob of <linux/dpu_vdpa_state.h>: a checking decoder
 * into struct vdpamgmt_state and an encoder of the current version.
 *
 * The decoder trusts nothing: every length is checked against the bytes
 * that are really there (64-bit arithmetic, so no sum wraps), and the first
 * problem found is reported with its offset.  It walks the sections twice:
 * the first pass checks the framing and finds the DEVICE section (which
 * may come anywhere), the second decodes with num_queues known.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/dpu_vdpa_state.h>

#include "internal.h"

#define VIRTIO_ID_NET	1

_Static_assert(sizeof(struct dpu_vdpa_state_hdr) == 24, "header layout");
_Static_assert(sizeof(struct dpu_vdpa_state_sect) == 8, "section header layout");
_Static_assert(sizeof(struct dpu_vdpa_state_device) == 24, "DEVICE layout");
_Static_assert(sizeof(struct dpu_vdpa_state_vq) == 40, "VQ layout");
_Static_assert(sizeof(struct dpu_vdpa_state_net_config) == 12, "NET_CONFIG layout");
_Static_assert(sizeof(struct dpu_vdpa_state_net_mac_table) == 8, "NET_MAC_TABLE layout");
_Static_assert(DPU_VDPA_STATE_NET_MQ < 64, "known section types fit ->sections");

/*
 * CRC-32 of IEEE 802.3 as zlib computes it: reflected polynomial
 * 0xedb88320, initial value and final xor 0xffffffff.  Entry n is the CRC
 * register after shifting byte n through eight times.
 */
static const uint32_t crc32_table[256] = {
	0x00000000, 0x77073096, 0xee0e612c, 0x990951ba, 0x076dc419, 0x706af48f,
	0xe963a535, 0x9e6495a3, 0x0edb8832, 0x79dcb8a4, 0xe0d5e91e, 0x97d2d988,
	0x09b64c2b, 0x7eb17cbd, 0xe7b82d07, 0x90bf1d91, 0x1db71064, 0x6ab020f2,
	0xf3b97148, 0x84be41de, 0x1adad47d, 0x6ddde4eb, 0xf4d4b551, 0x83d385c7,
	0x136c9856, 0x646ba8c0, 0xfd62f97a, 0x8a65c9ec, 0x14015c4f, 0x63066cd9,
	0xfa0f3d63, 0x8d080df5, 0x3b6e20c8, 0x4c69105e, 0xd56041e4, 0xa2677172,
	0x3c03e4d1, 0x4b04d447, 0xd20d85fd, 0xa50ab56b, 0x35b5a8fa, 0x42b2986c,
	0xdbbbc9d6, 0xacbcf940, 0x32d86ce3, 0x45df5c75, 0xdcd60dcf, 0xabd13d59,
	0x26d930ac, 0x51de003a, 0xc8d75180, 0xbfd06116, 0x21b4f4b5, 0x56b3c423,
	0xcfba9599, 0xb8bda50f, 0x2802b89e, 0x5f058808, 0xc60cd9b2, 0xb10be924,
	0x2f6f7c87, 0x58684c11, 0xc1611dab, 0xb6662d3d, 0x76dc4190, 0x01db7106,
	0x98d220bc, 0xefd5102a, 0x71b18589, 0x06b6b51f, 0x9fbfe4a5, 0xe8b8d433,
	0x7807c9a2, 0x0f00f934, 0x9609a88e, 0xe10e9818, 0x7f6a0dbb, 0x086d3d2d,
	0x91646c97, 0xe6635c01, 0x6b6b51f4, 0x1c6c6162, 0x856530d8, 0xf262004e,
	0x6c0695ed, 0x1b01a57b, 0x8208f4c1, 0xf50fc457, 0x65b0d9c6, 0x12b7e950,
	0x8bbeb8ea, 0xfcb9887c, 0x62dd1ddf, 0x15da2d49, 0x8cd37cf3, 0xfbd44c65,
	0x4db26158, 0x3ab551ce, 0xa3bc0074, 0xd4bb30e2, 0x4adfa541, 0x3dd895d7,
	0xa4d1c46d, 0xd3d6f4fb, 0x4369e96a, 0x346ed9fc, 0xad678846, 0xda60b8d0,
	0x44042d73, 0x33031de5, 0xaa0a4c5f, 0xdd0d7cc9, 0x5005713c, 0x270241aa,
	0xbe0b1010, 0xc90c2086, 0x5768b525, 0x206f85b3, 0xb966d409, 0xce61e49f,
	0x5edef90e, 0x29d9c998, 0xb0d09822, 0xc7d7a8b4, 0x59b33d17, 0x2eb40d81,
	0xb7bd5c3b, 0xc0ba6cad, 0xedb88320, 0x9abfb3b6, 0x03b6e20c, 0x74b1d29a,
	0xead54739, 0x9dd277af, 0x04db2615, 0x73dc1683, 0xe3630b12, 0x94643b84,
	0x0d6d6a3e, 0x7a6a5aa8, 0xe40ecf0b, 0x9309ff9d, 0x0a00ae27, 0x7d079eb1,
	0xf00f9344, 0x8708a3d2, 0x1e01f268, 0x6906c2fe, 0xf762575d, 0x806567cb,
	0x196c3671, 0x6e6b06e7, 0xfed41b76, 0x89d32be0, 0x10da7a5a, 0x67dd4acc,
	0xf9b9df6f, 0x8ebeeff9, 0x17b7be43, 0x60b08ed5, 0xd6d6a3e8, 0xa1d1937e,
	0x38d8c2c4, 0x4fdff252, 0xd1bb67f1, 0xa6bc5767, 0x3fb506dd, 0x48b2364b,
	0xd80d2bda, 0xaf0a1b4c, 0x36034af6, 0x41047a60, 0xdf60efc3, 0xa867df55,
	0x316e8eef, 0x4669be79, 0xcb61b38c, 0xbc66831a, 0x256fd2a0, 0x5268e236,
	0xcc0c7795, 0xbb0b4703, 0x220216b9, 0x5505262f, 0xc5ba3bbe, 0xb2bd0b28,
	0x2bb45a92, 0x5cb36a04, 0xc2d7ffa7, 0xb5d0cf31, 0x2cd99e8b, 0x5bdeae1d,
	0x9b64c2b0, 0xec63f226, 0x756aa39c, 0x026d930a, 0x9c0906a9, 0xeb0e363f,
	0x72076785, 0x05005713, 0x95bf4a82, 0xe2b87a14, 0x7bb12bae, 0x0cb61b38,
	0x92d28e9b, 0xe5d5be0d, 0x7cdcefb7, 0x0bdbdf21, 0x86d3d2d4, 0xf1d4e242,
	0x68ddb3f8, 0x1fda836e, 0x81be16cd, 0xf6b9265b, 0x6fb077e1, 0x18b74777,
	0x88085ae6, 0xff0f6a70, 0x66063bca, 0x11010b5c, 0x8f659eff, 0xf862ae69,
	0x616bffd3, 0x166ccf45, 0xa00ae278, 0xd70dd2ee, 0x4e048354, 0x3903b3c2,
	0xa7672661, 0xd06016f7, 0x4969474d, 0x3e6e77db, 0xaed16a4a, 0xd9d65adc,
	0x40df0b66, 0x37d83bf0, 0xa9bcae53, 0xdebb9ec5, 0x47b2cf7f, 0x30b5ffe9,
	0xbdbdf21c, 0xcabac28a, 0x53b39330, 0x24b4a3a6, 0xbad03605, 0xcdd70693,
	0x54de5729, 0x23d967bf, 0xb3667a2e, 0xc4614ab8, 0x5d681b02, 0x2a6f2b94,
	0xb40bbe37, 0xc30c8ea1, 0x5a05df1b, 0x2d02ef8d,
};

uint32_t vdpamgmt_state_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (len--)
		crc = crc32_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* The crc of a blob: its first total_len bytes with the crc32 field as zero. */
static uint32_t blob_crc(const uint8_t *blob, size_t total_len)
{
	static const uint8_t zero[4];
	size_t at = offsetof(struct dpu_vdpa_state_hdr, crc32);
	uint32_t crc;

	crc = vdpamgmt_state_crc32(0, blob, at);
	crc = vdpamgmt_state_crc32(crc, zero, sizeof(zero));
	return vdpamgmt_state_crc32(crc, blob + at + 4, total_len - at - 4);
}

/* --- sections this reader knows */

struct section_kind {
	const char *name;
	size_t min_len;		/* its structure: a shorter payload is an error */
	bool net;		/* only in a net device's blob */
	bool repeats;		/* may appear more than once (VQ) */
};

static const struct section_kind section_kinds[] = {
	[DPU_VDPA_STATE_DEVICE] = { "DEVICE", sizeof(struct dpu_vdpa_state_device) },
	[DPU_VDPA_STATE_VQ] = { "VQ", sizeof(struct dpu_vdpa_state_vq), false, true },
	[DPU_VDPA_STATE_CONFIG] = { "CONFIG", 0 },
	[DPU_VDPA_STATE_NET_CONFIG] = { "NET_CONFIG", sizeof(struct dpu_vdpa_state_net_config),
					true },
	[DPU_VDPA_STATE_NET_RX_MODE] = { "NET_RX_MODE",
					 sizeof(struct dpu_vdpa_state_net_rx_mode), true },
	[DPU_VDPA_STATE_NET_MAC_TABLE] = { "NET_MAC_TABLE",
					   sizeof(struct dpu_vdpa_state_net_mac_table), true },
	[DPU_VDPA_STATE_NET_VLAN] = { "NET_VLAN", sizeof(struct dpu_vdpa_state_net_vlan), true },
	[DPU_VDPA_STATE_NET_MQ] = { "NET_MQ", sizeof(struct dpu_vdpa_state_net_mq), true },
};

static const struct section_kind *section_kind(unsigned int type)
{
	if (type >= ARRAY_SIZE(section_kinds) || !section_kinds[type].name)
		return NULL;
	return &section_kinds[type];
}

const char *vdpamgmt_state_section_name(unsigned int type)
{
	const struct section_kind *kind = section_kind(type);

	return kind ? kind->name : NULL;
}

/* --- decoding */

static uint64_t align8(uint64_t n)
{
	return (n + DPU_VDPA_STATE_ALIGN - 1) & ~(uint64_t)(DPU_VDPA_STATE_ALIGN - 1);
}

struct decoder {
	const uint8_t *blob;
	uint32_t total_len;
	uint32_t first_section;		/* hdr_len */
	char *why;
	size_t why_size;
};

static int bad(struct decoder *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct decoder *d, int err, const char *fmt, ...)
{
	va_list ap;

	if (d->why_size) {
		va_start(ap, fmt);
		vsnprintf(d->why, d->why_size, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* One section as found in the blob. */
struct section {
	uint32_t offset;	/* of its header */
	uint16_t type;
	uint16_t flags;
	uint32_t len;		/* payload */
	const uint8_t *payload;
	uint32_t next;		/* offset of the next section */
};

/* The section at OFFSET (< total_len), checked to lie inside the blob. */
static int section_at(struct decoder *d, uint32_t offset, struct section *s)
{
	struct dpu_vdpa_state_sect raw;
	uint64_t end;

	if ((uint64_t)offset + sizeof(raw) > d->total_len)
		return bad(d, -EBADMSG, "offset %u: section header truncated: %u bytes left of %zu",
			   offset, d->total_len - offset, sizeof(raw));
	memcpy(&raw, d->blob + offset, sizeof(raw));
	s->offset = offset;
	s->type = le16toh(raw.type);
	s->flags = le16toh(raw.flags);
	s->len = le32toh(raw.len);
	s->payload = d->blob + offset + sizeof(raw);
	end = (uint64_t)offset + sizeof(raw) + s->len;
	if (end > d->total_len)
		return bad(d, -EBADMSG,
			   "offset %u: section type %u length %u runs past total_len %u",
			   offset, s->type, s->len, d->total_len);
	/* OFFSET and total_len are multiples of 8, so the padding fits too */
	s->next = (uint32_t)align8(end);
	return 0;
}

static int check_header(struct decoder *d, size_t len, struct vdpamgmt_state *st)
{
	struct dpu_vdpa_state_hdr hdr;
	uint32_t magic, crc;
	uint16_t hdr_len;

	if (len < sizeof(hdr))
		return bad(d, -EBADMSG, "blob is %zu bytes, shorter than the %zu-byte header",
			   len, sizeof(hdr));
	memcpy(&hdr, d->blob, sizeof(hdr));
	magic = le32toh(hdr.magic);
	if (magic != DPU_VDPA_STATE_MAGIC)
		return bad(d, -EBADMSG,
			   "offset 0: magic 0x%08x is not a dpu_vdpa state blob's (0x%08x)",
			   magic, DPU_VDPA_STATE_MAGIC);
	st->version = le16toh(hdr.version);
	if (st->version == 0)
		return bad(d, -EBADMSG, "offset 4: version 0 is not a valid version");
	if (st->version > DPU_VDPA_STATE_VERSION)
		return bad(d, -EOPNOTSUPP,
			   "offset 4: version %u is newer than this reader's %u",
			   st->version, DPU_VDPA_STATE_VERSION);
	st->total_len = le32toh(hdr.total_len);
	if (st->total_len != len)
		return bad(d, -EBADMSG, "offset 8: total_len %u but the blob is %zu bytes",
			   st->total_len, len);
	if (st->total_len > DPU_VDPA_STATE_MAX_LEN)
		return bad(d, -EBADMSG, "offset 8: total_len %u is over the %u-byte maximum",
			   st->total_len, DPU_VDPA_STATE_MAX_LEN);
	if (st->total_len % DPU_VDPA_STATE_ALIGN)
		return bad(d, -EBADMSG, "offset 8: total_len %u is not a multiple of %u",
			   st->total_len, DPU_VDPA_STATE_ALIGN);
	hdr_len = le16toh(hdr.hdr_len);
	if (hdr_len < sizeof(hdr) || hdr_len % DPU_VDPA_STATE_ALIGN || hdr_len > st->total_len)
		return bad(d, -EBADMSG,
			   "offset 6: hdr_len %u is not a multiple of %u from %zu to total_len %u",
			   hdr_len, DPU_VDPA_STATE_ALIGN, sizeof(hdr), st->total_len);
	st->crc32 = le32toh(hdr.crc32);
	crc = blob_crc(d->blob, st->total_len);
	if (crc != st->crc32)
		return bad(d, -EBADMSG, "offset 12: crc32 is 0x%08x, the blob's is 0x%08x",
			   st->crc32, crc);
	st->device_id = le32toh(hdr.device_id);
	d->total_len = st->total_len;
	d->first_section = hdr_len;
	return 0;
}

/* Pass 1: framing, lengths, known kinds, unknown ones; the DEVICE section. */
static int check_sections(struct decoder *d, struct vdpamgmt_state *st, struct section *device)
{
	uint32_t seen_at[ARRAY_SIZE(section_kinds)] = { 0 };
	unsigned int unknown = 0;
	struct section s;
	int err;

	for (uint32_t at = d->first_section; at < d->total_len; at = s.next) {
		const struct section_kind *kind;

		err = section_at(d, at, &s);
		if (err)
			return err;
		kind = section_kind(s.type);
		if (!kind) {
			if (s.flags & DPU_VDPA_STATE_F_CRITICAL)
				return bad(d, -EOPNOTSUPP,
					   "offset %u: unknown section type %u is marked critical",
					   at, s.type);
			unknown++;
			continue;
		}
		if (s.len < kind->min_len)
			return bad(d, -EBADMSG,
				   "offset %u: %s section is %u bytes, shorter than its %zu-byte "
				   "structure", at, kind->name, s.len, kind->min_len);
		if (seen_at[s.type] && !kind->repeats)
			return bad(d, -EBADMSG, "offset %u: second %s section (the first is at "
				   "offset %u)", at, kind->name, seen_at[s.type]);
		if (kind->net && st->device_id != VIRTIO_ID_NET)
			return bad(d, -EBADMSG, "offset %u: %s section in the blob of virtio "
				   "device %u, not net", at, kind->name, st->device_id);
		if (!seen_at[s.type])
			seen_at[s.type] = at;
		st->sections |= 1ULL << s.type;
		if (s.type == DPU_VDPA_STATE_DEVICE)
			*device = s;
	}
	if (!seen_at[DPU_VDPA_STATE_DEVICE])
		return bad(d, -EBADMSG, "no DEVICE section");
	if (unknown) {
		st->unknown = calloc(unknown, sizeof(*st->unknown));
		if (!st->unknown)
			return bad(d, -ENOMEM, "out of memory");
	}
	return 0;
}

static void decode_device(const struct section *s, struct vdpamgmt_state *st)
{
	struct dpu_vdpa_state_device dev;

	memcpy(&dev, s->payload, sizeof(dev));
	st->device_features = le64toh(dev.device_features);
	st->driver_features = le64toh(dev.driver_features);
	st->status = dev.status;
	st->num_queues = le16toh(dev.num_queues);
	st->config_len = le16toh(dev.config_len);
}

/* A VQ section into its slot; FOUND_AT remembers where each index was. */
static int decode_vq(struct decoder *d, const struct section *s, struct vdpamgmt_state *st,
		     uint32_t *found_at)
{
	struct dpu_vdpa_state_vq raw;
	struct vdpamgmt_state_vq *vq;
	uint16_t index;

	memcpy(&raw, s->payload, sizeof(raw));
	index = le16toh(raw.index);
	if (index >= st->num_queues)
		return bad(d, -EBADMSG, "offset %u: VQ index %u is not below num_queues %u",
			   s->offset, index, st->num_queues);
	if (found_at[index])
		return bad(d, -EBADMSG, "offset %u: VQ index %u repeats (first at offset %u)",
			   s->offset, index, found_at[index]);
	found_at[index] = s->offset;
	vq = &st->vqs[index];
	vq->index = index;
	vq->num = le16toh(raw.num);
	vq->avail_idx = le16toh(raw.avail_idx);
	vq->used_idx = le16toh(raw.used_idx);
	vq->flags = raw.flags;
	vq->desc_addr = le64toh(raw.desc_addr);
	vq->driver_addr = le64toh(raw.driver_addr);
	vq->device_addr = le64toh(raw.device_addr);
	return 0;
}

static int decode_mac_table(struct decoder *d, const struct section *s, struct vdpamgmt_state *st)
{
	struct dpu_vdpa_state_net_mac_table raw;
	uint64_t entries, need;

	memcpy(&raw, s->payload, sizeof(raw));
	st->mac_table.unicast = le32toh(raw.unicast);
	st->mac_table.multicast = le32toh(raw.multicast);
	entries = (uint64_t)st->mac_table.unicast + st->mac_table.multicast;
	need = sizeof(raw) + entries * 6;
	if (s->len < need)
		return bad(d, -EBADMSG, "offset %u: NET_MAC_TABLE section is %u bytes, its %u + %u "
			   "entries need %llu", s->offset, s->len, st->mac_table.unicast,
			   st->mac_table.multicast, (unsigned long long)need);
	if (entries) {
		st->mac_table.macs = malloc(entries * 6);
		if (!st->mac_table.macs)
			return bad(d, -ENOMEM, "out of memory");
		memcpy(st->mac_table.macs, s->payload + sizeof(raw), entries * 6);
	}
	return 0;
}

static int decode_section(struct decoder *d, const struct section *s, struct vdpamgmt_state *st,
			  uint32_t *vq_found_at)
{
	switch (s->type) {
	case DPU_VDPA_STATE_DEVICE:
		return 0;	/* done before the walk */
	case DPU_VDPA_STATE_VQ:
		return decode_vq(d, s, st, vq_found_at);
	case DPU_VDPA_STATE_CONFIG:
		if (s->len != st->config_len)
			return bad(d, -EBADMSG, "offset %u: CONFIG section is %u bytes, DEVICE says "
				   "config_len %u", s->offset, s->len, st->config_len);
		if (s->len) {
			st->config = malloc(s->len);
			if (!st->config)
				return bad(d, -ENOMEM, "out of memory");
			memcpy(st->config, s->payload, s->len);
		}
		return 0;
	case DPU_VDPA_STATE_NET_CONFIG: {
		struct dpu_vdpa_state_net_config raw;

		memcpy(&raw, s->payload, sizeof(raw));
		memcpy(st->net_config.mac, raw.mac, sizeof(raw.mac));
		st->net_config.mtu = le16toh(raw.mtu);
		st->net_config.status = le16toh(raw.status);
		st->net_config.max_virtqueue_pairs = le16toh(raw.max_virtqueue_pairs);
		return 0;
	}
	case DPU_VDPA_STATE_NET_RX_MODE: {
		struct dpu_vdpa_state_net_rx_mode raw;

		memcpy(&raw, s->payload, sizeof(raw));
		st->rx_mode = le32toh(raw.flags);
		return 0;
	}
	case DPU_VDPA_STATE_NET_MAC_TABLE:
		return decode_mac_table(d, s, st);
	case DPU_VDPA_STATE_NET_VLAN:
		memcpy(st->vlan, s->payload, sizeof(st->vlan));
		return 0;
	case DPU_VDPA_STATE_NET_MQ: {
		struct dpu_vdpa_state_net_mq raw;

		memcpy(&raw, s->payload, sizeof(raw));
		st->mq_pairs = le16toh(raw.pairs);
		return 0;
	}
	default: {
		struct vdpamgmt_state_unknown *u = &st->unknown[st->unknown_count++];

		u->offset = s->offset;
		u->type = s->type;
		u->flags = s->flags;
		u->len = s->len;
		return 0;
	}
	}
}

/* Pass 2: every section into ST, VQ indexes checked against num_queues. */
static int decode_sections(struct decoder *d, struct vdpamgmt_state *st)
{
	unsigned int vq_count = 0;
	uint32_t *vq_found_at;
	struct section s;
	int err = 0;

	vq_found_at = calloc(st->num_queues ? st->num_queues : 1, sizeof(*vq_found_at));
	st->vqs = calloc(st->num_queues ? st->num_queues : 1, sizeof(*st->vqs));
	if (!vq_found_at || !st->vqs) {
		free(vq_found_at);
		return bad(d, -ENOMEM, "out of memory");
	}
	for (uint32_t at = d->first_section; at < d->total_len && !err; at = s.next) {
		section_at(d, at, &s);		/* pass 1 checked it */
		vq_count += s.type == DPU_VDPA_STATE_VQ;
		err = decode_section(d, &s, st, vq_found_at);
	}
	free(vq_found_at);
	if (!err && vq_count != st->num_queues)
		err = bad(d, -EBADMSG, "%u VQ sections for num_queues %u", vq_count,
			  st->num_queues);
	return err;
}

int vdpamgmt_state_decode(const void *blob, size_t len, struct vdpamgmt_state *out, char *why,
			  size_t why_size)
{
	struct decoder d = { .blob = blob, .why = why, .why_size = why_size };
	struct section device = { 0 };
	int err;

	memset(out, 0, sizeof(*out));
	if (why_size)
		why[0] = '\0';
	err = check_header(&d, len, out);
	if (!err)
		err = check_sections(&d, out, &device);
	if (!err) {
		decode_device(&device, out);
		err = decode_sections(&d, out);
	}
	if (err)
		vdpamgmt_state_release(out);
	return err;
}

void vdpamgmt_state_release(struct vdpamgmt_state *st)
{
	free(st->vqs);
	free(st->config);
	free(st->mac_table.macs);
	free(st->unknown);
	st->vqs = NULL;
	st->config = NULL;
	st->mac_table.macs = NULL;
	st->unknown = NULL;
	st->unknown_count = 0;
}

/* --- encoding */

struct encoder {
	uint8_t *buf;
	size_t size;
	size_t at;
	bool overflow;
};

/* A section header and PAYLOAD (LEN bytes, NULL: zeros), padded. */
static void put_section(struct encoder *e, uint16_t type, const void *payload, size_t len)
{
	struct dpu_vdpa_state_sect sect = {
		.type = htole16(type),
		.flags = htole16(DPU_VDPA_STATE_F_CRITICAL),
		.len = htole32((uint32_t)len),
	};
	size_t total = sizeof(sect) + align8(len);

	if (e->overflow || len > UINT32_MAX || e->at + total > e->size) {
		e->overflow = true;
		return;
	}
	memset(e->buf + e->at, 0, total);
	memcpy(e->buf + e->at, &sect, sizeof(sect));
	if (payload)
		memcpy(e->buf + e->at + sizeof(sect), payload, len);
	e->at += total;
}

static void put_vq(struct encoder *e, const struct vdpamgmt_state_vq *vq)
{
	struct dpu_vdpa_state_vq raw = {
		.index = htole16(vq->index),
		.num = htole16(vq->num),
		.avail_idx = htole16(vq->avail_idx),
		.used_idx = htole16(vq->used_idx),
		.flags = vq->flags,
		.desc_addr = htole64(vq->desc_addr),
		.driver_addr = htole64(vq->driver_addr),
		.device_addr = htole64(vq->device_addr),
	};

	put_section(e, DPU_VDPA_STATE_VQ, &raw, sizeof(raw));
}

static void put_mac_table(struct encoder *e, const struct vdpamgmt_state *st)
{
	struct dpu_vdpa_state_net_mac_table raw = {
		.unicast = htole32(st->mac_table.unicast),
		.multicast = htole32(st->mac_table.multicast),
	};
	size_t macs = ((size_t)st->mac_table.unicast + st->mac_table.multicast) * 6;
	size_t start = e->at + sizeof(struct dpu_vdpa_state_sect);

	put_section(e, DPU_VDPA_STATE_NET_MAC_TABLE, NULL, sizeof(raw) + macs);
	if (e->overflow)
		return;
	memcpy(e->buf + start, &raw, sizeof(raw));
	if (macs)
		memcpy(e->buf + start + sizeof(raw), st->mac_table.macs, macs);
}

static void put_net_sections(struct encoder *e, const struct vdpamgmt_state *st)
{
	if (VDPAMGMT_STATE_HAS(st, DPU_VDPA_STATE_NET_CONFIG)) {
		struct dpu_vdpa_state_net_config raw = {
			.mtu = htole16(st->net_config.mtu),
			.status = htole16(st->net_config.status),
			.max_virtqueue_pairs = htole16(st->net_config.max_virtqueue_pairs),
		};

		memcpy(raw.mac, st->net_config.mac, sizeof(raw.mac));
		put_section(e, DPU_VDPA_STATE_NET_CONFIG, &raw, sizeof(raw));
	}
	if (VDPAMGMT_STATE_HAS(st, DPU_VDPA_STATE_NET_RX_MODE)) {
		struct dpu_vdpa_state_net_rx_mode raw = { .flags = htole32(st->rx_mode) };

		put_section(e, DPU_VDPA_STATE_NET_RX_MODE, &raw, sizeof(raw));
	}
	if (VDPAMGMT_STATE_HAS(st, DPU_VDPA_STATE_NET_MAC_TABLE))
		put_mac_table(e, st);
	if (VDPAMGMT_STATE_HAS(st, DPU_VDPA_STATE_NET_VLAN))
		put_section(e, DPU_VDPA_STATE_NET_VLAN, st->vlan, sizeof(st->vlan));
	if (VDPAMGMT_STATE_HAS(st, DPU_VDPA_STATE_NET_MQ)) {
		struct dpu_vdpa_state_net_mq raw = { .pairs = htole16(st->mq_pairs) };

		put_section(e, DPU_VDPA_STATE_NET_MQ, &raw, sizeof(raw));
	}
}

int vdpamgmt_state_encode(const struct vdpamgmt_state *st, void *buf, size_t size)
{
	struct encoder e = { .buf = buf, .size = size, .at = sizeof(struct dpu_vdpa_state_hdr) };
	struct dpu_vdpa_state_device dev = {
		.device_features = htole64(st->device_features),
		.driver_features = htole64(st->driver_features),
		.status = st->status,
		.num_queues = htole16(st->num_queues),
		.config_len = htole16(st->config_len),
	};
	struct dpu_vdpa_state_hdr hdr = {
		.magic = htole32(DPU_VDPA_STATE_MAGIC),
		.version = htole16(DPU_VDPA_STATE_VERSION),
		.hdr_len = htole16(sizeof(hdr)),
		.device_id = htole32(st->device_id),
	};
	uint32_t crc;

	if ((st->num_queues && !st->vqs) ||
	    (VDPAMGMT_STATE_HAS(st, DPU_VDPA_STATE_CONFIG) && st->config_len && !st->config) ||
	    (VDPAMGMT_STATE_HAS(st, DPU_VDPA_STATE_NET_MAC_TABLE) &&
	     (st->mac_table.unicast || st->mac_table.multicast) && !st->mac_table.macs))
		return -EINVAL;
	if (size < sizeof(hdr))
		return -EMSGSIZE;
	put_section(&e, DPU_VDPA_STATE_DEVICE, &dev, sizeof(dev));
	for (unsigned int i = 0; i < st->num_queues; i++)
		put_vq(&e, &st->vqs[i]);
	if (VDPAMGMT_STATE_HAS(st, DPU_VDPA_STATE_CONFIG))
		put_section(&e, DPU_VDPA_STATE_CONFIG, st->config, st->config_len);
	if (st->device_id == VIRTIO_ID_NET)
		put_net_sections(&e, st);
	if (e.overflow || e.at > DPU_VDPA_STATE_MAX_LEN)
		return -EMSGSIZE;
	hdr.total_len = htole32((uint32_t)e.at);
	memcpy(buf, &hdr, sizeof(hdr));
	crc = blob_crc(buf, e.at);
	hdr.crc32 = htole32(crc);
	memcpy(buf, &hdr, sizeof(hdr));
	return (int)e.at;
}
