// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-client dirty-check and net-migrate: the dpu_vdpa dirty-page log
 * and device state, driven through libvdpamgmt as a VMM would.
 *
 * Both keep a second memfd, "the copy", updated only from (a) the pages
 * the device's log reports after each sync and (b) the pages the client
 * itself wrote with the CPU (vc_track, set at every write site into guest
 * memory).  The layout keeps the two apart: descriptor tables, avail
 * rings, TX payloads, blk headers and write data are written by the CPU;
 * used rings, RX buffers, blk read data and status bytes only by the
 * device, each on pages of their own.  So a page the log misses is a
 * page that differs between the region and the copy in the end.
 *
 * dirty-check: random traffic (net: frames reflected by the peer, both
 * directions; blk: random reads and writes) in rounds, each ended by a
 * log sync and a copy; then suspend, a final sync and copy, and a byte
 * compare.  --ignore-log copies the client's own writes only: the
 * negative control, which must find mismatches.
 *
 * net-migrate: a numbered frame stream on device A under iterative
 * pre-copy; then the source stops, A is suspended, synced, its state
 * saved and loaded into B, and the client continues the stream from the
 * copy on B, with the same rings at the same IOVAs.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "vc.h"
#include "libvdpamgmt.h"

#define PG		4096ull
#define SECTOR		512u
#define MAX_AREAS	48
#define SHOW_BAD	8

struct vc_track vc_track;

struct area {
	const char *what;
	uint64_t off, len;
};

struct mig {
	struct vdpamgmt *vm;
	const char *name;
	struct vc_mem *mem;
	int copy_fd;
	uint8_t *copy;
	uint64_t npages;
	uint64_t *logmap;		/* pages the syncs reported, not yet copied */
	uint64_t log_pages, cpu_pages;	/* copied, over the whole run */
	uint64_t round_log, round_cpu;	/* copied by the last sync_copy */
	uint64_t outside;		/* bits for pages outside the region */
	unsigned int syncs;
	double sync_secs;
	struct area areas[MAX_AREAS];
	unsigned int nareas;
};

static void area_add(struct mig *m, const char *what, const void *p, uint64_t len)
{
	if (m->nareas == MAX_AREAS)
		return;
	m->areas[m->nareas].what = what;
	m->areas[m->nareas].off = (uint64_t)((const uint8_t *)p - m->mem->base);
	m->areas[m->nareas].len = len;
	m->nareas++;
}

/* What lies on the page at OFF: "rx used ring", "tx buffers + rx used ring", ... */
static void page_what(const struct mig *m, uint64_t off, char *buf, size_t size)
{
	unsigned int i;
	size_t n = 0;

	buf[0] = 0;
	for (i = 0; i < m->nareas; i++) {
		const struct area *a = &m->areas[i];

		if (off + PG <= a->off || off >= a->off + a->len)
			continue;
		if (n >= size)
			break;
		n += snprintf(buf + n, size - n, "%s%s", n ? " + " : "", a->what);
	}
	if (!buf[0])
		snprintf(buf, size, "unallocated");
}

static void mig_init(struct mig *m, const char *name, struct vc_mem *mem)
{
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->mem = mem;
	m->npages = mem->size / PG;
	m->vm = vdpamgmt_new();
	m->logmap = calloc((m->npages + 63) / 64, 8);
	vc_track.bits = calloc((m->npages + 63) / 64, 8);
	if (!m->vm || !m->logmap || !vc_track.bits)
		vc_die(VC_EXIT_ERR, "out of memory");
	vc_track.base = mem->base;
	vc_track.size = mem->size;
	m->copy_fd = memfd_create("vhost-client-copy", MFD_CLOEXEC);
	if (m->copy_fd < 0)
		vc_die(VC_EXIT_ERR, "memfd_create: %s", strerror(errno));
	if (ftruncate(m->copy_fd, mem->size))
		vc_die(VC_EXIT_ERR, "ftruncate copy: %s", strerror(errno));
	m->copy = mmap(NULL, mem->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       m->copy_fd, 0);
	if (m->copy == MAP_FAILED)
		vc_die(VC_EXIT_ERR, "mmap copy: %s", strerror(errno));
}

static void mig_fini(struct mig *m)
{
	free(m->logmap);
	free(vc_track.bits);
	vc_track.bits = NULL;
	vdpamgmt_free(m->vm);
}

/*
 * The log over the consumer's whole space, the kernel's choice, as a VMM
 * would start it: that must be exactly the one region this client mapped.
 */
static void mig_log_start(struct mig *m)
{
	struct vdpamgmt_dpu_log_summary range;
	int err = vdpamgmt_dpu_log_start(m->vm, m->name, 0, 0, PG);

	if (!err)
		err = vdpamgmt_dpu_log_range(m->vm, m->name, &range);
	if (err)
		vc_die(VC_EXIT_ERR, "log start on %s over all it mapped: %s", m->name,
		       vdpamgmt_error(m->vm));
	if (range.iova != m->mem->iova || range.len != m->mem->size || range.page_size != PG)
		vc_die(VC_EXIT_ERR, "log start on %s: the kernel logs iova %#llx + %#llx, "
		       "%u-byte pages; the client mapped %#llx + %#llx", m->name,
		       (unsigned long long)range.iova, (unsigned long long)range.len,
		       range.page_size, (unsigned long long)m->mem->iova,
		       (unsigned long long)m->mem->size);
	/* everything once; from here on only what the log and the client say */
	memset(vc_track.bits, 0, (m->npages + 63) / 64 * 8);
	memcpy(m->copy, m->mem->base, m->mem->size);
}

static int log_chunk(const struct vdpamgmt_dpu_log_chunk *c, void *arg)
{
	struct mig *m = arg;
	uint64_t i;

	for (i = 0; i < c->pages; i++) {
		uint64_t iova, pg;

		if (!(c->bitmap[i / 8] >> (i % 8) & 1))
			continue;
		iova = c->iova + i * c->page_size;
		if (iova < m->mem->iova || iova >= m->mem->iova + m->mem->size) {
			m->outside++;
			continue;
		}
		pg = (iova - m->mem->iova) / PG;
		m->logmap[pg / 64] |= 1ull << (pg % 64);
	}
	return 0;
}

