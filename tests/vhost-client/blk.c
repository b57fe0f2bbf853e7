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

uint64_t vc_blk_capacity(const struct vc_dev *d)
{
	uint64_t c;

	memcpy(&c, d->config + offsetof(struct virtio_blk_config, capacity), 8);
	return le64toh(c);
}

/* Open opt.dev, which must be a block device; its capacity in sectors. */
uint64_t vc_blk_open(struct vc_dev *d)
{
	vc_open(d, opt.dev);
	if (d->device_id != VIRTIO_ID_BLOCK)
		vc_die(VC_EXIT_ERR, "%s is not a block device (device id %u)", d->path,
		       d->device_id);
	return vc_blk_capacity(d);
}

/*
 * Queue request SLOT on descriptors 3 SLOT (header), 3 SLOT + 1 (LEN bytes
 * of data, left out when LEN is 0) and 3 SLOT + 2 (status), so that a used
 * id names its slot.  The caller has filled the data and kicks.
 */
void vc_blk_queue_req(struct vc_dev *d, struct vc_vq *vq, unsigned int slot,
		      struct virtio_blk_outhdr *hdr, uint32_t type, uint64_t sector, uint8_t *data,
		      uint32_t len, uint8_t *status)
{
	uint16_t ids[3] = { 3 * slot, 3 * slot + 1, 3 * slot + 2 };
	unsigned int n = 0;

	hdr->type = htole32(type);
	hdr->ioprio = 0;
	hdr->sector = htole64(sector);
	vc_track_write(hdr, sizeof(*hdr));
	if (type == VIRTIO_BLK_T_OUT)
		vc_track_write(data, len);
	vq->desc[ids[n]].addr = vc_iova(d, hdr);
	vq->desc[ids[n]].len = sizeof(*hdr);
	vq->desc[ids[n]].flags = 0;
	n++;
	if (len) {
		vq->desc[ids[n]].addr = vc_iova(d, data);
		vq->desc[ids[n]].len = len;
		vq->desc[ids[n]].flags = type == VIRTIO_BLK_T_IN ? VRING_DESC_F_WRITE : 0;
		n++;
	}
	vq->desc[ids[n]].addr = vc_iova(d, status);
	vq->desc[ids[n]].len = 1;
	vq->desc[ids[n]].flags = VRING_DESC_F_WRITE;
	n++;
	/* it marks the descriptors it links for the dirty-page checks */
	vc_vq_add_chain(vq, ids, n);
}

/* One blk-write, blk-read or blk-flush: the device, its request slots, the tallies. */
struct blk_run {
	int type;
	const char *who;
	struct vc_dev d;
	struct vc_vq *vq;
	struct blk_slot *slots;
	unsigned int nslots, req, inflight, ioerr;
	uint64_t next, end, done_sect, bad_sect, first_bad;
	uint8_t first_status;
};

/* Before any setup: what the device or the options rule out. */
static void blk_open(struct blk_run *r)
{
	struct vc_dev *d = &r->d;
	uint64_t capacity;

	capacity = vc_blk_open(d);
	if (r->type == VIRTIO_BLK_T_FLUSH) {
		opt.sector = 0;
		opt.count = 1;
		if (!(d->dev_features & (1ull << VIRTIO_BLK_F_FLUSH)))
			vc_die(VC_EXIT_UNSUPP, "blk-flush: the device does not offer VIRTIO_BLK_F_FLUSH");
	} else if (!opt.force && (opt.sector > capacity || opt.count > capacity - opt.sector)) {
		vc_die(VC_EXIT_USAGE, "sectors %llu..%llu beyond the capacity of %llu sectors "
		       "(--force sends them anyway)", (unsigned long long)opt.sector,
		       (unsigned long long)(opt.sector + opt.count - 1),
		       (unsigned long long)capacity);
	}
	if (r->type == VIRTIO_BLK_T_OUT && (d->dev_features & (1ull << VIRTIO_BLK_F_RO)))
		vc_die(VC_EXIT_ERR, "blk-write: the device is read-only");
	if (r->type != VIRTIO_BLK_T_FLUSH && !opt.seed_set && r->type == VIRTIO_BLK_T_OUT)
		vc_die(VC_EXIT_USAGE, "blk-write needs --seed");
}

static void blk_setup(struct blk_run *r)
{
	static const unsigned int vqs[1] = { 0 };
	static const uint32_t sizes[1] = { 0 };
	uint64_t want;
	unsigned int i;

	want = (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_ACCESS_PLATFORM) |
	       (1ull << VIRTIO_BLK_F_SIZE_MAX) | (1ull << VIRTIO_BLK_F_SEG_MAX) |
	       (1ull << VIRTIO_BLK_F_BLK_SIZE) | (1ull << VIRTIO_BLK_F_FLUSH) |
	       (1ull << VIRTIO_BLK_F_RO);
	vc_start(&r->d, want, vqs, 1, sizes);
	r->vq = &r->d.vqs[0];

	r->req = vc_blk_req_sectors(&r->d);
	/* three descriptors a request */
	r->nslots = opt.depth;
	if (r->nslots > r->vq->num / 3)
		r->nslots = r->vq->num / 3;
	r->slots = calloc(r->nslots, sizeof(*r->slots));
	if (!r->slots)
		vc_die(VC_EXIT_ERR, "out of memory");
	for (i = 0; i < r->nslots; i++) {
		r->slots[i].hdr = vc_alloc(&r->d, sizeof(*r->slots[i].hdr), 16);
		r->slots[i].status = vc_alloc(&r->d, 1, 1);
		r->slots[i].data = vc_alloc(&r->d, (uint64_t)r->req * SECTOR, 4096);
	}
}

