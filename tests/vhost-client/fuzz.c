// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-client ring-fuzz: a hostile guest on the split rings of a
 * vhost-vdpa net (RX, TX, with --pairs the control queue) or blk device.
 *
 * Every iteration resets the device, negotiates features, maps memory and
 * programs the rings again, then in one to three rounds lays out
 * descriptor chains on each queue, valid ones mixed with hostile ones
 * (loops, heads and next fields out of range, indirect descriptors, huge
 * and zero lengths, addresses outside every mapping or straddling two,
 * chains longer than the ring, a head still at the device, the wrong
 * direction), moves the avail index more than a ring forward or back or
 * onto stale entries, rewrites the used ring and the event-index fields
 * while the device runs, kicks and waits.  Everything is drawn from
 * splitmix64(seed, iteration), so one iteration replays with --start I
 * --iterations 1.
 *
 * Oracle, per round:
 *   - every chain on TX, blk and the control queue completes, with an id
 *     that is one of ours, a length within its writable part, blk status
 *     and control ack sane (and, with --mode shadow|translated, in the
 *     order made available: the relay gives chains back in avail order),
 *     or the device reports NEEDS_RESET (VHOST_VDPA_GET_STATUS), after
 *     which the client resets it (SET_STATUS 0, which must read back 0);
 *   - with --mode shadow|translated, a chain the relay must refuse (loop,
 *     index out of range, indirect, avail index more than a ring away; in
 *     translated mode also any address the data address space does not
 *     map) must end in NEEDS_RESET; the control queue (always the driver's
 *     software relay) must refuse the structural ones in every mode;
 *   - the client's memory that is never given to the device stays as it
 *     was: the guard pattern pages below, between and above the mapped
 *     parts (and PROT_NONE pages around them), a "data canary" in the
 *     data address space that no data chain names, and, on a net device,
 *     a canary region mapped only in address space 1, where the control
 *     group is put, at the IOVAs the hostile data chains aim at.
 *
 * Data address space 0:  [I, I+MAIN) main, [I+MAIN, END) second (another
 * part of the memfd: the two mappings are adjacent in IOVA, not in memory;
 * a hole of pattern lies between them in memory).  Address space 1: the
 * control queue's rings and buffers at Q, the canary at C, both above END.
 */
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "vc.h"

#define PAGE		4096ull
#define KIB		1024ull
#define FZ_GUARD	(64 * KIB)	/* pattern below and above the data memfd */
#define FZ_HOLE		(64 * KIB)	/* pattern between main and second */
#define FZ_MAIN		(2048 * KIB)
#define FZ_SECOND	(256 * KIB)
#define FZ_SCRATCH	(64 * KIB)	/* low and high ends of main: straddle targets */
#define FZ_DCANARY	(64 * KIB)	/* in main, right after the low scratch */
#define FZ_RINGS	(FZ_SCRATCH + FZ_DCANARY)	/* 16 KiB per queue */
#define FZ_POOLS	(FZ_RINGS + 64 * KIB)
#define FZ_CVQMEM	(256 * KIB)
#define FZ_CANARY	(256 * KIB)
#define FZ_GAP		(64 * KIB)
#define FZ_MAXQ		3
#define FZ_MAXCHAINS	1024

enum fz_kind { K_RX, K_TX, K_BLK, K_CVQ };
static const char *const kind_name[] = { "rx", "tx", "blk", "cvq" };

enum fz_mode { M_DIRECT, M_SHADOW, M_TRANSLATED };
static const char *const mode_name[] = { "direct", "shadow", "translated" };

enum fz_op {
	OP_VALID, OP_LOOP, OP_SELF_LOOP, OP_BAD_HEAD, OP_BAD_NEXT, OP_INDIRECT, OP_HUGE_LEN,
	OP_ZERO_LEN, OP_OUTSIDE, OP_STRADDLE, OP_LONG_CHAIN, OP_HEAD_IN_USE, OP_WRONG_DIR,
	OP_NR
};
static const char *const op_name[OP_NR] = {
	"valid", "loop", "self-loop", "bad-head", "bad-next", "indirect", "huge-len",
	"zero-len", "outside", "straddle", "long-chain", "head-in-use", "wrong-dir",
};

enum fz_rop { R_NONE, R_AVAIL_FWD, R_AVAIL_BACK, R_AVAIL_STALE, R_USED_SCRIBBLE, R_EVENT, R_NR };
static const char *const rop_name[R_NR] = {
	"none", "avail-forward", "avail-back", "avail-stale", "used-scribble", "event-fields",
};

struct fz_chain {
	uint16_t head;
	uint8_t op;
	bool must_fail;		/* the relay must refuse it (NEEDS_RESET) */
	bool need_done;		/* completes unless NEEDS_RESET */
	bool valid;
	bool done;
	uint64_t wlen;		/* bytes the device may write */
	uint8_t *status;	/* blk status / control ack, valid chains */
};

struct fz_q {
	enum fz_kind kind;
	unsigned int idx;	/* vq index */
	unsigned int asid;
	struct vc_vq *vq;
	uint8_t *ring;		/* desc, avail at +4K, used at +8K */
	uint64_t ring_iova;
	uint8_t *pool;
	uint64_t pool_iova;
	uint32_t buf;		/* pool slot per descriptor id */
	uint16_t base;		/* avail/used index at start */
	uint16_t cursor;	/* next unused descriptor id */
	uint16_t published;	/* avail index we publish */
	uint16_t seen;		/* used entries consumed */
	struct fz_chain chains[FZ_MAXCHAINS];
	unsigned int nchains, ncompleted;
	bool strict;		/* its used ring is ours to check */
	bool must_fail;
	bool stop;		/* no more chains this iteration */
	int running_op;		/* R_USED_SCRIBBLE / R_EVENT during the wait */
};

struct fz {
	struct vc_dev d;
	enum fz_mode mode;
	bool net, canary_on, cvq_on;
	/* data memfd: guard | main | hole | second | guard, PROT_NONE around */
	int dfd;
	uint8_t *dresv, *dbase;
	uint64_t dresv_size, dsize;
	uint8_t *main, *second;
	/* address space 1: cvq region | canary */
	int cfd;
	uint8_t *cbase;
	uint64_t csize;
	uint8_t *cvqmem, *canary;
	uint64_t I, END, Q, C;
	/* reference patterns */
	uint8_t *ref_guard, *ref_hole, *ref_dcanary, *ref_canary;
	struct fz_q q[FZ_MAXQ];
	unsigned int nq;
	uint64_t rng;
	uint64_t it;
	char trail[512];	/* what this iteration did, for a failure report */
	/* totals */
	uint64_t iterations, chains, needs_reset, completed, rounds, op_count[OP_NR],
		 rop_count[R_NR], timeouts_direct;
};