/* Sync the log, copy what it reported and what the client wrote. */
static void mig_sync_copy(struct mig *m, bool ignore_log)
{
	struct vdpamgmt_dpu_log_summary sum;
	double t = vc_now();
	uint64_t w, i;
	int err;

	err = vdpamgmt_dpu_log_sync(m->vm, m->name, log_chunk, m, &sum);
	if (err)
		vc_die(VC_EXIT_ERR, "log sync on %s: %s", m->name, vdpamgmt_error(m->vm));
	m->sync_secs += vc_now() - t;
	m->syncs++;
	m->round_log = m->round_cpu = 0;
	for (w = 0; w < (m->npages + 63) / 64; w++) {
		uint64_t lg = ignore_log ? 0 : m->logmap[w], cpu = vc_track.bits[w];

		m->logmap[w] = 0;
		vc_track.bits[w] = 0;
		for (i = 0; i < 64 && (lg | cpu); i++) {
			uint64_t bit = 1ull << i, pg = w * 64 + i;

			if (!((lg | cpu) & bit))
				continue;
			memcpy(m->copy + pg * PG, m->mem->base + pg * PG, PG);
			if (lg & bit)
				m->round_log++;
			else
				m->round_cpu++;
			lg &= ~bit;
			cpu &= ~bit;
		}
	}
	m->log_pages += m->round_log;
	m->cpu_pages += m->round_cpu;
}

/* Region against the copy, page by page; prints the first few differences. */
static uint64_t mig_compare(struct mig *m, const char *who)
{
	uint64_t pg, bad = 0;

	for (pg = 0; pg < m->npages; pg++) {
		const uint8_t *a = m->mem->base + pg * PG, *b = m->copy + pg * PG;
		char what[160];
		size_t i;

		if (!memcmp(a, b, PG))
			continue;
		if (bad++ >= SHOW_BAD)
			continue;
		for (i = 0; i < PG && a[i] == b[i]; i++)
			;
		page_what(m, pg * PG, what, sizeof(what));
		printf("%s: page at offset %#llx (iova %#llx) differs from byte %zu: %s\n", who,
		       (unsigned long long)(pg * PG), (unsigned long long)(m->mem->iova + pg * PG),
		       i, what);
	}
	return bad;
}

static void dpu_call(struct mig *m, int err, const char *what, const char *name)
{
	if (err)
		vc_die(VC_EXIT_ERR, "%s %s: %s", what, name, vdpamgmt_error(m->vm));
}

static void need_names(const char *cmd, bool two)
{
	if (!opt.name || (two && !opt.name_b))
		vc_die(VC_EXIT_USAGE, "%s needs %s", cmd, two ? "--name-a and --name-b" : "--name");
}

static uint64_t rnd(uint64_t *st, uint64_t n)
{
	return n ? vc_splitmix64(st) % n : 0;
}

/* --- dirty-check, net */

static void net_areas(struct mig *m, struct vc_net *n)
{
	static const char *const names[2][4] = {
		{ "rx descriptors", "rx avail ring", "rx used ring", "rx buffers" },
		{ "tx descriptors", "tx avail ring", "tx used ring", "tx buffers" },
	};
	unsigned int p, k;

	for (p = 0; p < n->pairs; p++) {
		for (k = 0; k < 2; k++) {
			struct vc_vq *q = k ? n->txq[p] : n->rxq[p];

			area_add(m, names[k][0], q->desc, 16ull * q->num);
			area_add(m, names[k][1], q->avail, 6 + 2ull * q->num);
			area_add(m, names[k][2], q->used, 6 + 8ull * q->num);
			area_add(m, names[k][3], q->bufs, (uint64_t)q->num * q->buf_size);
		}
	}
	if (n->cvq) {
		area_add(m, "cvq descriptors", n->cvq->desc, 16ull * n->cvq->num);
		area_add(m, "cvq avail ring", n->cvq->avail, 6 + 2ull * n->cvq->num);
		area_add(m, "cvq used ring", n->cvq->used, 6 + 8ull * n->cvq->num);
		area_add(m, "cvq command", n->ctrl_out, 4096);
		area_add(m, "cvq ack", n->ctrl_in, 4096);
	}
}

struct traffic {
	uint64_t sent, tx_done, frames;
	double last_rx;			/* time of the last frame received */
	double first_use;		/* first completion seen since reset to 0 */
};

/* One step of a windowed stream: send up to LIMIT, reap, wait a little. */
static bool stream_step(struct vc_net *n, struct vc_rx_stats *st, struct traffic *t,
			uint64_t limit, uint64_t *rs, double deadline)
{
	uint64_t before = st->unique + st->dup + st->corrupt + st->out_of_range, r, got;
	unsigned int max = opt.size, min = VC_FRAME_MIN;
	bool progress = false;

	while (t->sent < limit && t->sent - st->unique < opt.window && vc_net_tx_room(n, t->sent)) {
		unsigned int size = rs ? min + (unsigned int)rnd(rs, max - min + 1) : opt.size;

		vc_net_tx_frame_len(n, t->sent++, t->frames, size);
		progress = true;
	}
	if (progress)
		vc_net_kick_tx(n);
	r = vc_net_reap_tx(n);
	t->tx_done += r;
	got = vc_net_reap_rx(n, st);
	if ((r || got) && !t->first_use)
		t->first_use = vc_now();
	if (st->unique + st->dup + st->corrupt + st->out_of_range != before)
		t->last_rx = vc_now();
	if (r || got)
		progress = true;
	if (!progress)
		vc_vq_wait(&n->d, deadline);
	return progress;
}