/* Fill the free slots; true when one was queued. */
static bool blk_submit(struct blk_run *r)
{
	bool flush = r->type == VIRTIO_BLK_T_FLUSH, progress = false;
	unsigned int i, k;

	for (i = 0; i < r->nslots && r->next < r->end; i++) {
		struct blk_slot *s = &r->slots[i];
		uint64_t left = r->end - r->next;

		if (s->busy)
			continue;
		s->sector = r->next;
		s->nsect = flush ? 0 : left < r->req ? (unsigned int)left : r->req;
		r->next += flush ? 1 : s->nsect;
		*s->status = 0xff;
		if (r->type == VIRTIO_BLK_T_OUT)
			for (k = 0; k < s->nsect; k++)
				vc_blk_pattern(s->data + k * SECTOR, s->sector + k, opt.seed);
		vc_blk_queue_req(&r->d, r->vq, i, s->hdr, r->type, flush ? 0 : s->sector, s->data,
				 s->nsect * SECTOR, s->status);
		s->busy = true;
		r->inflight++;
		progress = true;
	}
	if (progress)
		vc_vq_kick(r->vq);
	return progress;
}

/* A read's sectors against the seeded pattern or zeroes. */
static void blk_verify(struct blk_run *r, const struct blk_slot *s)
{
	unsigned int k;

	for (k = 0; k < s->nsect; k++) {
		uint8_t want_buf[SECTOR];

		if (opt.expect_zero)
			memset(want_buf, 0, SECTOR);
		else
			vc_blk_pattern(want_buf, s->sector + k, opt.seed);
		if (memcmp(want_buf, s->data + k * SECTOR, SECTOR)) {
			if (!r->bad_sect++)
				r->first_bad = s->sector + k;
		}
	}
}

/* Take the completed requests; true when there was one. */
static bool blk_reap(struct blk_run *r)
{
	bool progress = false;
	uint32_t len;
	uint16_t id;

	while (vc_vq_used(r->vq, &id, &len)) {
		struct blk_slot *s = &r->slots[id / 3];

		if (id % 3 || id / 3 >= r->nslots || !s->busy)
			vc_die(VC_EXIT_ERR, "%s: device used descriptor %u, not a request head",
			       r->who, id);
		s->busy = false;
		r->inflight--;
		progress = true;
		if (*s->status != VIRTIO_BLK_S_OK) {
			if (!r->ioerr++) {
				r->first_status = *s->status;
				r->first_bad = s->sector;
			}
			continue;
		}
		r->done_sect += s->nsect;
		if (r->type == VIRTIO_BLK_T_IN && (opt.seed_set || opt.expect_zero))
			blk_verify(r, s);
	}
	return progress;
}

/* Until every request is done; --timeout counts from the last progress, from T0 at first. */
static void blk_io(struct blk_run *r, double t0)
{
	double last = t0;

	while (r->next < r->end || r->inflight) {
		bool progress = blk_submit(r);

		if (blk_reap(r))
			progress = true;
		if (progress) {
			last = vc_now();
			continue;
		}
		if (vc_now() - last > opt.timeout)
			vc_die(VC_EXIT_TIMEOUT, "%s: %u requests outstanding, none completed for %.1f s "
			       "(avail %u, used %u)", r->who, r->inflight, opt.timeout,
			       r->vq->avail_idx, r->vq->used_idx);
		vc_vq_wait(&r->d, last + opt.timeout);
	}
}

static int blk_report(const struct blk_run *r, double t0, double t1)
{
	const char *who = r->who;
	int rc = VC_EXIT_OK;

	if (r->type == VIRTIO_BLK_T_FLUSH)
		printf("%s: status=%s secs=%.3f\n", who,
		       r->ioerr ? blk_status_name(r->first_status) : "OK", t1 - t0);
	else
		printf("%s: sectors=%llu start=%llu done=%llu ioerr=%u mismatched=%llu "
		       "request_sectors=%u depth=%u secs=%.3f MiB/s=%.1f\n", who,
		       (unsigned long long)opt.count, (unsigned long long)opt.sector,
		       (unsigned long long)r->done_sect, r->ioerr, (unsigned long long)r->bad_sect,
		       r->req, r->nslots, t1 - t0,
		       t1 > t0 ? r->done_sect * SECTOR / (t1 - t0) / 1048576 : 0.0);
	if (r->ioerr) {
		printf("%s: %u requests failed, first at sector %llu: status %u (%s)\n", who,
		       r->ioerr, (unsigned long long)r->first_bad, r->first_status,
		       blk_status_name(r->first_status));
		rc = VC_EXIT_CHECK;
	}
	if (r->bad_sect) {
		printf("%s: %llu sectors differ from the %s, first %llu\n", who,
		       (unsigned long long)r->bad_sect,
		       opt.expect_zero ? "zeroes" : "seeded pattern",
		       (unsigned long long)r->first_bad);
		rc = VC_EXIT_CHECK;
	}
	return rc;
}

int cmd_blk(int type)
{
	struct blk_run r;
	double t0, t1;
	int rc;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.who = cmd_name(type);
	blk_open(&r);
	blk_setup(&r);
	r.next = opt.sector;
	r.end = opt.sector + opt.count;
	t0 = vc_now();
	blk_io(&r, t0);
	t1 = vc_now();
	rc = blk_report(&r, t0, t1);
	free(r.slots);
	vc_close(&r.d);
	return rc;
}
