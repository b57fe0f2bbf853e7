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
	int err = vdpamgmt_dpu_log_start(m->vm, m->name, 0, 0, PG, VDPAMGMT_LOG_OWNED);

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

/* Random reads and writes in a small window of sectors, so reads find what writes left. */
struct blk_rand {
	struct vc_dev d;
	struct vc_vq *vq;
	struct virtio_blk_outhdr *hdrs;
	uint8_t *status, *wbuf, *rbuf;
	uint64_t *busy_sect;
	bool *busy;
	unsigned int depth, req, inflight;
	uint64_t rs, lo, span, reads, writes, ioerr;
};

static void blk_rand_open(struct blk_rand *b)
{
	static const unsigned int vqs[1] = { 0 };
	static const uint32_t sizes[1] = { 0 };
	struct vc_dev *d = &b->d;
	uint64_t capacity;

	capacity = vc_blk_open(d);
	vc_start(d, (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_ACCESS_PLATFORM) |
		 (1ull << VIRTIO_BLK_F_SIZE_MAX) | (1ull << VIRTIO_BLK_F_SEG_MAX) |
		 (1ull << VIRTIO_BLK_F_BLK_SIZE) | (1ull << VIRTIO_BLK_F_FLUSH), vqs, 1, sizes);
	b->vq = &d->vqs[0];
	b->req = vc_blk_req_sectors(d);
	b->depth = opt.depth < b->vq->num / 3 ? opt.depth : b->vq->num / 3;
	b->lo = opt.sector;
	b->span = opt.count;
	if (b->lo >= capacity || b->span > capacity - b->lo || b->span < b->req)
		vc_die(VC_EXIT_USAGE, "sectors %llu + %llu: capacity %llu, requests of %u",
		       (unsigned long long)b->lo, (unsigned long long)b->span,
		       (unsigned long long)capacity, b->req);
}

/* CPU pages: headers, write data; device pages: status bytes, read data */
static void blk_rand_alloc(struct blk_rand *b)
{
	uint64_t bytes = (uint64_t)b->depth * b->req * SECTOR;

	b->hdrs = vc_alloc(&b->d, sizeof(*b->hdrs) * b->depth, PG);
	b->status = vc_alloc(&b->d, PG, PG);
	b->wbuf = vc_alloc(&b->d, bytes, PG);
	b->rbuf = vc_alloc(&b->d, bytes, PG);
	b->busy = calloc(b->depth, sizeof(*b->busy));
	b->busy_sect = calloc(b->depth, sizeof(*b->busy_sect));
	if (!b->busy || !b->busy_sect)
		vc_die(VC_EXIT_ERR, "out of memory");
	memset(b->status, 0xff, b->depth);
	/* not zero: a read of never-written sectors changes these pages too */
	memset(b->rbuf, 0xa5, bytes);
}

static void blk_rand_areas(struct mig *m, const struct blk_rand *b)
{
	const struct vc_vq *vq = b->vq;
	uint64_t bytes = (uint64_t)b->depth * b->req * SECTOR;

	area_add(m, "descriptors", vq->desc, 16ull * vq->num);
	area_add(m, "avail ring", vq->avail, 6 + 2ull * vq->num);
	area_add(m, "used ring", vq->used, 6 + 8ull * vq->num);
	area_add(m, "request headers", b->hdrs, sizeof(*b->hdrs) * b->depth);
	area_add(m, "status bytes", b->status, b->depth);
	area_add(m, "write data", b->wbuf, bytes);
	area_add(m, "read data", b->rbuf, bytes);
}

/* Fill the free slots with random requests until END; true when one was queued. */
static bool blk_rand_submit(struct blk_rand *b, double end)
{
	bool progress = false;
	unsigned int i;

	for (i = 0; i < b->depth && vc_now() < end; i++) {
		/* drawn for busy slots too: a seed's sequence depends on it */
		bool wr = rnd(&b->rs, 2);
		unsigned int ns = 1 + (unsigned int)rnd(&b->rs, b->req), k;
		uint64_t sect = b->lo + rnd(&b->rs, b->span - ns + 1);
		uint8_t *data = (wr ? b->wbuf : b->rbuf) + (uint64_t)i * b->req * SECTOR;

		if (b->busy[i])
			continue;
		if (wr) {
			for (k = 0; k < ns * SECTOR / 8; k++) {
				uint64_t v = vc_splitmix64(&b->rs);

				memcpy(data + 8 * k, &v, 8);
			}
		}
		vc_blk_queue_req(&b->d, b->vq, i, &b->hdrs[i],
				 wr ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, sect, data, ns * SECTOR,
				 b->status + i);
		b->busy[i] = true;
		b->busy_sect[i] = sect;
		b->inflight++;
		if (wr)
			b->writes++;
		else
			b->reads++;
		progress = true;
	}
	if (progress)
		vc_vq_kick(b->vq);
	return progress;
}