static int dirty_net(void)
{
	uint64_t rs = opt.seed * 0x9e3779b97f4a7c15ull + 1, bad;
	struct vc_rx_stats st;
	struct traffic t;
	struct vc_net n;
	struct mig m;
	unsigned int r;

	opt.size = 1514;	/* the largest of the random sizes */
	vc_net_open(&n);
	if (opt.size > VC_HDR_LEN + n.mtu)
		opt.size = VC_HDR_LEN + n.mtu;
	if (opt.window > n.tx->num)
		opt.window = n.tx->num;
	mig_init(&m, opt.name, &n.d.mem);
	net_areas(&m, &n);
	memset(&t, 0, sizeof(t));
	t.frames = 1ull << 24;
	vc_rx_stats_init(&st, t.frames);
	mig_log_start(&m);
	vc_net_post_rx(&n);
	for (r = 0; r < opt.rounds; r++) {
		double len = opt.round_secs * (0.5 + rnd(&rs, 1000) / 1000.0);
		double end = vc_now() + len;
		/* bursts: a random share of the rounds sends nothing for a while */
		uint64_t limit = t.sent + 1 + rnd(&rs, 4 * opt.window);

		if (n.cvq) {
			/* the control queue is served in software: its writes are logged too */
			uint8_t on = r & 1;

			vc_net_ctrl(&n, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, &on, 1);
		}
		while (vc_now() < end)
			stream_step(&n, &st, &t, limit, &rs, end);
		mig_sync_copy(&m, opt.ignore_log);
		vc_log("round %u: %llu log pages, %llu cpu pages, %llu frames sent, %llu back", r,
		       (unsigned long long)m.round_log, (unsigned long long)m.round_cpu,
		       (unsigned long long)t.sent, (unsigned long long)st.unique);
	}
	dpu_call(&m, vdpamgmt_dpu_suspend(m.vm, m.name), "suspend", m.name);
	mig_sync_copy(&m, opt.ignore_log);
	bad = mig_compare(&m, "dirty-check");
	printf("dirty-check: type=net seed=%llu pairs=%u ctrl_cmds=%llu rounds=%u frames_sent=%llu "
	       "tx_completed=%llu frames_back=%llu log_pages=%llu cpu_pages=%llu outside=%llu "
	       "mismatched=%llu%s\n", (unsigned long long)opt.seed, n.pairs,
	       (unsigned long long)n.ctrl_cmds, opt.rounds, (unsigned long long)t.sent,
	       (unsigned long long)t.tx_done, (unsigned long long)st.unique,
	       (unsigned long long)m.log_pages, (unsigned long long)m.cpu_pages,
	       (unsigned long long)m.outside, (unsigned long long)bad,
	       opt.ignore_log ? " (--ignore-log)" : "");
	dpu_call(&m, vdpamgmt_dpu_log_stop(m.vm, m.name), "log stop", m.name);
	vc_rx_stats_free(&st);
	mig_fini(&m);
	vc_net_close(&n);
	if (!t.sent || !st.unique) {
		printf("dirty-check: no traffic in both directions (is pkt-reflect running?)\n");
		return VC_EXIT_CHECK;
	}
	return bad ? VC_EXIT_CHECK : VC_EXIT_OK;
}

/* --- dirty-check, blk */

