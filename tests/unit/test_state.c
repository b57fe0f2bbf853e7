// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of the device-state blob codec (TAP): crc32 against zlib's
 * known values, encode/decode round trips, and malformed blobs of every
 * kind the decoder must refuse, each with the errno and the words of its
 * message.  Blobs are also built by hand here, section by section, so the
 * decoder is not only tested against its own encoder.  Run under valgrind
 * by tests/unit/vdpa-mgmt-state.sh.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/dpu_vdpa_state.h>

#include "libvdpamgmt.h"
#include "test_tap.h"

#define BLOB_MAX	8192

/* decode BLOB, expect ERR and WORDS in the message; the message is printed on failure */
static void check_refused(const char *what, const void *blob, size_t len, int err,
			  const char *words)
{
	char why[256];
	struct vdpamgmt_state st;
	int got = vdpamgmt_state_decode(blob, len, &st, why, sizeof(why));
	int ok = got == err && strstr(why, words);

	if (!ok)
		printf("# got %d (want %d): \"%s\" (want \"%s\")\n", got, err, why, words);
	check(what, ok);
	if (!got)
		vdpamgmt_state_release(&st);
}

/* --- blobs by hand */

struct raw {
	uint8_t buf[BLOB_MAX];
	size_t len;
};

static void raw_header(struct raw *r, uint32_t device_id)
{
	struct dpu_vdpa_state_hdr hdr = {
		.magic = htole32(DPU_VDPA_STATE_MAGIC),
		.version = htole16(DPU_VDPA_STATE_VERSION),
		.hdr_len = htole16(sizeof(hdr)),
		.device_id = htole32(device_id),
	};

	memset(r, 0, sizeof(*r));
	memcpy(r->buf, &hdr, sizeof(hdr));
	r->len = sizeof(hdr);
}

/* A section with LEN payload bytes, padded to 8 unless NOPAD; its offset. */
static size_t raw_section_pad(struct raw *r, uint16_t type, uint16_t flags, const void *payload,
			      uint32_t len, int pad)
{
	struct dpu_vdpa_state_sect sect = {
		.type = htole16(type), .flags = htole16(flags), .len = htole32(len),
	};
	size_t at = r->len;

	memcpy(r->buf + at, &sect, sizeof(sect));
	if (payload)
		memcpy(r->buf + at + sizeof(sect), payload, len);
	r->len += sizeof(sect) + len;
	if (pad)
		r->len = (r->len + 7) & ~(size_t)7;
	return at;
}

static size_t raw_section(struct raw *r, uint16_t type, uint16_t flags, const void *payload,
			  uint32_t len)
{
	return raw_section_pad(r, type, flags, payload, len, 1);
}

static void raw_device(struct raw *r, uint16_t num_queues, uint16_t config_len)
{
	struct dpu_vdpa_state_device dev = {
		.device_features = htole64(0x1300000020ULL),
		.driver_features = htole64(0x1300000000ULL),
		.status = 0x0f,
		.num_queues = htole16(num_queues),
		.config_len = htole16(config_len),
	};

	raw_section(r, DPU_VDPA_STATE_DEVICE, DPU_VDPA_STATE_F_CRITICAL, &dev, sizeof(dev));
}

static size_t raw_vq(struct raw *r, uint16_t index, uint32_t len)
{
	struct dpu_vdpa_state_vq vq = {
		.index = htole16(index), .num = htole16(256), .avail_idx = htole16(7 + index),
		.used_idx = htole16(7 + index), .flags = DPU_VDPA_STATE_VQ_ENABLED,
		.desc_addr = htole64(0x10000 * (index + 1ULL)),
	};
	uint8_t payload[64] = { 0 };

	memcpy(payload, &vq, sizeof(vq));
	return raw_section(r, DPU_VDPA_STATE_VQ, DPU_VDPA_STATE_F_CRITICAL, payload, len);
}

/* total_len = LEN and the crc over it; then the blob is consistent again */
static void seal(uint8_t *blob, size_t len)
{
	struct dpu_vdpa_state_hdr hdr;

	memcpy(&hdr, blob, sizeof(hdr));
	hdr.total_len = htole32((uint32_t)len);
	hdr.crc32 = 0;
	memcpy(blob, &hdr, sizeof(hdr));
	hdr.crc32 = htole32(vdpamgmt_state_crc32(0, blob, len));
	memcpy(blob, &hdr, sizeof(hdr));
}

