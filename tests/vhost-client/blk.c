// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-client blk-write, blk-read, blk-flush on vq 0 of a vhost-vdpa
 * block device.  A request is a chain of three descriptors: the 16-byte
 * header (driver to device), the data, the status byte (device to
 * driver).  The pattern of a 512-byte sector is a function of the seed and
 * the sector number, so a read can verify what a write (of any request
 * size, in another process) left there.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "vc.h"

#define SECTOR	512u

struct blk_slot {
	struct virtio_blk_outhdr *hdr;
	uint8_t *data;
	uint8_t *status;
	uint64_t sector;
	unsigned int nsect;
	bool busy;
};

void vc_blk_pattern(uint8_t *buf, uint64_t sector, uint64_t seed)
{
	uint64_t st = seed ^ (sector * 0x100000001b3ull), w[SECTOR / 8];
	unsigned int i;

	w[0] = htole64(sector);
	w[1] = htole64(seed);
	for (i = 2; i < SECTOR / 8; i++)
		w[i] = htole64(vc_splitmix64(&st));
	memcpy(buf, w, SECTOR);
}

static const char *blk_status_name(uint8_t s)
{
	switch (s) {
	case VIRTIO_BLK_S_OK: return "OK";
	case VIRTIO_BLK_S_IOERR: return "IOERR";
	case VIRTIO_BLK_S_UNSUPP: return "UNSUPP";
	default: return "?";
	}
}

static const char *cmd_name(int type)
{
	return type == VIRTIO_BLK_T_OUT ? "blk-write" : type == VIRTIO_BLK_T_IN ? "blk-read" :
	       "blk-flush";
}

unsigned int vc_blk_req_sectors(const struct vc_dev *d)
{
	unsigned int req = opt.req_sectors;
	uint32_t size_max;

	if (!(d->features & (1ull << VIRTIO_BLK_F_SIZE_MAX)))
		return req;
	memcpy(&size_max, d->config + offsetof(struct virtio_blk_config, size_max), 4);
	size_max = le32toh(size_max);
	if (size_max >= SECTOR && req > size_max / SECTOR)
		req = size_max / SECTOR;
	return req;
}