static struct fz F;

static uint64_t rnd(void)
{
	return vc_splitmix64(&F.rng);
}

static uint64_t rndn(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void trail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void trail(const char *fmt, ...)
{
	size_t l = strlen(F.trail);
	va_list ap;

	if (l + 2 >= sizeof(F.trail))
		return;
	va_start(ap, fmt);
	vsnprintf(F.trail + l, sizeof(F.trail) - l, fmt, ap);
	va_end(ap);
}

static void print_totals(const char *how)
{
	unsigned int i;

	printf("ring-fuzz: %s seed=%llu mode=%s iterations=%llu rounds=%llu chains=%llu "
	       "completed=%llu needs_reset=%llu canary=%s\n", how,
	       (unsigned long long)opt.seed, mode_name[F.mode],
	       (unsigned long long)F.iterations, (unsigned long long)F.rounds,
	       (unsigned long long)F.chains, (unsigned long long)F.completed,
	       (unsigned long long)F.needs_reset, F.canary_on ? "asid1" : "none");
	printf("ring-fuzz: ops");
	for (i = 0; i < OP_NR; i++)
		printf(" %s=%llu", op_name[i], (unsigned long long)F.op_count[i]);
	for (i = 1; i < R_NR; i++)
		printf(" %s=%llu", rop_name[i], (unsigned long long)F.rop_count[i]);
	printf("\n");
}

__attribute__((noreturn, format(printf, 1, 2)))
static void fz_fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ring-fuzz FAILED at seed %llu iteration %llu: ", prog,
		(unsigned long long)opt.seed, (unsigned long long)F.it);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s: this iteration:%s\n", prog, F.trail);
	fprintf(stderr, "%s: replay: vhost-client ring-fuzz %s --seed %llu --start %llu "
		"--iterations 1 --mode %s%s\n", prog, F.d.path, (unsigned long long)opt.seed,
		(unsigned long long)F.it, mode_name[F.mode], F.cvq_on ? " --pairs 1" : "");
	print_totals("FAILED");
	vc_close(&F.d);
	exit(VC_EXIT_CHECK);
}

static void xio(unsigned long req, const char *name, void *arg)
{
	if (ioctl(F.d.fd, req, arg) < 0)
		vc_die(VC_EXIT_ERR, "ring-fuzz iteration %llu: ioctl %s: %s (seed %llu)",
		       (unsigned long long)F.it, name, strerror(errno),
		       (unsigned long long)opt.seed);
}
#define XIO(req, arg)	xio(req, #req, arg)

/* --- memory */

static void pattern(uint8_t *p, uint64_t len, uint32_t tag)
{
	uint64_t i, s = 0x5eed0000ull ^ tag;

	for (i = 0; i < len; i += 8) {
		uint64_t v = vc_splitmix64(&s);

		memcpy(p + i, &v, len - i < 8 ? len - i : 8);
	}
}

static uint8_t *ref_copy(const uint8_t *p, uint64_t len)
{
	uint8_t *r = malloc(len);

	if (!r)
		vc_die(VC_EXIT_ERR, "out of memory");
	memcpy(r, p, len);
	return r;
}

static int memfd_of(const char *name, uint64_t size)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, (off_t)size))
		vc_die(VC_EXIT_ERR, "memfd %s: %s", name, strerror(errno));
	return fd;
}