static void raw_seal(struct raw *r)
{
	seal(r->buf, r->len);
}

/* a valid blk blob by hand: DEVICE, NUM vqs */
static void raw_blk(struct raw *r, uint16_t num)
{
	raw_header(r, 2);
	raw_device(r, num, 0);
	for (uint16_t i = 0; i < num; i++)
		raw_vq(r, i, sizeof(struct dpu_vdpa_state_vq));
	raw_seal(r);
}

static void set_u16(uint8_t *blob, size_t at, uint16_t v)
{
	v = htole16(v);
	memcpy(blob + at, &v, 2);
}

static void set_u32(uint8_t *blob, size_t at, uint32_t v)
{
	v = htole32(v);
	memcpy(blob + at, &v, 4);
}

/* --- tests */

static void test_crc32(void)
{
	const char *text = "123456789";

	check("crc32 of \"123456789\" is zlib's 0xcbf43926",
	      vdpamgmt_state_crc32(0, text, 9) == 0xcbf43926);
	check("crc32 of nothing is 0", vdpamgmt_state_crc32(0, "", 0) == 0);
	check("crc32 continues across pieces as zlib's does",
	      vdpamgmt_state_crc32(vdpamgmt_state_crc32(0, text, 4), text + 4, 5) == 0xcbf43926);
	check("crc32 of 32 zero bytes is zlib's 0x190a55ad",
	      vdpamgmt_state_crc32(0, (const uint8_t[32]){ 0 }, 32) == 0x190a55ad);
}

static void net_state(struct vdpamgmt_state *st, struct vdpamgmt_state_vq *vqs, uint8_t *config,
		      uint8_t (*macs)[6])
{
	static const uint8_t table[3][6] = {
		{ 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 }, { 0x33, 0x33, 0, 0, 0, 1 },
	};

	memset(st, 0, sizeof(*st));
	st->device_id = 1;
	st->device_features = 0x1300030020ULL;
	st->driver_features = 0x1300010020ULL;
	st->status = 0x0f;
	st->num_queues = 3;
	st->config_len = 12;
	for (int i = 0; i < 3; i++) {
		vqs[i] = (struct vdpamgmt_state_vq){
			.index = (uint16_t)i, .num = 256, .avail_idx = (uint16_t)(100 * i + 65530),
			.used_idx = (uint16_t)(100 * i + 65530), .flags = DPU_VDPA_STATE_VQ_ENABLED,
			.desc_addr = 0x7f0000001000ULL * (i + 1), .driver_addr = 0x2000 + i,
			.device_addr = 0x3000 + i,
		};
	}
	st->vqs = vqs;
	for (int i = 0; i < 12; i++)
		config[i] = (uint8_t)(0xa0 + i);
	st->config = config;
	memcpy(macs, table, sizeof(table));
	memcpy(st->net_config.mac, table[0], 6);
	st->net_config.mtu = 4000;
	st->net_config.status = 1;
	st->net_config.max_virtqueue_pairs = 4;
	st->rx_mode = DPU_VDPA_STATE_RX_PROMISC | DPU_VDPA_STATE_RX_NOBCAST;
	st->mac_table.unicast = 2;
	st->mac_table.multicast = 1;
	st->mac_table.macs = macs;
	st->vlan[0] = 0x02;		/* vid 1 */
	st->vlan[511] = 0x80;		/* vid 4095 */
	st->mq_pairs = 1;
	st->sections = (1ULL << DPU_VDPA_STATE_CONFIG) | (1ULL << DPU_VDPA_STATE_NET_CONFIG) |
		       (1ULL << DPU_VDPA_STATE_NET_RX_MODE) |
		       (1ULL << DPU_VDPA_STATE_NET_MAC_TABLE) |
		       (1ULL << DPU_VDPA_STATE_NET_VLAN) | (1ULL << DPU_VDPA_STATE_NET_MQ);
}

/* field by field: the structs have padding */
static int vq_equal(const struct vdpamgmt_state_vq *a, const struct vdpamgmt_state_vq *b)
{
	return a->index == b->index && a->num == b->num && a->avail_idx == b->avail_idx &&
	       a->used_idx == b->used_idx && a->flags == b->flags &&
	       a->desc_addr == b->desc_addr && a->driver_addr == b->driver_addr &&
	       a->device_addr == b->device_addr;
}