static int dirty_blk(void)
{
	static const unsigned int vqs[1] = { 0 };
	static const uint32_t sizes[1] = { 0 };
	uint64_t rs = opt.seed * 0x9e3779b97f4a7c15ull + 1, capacity, lo, span, bad;
	uint64_t reads = 0, writes = 0, ioerr = 0, *busy_sect;
	struct virtio_blk_outhdr *hdrs;
	uint8_t *status, *wbuf, *rbuf;
	unsigned int depth, req, i, inflight = 0, r;
	struct vc_dev d;
	struct vc_vq *vq;
	struct mig m;
	bool *busy;

	vc_open(&d, opt.dev);
	if (d.device_id != VIRTIO_ID_BLOCK)
		vc_die(VC_EXIT_ERR, "%s is not a block device (device id %u)", d.path, d.device_id);
	memcpy(&capacity, d.config + offsetof(struct virtio_blk_config, capacity), 8);
	capacity = le64toh(capacity);
	vc_start(&d, (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_ACCESS_PLATFORM) |
		 (1ull << VIRTIO_BLK_F_SIZE_MAX) | (1ull << VIRTIO_BLK_F_SEG_MAX) |
		 (1ull << VIRTIO_BLK_F_BLK_SIZE) | (1ull << VIRTIO_BLK_F_FLUSH), vqs, 1, sizes);
	vq = &d.vqs[0];
	req = vc_blk_req_sectors(&d);
	depth = opt.depth < vq->num / 3 ? opt.depth : vq->num / 3;
	/* a small window of sectors, so reads find what the writes left */
	lo = opt.sector;
	span = opt.count;
	if (lo >= capacity || span > capacity - lo || span < req)
		vc_die(VC_EXIT_USAGE, "sectors %llu + %llu: capacity %llu, requests of %u",
		       (unsigned long long)lo, (unsigned long long)span,
		       (unsigned long long)capacity, req);

	/* CPU pages: headers, write data; device pages: status bytes, read data */
	hdrs = vc_alloc(&d, sizeof(*hdrs) * depth, PG);
	status = vc_alloc(&d, PG, PG);
	wbuf = vc_alloc(&d, (uint64_t)depth * req * SECTOR, PG);
	rbuf = vc_alloc(&d, (uint64_t)depth * req * SECTOR, PG);
	busy = calloc(depth, sizeof(*busy));
	busy_sect = calloc(depth, sizeof(*busy_sect));
	if (!busy || !busy_sect)
		vc_die(VC_EXIT_ERR, "out of memory");
	memset(status, 0xff, depth);
	/* not zero: a read of never-written sectors changes these pages too */
	memset(rbuf, 0xa5, (uint64_t)depth * req * SECTOR);

	mig_init(&m, opt.name, &d.mem);
	area_add(&m, "descriptors", vq->desc, 16ull * vq->num);
	area_add(&m, "avail ring", vq->avail, 6 + 2ull * vq->num);
	area_add(&m, "used ring", vq->used, 6 + 8ull * vq->num);
	area_add(&m, "request headers", hdrs, sizeof(*hdrs) * depth);
	area_add(&m, "status bytes", status, depth);
	area_add(&m, "write data", wbuf, (uint64_t)depth * req * SECTOR);
	area_add(&m, "read data", rbuf, (uint64_t)depth * req * SECTOR);
	mig_log_start(&m);

	for (r = 0; r < opt.rounds; r++) {
		double end = vc_now() + opt.round_secs * (0.5 + rnd(&rs, 1000) / 1000.0);
		double last = vc_now();

		while (vc_now() < end || inflight) {
			bool progress = false;
			uint32_t len;
			uint16_t id;

			for (i = 0; i < depth && vc_now() < end; i++) {
				uint16_t ids[3] = { 3 * i, 3 * i + 1, 3 * i + 2 };
				bool wr = rnd(&rs, 2);
				unsigned int ns = 1 + (unsigned int)rnd(&rs, req), k;
				uint64_t sect = lo + rnd(&rs, span - ns + 1);
				uint8_t *data = (wr ? wbuf : rbuf) + (uint64_t)i * req * SECTOR;

				if (busy[i])
					continue;
				hdrs[i].type = htole32(wr ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN);
				hdrs[i].ioprio = 0;
				hdrs[i].sector = htole64(sect);
				vc_track_write(&hdrs[i], sizeof(hdrs[i]));
				if (wr) {
					for (k = 0; k < ns * SECTOR / 8; k++) {
						uint64_t v = vc_splitmix64(&rs);

						memcpy(data + 8 * k, &v, 8);
					}
					vc_track_write(data, ns * SECTOR);
				}
				vq->desc[ids[0]].addr = vc_iova(&d, &hdrs[i]);
				vq->desc[ids[0]].len = sizeof(hdrs[i]);
				vq->desc[ids[0]].flags = 0;
				vq->desc[ids[1]].addr = vc_iova(&d, data);
				vq->desc[ids[1]].len = ns * SECTOR;
				vq->desc[ids[1]].flags = wr ? 0 : VRING_DESC_F_WRITE;
				vq->desc[ids[2]].addr = vc_iova(&d, status + i);
				vq->desc[ids[2]].len = 1;
				vq->desc[ids[2]].flags = VRING_DESC_F_WRITE;
				vc_track_write(&vq->desc[ids[0]], 3 * sizeof(vq->desc[0]));
				vc_vq_add_chain(vq, ids, 3);
				busy[i] = true;
				busy_sect[i] = sect;
				inflight++;
				if (wr)
					writes++;
				else
					reads++;
				progress = true;
			}
			if (progress)
				vc_vq_kick(vq);
			while (vc_vq_used(vq, &id, &len)) {
				if (id % 3 || id / 3 >= depth || !busy[id / 3])
					vc_die(VC_EXIT_ERR, "dirty-check: device used descriptor %u, not a "
					       "request head", id);
				busy[id / 3] = false;
				inflight--;
				if (status[id / 3] != VIRTIO_BLK_S_OK && !ioerr++)
					vc_warn("request at sector %llu: status %u",
						(unsigned long long)busy_sect[id / 3], status[id / 3]);
				progress = true;
			}
			if (progress) {
				last = vc_now();
				continue;
			}
			if (vc_now() - last > opt.timeout)
				vc_die(VC_EXIT_TIMEOUT, "dirty-check: %u requests outstanding, none completed "
				       "for %.1f s", inflight, opt.timeout);
			vc_vq_wait(&d, end > vc_now() ? end : last + opt.timeout);
		}
		mig_sync_copy(&m, opt.ignore_log);
		vc_log("round %u: %llu log pages, %llu cpu pages", r, (unsigned long long)m.round_log,
		       (unsigned long long)m.round_cpu);
	}
	dpu_call(&m, vdpamgmt_dpu_suspend(m.vm, m.name), "suspend", m.name);
	mig_sync_copy(&m, opt.ignore_log);
	bad = mig_compare(&m, "dirty-check");
	printf("dirty-check: type=blk seed=%llu rounds=%u reads=%llu writes=%llu ioerr=%llu "
	       "log_pages=%llu cpu_pages=%llu outside=%llu mismatched=%llu%s\n",
	       (unsigned long long)opt.seed, opt.rounds, (unsigned long long)reads,
	       (unsigned long long)writes, (unsigned long long)ioerr,
	       (unsigned long long)m.log_pages, (unsigned long long)m.cpu_pages,
	       (unsigned long long)m.outside, (unsigned long long)bad,
	       opt.ignore_log ? " (--ignore-log)" : "");
	dpu_call(&m, vdpamgmt_dpu_log_stop(m.vm, m.name), "log stop", m.name);
	mig_fini(&m);
	free(busy);
	free(busy_sect);
	vc_close(&d);
	return bad || ioerr || !reads || !writes ? VC_EXIT_CHECK : VC_EXIT_OK;
}

int cmd_dirty_check(void)
{
	struct vc_dev d;
	uint32_t id;

	need_names("dirty-check", false);
	/* the device type decides; open once to read it, close (reset) again */
	vc_open(&d, opt.dev);
	id = d.device_id;
	vc_close(&d);
	if (id == VIRTIO_ID_NET)
		return dirty_net();
	if (id == VIRTIO_ID_BLOCK)
		return dirty_blk();
	vc_die(VC_EXIT_UNSUPP, "%s: device id %u is neither net nor block", opt.dev, id);
}

/* --- net-migrate */

/* The same vq, its rings and buffers at the same offsets of the copy. */
static void vq_move(struct vc_vq *to, const struct vc_vq *from, const uint8_t *old_base,
		    uint8_t *new_base)
{
	*to = *from;
#define REBASE(p)	((void *)(new_base + ((const uint8_t *)(p) - old_base)))
	to->desc = REBASE(from->desc);
	to->avail = REBASE(from->avail);
	to->used = REBASE(from->used);
	to->bufs = from->bufs ? REBASE(from->bufs) : NULL;
#undef REBASE
	to->free_ids = calloc(from->num, sizeof(*to->free_ids));
	if (!to->free_ids)
		vc_die(VC_EXIT_ERR, "out of memory");
	memcpy(to->free_ids, from->free_ids, from->num * sizeof(*to->free_ids));
	to->doorbell = NULL;
	to->kicks = to->calls = 0;
	to->kickfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	to->callfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (to->kickfd < 0 || to->callfd < 0)
		vc_die(VC_EXIT_ERR, "eventfd: %s", strerror(errno));
}