static void mem_setup(void)
{
	struct vc_dev *d = &F.d;
	uint64_t top;

	F.dsize = FZ_GUARD + FZ_MAIN + FZ_HOLE + FZ_SECOND + FZ_GUARD;
	F.dresv_size = F.dsize + 2 * PAGE;
	F.dfd = memfd_of("ring-fuzz", F.dsize);
	F.dresv = mmap(NULL, F.dresv_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (F.dresv == MAP_FAILED)
		vc_die(VC_EXIT_ERR, "mmap: %s", strerror(errno));
	F.dbase = mmap(F.dresv + PAGE, F.dsize, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED | MAP_POPULATE, F.dfd, 0);
	if (F.dbase == MAP_FAILED)
		vc_die(VC_EXIT_ERR, "mmap memfd: %s", strerror(errno));
	F.main = F.dbase + FZ_GUARD;
	F.second = F.main + FZ_MAIN + FZ_HOLE;
	pattern(F.dbase, FZ_GUARD, 1);
	pattern(F.second + FZ_SECOND, FZ_GUARD, 1);
	pattern(F.main + FZ_MAIN, FZ_HOLE, 2);
	pattern(F.main + FZ_SCRATCH, FZ_DCANARY, 3);
	F.ref_guard = ref_copy(F.dbase, FZ_GUARD);
	F.ref_hole = ref_copy(F.main + FZ_MAIN, FZ_HOLE);
	F.ref_dcanary = ref_copy(F.main + FZ_SCRATCH, FZ_DCANARY);

	F.I = (d->range.first + PAGE - 1) & ~(PAGE - 1);
	if (!F.I)
		F.I = 2ull << 20;
	if (opt.iova_set)
		F.I = opt.iova;
	F.END = F.I + FZ_MAIN + FZ_SECOND;
	F.Q = F.END + FZ_GAP;
	F.C = F.Q + FZ_CVQMEM + FZ_GAP;
	top = F.C + FZ_CANARY - 1;
	if ((F.I & (PAGE - 1)) || F.I < d->range.first || top > d->range.last)
		vc_die(VC_EXIT_USAGE, "ring-fuzz needs iova %#llx-%#llx inside the device's range "
		       "%#llx-%#llx", (unsigned long long)F.I, (unsigned long long)top,
		       (unsigned long long)d->range.first, (unsigned long long)d->range.last);

	F.cfd = -1;
	if (F.canary_on) {
		F.csize = FZ_CVQMEM + FZ_CANARY;
		F.cfd = memfd_of("ring-fuzz-asid1", F.csize);
		F.cbase = mmap(NULL, F.csize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			       F.cfd, 0);
		if (F.cbase == MAP_FAILED)
			vc_die(VC_EXIT_ERR, "mmap memfd: %s", strerror(errno));
		F.cvqmem = F.cbase;
		F.canary = F.cbase + FZ_CVQMEM;
		pattern(F.canary, FZ_CANARY, 4);
		F.ref_canary = ref_copy(F.canary, FZ_CANARY);
	}
}

static void mem_free(void)
{
	if (F.dresv)
		munmap(F.dresv, F.dresv_size);
	if (F.cbase)
		munmap(F.cbase, F.csize);
	if (F.dfd >= 0)
		close(F.dfd);
	if (F.cfd >= 0)
		close(F.cfd);
	free(F.ref_guard);
	free(F.ref_hole);
	free(F.ref_dcanary);
	free(F.ref_canary);
}

static void iotlb(uint32_t asid, uint8_t type, uint64_t iova, uint64_t size, const void *va)
{
	int err = vc_iotlb(&F.d, asid, type, iova, size, va);

	if (err && type != VHOST_IOTLB_INVALIDATE)
		vc_die(VC_EXIT_ERR, "ring-fuzz iteration %llu: IOTLB %s asid %u iova %#llx size "
		       "%#llx: %s", (unsigned long long)F.it,
		       type == VHOST_IOTLB_UPDATE ? "update" : "message", asid,
		       (unsigned long long)iova, (unsigned long long)size, strerror(err));
}

/* After a reset, as QEMU's listener does: unmap, map again. */
static void mem_map(void)
{
	bool batch = vc_has_backend(&F.d, VHOST_BACKEND_F_IOTLB_BATCH);

	/* vhost-vdpa takes a batch for one address space only */
	if (batch)
		iotlb(0, VHOST_IOTLB_BATCH_BEGIN, 0, 0, NULL);
	iotlb(0, VHOST_IOTLB_INVALIDATE, F.I, F.END - F.I, NULL);
	iotlb(0, VHOST_IOTLB_UPDATE, F.I, FZ_MAIN, F.main);
	iotlb(0, VHOST_IOTLB_UPDATE, F.I + FZ_MAIN, FZ_SECOND, F.second);
	if (batch)
		iotlb(0, VHOST_IOTLB_BATCH_END, 0, 0, NULL);
	if (F.canary_on) {
		if (batch)
			iotlb(1, VHOST_IOTLB_BATCH_BEGIN, 0, 0, NULL);
		iotlb(1, VHOST_IOTLB_INVALIDATE, F.Q, F.C + FZ_CANARY - F.Q, NULL);
		iotlb(1, VHOST_IOTLB_UPDATE, F.Q, FZ_CVQMEM, F.cvqmem);
		iotlb(1, VHOST_IOTLB_UPDATE, F.C, FZ_CANARY, F.canary);
		if (batch)
			iotlb(1, VHOST_IOTLB_BATCH_END, 0, 0, NULL);
	}
}

static void check_memory(const char *when)
{
	uint64_t i;

	if (memcmp(F.dbase, F.ref_guard, FZ_GUARD))
		fz_fail("%s: the guard pages below the data memory changed", when);
	if (memcmp(F.second + FZ_SECOND, F.ref_guard, FZ_GUARD))
		fz_fail("%s: the guard pages above the data memory changed", when);
	if (memcmp(F.main + FZ_MAIN, F.ref_hole, FZ_HOLE))
		fz_fail("%s: the hole between the two data mappings changed (a buffer straddling "
			"them was taken as contiguous in memory)", when);
	if (memcmp(F.main + FZ_SCRATCH, F.ref_dcanary, FZ_DCANARY)) {
		for (i = 0; i < FZ_DCANARY && F.main[FZ_SCRATCH + i] == F.ref_dcanary[i]; i++)
			;
		fz_fail("%s: the data canary (iova %#llx, never named by a data chain) changed at "
			"iova %#llx", when, (unsigned long long)(F.I + FZ_SCRATCH),
			(unsigned long long)(F.I + FZ_SCRATCH + i));
	}
	if (F.canary_on && memcmp(F.canary, F.ref_canary, FZ_CANARY)) {
		for (i = 0; i < FZ_CANARY && F.canary[i] == F.ref_canary[i]; i++)
			;
		fz_fail("%s: the canary in address space 1 changed at iova %#llx", when,
			(unsigned long long)(F.C + i));
	}
}

/* Is [a, a+len) inside what address space @asid maps? */
static bool mapped(unsigned int asid, uint64_t a, uint64_t len)
{
	if (!asid)
		return a >= F.I && a < F.END && len <= F.END - a;
	return (a >= F.Q && a < F.Q + FZ_CVQMEM && len <= F.Q + FZ_CVQMEM - a) ||
	       (a >= F.C && a < F.C + FZ_CANARY && len <= F.C + FZ_CANARY - a);
}

static bool in_range(uint64_t a, uint64_t len)
{
	return a >= F.d.range.first && a <= F.d.range.last &&
	       (!len || len - 1 <= F.d.range.last - a);
}

/* --- queues */

static uint16_t *avail_ring(struct fz_q *q)
{
	return (uint16_t *)(q->ring + 4096 + 4);
}

static struct vring_avail *avail(struct fz_q *q)
{
	return (struct vring_avail *)(q->ring + 4096);
}

static struct vring_used *used(struct fz_q *q)
{
	return (struct vring_used *)(q->ring + 8192);
}

static struct vring_desc *desc(struct fz_q *q)
{
	return (struct vring_desc *)q->ring;
}

static uint8_t *slot(struct fz_q *q, uint16_t id)
{
	return q->pool + (uint64_t)id * q->buf;
}

static uint64_t slot_iova(struct fz_q *q, uint16_t id)
{
	return q->pool_iova + (uint64_t)id * q->buf;
}

static void q_init(struct fz_q *q, enum fz_kind kind, unsigned int idx, unsigned int asid,
		   uint8_t *ring, uint64_t ring_iova, uint8_t *pool, uint64_t pool_iova, uint32_t buf)
{
	struct vc_vq *vq = &F.d.vqs[idx];

	q->kind = kind;
	q->idx = idx;
	q->asid = asid;
	q->vq = vq;
	q->ring = ring;
	q->ring_iova = ring_iova;
	q->pool = pool;
	q->pool_iova = pool_iova;
	q->buf = buf;
	vq->idx = idx;
	vq->kickfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vq->callfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vq->kickfd < 0 || vq->callfd < 0)
		vc_die(VC_EXIT_ERR, "eventfd: %s", strerror(errno));
	vq->active = true;
}