static void test_round_trip(void)
{
	struct vdpamgmt_state_vq vqs[3];
	uint8_t config[12], macs[3][6], blob[BLOB_MAX];
	struct vdpamgmt_state in, out;
	char why[256];
	int len, err, same_vqs = 1;

	net_state(&in, vqs, config, macs);
	len = vdpamgmt_state_encode(&in, blob, sizeof(blob));
	/* 24 header + DEVICE 32 + 3 VQ 48 + CONFIG 8+16 + NET_CONFIG 8+16 + RX 8+8 +
	 * MAC 8+8+18->8+32 + VLAN 8+512 + MQ 8+8 */
	check("net state encodes to the size its sections add up to",
	      len == 24 + 32 + 3 * 48 + 24 + 24 + 16 + 40 + 520 + 16);
	err = vdpamgmt_state_decode(blob, (size_t)len, &out, why, sizeof(why));
	if (err)
		printf("# %s\n", why);
	check("and decodes", err == 0 && why[0] == '\0');
	if (err)
		return;
	check("header: version, total_len, device id",
	      out.version == DPU_VDPA_STATE_VERSION && out.total_len == (uint32_t)len &&
	      out.device_id == 1);
	check("DEVICE: features, status, num_queues, config_len",
	      out.device_features == in.device_features &&
	      out.driver_features == in.driver_features && out.status == 0x0f &&
	      out.num_queues == 3 && out.config_len == 12);
	for (int i = 0; i < 3; i++)
		same_vqs &= vq_equal(&out.vqs[i], &vqs[i]);
	check("VQ: every field of every queue, by index", same_vqs);
	check("CONFIG: the bytes", out.config && !memcmp(out.config, config, 12));
	check("NET_CONFIG: mac, mtu, status, max_virtqueue_pairs",
	      !memcmp(out.net_config.mac, macs[0], 6) && out.net_config.mtu == 4000 &&
	      out.net_config.status == 1 && out.net_config.max_virtqueue_pairs == 4);
	check("NET_RX_MODE, NET_MQ", out.rx_mode == in.rx_mode && out.mq_pairs == 1);
	check("NET_MAC_TABLE: counts and entries",
	      out.mac_table.unicast == 2 && out.mac_table.multicast == 1 &&
	      !memcmp(out.mac_table.macs, macs, sizeof(macs)));
	check("NET_VLAN: the bitmap", !memcmp(out.vlan, in.vlan, sizeof(in.vlan)));
	check("every section known, none skipped",
	      out.sections == (in.sections | (1ULL << DPU_VDPA_STATE_DEVICE) |
			       (1ULL << DPU_VDPA_STATE_VQ)) && out.unknown_count == 0);
	vdpamgmt_state_release(&out);

	in.device_id = 2;
	in.sections = 0;
	in.config_len = 0;
	len = vdpamgmt_state_encode(&in, blob, sizeof(blob));
	err = vdpamgmt_state_decode(blob, (size_t)len, &out, why, sizeof(why));
	check("blk state: DEVICE and VQs only, no net sections even if asked",
	      len == 24 + 32 + 3 * 48 && !err && out.sections == ((1ULL << DPU_VDPA_STATE_DEVICE) |
								(1ULL << DPU_VDPA_STATE_VQ)));
	if (!err)
		vdpamgmt_state_release(&out);

	net_state(&in, vqs, config, macs);
	check("encode into a buffer too small: -EMSGSIZE",
	      vdpamgmt_state_encode(&in, blob, 200) == -EMSGSIZE &&
	      vdpamgmt_state_encode(&in, blob, 10) == -EMSGSIZE);
	in.vqs = NULL;
	check("encode without the vqs num_queues promises: -EINVAL",
	      vdpamgmt_state_encode(&in, blob, sizeof(blob)) == -EINVAL);
}