/* Take the completed requests; true when there was one. */
static bool blk_rand_reap(struct blk_rand *b)
{
	bool progress = false;
	uint32_t len;
	uint16_t id;

	while (vc_vq_used(b->vq, &id, &len)) {
		if (id % 3 || id / 3 >= b->depth || !b->busy[id / 3])
			vc_die(VC_EXIT_ERR, "dirty-check: device used descriptor %u, not a "
			       "request head", id);
		b->busy[id / 3] = false;
		b->inflight--;
		if (b->status[id / 3] != VIRTIO_BLK_S_OK && !b->ioerr++)
			vc_warn("request at sector %llu: status %u",
				(unsigned long long)b->busy_sect[id / 3], b->status[id / 3]);
		progress = true;
	}
	return progress;
}

/* One round: requests until END, then until none is out, so the sync sees them all. */
static void blk_rand_round(struct blk_rand *b, double end)
{
	double last = vc_now();

	while (vc_now() < end || b->inflight) {
		bool progress = blk_rand_submit(b, end);

		if (blk_rand_reap(b))
			progress = true;
		if (progress) {
			last = vc_now();
			continue;
		}
		if (vc_now() - last > opt.timeout)
			vc_die(VC_EXIT_TIMEOUT, "dirty-check: %u requests outstanding, none "
			       "completed for %.1f s", b->inflight, opt.timeout);
		vc_vq_wait(&b->d, end > vc_now() ? end : last + opt.timeout);
	}
}