static void q_program(struct fz_q *q, unsigned int num)
{
	struct vhost_vring_state s = { .index = q->idx };
	struct vhost_vring_addr a = { .index = q->idx };
	struct vhost_vring_file f = { .index = q->idx };

	memset(q->ring, 0, 16 * KIB);
	q->vq->num = num;
	q->vq->desc = (struct vring_desc *)q->ring;
	q->vq->avail = avail(q);
	q->vq->used = used(q);
	q->cursor = 0;
	q->nchains = q->ncompleted = 0;
	q->strict = true;
	q->must_fail = false;
	q->stop = false;
	q->running_op = R_NONE;
	/* a nonzero start index puts the queue on the relay: shadow modes only */
	q->base = 0;
	if (F.mode != M_DIRECT && rndn(4) == 0)
		q->base = rndn(3) ? (uint16_t)(0x10000 - rndn(2 * num)) : (uint16_t)rnd();
	q->published = q->seen = q->base;
	avail(q)->idx = q->base;
	used(q)->idx = q->base;

	s.num = num;
	XIO(VHOST_SET_VRING_NUM, &s);
	a.desc_user_addr = q->ring_iova;
	a.avail_user_addr = q->ring_iova + 4096;
	a.used_user_addr = q->ring_iova + 8192;
	XIO(VHOST_SET_VRING_ADDR, &a);
	s.num = q->base;
	XIO(VHOST_SET_VRING_BASE, &s);
	f.fd = q->vq->kickfd;
	XIO(VHOST_SET_VRING_KICK, &f);
	f.fd = q->vq->callfd;
	XIO(VHOST_SET_VRING_CALL, &f);
	s.num = 1;
	XIO(VHOST_VDPA_SET_VRING_ENABLE, &s);
}

static void q_kick(struct fz_q *q)
{
	uint64_t one = 1;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (write(q->vq->kickfd, &one, sizeof(one)) != sizeof(one))
		vc_die(VC_EXIT_ERR, "kick vq %u: %s", q->idx, strerror(errno));
}

/* --- chains */

/* An address (and length) no mapping of address space @asid covers. */
static void outside_addr(struct fz_q *q, uint64_t *a, uint32_t *len)
{
	uint64_t r = rndn(1024) * 4;

	*len = 16 + rndn(2048);
	for (;;) {
		switch (rndn(8)) {
		case 0:		/* the canary: the other address space's */
			if (q->asid || !F.canary_on)
				continue;
			*a = F.C + rndn(FZ_CANARY - 4096);
			return;
		case 1:		/* just below */
			*a = F.I - 4096 + r;
			*len = 4096 - r;
			return;
		case 2:		/* the gap above the data mappings */
			*a = F.END + r;
			return;
		case 3:		/* the control queue's memory, or the data canary for it */
			if (!F.canary_on)
				continue;
			*a = q->asid ? F.I + FZ_SCRATCH + rndn(FZ_DCANARY - 4096) :
				       F.Q + rndn(FZ_CVQMEM - 4096);
			return;
		case 4:
			*a = rndn(2) ? 0 : 8;
			return;
		case 5:		/* wraps around the address space */
			*a = ~0ull - rndn(64);
			*len = 128;
			return;
		case 6:		/* past the offered range: the driver's private window */
			if (F.mode == M_DIRECT || F.d.range.last == ~0ull)
				continue;
			*a = F.d.range.last + 1 + rndn(64) * 4096;
			return;
		default:
			*a = rnd() & (rndn(2) ? 0xffffffffffffull : ~0ull);
			if (mapped(0, *a, *len) || mapped(1, *a, *len))
				continue;
			if (F.mode == M_DIRECT && !in_range(*a, *len) && *a > F.d.range.last &&
			    *a - F.d.range.last <= (64ull << 20))
				continue;
			return;
		}
	}
}

/* A buffer across the edge of a mapping; *ok: both sides mapped. */
static void straddle_addr(struct fz_q *q, uint64_t *a, uint32_t *len)
{
	uint64_t below = 1 + rndn(4096), above = 1 + rndn(4096), edge;

	if (q->asid) {
		edge = rndn(2) ? F.Q : F.Q + FZ_CVQMEM;
	} else {
		switch (rndn(3)) {
		case 0: edge = F.I + FZ_MAIN; break;	/* main | second: both mapped */
		case 1: edge = F.I; break;
		default: edge = F.END; break;
		}
	}
	*a = edge - below;
	*len = (uint32_t)(below + above);
}

static bool writes(enum fz_kind k)
{
	return k == K_RX;
}

/*
 * A valid chain on @q at ids[0..n): descriptors filled, buffer in the
 * head's slot.  Returns the number of descriptors; *status the byte the
 * device answers in (blk, cvq).
 */