static void test_header(void)
{
	struct raw r;
	uint8_t copy[BLOB_MAX];
	size_t n;
	int all_refused = 1;

	raw_blk(&r, 2);
	check_refused("hand-made blk blob: accepted", r.buf, r.len, 0, "");
	for (n = 0; n < r.len; n++) {
		struct vdpamgmt_state st;
		char why[256];
		int err = vdpamgmt_state_decode(r.buf, n, &st, why, sizeof(why));

		if (err != -EBADMSG || !why[0]) {
			printf("# truncated to %zu: %d \"%s\"\n", n, err, why);
			all_refused = 0;
		}
	}
	check("truncated at every length: -EBADMSG with a reason", all_refused);
	check_refused("truncated into the header: says so", r.buf, 10, -EBADMSG,
		      "blob is 10 bytes, shorter than the 24-byte header");
	check_refused("truncated after the header: total_len names both sizes", r.buf, 64,
		      -EBADMSG, "offset 8: total_len 152 but the blob is 64 bytes");

	all_refused = 1;
	for (n = 24; n < r.len; n += 8) {
		/* cut and resealed: a consistent header over missing sections */
		memcpy(copy, r.buf, r.len);
		seal(copy, n);
		struct vdpamgmt_state st;
		char why[256];
		int err = vdpamgmt_state_decode(copy, n, &st, why, sizeof(why));

		if (err != -EBADMSG) {
			printf("# resealed at %zu: %d \"%s\"\n", n, err, why);
			all_refused = 0;
		}
	}
	check("cut at every section boundary and resealed: still refused", all_refused);

	memcpy(copy, r.buf, r.len);
	copy[0] ^= 1;
	check_refused("bad magic", copy, r.len, -EBADMSG, "offset 0: magic 0x56555045 is not");

	memcpy(copy, r.buf, r.len);
	set_u16(copy, 4, DPU_VDPA_STATE_VERSION + 1);
	seal(copy, r.len);
	check_refused("newer version: -EOPNOTSUPP", copy, r.len, -EOPNOTSUPP,
		      "offset 4: version 2 is newer than this reader's 1");
	set_u16(copy, 4, 0);
	seal(copy, r.len);
	check_refused("version 0", copy, r.len, -EBADMSG, "version 0 is not a valid");

	memcpy(copy, r.buf, r.len);
	copy[r.len - 1] ^= 0x40;
	check_refused("one bit flipped in the last byte: bad crc", copy, r.len, -EBADMSG,
		      "offset 12: crc32 is 0x");
	memcpy(copy, r.buf, r.len);
	copy[12] ^= 0x01;
	check_refused("bad crc field", copy, r.len, -EBADMSG, "offset 12: crc32");

	memcpy(copy, r.buf, r.len);
	set_u32(copy, 8, (uint32_t)r.len + 8);
	check_refused("total_len past the buffer", copy, r.len, -EBADMSG,
		      "total_len 160 but the blob is 152");
	memcpy(copy, r.buf, r.len);
	memset(copy + r.len, 0, 8);
	check_refused("buffer longer than total_len (trailing bytes)", copy, r.len + 8, -EBADMSG,
		      "total_len 152 but the blob is 160");
	memcpy(copy, r.buf, r.len);
	copy[r.len] = 0;
	seal(copy, r.len - 4);
	check_refused("total_len not a multiple of 8", copy, r.len - 4, -EBADMSG,
		      "total_len 148 is not a multiple of 8");

	memcpy(copy, r.buf, r.len);
	set_u16(copy, 6, 20);
	seal(copy, r.len);
	check_refused("hdr_len shorter than the header", copy, r.len, -EBADMSG,
		      "offset 6: hdr_len 20");
	set_u16(copy, 6, 28);
	seal(copy, r.len);
	check_refused("hdr_len not a multiple of 8", copy, r.len, -EBADMSG, "hdr_len 28");
	set_u16(copy, 6, 160);
	seal(copy, r.len);
	check_refused("hdr_len past total_len", copy, r.len, -EBADMSG, "hdr_len 160");
	set_u16(copy, 6, 32);
	seal(copy, r.len);
	check_refused("a longer hdr_len moves where sections start (DEVICE now misread)", copy,
		      r.len, -EBADMSG, "offset 64: section type 0 length");
}