/* The state a net device keeps for its consumer: what must be equal on B. */
static int state_compare(const struct vdpamgmt_state *a, const struct vdpamgmt_state *b)
{
	int diff = 0;

#define CMP(field, fmt, cast)							\
	do {									\
		if (a->field != b->field) {					\
			printf("net-migrate: state %s: A " fmt ", B " fmt "\n", #field,	\
			       (cast)a->field, (cast)b->field);			\
			diff++;							\
		}								\
	} while (0)
	CMP(driver_features, "%#llx", unsigned long long);
	CMP(net_config.mtu, "%u", unsigned int);
	CMP(rx_mode, "%#x", unsigned int);
	CMP(mac_table.unicast, "%u", unsigned int);
	CMP(mac_table.multicast, "%u", unsigned int);
	CMP(mq_pairs, "%u", unsigned int);
#undef CMP
	if (memcmp(a->net_config.mac, b->net_config.mac, 6)) {
		char x[18], y[18];

		printf("net-migrate: state mac: A %s, B %s\n", vc_fmt_mac(a->net_config.mac, x),
		       vc_fmt_mac(b->net_config.mac, y));
		diff++;
	}
	if (a->mac_table.unicast == b->mac_table.unicast &&
	    a->mac_table.multicast == b->mac_table.multicast &&
	    memcmp(a->mac_table.macs, b->mac_table.macs,
		   6ull * (a->mac_table.unicast + a->mac_table.multicast))) {
		printf("net-migrate: state MAC table differs\n");
		diff++;
	}
	if (memcmp(a->vlan, b->vlan, sizeof(a->vlan))) {
		printf("net-migrate: state VLAN filter differs\n");
		diff++;
	}
	return diff;
}

static void state_decode(const uint8_t *blob, size_t len, struct vdpamgmt_state *st,
			 const char *who)
{
	char why[256];
	int err = vdpamgmt_state_decode(blob, len, st, why, sizeof(why));

	if (err)
		vc_die(VC_EXIT_ERR, "state of %s: %s", who, why);
}