static unsigned int build_valid(struct fz_q *q, uint16_t *ids, unsigned int maxn,
				uint8_t **status)
{
	struct vring_desc *D = desc(q);
	uint16_t head = ids[0];
	uint8_t *b = slot(q, head);
	uint64_t bi = slot_iova(q, head);
	unsigned int n = 0, i;

	*status = NULL;
	switch (q->kind) {
	case K_TX:
	case K_RX: {
		/* one buffer split in up to 3 descriptors */
		uint32_t total = q->kind == K_TX ? NET_HDR_LEN + 64 : 768, off = 0;
		unsigned int parts = 1 + rndn(maxn < 3 ? maxn : 3);

		if (q->kind == K_TX) {
			static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
			static const uint8_t src[6] = { 0x02, 0, 0, 0, 0xf0, 0x22 };

			memset(b, 0, NET_HDR_LEN);
			vc_frame_build(b + NET_HDR_LEN, 64, bcast, src, 0xf022, F.chains, 0);
		}
		for (i = 0; i < parts; i++) {
			uint32_t len = i + 1 == parts ? total - off :
				       1 + rndn(total - off - (parts - 1 - i));

			D[ids[i]].addr = bi + off;
			D[ids[i]].len = len;
			D[ids[i]].flags = q->kind == K_RX ? VRING_DESC_F_WRITE : 0;
			off += len;
		}
		n = parts;
		break;
	}
	case K_BLK: {
		struct virtio_blk_outhdr *h = (void *)b;
		static const uint32_t types[] = { VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT,
						  VIRTIO_BLK_T_IN, VIRTIO_BLK_T_FLUSH,
						  VIRTIO_BLK_T_GET_ID };
		uint32_t type = types[rndn(5)], dlen = 0;
		bool in;

		if (maxn < 3)
			type = VIRTIO_BLK_T_FLUSH;
		h->type = htole32(type);
		h->ioprio = 0;
		h->sector = htole64(rndn(8192));
		in = type != VIRTIO_BLK_T_OUT;
		if (type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_OUT)
			dlen = 512 * (1 + rndn(4));
		else if (type == VIRTIO_BLK_T_GET_ID)
			dlen = VIRTIO_BLK_ID_BYTES;
		if (type == VIRTIO_BLK_T_OUT)
			pattern(b + 512, dlen, (uint32_t)rnd());
		D[ids[n]].addr = bi;
		D[ids[n]].len = sizeof(*h);
		D[ids[n]].flags = 0;
		n++;
		if (dlen) {
			D[ids[n]].addr = bi + 512;
			D[ids[n]].len = dlen;
			D[ids[n]].flags = in ? VRING_DESC_F_WRITE : 0;
			n++;
		}
		b[16] = 0xee;
		D[ids[n]].addr = bi + 16;
		D[ids[n]].len = 1;
		D[ids[n]].flags = VRING_DESC_F_WRITE;
		n++;
		*status = b + 16;
		break;
	}
	case K_CVQ:
		/* RX PROMISC / ALLMULTI on or off: the driver relays it */
		b[0] = VIRTIO_NET_CTRL_RX;
		b[1] = rndn(2) ? VIRTIO_NET_CTRL_RX_PROMISC : VIRTIO_NET_CTRL_RX_ALLMULTI;
		b[2] = (uint8_t)rndn(2);
		b[64] = 0xee;
		D[ids[0]].addr = bi;
		D[ids[0]].len = 3;
		D[ids[0]].flags = 0;
		n = 1;
		if (maxn >= 3 && rndn(2)) {
			D[ids[0]].len = 2;
			D[ids[1]].addr = bi + 2;
			D[ids[1]].len = 1;
			D[ids[1]].flags = 0;
			n = 2;
		}
		D[ids[n]].addr = bi + 64;
		D[ids[n]].len = 1;
		D[ids[n]].flags = VRING_DESC_F_WRITE;
		n++;
		*status = b + 64;
		break;
	}
	for (i = 0; i + 1 < n; i++) {
		D[ids[i]].flags |= VRING_DESC_F_NEXT;
		D[ids[i]].next = ids[i + 1];
	}
	D[ids[n - 1]].next = (uint16_t)rnd();	/* ignored without NEXT */
	return n;
}

static uint64_t wlen_of(struct fz_q *q, const uint16_t *ids, unsigned int n)
{
	uint64_t w = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (desc(q)[ids[i]].flags & VRING_DESC_F_WRITE)
			w += desc(q)[ids[i]].len;
	return w;
}

static bool relay_strict(struct fz_q *q)
{
	/* the software control queue is the driver's in every mode */
	return F.mode != M_DIRECT || q->kind == K_CVQ;
}