static int dirty_blk(void)
{
	struct blk_rand b;
	struct mig m;
	unsigned int r;
	uint64_t bad;

	memset(&b, 0, sizeof(b));
	b.rs = opt.seed * 0x9e3779b97f4a7c15ull + 1;
	blk_rand_open(&b);
	blk_rand_alloc(&b);
	mig_init(&m, opt.name, &b.d.mem);
	blk_rand_areas(&m, &b);
	mig_log_start(&m);

	for (r = 0; r < opt.rounds; r++) {
		blk_rand_round(&b, vc_now() + opt.round_secs * (0.5 + rnd(&b.rs, 1000) / 1000.0));
		mig_sync_copy(&m, opt.ignore_log);
		vc_log("round %u: %llu log pages, %llu cpu pages", r,
		       (unsigned long long)m.round_log, (unsigned long long)m.round_cpu);
	}
	dpu_call(&m, vdpamgmt_dpu_suspend(m.vm, m.name), "suspend", m.name);
	mig_sync_copy(&m, opt.ignore_log);
	bad = mig_compare(&m, "dirty-check");
	printf("dirty-check: type=blk seed=%llu rounds=%u reads=%llu writes=%llu ioerr=%llu "
	       "log_pages=%llu cpu_pages=%llu outside=%llu mismatched=%llu%s\n",
	       (unsigned long long)opt.seed, opt.rounds, (unsigned long long)b.reads,
	       (unsigned long long)b.writes, (unsigned long long)b.ioerr,
	       (unsigned long long)m.log_pages, (unsigned long long)m.cpu_pages,
	       (unsigned long long)m.outside, (unsigned long long)bad,
	       opt.ignore_log ? " (--ignore-log)" : "");
	dpu_call(&m, vdpamgmt_dpu_log_stop(m.vm, m.name), "log stop", m.name);
	mig_fini(&m);
	free(b.busy);
	free(b.busy_sect);
	vc_close(&b.d);
	return bad || b.ioerr || !b.reads || !b.writes ? VC_EXIT_CHECK : VC_EXIT_OK;
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

/* P's address in the copy, at the same offset as in the region at OLD_BASE */
static void *rebase(const void *p, const uint8_t *old_base, uint8_t *new_base)
{
	return new_base + ((const uint8_t *)p - old_base);
}

/* The same vq, its rings and buffers at the same offsets of the copy. */
static void vq_move(struct vc_vq *to, const struct vc_vq *from, const uint8_t *old_base,
		    uint8_t *new_base)
{
	*to = *from;
	to->desc = rebase(from->desc, old_base, new_base);
	to->avail = rebase(from->avail, old_base, new_base);
	to->used = rebase(from->used, old_base, new_base);
	to->bufs = from->bufs ? rebase(from->bufs, old_base, new_base) : NULL;
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

/* --- the switch from A to B, both migrations */

/* What the source left: its rings' indexes, its saved state, when each step ended. */
struct mig_stop {
	double t_susp, t_susp_done, t_saved, t_loaded;
	uint16_t bases[VC_MAX_VQS];	/* GET_VRING_BASE of each active vq */
	uint8_t *blob;
	size_t len;
	struct vdpamgmt_state st;	/* the blob decoded */
};

/* Suspend A, sync the last pages, save its state and (with LOAD) load it into B. */
static void mig_stop_source(struct mig *m, struct vc_dev *d, bool load, struct mig_stop *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->t_susp = vc_now();
	dpu_call(m, vdpamgmt_dpu_suspend(m->vm, m->name), "suspend", m->name);
	s->t_susp_done = vc_now();
	for (i = 0; i < VC_MAX_VQS; i++)
		if (d->vqs[i].active)
			s->bases[i] = vc_get_vring_base(d, i);
	mig_sync_copy(m, false);
	dpu_call(m, vdpamgmt_dpu_state_save(m->vm, m->name, &s->blob, &s->len), "state save",
		 m->name);
	s->t_saved = vc_now();
	state_decode(s->blob, s->len, &s->st, m->name);
	dpu_call(m, vdpamgmt_dpu_log_stop(m->vm, m->name), "log stop", m->name);
	if (load)
		dpu_call(m, vdpamgmt_dpu_state_load(m->vm, opt.name_b, s->blob, s->len),
			 "state load into", opt.name_b);
	s->t_loaded = vc_now();
}

static void mig_stop_release(struct mig_stop *s)
{
	vdpamgmt_state_release(&s->st);
	free(s->blob);
}

/* D becomes B (DEV_B); A moves to A, still open: its region lives until the end. */
static void mig_open_b(struct vc_dev *d, struct vc_dev *a, uint32_t device_id, const char *kind)
{
	*a = *d;
	vc_open(d, opt.dev_b);
	if (d->device_id != device_id)
		vc_die(VC_EXIT_ERR, "%s is not a %s device", d->path, kind);
}

/* B on the copy: A's features, A's vqs with their rings at the same IOVAs. */
static void mig_take_over(struct mig *m, struct vc_dev *d, const struct vc_dev *a)
{
	unsigned int i;

	vc_negotiate(d, a->features);
	if (d->features != a->features)
		vc_die(VC_EXIT_ERR, "%s: features %#llx, A had %#llx", d->path,
		       (unsigned long long)d->features, (unsigned long long)a->features);
	vc_mem_adopt(d, m->copy_fd, m->copy, a->mem.size, a->mem.iova);
	free(vc_track.bits);	/* no more copies: stop tracking */
	vc_track.bits = NULL;
	for (i = 0; i < VC_MAX_VQS; i++) {
		if (!a->vqs[i].active)
			continue;
		vq_move(&d->vqs[i], &a->vqs[i], a->mem.base, m->copy);
		d->nactive++;
	}
}

/* --- net-migrate */

struct net_mig {
	struct vc_net n;		/* on A, then on B */
	struct vc_dev a;		/* A, once B took over */
	struct mig m;
	struct mig_stop src;
	struct traffic t;
	struct vc_rx_stats st;
	uint64_t switch_at, inflight_tx, unreturned, gaps, base_mismatch;
	double t0, t_ok, t_end, last_rx_a, first_rx_b, first_use_b;
};

static void net_mig_start(struct net_mig *x)
{
	memset(x, 0, sizeof(*x));
	vc_net_open(&x->n);
	if (opt.window > x->n.tx->num || opt.window > x->n.rx->num)
		opt.window = x->n.tx->num < x->n.rx->num ? x->n.tx->num : x->n.rx->num;
	mig_init(&x->m, opt.name, &x->n.d.mem);
	net_areas(&x->m, &x->n);
	x->t.frames = opt.count;
	x->switch_at = opt.count / 2;
	vc_rx_stats_init(&x->st, opt.count);
	vc_net_post_rx(&x->n);
	x->t0 = vc_now();
}

/* state for B to take over: MAC, RX mode, VLAN (and MQ, set at open) */
static void net_mig_set_state(struct vc_net *n)
{
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0x0d, (uint8_t)(0x10 + n->pairs) }, on = 1;
	uint16_t vid = htole16(100);

	vc_net_ctrl(n, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mac, 6);
	memcpy(n->src, mac, 6);
	vc_net_ctrl(n, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, &on, 1);
	vc_net_ctrl(n, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, &vid, 2);
}

/* pre-copy: the whole region, then rounds of what changed, under traffic */
static void net_mig_precopy(struct net_mig *x)
{
	unsigned int r;

	mig_log_start(&x->m);
	if (x->n.cvq)
		net_mig_set_state(&x->n);
	for (r = 0; r < opt.rounds; r++) {
		double end = vc_now() + opt.round_secs;
		/* spread the first half over the rounds: traffic in each */
		uint64_t limit = opt.rounds ? x->switch_at * (r + 1) / opt.rounds : x->switch_at;

		while (vc_now() < end)
			stream_step(&x->n, &x->st, &x->t, limit, NULL, end);
		mig_sync_copy(&x->m, false);
		printf("net-migrate: round %u: pages=%llu (log %llu, client %llu) sent=%llu back=%llu\n",
		       r, (unsigned long long)(x->m.round_log + x->m.round_cpu),
		       (unsigned long long)x->m.round_log, (unsigned long long)x->m.round_cpu,
		       (unsigned long long)x->t.sent, (unsigned long long)x->st.unique);
	}
}

/* the source stops: no new frames; with --quiesce, wait for those out */
static void net_mig_stop_stream(struct net_mig *x)
{
	double t_stop = vc_now();

	while (opt.quiesce && (x->t.tx_done < x->t.sent || x->st.unique + x->st.dup < x->t.sent) &&
	       vc_now() - t_stop < opt.timeout)
		stream_step(&x->n, &x->st, &x->t, x->t.sent, NULL, t_stop + opt.timeout);
	x->inflight_tx = x->t.sent - x->t.tx_done;
	x->unreturned = x->t.sent - x->st.unique;
	x->last_rx_a = x->t.last_rx;
}

/* Each active vq of D: the avail index A saved must be the one GET_VRING_BASE gave. */
static uint64_t net_mig_check_bases(const struct vc_dev *d, const struct mig_stop *s)
{
	uint64_t mismatch = 0;
	unsigned int i;

	for (i = 0; i < VC_MAX_VQS; i++) {
		if (!d->vqs[i].active)
			continue;
		if (s->st.num_queues <= i || s->st.vqs[i].avail_idx != s->bases[i]) {
			printf("net-migrate: vq %u: saved avail index %u, GET_VRING_BASE %u\n", i,
			       s->st.num_queues > i ? s->st.vqs[i].avail_idx : 0, s->bases[i]);
			mismatch++;
		}
	}
	return mismatch;
}

/*
 * --tx-rewind, a negative control: B sends again what A sent last.  Those
 * descriptors are taken back from the free list (the source stopped,
 * nothing reused them) so that B's completions of them are counted once
 * more, not as descriptors returned twice.
 */
static void net_mig_rewind_tx(struct net_mig *x)
{
	struct vc_vq *tx = x->n.tx;
	unsigned int i;

	for (i = 1; i <= opt.tx_rewind; i++) {
		uint16_t id = tx->avail->ring[(uint16_t)(x->src.st.vqs[TXQ].avail_idx - i) %
					      tx->num];
		unsigned int k;

		for (k = 0; k < tx->nfree && tx->free_ids[k] != id; k++)
			;
		if (k == tx->nfree)
			vc_die(VC_EXIT_ERR, "--tx-rewind: descriptor %u is not free", id);
		tx->free_ids[k] = tx->free_ids[--tx->nfree];
		x->t.tx_done--;
	}
	x->src.st.vqs[TXQ].avail_idx -= opt.tx_rewind;
	tx->used_idx -= opt.tx_rewind;
}

/* B's vqs from A's saved avail indexes; returns the gaps found. */
static uint64_t net_mig_program_b(struct net_mig *x)
{
	const struct vdpamgmt_state *st_a = &x->src.st;
	uint64_t gaps = 0;
	unsigned int i;

	for (i = 0; i < VC_MAX_VQS; i++) {
		struct vc_vq *vq = &x->n.d.vqs[i];

		if (!vq->active)
			continue;
		/* everything A consumed it also used: no gap between used and base */
		if (vq->used_idx != st_a->vqs[i].avail_idx) {
			printf("net-migrate: vq %u: %u buffers consumed by A but not used (used %u, "
			       "base %u)\n", i, (uint16_t)(st_a->vqs[i].avail_idx - vq->used_idx),
			       vq->used_idx, st_a->vqs[i].avail_idx);
			gaps++;
		}
		vc_vq_program(&x->n.d, vq, st_a->vqs[i].avail_idx);
		vq->used_idx = st_a->vqs[i].avail_idx;
	}
	return gaps;
}

/* B, on the copy, goes on where A stopped. */
static void net_mig_resume_on_b(struct net_mig *x)
{
	unsigned int i;

	vc_net_bind(&x->n);
	/* what A completed before it stopped, as the copy has it */
	x->t.tx_done += vc_net_reap_tx(&x->n);
	vc_net_reap_rx(&x->n, &x->st);
	if (opt.tx_rewind)
		net_mig_rewind_tx(x);
	x->gaps = net_mig_program_b(x);
	vc_driver_ok(&x->n.d);
	x->t_ok = vc_now();
	for (i = 0; i < x->n.pairs; i++) {
		vc_vq_kick(x->n.rxq[i]);
		vc_vq_kick(x->n.txq[i]);
	}
}

/* the rest of the stream on B */
static void net_mig_finish_stream(struct net_mig *x)
{
	x->t.first_use = 0;
	x->t.last_rx = 0;
	for (;;) {
		double now = vc_now(), last;

		stream_step(&x->n, &x->st, &x->t, opt.count, NULL, now + 0.05);
		if (x->t.last_rx && !x->first_rx_b)
			x->first_rx_b = x->t.last_rx;
		last = x->t.last_rx > x->t_ok ? x->t.last_rx : x->t_ok;
		if (x->st.unique == opt.count && x->t.tx_done == opt.count)
			break;
		if (vc_now() - last > opt.timeout)
			break;
	}
	x->first_use_b = x->t.first_use;
	x->t_end = vc_now();
	/* linger: duplicates would come now */
	while (vc_now() - x->t_end < opt.linger)
		stream_step(&x->n, &x->st, &x->t, opt.count, NULL, x->t_end + opt.linger);
}

static int net_mig_report(const struct net_mig *x)
{
	const struct mig_stop *s = &x->src;
	const struct mig *m = &x->m;
	int rc;

	printf("net-migrate: pairs=%u ctrl_cmds=%llu\n", x->n.pairs,
	       (unsigned long long)x->n.ctrl_cmds);
	printf("net-migrate: frames=%llu sent=%llu tx_completed=%llu rounds=%u switch_at=%llu "
	       "tx_inflight_at_suspend=%llu unreturned_at_suspend=%llu gaps=%llu "
	       "base_mismatch=%llu\n", (unsigned long long)opt.count, (unsigned long long)x->t.sent,
	       (unsigned long long)x->t.tx_done, opt.rounds, (unsigned long long)x->switch_at,
	       (unsigned long long)x->inflight_tx, (unsigned long long)x->unreturned,
	       (unsigned long long)x->gaps, (unsigned long long)x->base_mismatch);
	printf("net-migrate: measured total_ms=%.1f precopy_pages=%llu final_pages=%llu "
	       "suspend_ms=%.1f save_ms=%.1f load_ms=%.1f switch_ms=%.1f "
	       "downtime_ms=%.1f frame_gap_ms=%.1f state_bytes=%zu\n",
	       1e3 * (x->t_end - x->t0), (unsigned long long)(m->log_pages + m->cpu_pages -
	       m->round_log - m->round_cpu), (unsigned long long)(m->round_log + m->round_cpu),
	       1e3 * (s->t_susp_done - s->t_susp), 1e3 * (s->t_saved - s->t_susp_done),
	       1e3 * (s->t_loaded - s->t_saved), 1e3 * (x->t_ok - s->t_loaded),
	       x->first_use_b ? 1e3 * (x->first_use_b - s->t_susp) : -1.0,
	       x->first_rx_b && x->last_rx_a ? 1e3 * (x->first_rx_b - x->last_rx_a) : -1.0,
	       s->len);
	rc = vc_rx_stats_report("net-migrate", &x->st, x->t_end - x->t0, !opt.quiesce);
	if (x->t.tx_done != opt.count || x->t.sent != opt.count || x->gaps || x->base_mismatch)
		rc = VC_EXIT_CHECK;
	return rc;
}

/* B carries A's state: suspend it and compare what it would save; nonzero if it differs. */
static int net_mig_check_b_state(struct net_mig *x)
{
	struct vdpamgmt_state st_b;
	uint8_t *blob_b = NULL;
	size_t len_b = 0;
	int diff;

	dpu_call(&x->m, vdpamgmt_dpu_suspend(x->m.vm, opt.name_b), "suspend", opt.name_b);
	dpu_call(&x->m, vdpamgmt_dpu_state_save(x->m.vm, opt.name_b, &blob_b, &len_b),
		 "state save", opt.name_b);
	state_decode(blob_b, len_b, &st_b, opt.name_b);
	diff = state_compare(&x->src.st, &st_b);
	printf("net-migrate: state of %s after the switch: %s (%zu bytes)\n", opt.name_b,
	       diff ? "DIFFERS from A's" : "features, MAC, MTU, RX mode, MAC table, VLANs, "
	       "queue pairs as A's", len_b);
	vdpamgmt_state_release(&st_b);
	free(blob_b);
	return diff;
}

int cmd_net_migrate(void)
{
	struct net_mig x;
	int rc;

	need_names("net-migrate", true);
	net_mig_start(&x);
	net_mig_precopy(&x);
	net_mig_stop_stream(&x);
	mig_stop_source(&x.m, &x.n.d, !opt.no_load, &x.src);
	x.base_mismatch = net_mig_check_bases(&x.n.d, &x.src);

	/* the switch: B on the copy, same features, rings, IOVAs */
	mig_open_b(&x.n.d, &x.a, VIRTIO_ID_NET, "net");
	mig_take_over(&x.m, &x.n.d, &x.a);
	net_mig_resume_on_b(&x);
	net_mig_finish_stream(&x);

	rc = net_mig_report(&x);
	if (net_mig_check_b_state(&x))
		rc = VC_EXIT_CHECK;
	mig_stop_release(&x.src);
	vc_rx_stats_free(&x.st);
	/* A's region goes with A; the copy with B */
	vc_close(&x.a);
	mig_fini(&x.m);
	vc_net_close(&x.n);
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

/* Submit writes until LIMIT (sector), reap, wait a little. */
static void blk_step(struct blk_mig *b, uint64_t limit, double deadline)
{
	bool progress = false;
	unsigned int i;
	uint32_t len;
	uint16_t id;

	for (i = 0; i < b->depth && b->next < limit; i++) {
		unsigned int ns = limit - b->next < b->req ? (unsigned int)(limit - b->next) :
				  b->req;
		uint8_t *data = b->wbuf + (uint64_t)i * b->req * SECTOR;
		unsigned int k;

		if (b->busy[i])
			continue;
		for (k = 0; k < ns; k++)
			vc_blk_pattern(data + k * SECTOR, b->next + k, opt.seed);
		vc_blk_queue_req(&b->d, b->vq, i, &b->hdrs[i], VIRTIO_BLK_T_OUT, b->next, data,
				 ns * SECTOR, b->status + i);
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

/* A started, with the request slots and the sectors to write. */
static void blk_mig_start(struct blk_mig *b)
{
	static const unsigned int vqs[1] = { 0 };
	static const uint32_t sizes[1] = { 0 };

	memset(b, 0, sizeof(*b));
	vc_open(&b->d, opt.dev);
	if (b->d.device_id != VIRTIO_ID_BLOCK)
		vc_die(VC_EXIT_ERR, "%s is not a block device", b->d.path);
	if (opt.sector > vc_blk_capacity(&b->d) || opt.count > vc_blk_capacity(&b->d) - opt.sector)
		vc_die(VC_EXIT_USAGE, "sectors beyond the capacity of %s", b->d.path);
	vc_start(&b->d, (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_ACCESS_PLATFORM) |
		 (1ull << VIRTIO_BLK_F_SEG_MAX) | (1ull << VIRTIO_BLK_F_BLK_SIZE) |
		 (1ull << VIRTIO_BLK_F_FLUSH), vqs, 1, sizes);
	b->vq = &b->d.vqs[0];
	b->req = opt.req_sectors;
	b->depth = opt.depth < b->vq->num / 3 ? opt.depth : b->vq->num / 3;
	b->hdrs = vc_alloc(&b->d, sizeof(*b->hdrs) * b->depth, PG);
	b->status = vc_alloc(&b->d, PG, PG);
	b->wbuf = vc_alloc(&b->d, (uint64_t)b->depth * b->req * SECTOR, PG);
	b->busy = calloc(b->depth, sizeof(*b->busy));
	b->sect = calloc(b->depth, sizeof(*b->sect));
	if (!b->busy || !b->sect)
		vc_die(VC_EXIT_ERR, "out of memory");
	b->next = opt.sector;
	b->end = opt.sector + opt.count;
}

/* pre-copy rounds while the first half is written; returns the rounds */
static unsigned int blk_mig_precopy(struct blk_mig *b, struct mig *m, uint64_t split,
				    uint64_t *pages)
{
	unsigned int rounds = 0;

	mig_log_start(m);
	while (b->next < split) {
		double end = vc_now() + opt.round_secs;

		while (vc_now() < end && b->next < split)
			blk_step(b, split, end);
		mig_sync_copy(m, false);
		rounds++;
		*pages += m->round_log + m->round_cpu;
	}
	return rounds;
}

/* The request buffers at their offsets in the copy, on B's vq. */
static void blk_mig_rebase(struct blk_mig *b, const uint8_t *old_base, uint8_t *new_base)
{
	b->vq = &b->d.vqs[0];
	b->hdrs = rebase(b->hdrs, old_base, new_base);
	b->status = rebase(b->status, old_base, new_base);
	b->wbuf = rebase(b->wbuf, old_base, new_base);
}

/* A's completions, as the copy has them; returns the requests A left unfinished. */
static uint64_t blk_mig_pending(struct blk_mig *b, const struct mig_stop *src)
{
	uint64_t pending = 0;
	unsigned int i;

	b->first_use = 0;
	blk_step(b, 0, vc_now());
	for (i = 0; i < b->depth; i++)
		pending += b->busy[i];
	if (pending || b->vq->used_idx != src->bases[0] ||
	    src->bases[0] != src->st.vqs[0].avail_idx)
		printf("blk-migrate: after suspend: %llu requests not completed by A, used %u, "
		       "GET_VRING_BASE %u, saved avail %u\n", (unsigned long long)pending,
		       b->vq->used_idx, src->bases[0], src->st.vqs[0].avail_idx);
	return pending;
}

int cmd_blk_migrate(void)
{
	uint64_t split, pending, rounds_pages = 0;
	unsigned int inflight_at_suspend, rounds;
	struct mig_stop src;
	double t0, t_end;
	struct blk_mig b;
	struct vc_dev a;
	struct mig m;
	int rc = VC_EXIT_OK;

	need_names("blk-migrate", true);
	if (!opt.seed_set)
		vc_die(VC_EXIT_USAGE, "blk-migrate needs --seed");
	blk_mig_start(&b);
	split = opt.sector + opt.count / 2;

	mig_init(&m, opt.name, &b.d.mem);
	t0 = b.last = vc_now();
	rounds = blk_mig_precopy(&b, &m, split, &rounds_pages);
	/* the source stops submitting; what it has out, A must finish (drain) */
	inflight_at_suspend = b.inflight;
	mig_stop_source(&m, &b.d, true, &src);

	mig_open_b(&b.d, &a, VIRTIO_ID_BLOCK, "block");
	if (b.end > vc_blk_capacity(&b.d))
		vc_die(VC_EXIT_ERR, "%s is smaller than %s", b.d.path, a.path);
	mig_take_over(&m, &b.d, &a);
	blk_mig_rebase(&b, a.mem.base, m.copy);
	pending = blk_mig_pending(&b, &src);
	vc_vq_program(&b.d, b.vq, src.st.vqs[0].avail_idx);
	b.vq->used_idx = src.st.vqs[0].avail_idx;
	vc_driver_ok(&b.d);
	b.last = vc_now();
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
	       1e3 * (src.t_susp_done - src.t_susp),
	       b.first_use ? 1e3 * (b.first_use - src.t_susp) : -1.0, src.len);
	if (pending || b.ioerr || b.done_sect != opt.count ||
	    src.bases[0] != src.st.vqs[0].avail_idx)
		rc = VC_EXIT_CHECK;
	mig_stop_release(&src);
	vc_close(&a);
	mig_fini(&m);
	free(b.busy);
	free(b.sect);
	vc_close(&b.d);
	return rc;
}