int cmd_net_migrate(void)
{
	double t0, t_stop, t_susp, t_susp_done, t_saved, t_loaded, t_ok, t_end;
	double last_rx_a, first_rx_b = 0, first_use_b;
	uint64_t switch_at, inflight_tx, unreturned, gaps = 0, base_mismatch = 0;
	uint8_t *blob_a = NULL, *blob_b = NULL, *old_base;
	size_t len_a = 0, len_b = 0;
	struct vdpamgmt_state st_a, st_b;
	struct vc_rx_stats st;
	struct vc_dev a;
	struct traffic t;
	struct vc_net n;
	struct mig m;
	unsigned int r, i;
	uint16_t bases[VC_MAX_VQS] = { 0 };
	int rc, state_diff;

	need_names("net-migrate", true);
	vc_net_open(&n);
	if (opt.window > n.tx->num || opt.window > n.rx->num)
		opt.window = n.tx->num < n.rx->num ? n.tx->num : n.rx->num;
	mig_init(&m, opt.name, &n.d.mem);
	net_areas(&m, &n);
	memset(&t, 0, sizeof(t));
	t.frames = opt.count;
	switch_at = opt.count / 2;
	vc_rx_stats_init(&st, opt.count);
	vc_net_post_rx(&n);
	t0 = vc_now();

	/* pre-copy: the whole region, then rounds of what changed, under traffic */
	mig_log_start(&m);
	if (n.cvq) {
		/* state for B to take over: MAC, RX mode, VLAN (and MQ, set at open) */
		uint8_t mac[6] = { 0x02, 0, 0, 0, 0x0d, (uint8_t)(0x10 + n.pairs) }, on = 1;
		uint16_t vid = htole16(100);

		vc_net_ctrl(&n, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mac, 6);
		memcpy(n.src, mac, 6);
		vc_net_ctrl(&n, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, &on, 1);
		vc_net_ctrl(&n, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, &vid, 2);
	}
	for (r = 0; r < opt.rounds; r++) {
		double end = vc_now() + opt.round_secs;
		/* spread the first half over the rounds: traffic in each */
		uint64_t limit = opt.rounds ? switch_at * (r + 1) / opt.rounds : switch_at;

		while (vc_now() < end)
			stream_step(&n, &st, &t, limit, NULL, end);
		mig_sync_copy(&m, false);
		printf("net-migrate: round %u: pages=%llu (log %llu, client %llu) sent=%llu back=%llu\n",
		       r, (unsigned long long)(m.round_log + m.round_cpu),
		       (unsigned long long)m.round_log, (unsigned long long)m.round_cpu,
		       (unsigned long long)t.sent, (unsigned long long)st.unique);
	}
	/* the source stops: no new frames; with --quiesce, wait for those out */
	t_stop = vc_now();
	while (opt.quiesce && (t.tx_done < t.sent || st.unique + st.dup < t.sent) &&
	       vc_now() - t_stop < opt.timeout)
		stream_step(&n, &st, &t, t.sent, NULL, t_stop + opt.timeout);
	inflight_tx = t.sent - t.tx_done;
	unreturned = t.sent - st.unique;
	last_rx_a = t.last_rx;

	t_susp = vc_now();
	dpu_call(&m, vdpamgmt_dpu_suspend(m.vm, opt.name), "suspend", opt.name);
	t_susp_done = vc_now();
	for (i = 0; i < VC_MAX_VQS; i++)
		if (n.d.vqs[i].active)
			bases[i] = vc_get_vring_base(&n.d, i);
	mig_sync_copy(&m, false);
	dpu_call(&m, vdpamgmt_dpu_state_save(m.vm, opt.name, &blob_a, &len_a), "state save",
		 opt.name);
	t_saved = vc_now();
	state_decode(blob_a, len_a, &st_a, opt.name);
	dpu_call(&m, vdpamgmt_dpu_log_stop(m.vm, opt.name), "log stop", opt.name);
	if (!opt.no_load)
		dpu_call(&m, vdpamgmt_dpu_state_load(m.vm, opt.name_b, blob_a, len_a),
			 "state load into", opt.name_b);
	t_loaded = vc_now();
	for (i = 0; i < VC_MAX_VQS; i++) {
		if (!n.d.vqs[i].active)
			continue;
		if (st_a.num_queues <= i || st_a.vqs[i].avail_idx != bases[i]) {
			printf("net-migrate: vq %u: saved avail index %u, GET_VRING_BASE %u\n", i,
			       st_a.num_queues > i ? st_a.vqs[i].avail_idx : 0, bases[i]);
			base_mismatch++;
		}
	}

	/* the switch: B on the copy, same features, rings, IOVAs */
	a = n.d;
	old_base = a.mem.base;
	vc_open(&n.d, opt.dev_b);
	if (n.d.device_id != VIRTIO_ID_NET)
		vc_die(VC_EXIT_ERR, "%s is not a net device", n.d.path);
	vc_negotiate(&n.d, a.features);
	if (n.d.features != a.features)
		vc_die(VC_EXIT_ERR, "%s: features %#llx, A had %#llx", n.d.path,
		       (unsigned long long)n.d.features, (unsigned long long)a.features);
	vc_mem_adopt(&n.d, m.copy_fd, m.copy, a.mem.size, a.mem.iova);
	free(vc_track.bits);	/* no more copies: stop tracking */
	vc_track.bits = NULL;
	for (i = 0; i < VC_MAX_VQS; i++) {
		if (!a.vqs[i].active)
			continue;
		vq_move(&n.d.vqs[i], &a.vqs[i], old_base, m.copy);
		n.d.nactive++;
	}
	vc_net_bind(&n);
	/* what A completed before it stopped, as the copy has it */
	t.tx_done += vc_net_reap_tx(&n);
	vc_net_reap_rx(&n, &st);
	if (opt.tx_rewind) {
		/*
		 * Negative control: B sends again what A sent last.  Those
		 * descriptors are taken back from the free list (the source
		 * stopped, nothing reused them) so that B's completions of them
		 * are counted once more, not as descriptors returned twice.
		 */
		for (i = 1; i <= opt.tx_rewind; i++) {
			uint16_t id = n.tx->avail->ring[(uint16_t)(st_a.vqs[TXQ].avail_idx - i) %
						       n.tx->num];
			unsigned int k;

			for (k = 0; k < n.tx->nfree && n.tx->free_ids[k] != id; k++)
				;
			if (k == n.tx->nfree)
				vc_die(VC_EXIT_ERR, "--tx-rewind: descriptor %u is not free", id);
			n.tx->free_ids[k] = n.tx->free_ids[--n.tx->nfree];
			t.tx_done--;
		}
		st_a.vqs[TXQ].avail_idx -= opt.tx_rewind;
		n.tx->used_idx -= opt.tx_rewind;
	}
	for (i = 0; i < VC_MAX_VQS; i++) {
		struct vc_vq *vq = &n.d.vqs[i];

		if (!vq->active)
			continue;
		/* everything A consumed it also used: no gap between used and base */
		if (vq->used_idx != st_a.vqs[i].avail_idx) {
			printf("net-migrate: vq %u: %u buffers consumed by A but not used (used %u, "
			       "base %u)\n", i, (uint16_t)(st_a.vqs[i].avail_idx - vq->used_idx),
			       vq->used_idx, st_a.vqs[i].avail_idx);
			gaps++;
		}
		vc_vq_program(&n.d, vq, st_a.vqs[i].avail_idx);
		vq->used_idx = st_a.vqs[i].avail_idx;
	}
	vc_driver_ok(&n.d);
	t_ok = vc_now();
	for (i = 0; i < n.pairs; i++) {
		vc_vq_kick(n.rxq[i]);
		vc_vq_kick(n.txq[i]);
	}

	/* the rest of the stream on B */
	t.first_use = 0;
	t.last_rx = 0;
	for (;;) {
		double now = vc_now(), last;

		stream_step(&n, &st, &t, opt.count, NULL, now + 0.05);
		if (t.last_rx && !first_rx_b)
			first_rx_b = t.last_rx;
		last = t.last_rx > t_ok ? t.last_rx : t_ok;
		if (st.unique == opt.count && t.tx_done == opt.count)
			break;
		if (vc_now() - last > opt.timeout)
			break;
	}
	first_use_b = t.first_use;
	t_end = vc_now();
	/* linger: duplicates would come now */
	while (vc_now() - t_end < opt.linger)
		stream_step(&n, &st, &t, opt.count, NULL, t_end + opt.linger);

	printf("net-migrate: pairs=%u ctrl_cmds=%llu\n", n.pairs, (unsigned long long)n.ctrl_cmds);
	printf("net-migrate: frames=%llu sent=%llu tx_completed=%llu rounds=%u switch_at=%llu "
	       "tx_inflight_at_suspend=%llu unreturned_at_suspend=%llu gaps=%llu "
	       "base_mismatch=%llu\n", (unsigned long long)opt.count, (unsigned long long)t.sent,
	       (unsigned long long)t.tx_done, opt.rounds, (unsigned long long)switch_at,
	       (unsigned long long)inflight_tx, (unsigned long long)unreturned,
	       (unsigned long long)gaps, (unsigned long long)base_mismatch);
	printf("net-migrate: measured total_ms=%.1f precopy_pages=%llu final_pages=%llu "
	       "suspend_ms=%.1f save_ms=%.1f load_ms=%.1f switch_ms=%.1f "
	       "downtime_ms=%.1f frame_gap_ms=%.1f state_bytes=%zu\n",
	       1e3 * (t_end - t0), (unsigned long long)(m.log_pages + m.cpu_pages -
	       m.round_log - m.round_cpu), (unsigned long long)(m.round_log + m.round_cpu),
	       1e3 * (t_susp_done - t_susp), 1e3 * (t_saved - t_susp_done),
	       1e3 * (t_loaded - t_saved), 1e3 * (t_ok - t_loaded),
	       first_use_b ? 1e3 * (first_use_b - t_susp) : -1.0,
	       first_rx_b && last_rx_a ? 1e3 * (first_rx_b - last_rx_a) : -1.0, len_a);
	rc = vc_rx_stats_report("net-migrate", &st, t_end - t0, !opt.quiesce);
	if (t.tx_done != opt.count || t.sent != opt.count || gaps || base_mismatch)
		rc = VC_EXIT_CHECK;

	/* B carries A's state: suspend it and compare what it would save */
	dpu_call(&m, vdpamgmt_dpu_suspend(m.vm, opt.name_b), "suspend", opt.name_b);
	dpu_call(&m, vdpamgmt_dpu_state_save(m.vm, opt.name_b, &blob_b, &len_b), "state save",
		 opt.name_b);
	state_decode(blob_b, len_b, &st_b, opt.name_b);
	state_diff = state_compare(&st_a, &st_b);
	printf("net-migrate: state of %s after the switch: %s (%zu bytes)\n", opt.name_b,
	       state_diff ? "DIFFERS from A's" : "features, MAC, MTU, RX mode, MAC table, VLANs, "
	       "queue pairs as A's", len_b);
	if (state_diff)
		rc = VC_EXIT_CHECK;
	vdpamgmt_state_release(&st_a);
	vdpamgmt_state_release(&st_b);
	free(blob_a);
	free(blob_b);

	vc_rx_stats_free(&st);
	/* A's region goes with A; the copy with B */
	vc_close(&a);
	mig_fini(&m);
	vc_net_close(&n);
	return rc;
}