/* Lay out one chain (valid or @op) and put its head in the avail ring. */
static void add_chain(struct fz_q *q, enum fz_op op)
{
	unsigned int num = q->vq->num, free_ids = num - q->cursor, n, i, k;
	struct vring_desc *D = desc(q);
	struct fz_chain *c;
	uint16_t ids[8], head;
	uint8_t *status = NULL;
	bool must_fail = false, addr_bad = false;

	if (q->stop || q->nchains >= FZ_MAXCHAINS || free_ids < 4)
		return;
	for (i = 0; i < 8 && i < free_ids; i++)
		ids[i] = q->cursor + i;
	n = build_valid(q, ids, 3, &status);
	head = ids[0];
	k = rndn(n);	/* the descriptor an op spoils */

	switch (op) {
	case OP_VALID:
		break;
	case OP_LOOP:
		D[ids[n - 1]].flags |= VRING_DESC_F_NEXT;
		D[ids[n - 1]].next = ids[rndn(n)];
		must_fail = true;
		break;
	case OP_SELF_LOOP:
		D[ids[k]].flags |= VRING_DESC_F_NEXT;
		D[ids[k]].next = ids[k];
		must_fail = true;
		break;
	case OP_BAD_HEAD:
		head = rndn(2) ? (uint16_t)(num + rndn(num)) : 0xffff;
		n = 0;
		must_fail = true;
		break;
	case OP_BAD_NEXT:
		D[ids[n - 1]].flags |= VRING_DESC_F_NEXT;
		D[ids[n - 1]].next = rndn(2) ? (uint16_t)(num + rndn(0x10000 - num)) : (uint16_t)num;
		must_fail = true;
		break;
	case OP_INDIRECT: {
		/* the chain as an indirect table in the head's slot */
		struct vring_desc *t;
		uint32_t toff = q->kind == K_BLK ? 3072 : q->kind == K_CVQ ? 128 : 768;
		bool garbage = rndn(4) == 0;

		t = (struct vring_desc *)(slot(q, head) + toff);
		for (i = 0; i < n; i++) {
			t[i] = D[ids[i]];
			t[i].next = i + 1;
		}
		t[n - 1].flags &= ~VRING_DESC_F_NEXT;
		D[head].addr = slot_iova(q, head) + toff;
		D[head].len = garbage ? (uint32_t)rndn(3) * 16 + (rndn(2) ? 7 : 0) : 16 * n;
		D[head].flags = VRING_DESC_F_INDIRECT;
		if (garbage && rndn(2))
			D[head].flags |= VRING_DESC_F_NEXT;
		D[head].next = 0;
		/* INDIRECT_DESC is never offered to a data queue; the control queue takes a sane one */
		must_fail = q->kind != K_CVQ || garbage;
		n = 1;
		break;
	}
	case OP_HUGE_LEN: {
		uint64_t a = D[ids[k]].addr, end = q->asid ? F.Q + FZ_CVQMEM : F.END;
		uint32_t len;

		switch (rndn(5)) {
		case 0: len = 0xffffffffu; break;
		case 1: len = 0x80000000u; break;
		case 2: len = (uint32_t)(end - a); break;		/* to the end: mapped */
		case 3: len = (uint32_t)(end - a + 1 + rndn(4096)); break;
		default: len = 16u << 20; break;
		}
		D[ids[k]].len = len;
		addr_bad = !mapped(q->asid, a, len);
		break;
	}
	case OP_ZERO_LEN:
		if (rndn(2)) {
			D[ids[k]].len = 0;
		} else {
			for (i = 0; i < n; i++)
				D[ids[i]].len = 0;
		}
		break;
	case OP_OUTSIDE: {
		uint64_t a;
		uint32_t len;

		outside_addr(q, &a, &len);
		D[ids[k]].addr = a;
		D[ids[k]].len = len;
		addr_bad = true;
		break;
	}
	case OP_STRADDLE: {
		uint64_t a;
		uint32_t len;

		straddle_addr(q, &a, &len);
		D[ids[k]].addr = a;
		D[ids[k]].len = len;
		addr_bad = !mapped(q->asid, a, len);
		break;
	}
	case OP_LONG_CHAIN: {
		/* every descriptor left, then back to the head: longer than the ring */
		uint16_t id;

		for (id = q->cursor; id < num; id++) {
			D[id].addr = slot_iova(q, q->cursor);
			D[id].len = 16;
			D[id].flags = (writes(q->kind) ? VRING_DESC_F_WRITE : 0) | VRING_DESC_F_NEXT;
			D[id].next = (unsigned int)id + 1 < num ? id + 1 : head;
		}
		n = num - q->cursor;
		must_fail = true;
		q->stop = true;
		break;
	}
	case OP_HEAD_IN_USE: {
		/* the head of a chain not seen used yet: still at the device, or just back */
		unsigned int j, cand = 0;

		for (j = 0; j < q->nchains; j++)
			if (!q->chains[j].done && q->chains[j].valid)
				cand++;
		if (!cand) {
			op = OP_VALID;
			break;
		}
		cand = rndn(cand);
		for (j = 0; j < q->nchains; j++)
			if (!q->chains[j].done && q->chains[j].valid && !cand--)
				break;
		head = q->chains[j].head;
		n = 0;
		status = NULL;
		break;
	}
	case OP_WRONG_DIR:
		D[ids[k]].flags ^= VRING_DESC_F_WRITE;
		break;
	case OP_NR:
		break;
	}
	/* translated mode: an address the data address space does not map ends the queue */
	if (addr_bad && q->kind != K_CVQ &&
	    (F.mode == M_TRANSLATED ||
	     (F.mode == M_SHADOW && !in_range(D[ids[k]].addr, D[ids[k]].len))))
		must_fail = true;
	if (must_fail && op == OP_INDIRECT && q->kind != K_CVQ && F.mode == M_DIRECT)
		must_fail = false;

	q->cursor += n;
	c = &q->chains[q->nchains++];
	memset(c, 0, sizeof(*c));
	c->head = head;
	c->op = op;
	c->valid = op == OP_VALID;
	c->status = c->valid ? status : NULL;
	c->wlen = op == OP_HEAD_IN_USE ? ~0ull : op == OP_LONG_CHAIN ? 16ull * n :
		  wlen_of(q, ids, n ? n : 1);
	if (op == OP_INDIRECT)
		c->wlen = ~0ull;	/* the table's, not checked */
	/* structural errors: the relay must refuse them; the function in direct mode may */
	c->must_fail = must_fail && relay_strict(q);
	c->need_done = q->kind != K_RX;
	if (c->must_fail)
		q->must_fail = true;
	avail_ring(q)[q->published % num] = head;
	q->published++;
	F.chains++;
	F.op_count[op]++;
	trail(" %s:%s", kind_name[q->kind], op_name[op]);
}

static void ring_op(struct fz_q *q, enum fz_rop r)
{
	unsigned int num = q->vq->num;
	uint16_t pending = (uint16_t)(q->published - q->seen);

	switch (r) {
	case R_AVAIL_FWD:
		__atomic_store_n(&avail(q)->idx, (uint16_t)(q->published + num + 1 + rndn(0x4000)),
				 __ATOMIC_RELEASE);
		if (relay_strict(q))
			q->must_fail = true;
		else
			/* the function's own ring: what it writes back then is its business */
			q->strict = false;
		break;
	case R_AVAIL_BACK:
		__atomic_store_n(&avail(q)->idx, (uint16_t)(q->published - num - 1 - rndn(0x4000)),
				 __ATOMIC_RELEASE);
		if (relay_strict(q))
			q->must_fail = true;
		else
			/* the function's own ring: what it writes back then is its business */
			q->strict = false;
		break;
	case R_AVAIL_STALE:
		if (pending >= num)
			return;
		__atomic_store_n(&avail(q)->idx,
				 (uint16_t)(q->published + 1 + rndn(num - pending)), __ATOMIC_RELEASE);
		q->strict = false;
		break;
	case R_USED_SCRIBBLE:
	case R_EVENT:
		q->running_op = r;
		break;
	default:
		return;
	}
	F.rop_count[r]++;
	trail(" %s:%s", kind_name[q->kind], rop_name[r]);
}

/* While the device runs: rewrite the used ring, or the event-index fields. */
static void running_op(struct fz_q *q)
{
	unsigned int num = q->vq->num, i, n;

	if (q->running_op == R_USED_SCRIBBLE) {
		n = 1 + rndn(4);
		for (i = 0; i < n; i++) {
			struct vring_used_elem *e = &used(q)->ring[rndn(num)];

			e->id = (uint32_t)rnd();
			e->len = (uint32_t)rnd();
		}
		if (rndn(2))
			__atomic_store_n(&used(q)->idx, (uint16_t)rnd(), __ATOMIC_RELEASE);
		used(q)->flags = (uint16_t)rnd();
		q->strict = false;
	} else if (q->running_op == R_EVENT) {
		/* used_event after the avail ring, avail_event after the used ring */
		avail_ring(q)[num] = (uint16_t)rnd();
		uint16_t v = (uint16_t)rnd();

		memcpy(q->ring + 8192 + 4 + 8 * num, &v, 2);
		avail(q)->flags = rndn(2) ? VRING_AVAIL_F_NO_INTERRUPT : 0;
	}
	q->running_op = R_NONE;
}