int cmd_blk(int type)
{
	static const unsigned int vqs[1] = { 0 };
	static const uint32_t sizes[1] = { 0 };
	uint64_t capacity, next, end, done_sect = 0, bad_sect = 0, first_bad = 0;
	unsigned int depth, req, i, inflight = 0, nslots, ioerr = 0;
	struct blk_slot *slots;
	double t0, t1, last;
	struct vc_dev d;
	struct vc_vq *vq;
	uint64_t want;
	const char *who = cmd_name(type);
	uint8_t first_status = 0;
	int rc = VC_EXIT_OK;

	vc_open(&d, opt.dev);
	if (d.device_id != VIRTIO_ID_BLOCK)
		vc_die(VC_EXIT_ERR, "%s is not a block device (device id %u)", d.path, d.device_id);
	memcpy(&capacity, d.config + offsetof(struct virtio_blk_config, capacity), 8);
	capacity = le64toh(capacity);
	if (type == VIRTIO_BLK_T_FLUSH) {
		opt.sector = 0;
		opt.count = 1;
		if (!(d.dev_features & (1ull << VIRTIO_BLK_F_FLUSH)))
			vc_die(VC_EXIT_UNSUPP, "blk-flush: the device does not offer VIRTIO_BLK_F_FLUSH");
	} else if (!opt.force && (opt.sector > capacity || opt.count > capacity - opt.sector)) {
		vc_die(VC_EXIT_USAGE, "sectors %llu..%llu beyond the capacity of %llu sectors "
		       "(--force sends them anyway)", (unsigned long long)opt.sector,
		       (unsigned long long)(opt.sector + opt.count - 1), (unsigned long long)capacity);
	}
	if (type == VIRTIO_BLK_T_OUT && (d.dev_features & (1ull << VIRTIO_BLK_F_RO)))
		vc_die(VC_EXIT_ERR, "blk-write: the device is read-only");
	if (type != VIRTIO_BLK_T_FLUSH && !opt.seed_set && type == VIRTIO_BLK_T_OUT)
		vc_die(VC_EXIT_USAGE, "blk-write needs --seed");

	want = (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_ACCESS_PLATFORM) |
	       (1ull << VIRTIO_BLK_F_SIZE_MAX) | (1ull << VIRTIO_BLK_F_SEG_MAX) |
	       (1ull << VIRTIO_BLK_F_BLK_SIZE) | (1ull << VIRTIO_BLK_F_FLUSH) |
	       (1ull << VIRTIO_BLK_F_RO);
	vc_start(&d, want, vqs, 1, sizes);
	vq = &d.vqs[0];

	req = vc_blk_req_sectors(&d);
	depth = opt.depth;
	if (depth > vq->num / 3)
		depth = vq->num / 3;
	nslots = depth;
	slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		vc_die(VC_EXIT_ERR, "out of memory");
	for (i = 0; i < nslots; i++) {
		slots[i].hdr = vc_alloc(&d, sizeof(*slots[i].hdr), 16);
		slots[i].status = vc_alloc(&d, 1, 1);
		slots[i].data = vc_alloc(&d, (uint64_t)req * SECTOR, 4096);
	}

	next = opt.sector;
	end = opt.sector + opt.count;
	t0 = last = vc_now();
	while (next < end || inflight) {
		bool progress = false;
		uint32_t len;
		uint16_t id;

		/* submit: slot i uses descriptors 3i, 3i+1, 3i+2 */
		for (i = 0; i < nslots && next < end; i++) {
			struct blk_slot *s = &slots[i];
			uint16_t ids[3] = { 3 * i, 3 * i + 1, 3 * i + 2 };
			unsigned int n = 0, k;

			if (s->busy)
				continue;
			s->sector = next;
			s->nsect = type == VIRTIO_BLK_T_FLUSH ? 0 :
				   (end - next < req ? (unsigned int)(end - next) : req);
			next += type == VIRTIO_BLK_T_FLUSH ? 1 : s->nsect;
			s->hdr->type = htole32(type);
			s->hdr->ioprio = 0;
			s->hdr->sector = htole64(type == VIRTIO_BLK_T_FLUSH ? 0 : s->sector);
			*s->status = 0xff;
			if (type == VIRTIO_BLK_T_OUT)
				for (k = 0; k < s->nsect; k++)
					vc_blk_pattern(s->data + k * SECTOR, s->sector + k, opt.seed);
			vq->desc[ids[n]].addr = vc_iova(&d, s->hdr);
			vq->desc[ids[n]].len = sizeof(*s->hdr);
			vq->desc[ids[n]].flags = 0;
			n++;
			if (s->nsect) {
				vq->desc[ids[n]].addr = vc_iova(&d, s->data);
				vq->desc[ids[n]].len = s->nsect * SECTOR;
				vq->desc[ids[n]].flags = type == VIRTIO_BLK_T_IN ? VRING_DESC_F_WRITE : 0;
				n++;
			}
			vq->desc[ids[n]].addr = vc_iova(&d, s->status);
			vq->desc[ids[n]].len = 1;
			vq->desc[ids[n]].flags = VRING_DESC_F_WRITE;
			n++;
			vc_vq_add_chain(vq, ids, n);
			s->busy = true;
			inflight++;
			progress = true;
		}
		if (progress)
			vc_vq_kick(vq);

		while (vc_vq_used(vq, &id, &len)) {
			struct blk_slot *s = &slots[id / 3];
			unsigned int k;

			if (id % 3 || id / 3 >= nslots || !s->busy)
				vc_die(VC_EXIT_ERR, "%s: device used descriptor %u, not a request head",
				       who, id);
			s->busy = false;
			inflight--;
			progress = true;
			if (*s->status != VIRTIO_BLK_S_OK) {
				if (!ioerr++) {
					first_status = *s->status;
					first_bad = s->sector;
				}
				continue;
			}
			done_sect += s->nsect;
			if (type != VIRTIO_BLK_T_IN || (!opt.seed_set && !opt.expect_zero))
				continue;
			for (k = 0; k < s->nsect; k++) {
				uint8_t want_buf[SECTOR];

				if (opt.expect_zero)
					memset(want_buf, 0, SECTOR);
				else
					vc_blk_pattern(want_buf, s->sector + k, opt.seed);
				if (memcmp(want_buf, s->data + k * SECTOR, SECTOR)) {
					if (!bad_sect++)
						first_bad = s->sector + k;
				}
			}
		}
		if (progress) {
			last = vc_now();
			continue;
		}
		if (vc_now() - last > opt.timeout)
			vc_die(VC_EXIT_TIMEOUT, "%s: %u requests outstanding, none completed for %.1f s "
			       "(avail %u, used %u)", who, inflight, opt.timeout, vq->avail_idx,
			       vq->used_idx);
		vc_vq_wait(&d, last + opt.timeout);
	}
	t1 = vc_now();
	if (type == VIRTIO_BLK_T_FLUSH)
		printf("%s: status=%s secs=%.3f\n", who, ioerr ? blk_status_name(first_status) : "OK",
		       t1 - t0);
	else
		printf("%s: sectors=%llu start=%llu done=%llu ioerr=%u mismatched=%llu "
		       "request_sectors=%u depth=%u secs=%.3f MiB/s=%.1f\n", who,
		       (unsigned long long)opt.count, (unsigned long long)opt.sector,
		       (unsigned long long)done_sect, ioerr, (unsigned long long)bad_sect, req, depth,
		       t1 - t0, t1 > t0 ? done_sect * SECTOR / (t1 - t0) / 1048576 : 0.0);
	if (ioerr) {
		printf("%s: %u requests failed, first at sector %llu: status %u (%s)\n", who, ioerr,
		       (unsigned long long)first_bad, first_status, blk_status_name(first_status));
		rc = VC_EXIT_CHECK;
	}
	if (bad_sect) {
		printf("%s: %llu sectors differ from the %s, first %llu\n", who,
		       (unsigned long long)bad_sect, opt.expect_zero ? "zeroes" : "seeded pattern",
		       (unsigned long long)first_bad);
		rc = VC_EXIT_CHECK;
	}
	free(slots);
	vc_close(&d);
	return rc;
}