/* --- blk-migrate */

struct blk_mig {
	struct vc_dev d;
	struct vc_vq *vq;
	struct virtio_blk_outhdr *hdrs;
	uint8_t *status, *wbuf;
	uint64_t *sect;
	bool *busy;
	unsigned int depth, req, inflight;
	uint64_t next, end, done_sect, ioerr;
	double last, first_use;
};

static uint64_t blk_capacity(const struct vc_dev *d)
{
	uint64_t c;

	memcpy(&c, d->config + offsetof(struct virtio_blk_config, capacity), 8);
	return le64toh(c);
}

/* Submit writes until LIMIT (sector), reap, wait a little. */
static void blk_step(struct blk_mig *b, uint64_t limit, double deadline)
{
	bool progress = false;
	unsigned int i;
	uint32_t len;
	uint16_t id;

	for (i = 0; i < b->depth && b->next < limit; i++) {
		uint16_t ids[3] = { 3 * i, 3 * i + 1, 3 * i + 2 };
		unsigned int ns = limit - b->next < b->req ? (unsigned int)(limit - b->next) : b->req;
		uint8_t *data = b->wbuf + (uint64_t)i * b->req * SECTOR;
		struct vc_vq *vq = b->vq;
		unsigned int k;

		if (b->busy[i])
			continue;
		b->hdrs[i].type = htole32(VIRTIO_BLK_T_OUT);
		b->hdrs[i].ioprio = 0;
		b->hdrs[i].sector = htole64(b->next);
		vc_track_write(&b->hdrs[i], sizeof(b->hdrs[i]));
		for (k = 0; k < ns; k++)
			vc_blk_pattern(data + k * SECTOR, b->next + k, opt.seed);
		vc_track_write(data, ns * SECTOR);
		vq->desc[ids[0]].addr = vc_iova(&b->d, &b->hdrs[i]);
		vq->desc[ids[0]].len = sizeof(b->hdrs[i]);
		vq->desc[ids[0]].flags = 0;
		vq->desc[ids[1]].addr = vc_iova(&b->d, data);
		vq->desc[ids[1]].len = ns * SECTOR;
		vq->desc[ids[1]].flags = 0;
		vq->desc[ids[2]].addr = vc_iova(&b->d, b->status + i);
		vq->desc[ids[2]].len = 1;
		vq->desc[ids[2]].flags = VRING_DESC_F_WRITE;
		vc_track_write(&vq->desc[ids[0]], 3 * sizeof(vq->desc[0]));
		vc_vq_add_chain(vq, ids, 3);
		b->busy[i] = true;
		b->sect[i] = ((uint64_t)ns << 48) | b->next;
		b->next += ns;
		b->inflight++;
		progress = true;
	}
	if (progress)
		vc_vq_kick(b->vq);
	while (vc_vq_used(b->vq, &id, &len)) {
		unsigned int s = id / 3;

		if (id % 3 || s >= b->depth || !b->busy[s])
			vc_die(VC_EXIT_ERR, "blk-migrate: device used descriptor %u, not a request head",
			       id);
		b->busy[s] = false;
		b->inflight--;
		if (b->status[s] != VIRTIO_BLK_S_OK) {
			if (!b->ioerr++)
				vc_warn("write at sector %llu: status %u",
					(unsigned long long)(b->sect[s] & ((1ull << 48) - 1)),
					b->status[s]);
		} else {
			b->done_sect += b->sect[s] >> 48;
		}
		if (!b->first_use)
			b->first_use = vc_now();
		progress = true;
	}
	if (progress) {
		b->last = vc_now();
		return;
	}
	if (vc_now() - b->last > opt.timeout)
		vc_die(VC_EXIT_TIMEOUT, "blk-migrate: %u requests outstanding on %s, none completed "
		       "for %.1f s", b->inflight, b->d.path, opt.timeout);
	vc_vq_wait(&b->d, deadline);
}