/* Take the used entries of a strict queue; fails on one that is not right. */
static void reap(struct fz_q *q)
{
	unsigned int num = q->vq->num;
	uint16_t idx;

	if (!q->strict)
		return;
	idx = __atomic_load_n(&used(q)->idx, __ATOMIC_ACQUIRE);
	if ((uint16_t)(idx - q->seen) > (uint16_t)(q->published - q->seen))
		fz_fail("%s vq %u: used index %u runs past what was made available (%u used, "
			"avail %u)", kind_name[q->kind], q->idx, idx, q->seen, q->published);
	while (q->seen != idx) {
		struct vring_used_elem e = used(q)->ring[q->seen % num];
		struct fz_chain *c = NULL;
		unsigned int j;

		if (F.mode != M_DIRECT || q->kind == K_CVQ) {
			/* the relay gives chains back in the order they were made available */
			c = &q->chains[q->ncompleted];
			if (c->head != e.id)
				fz_fail("%s vq %u: used entry %u has id %u, expected %u (chain %u, %s): "
					"not in avail order", kind_name[q->kind], q->idx, q->seen,
					e.id, c->head, q->ncompleted, op_name[c->op]);
		} else {
			for (j = 0; j < q->nchains; j++)
				if (!q->chains[j].done && q->chains[j].head == e.id &&
				    q->chains[j].op != OP_BAD_HEAD)
					break;
			if (j == q->nchains)
				fz_fail("%s vq %u: used entry %u has id %u, which is no chain the "
					"device holds", kind_name[q->kind], q->idx, q->seen, e.id);
			c = &q->chains[j];
		}
		if (c->wlen != ~0ull && e.len > c->wlen)
			fz_fail("%s vq %u: chain %u (%s) used with length %u, %llu writable",
				kind_name[q->kind], q->idx, e.id, op_name[c->op], e.len,
				(unsigned long long)c->wlen);
		if (c->status && q->kind == K_BLK && *c->status > VIRTIO_BLK_S_UNSUPP)
			fz_fail("blk vq %u: valid request %u completed with status %u", q->idx,
				e.id, *c->status);
		if (c->status && q->kind == K_CVQ && *c->status != VIRTIO_NET_OK)
			fz_fail("control queue: valid command %u acked %u", e.id, *c->status);
		c->done = true;
		q->ncompleted++;
		F.completed++;
		q->seen++;
	}
}

static bool q_settled(struct fz_q *q)
{
	unsigned int j;

	if (q->must_fail)
		return false;
	if (!q->strict)
		return true;
	for (j = 0; j < q->nchains; j++)
		if (q->chains[j].need_done && !q->chains[j].done)
			return false;
	return true;
}

static void drain_calls(int ms)
{
	struct pollfd p[FZ_MAXQ];
	unsigned int i;
	uint64_t v;

	for (i = 0; i < F.nq; i++) {
		p[i].fd = F.q[i].vq->callfd;
		p[i].events = POLLIN;
	}
	if (poll(p, F.nq, ms) > 0)
		for (i = 0; i < F.nq; i++)
			if (p[i].revents & POLLIN && read(p[i].fd, &v, sizeof(v)) == sizeof(v))
				F.q[i].vq->calls += v;
}

/* Returns true when the device asked for a reset. */
static bool wait_round(void)
{
	double t0 = vc_now(), deadline = t0 + opt.round_secs;
	bool ran = false;
	unsigned int i;

	for (;;) {
		bool settled = true;
		uint8_t s = vc_get_status(&F.d);

		if (s & VIRTIO_CONFIG_S_NEEDS_RESET)
			return true;
		if (!(s & VIRTIO_CONFIG_S_DRIVER_OK))
			fz_fail("status %#x: DRIVER_OK gone without NEEDS_RESET", s);
		for (i = 0; i < F.nq; i++) {
			reap(&F.q[i]);
			settled &= q_settled(&F.q[i]);
		}
		if (!ran) {
			for (i = 0; i < F.nq; i++)
				running_op(&F.q[i]);
			ran = true;
			continue;
		}
		if (settled && vc_now() - t0 > 0.002)
			return false;
		if (vc_now() > deadline)
			break;
		drain_calls(2);
	}
	for (i = 0; i < F.nq; i++) {
		struct fz_q *q = &F.q[i];
		unsigned int j;

		if (q->must_fail)
			fz_fail("%s vq %u: a chain the %s must refuse was made available %.0f ms ago "
				"and the device does not report NEEDS_RESET", kind_name[q->kind],
				q->idx, q->kind == K_CVQ ? "control-queue relay" : "shadow relay",
				opt.round_secs * 1e3);
		if (!q->strict)
			continue;
		for (j = 0; j < q->nchains; j++)
			if (q->chains[j].need_done && !q->chains[j].done)
				fz_fail("%s vq %u: chain %u (head %u, %s) neither completed nor NEEDS_RESET "
					"in %.0f ms", kind_name[q->kind], q->idx, j, q->chains[j].head,
					op_name[q->chains[j].op], opt.round_secs * 1e3);
	}
	return false;
}

static unsigned int pick_num(void)
{
	static const unsigned int sizes[] = { 8, 16, 32, 64, 256 };
	unsigned int n = opt.qsize ? opt.qsize : sizes[rndn(5)];

	while (n > F.d.vring_num)
		n /= 2;
	return n;
}

static uint64_t features(void)
{
	uint64_t f = (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_ACCESS_PLATFORM);

	if (rndn(2))
		f |= 1ull << VIRTIO_RING_F_EVENT_IDX;
	if (F.net) {
		f |= 1ull << VIRTIO_NET_F_MAC;
		if (F.cvq_on)
			f |= (1ull << VIRTIO_NET_F_CTRL_VQ) | (1ull << VIRTIO_NET_F_CTRL_RX);
	} else {
		f |= (1ull << VIRTIO_BLK_F_FLUSH) | (1ull << VIRTIO_BLK_F_BLK_SIZE);
	}
	return f;
}