static void test_sections(void)
{
	struct dpu_vdpa_state_net_mac_table mt = { .unicast = htole32(2), .multicast = 0 };
	uint8_t junk[40] = { 1, 2, 3, 4, 5 }, payload[64] = { 0 };
	struct vdpamgmt_state st;
	char why[256];
	struct raw r;
	size_t at;
	int err;

	raw_header(&r, 2);
	raw_device(&r, 1, 0);
	raw_vq(&r, 0, 40);
	at = raw_section(&r, 99, 0, junk, 5);
	raw_section(&r, 1000, 0x8000, junk, 0);	/* unknown flag bits: not critical */
	raw_seal(&r);
	err = vdpamgmt_state_decode(r.buf, r.len, &st, why, sizeof(why));
	check("unknown non-critical sections are skipped and listed",
	      !err && st.unknown_count == 2 && st.unknown[0].type == 99 &&
	      st.unknown[0].len == 5 && st.unknown[0].offset == at && st.unknown[1].type == 1000 &&
	      st.num_queues == 1 && st.vqs[0].avail_idx == 7);
	if (!err)
		vdpamgmt_state_release(&st);

	raw_header(&r, 2);
	raw_device(&r, 1, 0);
	raw_vq(&r, 0, 40);
	at = raw_section(&r, 99, DPU_VDPA_STATE_F_CRITICAL, junk, 5);
	raw_seal(&r);
	snprintf((char *)payload, sizeof(payload), "offset %zu: unknown section type 99 is "
		 "marked critical", at);
	check_refused("unknown critical section: -EOPNOTSUPP, named", r.buf, r.len, -EOPNOTSUPP,
		      (char *)payload);

	raw_header(&r, 2);
	raw_device(&r, 1, 0);
	raw_vq(&r, 0, 40);
	raw_section_pad(&r, 99, 0, junk, 4, 0);	/* no padding: the next header is misplaced */
	raw_vq(&r, 0, 36);
	raw_seal(&r);
	check_refused("section written without its padding: refused", r.buf, r.len, -EBADMSG,
		      "offset");

	raw_header(&r, 2);
	raw_device(&r, 1, 0);
	at = raw_vq(&r, 0, 40);
	set_u32(r.buf, at + 4, 48);			/* runs into the end */
	raw_seal(&r);
	check_refused("section length past total_len", r.buf, r.len, -EBADMSG,
		      "offset 56: section type 2 length 48 runs past total_len 104");
	set_u32(r.buf, at + 4, 0xfffffff8);
	raw_seal(&r);
	check_refused("section length near 2^32 does not wrap", r.buf, r.len, -EBADMSG,
		      "length 4294967288 runs past");

	raw_header(&r, 2);
	raw_device(&r, 1, 0);
	raw_vq(&r, 0, 40);
	r.len += 8;					/* zeros: an empty section of type 0 */
	raw_seal(&r);
	err = vdpamgmt_state_decode(r.buf, r.len, &st, why, sizeof(why));
	check("8 zero bytes after the last section are an empty unknown section, skipped",
	      !err && st.unknown_count == 1 && st.unknown[0].type == 0 && st.unknown[0].len == 0);
	if (!err)
		vdpamgmt_state_release(&st);

	raw_header(&r, 2);
	raw_device(&r, 1, 0);
	raw_vq(&r, 0, 32);
	raw_seal(&r);
	check_refused("VQ shorter than its structure", r.buf, r.len, -EBADMSG,
		      "offset 56: VQ section is 32 bytes, shorter than its 40-byte structure");

	raw_header(&r, 2);
	raw_device(&r, 1, 0);
	raw_vq(&r, 0, 56);
	raw_seal(&r);
	err = vdpamgmt_state_decode(r.buf, r.len, &st, why, sizeof(why));
	check("a VQ section grown at its end is read (the rest ignored)",
	      !err && st.vqs[0].num == 256);
	if (!err)
		vdpamgmt_state_release(&st);

	raw_header(&r, 2);
	raw_vq(&r, 0, 40);
	raw_seal(&r);
	check_refused("no DEVICE section", r.buf, r.len, -EBADMSG, "no DEVICE section");

	raw_header(&r, 2);
	raw_device(&r, 1, 0);
	raw_vq(&r, 0, 40);
	raw_device(&r, 1, 0);
	raw_seal(&r);
	check_refused("two DEVICE sections", r.buf, r.len, -EBADMSG,
		      "offset 104: second DEVICE section (the first is at offset 24)");

	raw_header(&r, 2);
	raw_vq(&r, 1, 40);
	raw_vq(&r, 0, 40);
	raw_device(&r, 2, 0);				/* last: order is free */
	raw_seal(&r);
	err = vdpamgmt_state_decode(r.buf, r.len, &st, why, sizeof(why));
	check("DEVICE after the VQs, VQs out of order: decoded by index",
	      !err && st.num_queues == 2 && st.vqs[0].index == 0 && st.vqs[1].avail_idx == 8);
	if (!err)
		vdpamgmt_state_release(&st);

	raw_blk(&r, 3);
	set_u16(r.buf, 24 + 8 + offsetof(struct dpu_vdpa_state_device, num_queues), 4);
	raw_seal(&r);
	check_refused("fewer VQ sections than num_queues", r.buf, r.len, -EBADMSG,
		      "3 VQ sections for num_queues 4");
	set_u16(r.buf, 24 + 8 + offsetof(struct dpu_vdpa_state_device, num_queues), 2);
	raw_seal(&r);
	check_refused("a VQ index not below num_queues", r.buf, r.len, -EBADMSG,
		      "offset 152: VQ index 2 is not below num_queues 2");

	raw_header(&r, 2);
	raw_device(&r, 2, 0);
	raw_vq(&r, 1, 40);
	raw_vq(&r, 1, 40);
	raw_seal(&r);
	check_refused("duplicate VQ index", r.buf, r.len, -EBADMSG,
		      "offset 104: VQ index 1 repeats (first at offset 56)");

	raw_header(&r, 2);
	raw_device(&r, 0, 0);
	raw_seal(&r);
	err = vdpamgmt_state_decode(r.buf, r.len, &st, why, sizeof(why));
	check("num_queues 0 and no VQ sections is consistent", !err && st.num_queues == 0);
	if (!err)
		vdpamgmt_state_release(&st);

	raw_header(&r, 2);
	raw_device(&r, 0, 0);
	raw_section(&r, DPU_VDPA_STATE_NET_MQ, 0, junk, 8);
	raw_seal(&r);
	check_refused("a net section in a blk blob", r.buf, r.len, -EBADMSG,
		      "NET_MQ section in the blob of virtio device 2, not net");

	raw_header(&r, 1);
	raw_device(&r, 0, 12);
	raw_section(&r, DPU_VDPA_STATE_CONFIG, 0, junk, 10);
	raw_seal(&r);
	check_refused("CONFIG of another length than config_len", r.buf, r.len, -EBADMSG,
		      "CONFIG section is 10 bytes, DEVICE says config_len 12");

	raw_header(&r, 1);
	raw_device(&r, 0, 0);
	raw_section(&r, DPU_VDPA_STATE_NET_MQ, 0, junk, 8);
	raw_section(&r, DPU_VDPA_STATE_NET_MQ, 0, junk, 8);
	raw_seal(&r);
	check_refused("a second NET_MQ", r.buf, r.len, -EBADMSG, "second NET_MQ section");

	raw_header(&r, 1);
	raw_device(&r, 0, 0);
	memcpy(payload, &mt, sizeof(mt));
	raw_section(&r, DPU_VDPA_STATE_NET_MAC_TABLE, 0, payload, 8 + 6);
	raw_seal(&r);
	check_refused("MAC table shorter than its entries", r.buf, r.len, -EBADMSG,
		      "NET_MAC_TABLE section is 14 bytes, its 2 + 0 entries need 20");
	mt.unicast = htole32(0xffffffff);
	mt.multicast = htole32(0xffffffff);
	memcpy(payload, &mt, sizeof(mt));
	raw_header(&r, 1);
	raw_device(&r, 0, 0);
	raw_section(&r, DPU_VDPA_STATE_NET_MAC_TABLE, 0, payload, 8 + 6);
	raw_seal(&r);
	check_refused("MAC table counts near 2^32 do not wrap", r.buf, r.len, -EBADMSG,
		      "entries need 51539607548");

	raw_header(&r, 1);
	raw_device(&r, 0, 0);
	raw_section(&r, DPU_VDPA_STATE_NET_VLAN, 0, NULL, 100);
	raw_seal(&r);
	check_refused("VLAN bitmap shorter than 4096 bits", r.buf, r.len, -EBADMSG,
		      "NET_VLAN section is 100 bytes, shorter than its 512-byte structure");

	check("section names: known, and NULL for unknown",
	      !strcmp(vdpamgmt_state_section_name(DPU_VDPA_STATE_NET_MAC_TABLE), "NET_MAC_TABLE") &&
	      !vdpamgmt_state_section_name(0) && !vdpamgmt_state_section_name(4) &&
	      !vdpamgmt_state_section_name(99));
}

int main(void)
{
	test_crc32();
	test_round_trip();
	test_header();
	test_sections();
	printf("1..%d\n", test_num);
	return test_failed ? 1 : 0;
}