int cmd_blk_migrate(void)
{
	static const unsigned int vqs[1] = { 0 };
	static const uint32_t sizes[1] = { 0 };
	double t0, t_susp, t_susp_done, t_ok, t_end;
	uint64_t split, pending = 0, rounds_pages = 0;
	unsigned int inflight_at_suspend, rounds = 0, i;
	uint8_t *blob = NULL, *old_base;
	struct vdpamgmt_state st_a;
	struct blk_mig b;
	struct vc_dev a;
	struct mig m;
	uint16_t base;
	size_t len = 0;
	int rc = VC_EXIT_OK;

	need_names("blk-migrate", true);
	if (!opt.seed_set)
		vc_die(VC_EXIT_USAGE, "blk-migrate needs --seed");
	memset(&b, 0, sizeof(b));
	vc_open(&b.d, opt.dev);
	if (b.d.device_id != VIRTIO_ID_BLOCK)
		vc_die(VC_EXIT_ERR, "%s is not a block device", b.d.path);
	if (opt.sector > blk_capacity(&b.d) || opt.count > blk_capacity(&b.d) - opt.sector)
		vc_die(VC_EXIT_USAGE, "sectors beyond the capacity of %s", b.d.path);
	vc_start(&b.d, (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_ACCESS_PLATFORM) |
		 (1ull << VIRTIO_BLK_F_SEG_MAX) | (1ull << VIRTIO_BLK_F_BLK_SIZE) |
		 (1ull << VIRTIO_BLK_F_FLUSH), vqs, 1, sizes);
	b.vq = &b.d.vqs[0];
	b.req = opt.req_sectors;
	b.depth = opt.depth < b.vq->num / 3 ? opt.depth : b.vq->num / 3;
	b.hdrs = vc_alloc(&b.d, sizeof(*b.hdrs) * b.depth, PG);
	b.status = vc_alloc(&b.d, PG, PG);
	b.wbuf = vc_alloc(&b.d, (uint64_t)b.depth * b.req * SECTOR, PG);
	b.busy = calloc(b.depth, sizeof(*b.busy));
	b.sect = calloc(b.depth, sizeof(*b.sect));
	if (!b.busy || !b.sect)
		vc_die(VC_EXIT_ERR, "out of memory");
	b.next = opt.sector;
	b.end = opt.sector + opt.count;
	split = opt.sector + opt.count / 2;

	mig_init(&m, opt.name, &b.d.mem);
	t0 = b.last = vc_now();
	mig_log_start(&m);
	/* pre-copy rounds while the first half is written */
	while (b.next < split) {
		double end = vc_now() + opt.round_secs;

		while (vc_now() < end && b.next < split)
			blk_step(&b, split, end);
		mig_sync_copy(&m, false);
		rounds++;
		rounds_pages += m.round_log + m.round_cpu;
	}
	/* the source stops submitting; what it has out, A must finish (drain) */
	inflight_at_suspend = b.inflight;
	t_susp = vc_now();
	dpu_call(&m, vdpamgmt_dpu_suspend(m.vm, opt.name), "suspend", opt.name);
	t_susp_done = vc_now();
	base = vc_get_vring_base(&b.d, 0);
	mig_sync_copy(&m, false);
	dpu_call(&m, vdpamgmt_dpu_state_save(m.vm, opt.name, &blob, &len), "state save", opt.name);
	state_decode(blob, len, &st_a, opt.name);
	dpu_call(&m, vdpamgmt_dpu_log_stop(m.vm, opt.name), "log stop", opt.name);
	dpu_call(&m, vdpamgmt_dpu_state_load(m.vm, opt.name_b, blob, len), "state load into",
		 opt.name_b);

	a = b.d;
	old_base = a.mem.base;
	vc_open(&b.d, opt.dev_b);
	if (b.d.device_id != VIRTIO_ID_BLOCK)
		vc_die(VC_EXIT_ERR, "%s is not a block device", b.d.path);
	if (b.end > blk_capacity(&b.d))
		vc_die(VC_EXIT_ERR, "%s is smaller than %s", b.d.path, a.path);
	vc_negotiate(&b.d, a.features);
	if (b.d.features != a.features)
		vc_die(VC_EXIT_ERR, "%s: features %#llx, A had %#llx", b.d.path,
		       (unsigned long long)b.d.features, (unsigned long long)a.features);
	vc_mem_adopt(&b.d, m.copy_fd, m.copy, a.mem.size, a.mem.iova);
	free(vc_track.bits);
	vc_track.bits = NULL;
	vq_move(&b.d.vqs[0], &a.vqs[0], old_base, m.copy);
	b.d.nactive = 1;
	b.vq = &b.d.vqs[0];
#define REBASE(p)	((void *)(m.copy + ((const uint8_t *)(p) - old_base)))
	b.hdrs = REBASE(b.hdrs);
	b.status = REBASE(b.status);
	b.wbuf = REBASE(b.wbuf);
#undef REBASE
	/* A's completions, as the copy has them; what is left A did not finish */
	b.first_use = 0;
	blk_step(&b, 0, vc_now());
	for (i = 0; i < b.depth; i++)
		pending += b.busy[i];
	if (pending || b.vq->used_idx != base || base != st_a.vqs[0].avail_idx)
		printf("blk-migrate: after suspend: %llu requests not completed by A, used %u, "
		       "GET_VRING_BASE %u, saved avail %u\n", (unsigned long long)pending,
		       b.vq->used_idx, base, st_a.vqs[0].avail_idx);
	vc_vq_program(&b.d, b.vq, st_a.vqs[0].avail_idx);
	b.vq->used_idx = st_a.vqs[0].avail_idx;
	vc_driver_ok(&b.d);
	t_ok = vc_now();
	b.last = t_ok;
	while (b.next < b.end || b.inflight)
		blk_step(&b, b.end, vc_now() + 0.05);
	t_end = vc_now();

	printf("blk-migrate: sectors=%llu start=%llu split=%llu done=%llu ioerr=%llu "
	       "inflight_at_suspend=%u pending_after_suspend=%llu rounds=%u\n",
	       (unsigned long long)opt.count, (unsigned long long)opt.sector,
	       (unsigned long long)split, (unsigned long long)b.done_sect,
	       (unsigned long long)b.ioerr, inflight_at_suspend, (unsigned long long)pending,
	       rounds);
	printf("blk-migrate: measured total_ms=%.1f precopy_pages=%llu final_pages=%llu "
	       "suspend_ms=%.1f downtime_ms=%.1f state_bytes=%zu\n", 1e3 * (t_end - t0),
	       (unsigned long long)rounds_pages, (unsigned long long)(m.round_log + m.round_cpu),
	       1e3 * (t_susp_done - t_susp), b.first_use ? 1e3 * (b.first_use - t_susp) : -1.0,
	       len);
	if (pending || b.ioerr || b.done_sect != opt.count || base != st_a.vqs[0].avail_idx)
		rc = VC_EXIT_CHECK;
	vdpamgmt_state_release(&st_a);
	free(blob);
	vc_close(&a);
	mig_fini(&m);
	free(b.busy);
	free(b.sect);
	vc_close(&b.d);
	return rc;
}