static void iteration(void)
{
	unsigned int num, i, r, rounds, hostile;
	struct vhost_vring_state s;
	bool reset = false;
	uint8_t st;

	F.rng = opt.seed ^ ((F.it + 1) * 0x9e3779b97f4a7c15ull);
	rnd();
	F.trail[0] = 0;
	vc_log("iteration %llu", (unsigned long long)F.it);
	num = pick_num();
	vc_negotiate(&F.d, features());
	trail(" features=%#llx num=%u", (unsigned long long)F.d.features, num);
	if (F.cvq_on) {
		/* without MQ the control queue is vq 2: the driver must group it so */
		s.index = 2;
		s.num = ~0u;
		XIO(VHOST_VDPA_GET_VRING_GROUP, &s);
		if (s.num != 1)
			fz_fail("control vq 2 is in group %u, not the control group 1", s.num);
	}
	if (F.canary_on) {
		s.index = 1;	/* the control group to address space 1 */
		s.num = 1;
		XIO(VHOST_VDPA_SET_GROUP_ASID, &s);
	}
	mem_map();
	for (i = 0; i < F.nq; i++) {
		/* the control queue is at 2 without MQ */
		q_program(&F.q[i], num);
		if (F.q[i].base != 0)
			trail(" %s-base=%u", kind_name[F.q[i].kind], F.q[i].base);
	}
	st = vc_get_status(&F.d);
	vc_set_status(&F.d, st | VIRTIO_CONFIG_S_DRIVER_OK);
	st = vc_get_status(&F.d);
	if (!(st & VIRTIO_CONFIG_S_DRIVER_OK) || (st & (VIRTIO_CONFIG_S_NEEDS_RESET |
							 VIRTIO_CONFIG_S_FAILED)))
		fz_fail("a valid setup did not start: status %#x after DRIVER_OK", st);

	/* a third of the iterations valid chains only: the rest is not all reset */
	hostile = rndn(3) ? 2 + rndn(8) : 0;
	rounds = 1 + rndn(3);
	for (r = 0; r < rounds && !reset; r++) {
		F.rounds++;
		trail(" |");
		for (i = 0; i < F.nq; i++) {
			struct fz_q *q = &F.q[i];
			unsigned int n = 1 + rndn(6), j;

			for (j = 0; j < n; j++)
				add_chain(q, hostile && !rndn(hostile) ?
					     (enum fz_op)(1 + rndn(OP_NR - 1)) : OP_VALID);
			__atomic_store_n(&avail(q)->idx, q->published, __ATOMIC_RELEASE);
			if (rndn(4) == 0)
				ring_op(q, (enum fz_rop)(1 + rndn(R_NR - 1)));
			q_kick(q);
		}
		reset = wait_round();
	}
	if (reset) {
		F.needs_reset++;
		trail(" -> NEEDS_RESET");
	}
	vc_set_status(&F.d, 0);
	st = vc_get_status(&F.d);
	if (st)
		fz_fail("status %#x after SET_STATUS 0", st);
	check_memory(reset ? "after NEEDS_RESET and reset" : "after reset");
	F.iterations++;
	vc_log("iteration %llu done:%s", (unsigned long long)F.it, F.trail);
}

int cmd_ring_fuzz(void)
{
	struct vc_dev *d = &F.d;
	double t0;
	uint64_t n;

	if (!opt.seed_set)
		vc_die(VC_EXIT_USAGE, "ring-fuzz: --seed S is required (printed for replay)");
	if (opt.group_asid[0] >= 0)
		vc_die(VC_EXIT_USAGE, "ring-fuzz puts the control group on address space 1 itself: "
		       "no --group-asid");
	if (!opt.mode || !strcmp(opt.mode, "direct"))
		F.mode = M_DIRECT;
	else if (!strcmp(opt.mode, "shadow"))
		F.mode = M_SHADOW;
	else if (!strcmp(opt.mode, "translated"))
		F.mode = M_TRANSLATED;
	else
		vc_die(VC_EXIT_USAGE, "--mode: direct, shadow or translated, not '%s'", opt.mode);
	F.dfd = F.cfd = -1;
	vc_open(d, opt.dev);
	F.net = d->device_id == VIRTIO_ID_NET;
	if (!F.net && d->device_id != VIRTIO_ID_BLOCK)
		vc_die(VC_EXIT_ERR, "%s: ring-fuzz takes net or blk (device id %u)", d->path,
		       d->device_id);
	F.canary_on = F.net && d->ngroups >= 2 && d->nas >= 2 &&
		      vc_has_backend(d, VHOST_BACKEND_F_IOTLB_ASID);
	if (opt.pairs) {
		uint64_t need = (1ull << VIRTIO_NET_F_CTRL_VQ) | (1ull << VIRTIO_NET_F_CTRL_RX);

		if (!F.net || (d->dev_features & need) != need)
			vc_die(VC_EXIT_UNSUPP, "--pairs: not a net device with CTRL_VQ and CTRL_RX");
		if (!F.canary_on)
			vc_die(VC_EXIT_UNSUPP, "--pairs: the control queue needs a group and address "
			       "space of its own");
		F.cvq_on = true;
	}
	mem_setup();
	if (F.net) {
		q_init(&F.q[F.nq++], K_RX, 0, 0, F.main + FZ_RINGS, F.I + FZ_RINGS,
		       F.main + FZ_POOLS, F.I + FZ_POOLS, 1024);
		q_init(&F.q[F.nq++], K_TX, 1, 0, F.main + FZ_RINGS + 16 * KIB,
		       F.I + FZ_RINGS + 16 * KIB, F.main + FZ_POOLS + 256 * KIB,
		       F.I + FZ_POOLS + 256 * KIB, 1024);
		if (F.cvq_on)
			q_init(&F.q[F.nq++], K_CVQ, 2, 1, F.cvqmem, F.Q, F.cvqmem + 16 * KIB,
			       F.Q + 16 * KIB, 256);
	} else {
		q_init(&F.q[F.nq++], K_BLK, 0, 0, F.main + FZ_RINGS, F.I + FZ_RINGS,
		       F.main + FZ_POOLS, F.I + FZ_POOLS, 4096);
	}
	printf("ring-fuzz: seed=%llu mode=%s device=%s queues=", (unsigned long long)opt.seed,
	       mode_name[F.mode], d->path);
	for (n = 0; n < F.nq; n++)
		printf("%s%s", n ? "," : "", kind_name[F.q[n].kind]);
	printf(" canary=%s iterations=%llu start=%llu\n", F.canary_on ? "asid1" : "none",
	       (unsigned long long)opt.iterations, (unsigned long long)opt.start);

	t0 = vc_now();
	for (n = 0; n < opt.iterations; n++) {
		F.it = opt.start + n;
		iteration();
	}
	check_memory("at the end");
	print_totals("ok");
	printf("ring-fuzz: %.1f s, %.1f iterations/s, %.1f chains/s\n", vc_now() - t0,
	       F.iterations / (vc_now() - t0), F.chains / (vc_now() - t0));
	vc_close(d);
	mem_free();
	return VC_EXIT_OK;
}
