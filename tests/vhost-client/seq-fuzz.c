// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-client seq-fuzz: a hostile VMM.  Random interleavings, from --seed,
 * of what a vhost-vdpa consumer may do in any order: IOTLB UPDATE /
 * INVALIDATE / BATCH_BEGIN / BATCH_END (any ASID, range, permission, user
 * address, and message types that do not exist), SET_GROUP_ASID,
 * SET_STATUS with any byte, SET_FEATURES, SET_VRING_NUM / ADDR / BASE /
 * KICK / CALL / ENABLE on any index, SUSPEND, RESUME, GET_VRING_BASE,
 * config reads and writes, rings filled with sane or junk descriptors and
 * kicked (eventfd or the mapped doorbell), close() and reopen; now and then
 * a full, correct start to DRIVER_OK so the rest meets a running device.
 *
 * Oracle, per operation: it returns within --timeout seconds (a watchdog
 * thread reports the operation, our kernel stacks and exits 4 otherwise)
 * and /dev/kmsg shows no splat (exit 1 with the kernel's lines).  Either
 * failure prints "FUZZ FAILURE seed=S op=I" and the last operations.  The
 * whole run replays from the seed.  At the end the device is closed (reset)
 * and a summary line gives the counts: ops, reopens, starts, DRIVER_OKs
 * reached, and the errnos met.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/virtio_net.h>

#include "vc.h"

#define PAGE		4096ull
#define MEM_SIZE	(4ull << 20)
#define RING_AREA	(1ull << 20)	/* vq i's rings at i * 64 KiB */
#define BUF_SIZE	2048u
#define QNUM		256u
#define HISTORY		24

static uint64_t rng;
static uint64_t op_no;

static uint64_t rnd(uint64_t n)
{
	return n ? vc_splitmix64(&rng) % n : 0;
}

static bool chance(unsigned int percent)
{
	return rnd(100) < percent;
}

/* --- the record of what we did, for a failure report */
static char history[HISTORY][200];
static char cur[160];

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cur, sizeof(cur), fmt, ap);
	va_end(ap);
	snprintf(history[op_no % HISTORY], sizeof(history[0]), "op %llu: %s",
		 (unsigned long long)op_no, cur);
	if (opt.verbose)
		fprintf(stderr, "seq-fuzz: op %llu: %s\n", (unsigned long long)op_no, cur);
}

static void print_history(void)
{
	uint64_t i = op_no >= HISTORY - 1 ? op_no - (HISTORY - 1) : 0;

	printf("last operations:\n");
	for (; i <= op_no; i++)
		printf("  %s\n", history[i % HISTORY]);
}

/* --- the watchdog: each operation is bounded */
static _Atomic double deadline;	/* 0: no operation running */

static void dump_stacks(void)
{
	DIR *dir = opendir("/proc/self/task");
	struct dirent *e;
	char path[300], line[256];

	while (dir && (e = readdir(dir))) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/stack", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		printf("kernel stack of task %s:\n", e->d_name);
		while (fgets(line, sizeof(line), f))
			printf("  %s", line);
		fclose(f);
	}
	if (dir)
		closedir(dir);
}

static void *watchdog(void *arg)
{
	(void)arg;
	for (;;) {
		double d = atomic_load(&deadline);

		if (d > 0 && vc_now() > d) {
			printf("FUZZ FAILURE seed=%llu op=%llu: hang: \"%s\" did not return in %.0f s\n",
			       (unsigned long long)opt.seed, (unsigned long long)op_no, cur,
			       opt.timeout);
			print_history();
			dump_stacks();
			fflush(stdout);
			_exit(VC_EXIT_TIMEOUT);
		}
		usleep(100000);
	}
	return NULL;
}

static void arm(void)
{
	atomic_store(&deadline, vc_now() + opt.timeout);
}

static void disarm(void)
{
	atomic_store(&deadline, 0);
}

/* --- /dev/kmsg: a splat is pinned on the operation that caused it */
static int kmsg = -1;

static const char *const splat_words[] = {
	"WARNING:", "BUG:", "Oops", "general protection fault", "KASAN", "UBSAN",
	"possible circular locking", "possible recursive locking", "inconsistent lock state",
	"suspicious RCU usage", "refcount_t:", "list_add corruption", "list_del corruption",
	"sleeping function called from invalid context", "Call Trace:",
	"page allocation failure", "blocked for more than",
};

static void check_kmsg(void)
{
	char rec[1024];
	bool bad = false;
	int shown = 0;

	for (;;) {
		ssize_t n = read(kmsg, rec, sizeof(rec) - 1);
		const char *msg;
		unsigned int i;

		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		for (i = 0; i < sizeof(splat_words) / sizeof(splat_words[0]); i++)
			if (strstr(msg, splat_words[i]))
				bad = true;
		if (bad) {
			if (!shown++)
				printf("FUZZ FAILURE seed=%llu op=%llu: kernel splat after \"%s\"\n",
				       (unsigned long long)opt.seed, (unsigned long long)op_no, cur);
			if (shown < 60)
				printf("  dmesg: %s", msg);
		}
	}
	if (bad) {
		usleep(300000);	/* the rest of the report */
		while (shown < 80) {
			ssize_t n = read(kmsg, rec, sizeof(rec) - 1);

			if (n <= 0)
				break;
			rec[n] = 0;
			printf("  dmesg: %s", strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
			shown++;
		}
		print_history();
		fflush(stdout);
		exit(VC_EXIT_ERR);
	}
}

/* --- the device and what we know of it */
static struct {
	const char *path;
	int fd;
	uint8_t *mem;
	int memfd;
	uint64_t iova;			/* where our region usually goes */
	struct vhost_vdpa_iova_range range;
	uint64_t backend_offered, backend, dev_features;
	uint32_t nvqs, ngroups, nas, config_size;
	uint16_t vring_num;
	int kick[VC_MAX_VQS], call[VC_MAX_VQS];
	volatile uint16_t *doorbell[VC_MAX_VQS];
	uint16_t avail[VC_MAX_VQS];	/* our next avail index per vq */
} D;

static struct {
	uint64_t ops, ok, reopen, starts, driver_ok, running_ops, frames_posted;
	uint64_t err[256];
} S;

/* An ioctl, bounded and counted; returns 0 or the errno. */
static int fz_ioctl(unsigned long req, void *arg)
{
	int r;

	if (D.fd < 0)
		return EBADF;
	arm();
	r = ioctl(D.fd, req, arg);
	disarm();
	if (r < 0) {
		S.err[errno & 0xff]++;
		return errno;
	}
	S.ok++;
	return 0;
}

static int fz_write(const void *buf, size_t len)
{
	ssize_t n;

	if (D.fd < 0)
		return EBADF;
	arm();
	n = write(D.fd, buf, len);
	disarm();
	if (n < 0) {
		S.err[errno & 0xff]++;
		return errno;
	}
	S.ok++;
	return 0;
}

static uint8_t get_status(void)
{
	uint8_t s = 0;

	fz_ioctl(VHOST_VDPA_GET_STATUS, &s);
	return s;
}

static void dev_close(void)
{
	unsigned int i;

	for (i = 0; i < VC_MAX_VQS; i++) {
		if (D.doorbell[i])
			munmap((void *)D.doorbell[i], PAGE);
		D.doorbell[i] = NULL;
	}
	if (D.fd >= 0) {
		arm();
		close(D.fd);	/* vhost-vdpa resets the device and drops its maps */
		disarm();
	}
	D.fd = -1;
}

static void dev_open(bool random_backend)
{
	uint64_t want = (1ull << VHOST_BACKEND_F_IOTLB_MSG_V2) |
			(1ull << VHOST_BACKEND_F_IOTLB_BATCH) |
			(1ull << VHOST_BACKEND_F_IOTLB_ASID) | (1ull << VHOST_BACKEND_F_SUSPEND) |
			(1ull << VHOST_BACKEND_F_RESUME);

	arm();
	D.fd = open(D.path, O_RDWR | O_CLOEXEC);
	disarm();
	if (D.fd < 0)
		vc_die(VC_EXIT_ERR, "seed=%llu op=%llu: open %s: %s", (unsigned long long)opt.seed,
		       (unsigned long long)op_no, D.path, strerror(errno));
	fz_ioctl(VHOST_SET_OWNER, NULL);
	fz_ioctl(VHOST_GET_BACKEND_FEATURES, &D.backend_offered);
	D.backend = D.backend_offered & want;
	if (random_backend && chance(30))
		D.backend &= vc_splitmix64(&rng) | (1ull << VHOST_BACKEND_F_IOTLB_MSG_V2);
	if (random_backend && chance(3))
		D.backend = vc_splitmix64(&rng);	/* junk: refused */
	if (fz_ioctl(VHOST_SET_BACKEND_FEATURES, &D.backend))
		D.backend = 0;
	memset(D.avail, 0, sizeof(D.avail));
}

/* --- values */
static uint64_t any_u64(void)
{
	static const uint64_t edges[] = { 0, 1, 0xfff, PAGE, 1ull << 32, (1ull << 32) - PAGE,
					  1ull << 47, 1ull << 63, ~0ull, ~0ull - PAGE + 1 };

	if (chance(50))
		return edges[rnd(sizeof(edges) / sizeof(edges[0]))];
	return vc_splitmix64(&rng);
}

/* An IOVA range: mostly inside our region's usual place, sometimes anywhere. */
static void any_range(uint64_t *iova, uint64_t *size)
{
	uint64_t pages = MEM_SIZE / PAGE, a, n;

	if (chance(80)) {
		a = rnd(pages);
		n = 1 + rnd(pages - a);
		if (chance(40)) {
			a = 0;
			n = pages;
		}
		*iova = D.iova + a * PAGE;
		*size = n * PAGE;
		if (chance(5))
			*iova += 1 + rnd(PAGE - 1);	/* unaligned */
		return;
	}
	*iova = chance(50) ? any_u64() : D.range.last - rnd(4) * PAGE;
	*size = chance(50) ? any_u64() : (1 + rnd(16)) * PAGE;
}

static uint32_t any_asid(void)
{
	if (chance(75))
		return 0;
	if (chance(70))
		return 1;
	return chance(50) ? 2 : (uint32_t)vc_splitmix64(&rng);
}

static uint32_t any_vq(void)
{
	if (chance(92))
		return rnd(D.nvqs);
	return chance(50) ? D.nvqs + rnd(4) : (uint32_t)vc_splitmix64(&rng);
}

/* --- IOTLB messages */
static const char *const iotlb_names[] = { "?", "MISS", "UPDATE", "INVALIDATE", "ACCESS_FAIL",
					   "BATCH_BEGIN", "BATCH_END" };

static void iotlb(uint8_t type, uint32_t asid, uint64_t iova, uint64_t size, uint64_t uaddr,
		  uint8_t perm)
{
	struct vhost_msg_v2 m2;
	struct vhost_msg m1;
	int r;

	note("IOTLB %s asid %u iova %#llx size %#llx uaddr %s%#llx perm %u (msg v%d)",
	     type < 7 ? iotlb_names[type] : "junk", asid, (unsigned long long)iova,
	     (unsigned long long)size, uaddr >= (uintptr_t)D.mem &&
	     uaddr < (uintptr_t)D.mem + MEM_SIZE ? "mem+" : "",
	     (unsigned long long)(uaddr >= (uintptr_t)D.mem && uaddr < (uintptr_t)D.mem + MEM_SIZE
				  ? uaddr - (uintptr_t)D.mem : uaddr), perm,
	     D.backend & (1ull << VHOST_BACKEND_F_IOTLB_MSG_V2) ? 2 : 1);
	memset(&m2, 0, sizeof(m2));
	memset(&m1, 0, sizeof(m1));
	if (D.backend & (1ull << VHOST_BACKEND_F_IOTLB_MSG_V2)) {
		m2.type = chance(98) ? VHOST_IOTLB_MSG_V2 : (uint32_t)rnd(8);
		m2.asid = asid;
		m2.iotlb = (struct vhost_iotlb_msg){ .iova = iova, .size = size, .uaddr = uaddr,
						     .perm = perm, .type = type };
		r = fz_write(&m2, chance(98) ? sizeof(m2) : rnd(sizeof(m2)));
	} else {
		m1.type = VHOST_IOTLB_MSG;
		m1.iotlb = (struct vhost_iotlb_msg){ .iova = iova, .size = size, .uaddr = uaddr,
						     .perm = perm, .type = type };
		r = fz_write(&m1, sizeof(m1));
	}
	(void)r;
}

static void op_iotlb(void)
{
	uint64_t iova, size, uaddr;
	uint8_t type, perm = VHOST_ACCESS_RW;
	unsigned int x = rnd(100);

	any_range(&iova, &size);
	uaddr = (uintptr_t)D.mem + (iova - D.iova);
	if (x < 45) {
		type = VHOST_IOTLB_UPDATE;
		if (chance(10))
			uaddr = chance(50) ? any_u64() : (uintptr_t)D.mem + MEM_SIZE - PAGE;
		if (chance(10))
			perm = rnd(256);
	} else if (x < 70) {
		type = VHOST_IOTLB_INVALIDATE;
	} else if (x < 82) {
		type = VHOST_IOTLB_BATCH_BEGIN;
	} else if (x < 94) {
		type = VHOST_IOTLB_BATCH_END;
	} else {
		type = chance(50) ? rnd(256) : VHOST_IOTLB_MISS + 3 * rnd(2);	/* MISS, ACCESS_FAIL */
	}
	iotlb(type, any_asid(), iova, size, uaddr, perm);
}

/* Our whole region in ASID A, as a VMM maps guest RAM. */
static void map_all(uint32_t asid)
{
	bool batch = D.backend & (1ull << VHOST_BACKEND_F_IOTLB_BATCH);

	if (batch)
		iotlb(VHOST_IOTLB_BATCH_BEGIN, asid, 0, 0, 0, 0);
	iotlb(VHOST_IOTLB_INVALIDATE, asid, D.iova, MEM_SIZE, 0, 0);
	iotlb(VHOST_IOTLB_UPDATE, asid, D.iova, MEM_SIZE, (uintptr_t)D.mem, VHOST_ACCESS_RW);
	if (batch)
		iotlb(VHOST_IOTLB_BATCH_END, asid, 0, 0, 0, 0);
}

/* --- rings: vq i at RING_AREA + i * 64 KiB; buffers from 2 MiB */
static uint64_t ring_off(unsigned int i, unsigned int part)
{
	return RING_AREA + (uint64_t)(i % VC_MAX_VQS) * 65536 + part * 16384;
}

static uint64_t buf_off(unsigned int i, unsigned int slot)
{
	return (2ull << 20) + ((uint64_t)(i % VC_MAX_VQS) * QNUM + slot % QNUM) % 1024 * BUF_SIZE;
}

static void vring_program(unsigned int i, uint16_t num, uint16_t base)
{
	struct vhost_vring_state s = { .index = i, .num = num };
	struct vhost_vring_addr a = { .index = i };
	struct vhost_vring_file f = { .index = i };

	fz_ioctl(VHOST_SET_VRING_NUM, &s);
	a.desc_user_addr = D.iova + ring_off(i, 0);
	a.avail_user_addr = D.iova + ring_off(i, 1);
	a.used_user_addr = D.iova + ring_off(i, 2);
	fz_ioctl(VHOST_SET_VRING_ADDR, &a);
	s.num = base;
	fz_ioctl(VHOST_SET_VRING_BASE, &s);
	f.fd = D.kick[i % VC_MAX_VQS];
	fz_ioctl(VHOST_SET_VRING_KICK, &f);
	f.fd = D.call[i % VC_MAX_VQS];
	fz_ioctl(VHOST_SET_VRING_CALL, &f);
	s.num = 1;
	fz_ioctl(VHOST_VDPA_SET_VRING_ENABLE, &s);
}

/* Post buffers on vq I: receive buffers on even vqs, frames on odd ones
 * (sane), or descriptors with junk addresses, lengths, flags and next
 * links (hostile). */
static void op_fill(void)
{
	unsigned int i = rnd(D.nvqs < VC_MAX_VQS ? D.nvqs : VC_MAX_VQS), n = 1 + rnd(32), k;
	struct vring_desc *desc = (void *)(D.mem + ring_off(i, 0));
	struct vring_avail *avail = (void *)(D.mem + ring_off(i, 1));
	bool hostile = chance(15);

	note("fill vq %u with %u %s buffers", i, n, hostile ? "hostile" : "sane");
	for (k = 0; k < n; k++) {
		uint16_t id = D.avail[i] % QNUM;
		struct vring_desc *dd = &desc[id];

		dd->addr = D.iova + buf_off(i, id);
		dd->len = BUF_SIZE;
		dd->flags = i % 2 ? 0 : VRING_DESC_F_WRITE;
		dd->next = 0;
		if (i % 2) {
			uint8_t *f = D.mem + buf_off(i, id);

			memset(f, 0, NET_HDR_LEN);
			vc_frame_build(f + NET_HDR_LEN, 64, (uint8_t[6]){ 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff }, (uint8_t[6]){ 2, 0, 0, 0, 0xfa, 0x22 }, 0x5eed,
				       D.avail[i], 0);
			dd->len = NET_HDR_LEN + 64;
		}
		if (hostile) {
			switch (rnd(6)) {
			case 0: dd->addr = any_u64(); break;
			case 1: dd->len = (uint32_t)any_u64(); break;
			case 2: dd->flags = rnd(16); dd->next = rnd(QNUM + 8); break;
			case 3: dd->flags = VRING_DESC_F_NEXT; dd->next = id; break;	/* a loop */
			case 4: dd->flags |= VRING_DESC_F_INDIRECT; dd->len = 16 * (1 + rnd(300)); break;
			default: dd->addr = D.iova + MEM_SIZE - 8; break;	/* across the end */
			}
		}
		avail->ring[D.avail[i] % QNUM] = hostile && chance(20) ? (uint16_t)rnd(65536) : id;
		D.avail[i]++;
		S.frames_posted++;
	}
	__atomic_store_n(&avail->idx, hostile && chance(20) ? (uint16_t)rnd(65536) : D.avail[i],
			 __ATOMIC_RELEASE);
	if (chance(70)) {
		uint64_t one = 1;

		if (write(D.kick[i], &one, 8) != 8)
			vc_warn("kick eventfd: %s", strerror(errno));
	}
}

static void op_kick(void)
{
	unsigned int i = rnd(D.nvqs < VC_MAX_VQS ? D.nvqs : VC_MAX_VQS);

	if (D.fd >= 0 && chance(40)) {
		note("kick vq %u through the mapped doorbell", i);
		if (!D.doorbell[i]) {
			void *p;

			arm();
			p = mmap(NULL, PAGE, PROT_WRITE, MAP_SHARED, D.fd, (off_t)(i * PAGE));
			disarm();
			if (p == MAP_FAILED) {
				S.err[errno & 0xff]++;
				return;
			}
			D.doorbell[i] = p;
		}
		arm();
		*D.doorbell[i] = i;
		disarm();
	} else {
		uint64_t one = 1;

		note("kick vq %u through its eventfd", i);
		if (write(D.kick[i], &one, 8) != 8)
			vc_warn("kick eventfd: %s", strerror(errno));
	}
}

/* A full, correct start: reset, features, map, every vq, DRIVER_OK. */
static void op_start(void)
{
	uint64_t feat = D.dev_features;
	unsigned int i;
	uint8_t s;

	S.starts++;
	note("start: reset, FEATURES_OK, map, %u vqs, DRIVER_OK", D.nvqs);
	if (chance(30))
		feat &= vc_splitmix64(&rng) | (1ull << VIRTIO_F_VERSION_1) |
			(1ull << VIRTIO_F_ACCESS_PLATFORM);
	for (s = 0; s <= 3; s = s * 2 + 1)
		fz_ioctl(VHOST_VDPA_SET_STATUS, &s);
	fz_ioctl(VHOST_SET_FEATURES, &feat);
	s = 0xb;
	fz_ioctl(VHOST_VDPA_SET_STATUS, &s);
	if (chance(20) && D.ngroups > 1 && D.nas > 1) {
		struct vhost_vring_state g = { .index = rnd(D.ngroups), .num = rnd(D.nas) };

		fz_ioctl(VHOST_VDPA_SET_GROUP_ASID, &g);
		map_all(g.num);
	}
	map_all(0);
	memset(D.avail, 0, sizeof(D.avail));
	for (i = 0; i < D.nvqs && i < VC_MAX_VQS; i++) {
		memset(D.mem + ring_off(i, 0), 0, 3 * 16384);
		vring_program(i, QNUM, 0);
	}
	s = 0xf;
	fz_ioctl(VHOST_VDPA_SET_STATUS, &s);
	if (get_status() == 0xf)
		S.driver_ok++;
}

static void op_status(void)
{
	static const uint8_t steps[] = { 0, 1, 3, 0xb, 0xf, 0x4f, 0x80, 0x8b, 0x7 };
	uint8_t s = chance(60) ? steps[rnd(sizeof(steps))] : (uint8_t)rnd(256);

	note("SET_STATUS %#x", s);
	fz_ioctl(VHOST_VDPA_SET_STATUS, &s);
	if (s == 0xf && get_status() == 0xf)
		S.driver_ok++;
}

static void op_features(void)
{
	uint64_t f = chance(85) ? D.dev_features & (vc_splitmix64(&rng) |
			(3ull << 32)) : vc_splitmix64(&rng);

	note("SET_FEATURES %#llx", (unsigned long long)f);
	fz_ioctl(VHOST_SET_FEATURES, &f);
}

static void op_group_asid(void)
{
	struct vhost_vring_state g;

	g.index = chance(90) ? rnd(D.ngroups + 1) : (uint32_t)vc_splitmix64(&rng);
	g.num = chance(90) ? rnd(D.nas + 1) : (uint32_t)vc_splitmix64(&rng);
	note("SET_GROUP_ASID group %u asid %u", g.index, g.num);
	fz_ioctl(VHOST_VDPA_SET_GROUP_ASID, &g);
	if (chance(50) && g.num < D.nas)
		map_all(g.num);
}

static void op_vring(void)
{
	struct vhost_vring_state s = { .index = any_vq() };
	struct vhost_vring_addr a = { .index = s.index };
	struct vhost_vring_file f = { .index = s.index };
	static const uint16_t nums[] = { 0, 1, 2, 3, 64, 255, 256, 512, 1024, 32768, 65535 };

	switch (rnd(7)) {
	case 0:
		s.num = chance(70) ? nums[rnd(sizeof(nums) / 2)] : (uint32_t)vc_splitmix64(&rng);
		note("SET_VRING_NUM vq %u num %u", s.index, s.num);
		fz_ioctl(VHOST_SET_VRING_NUM, &s);
		break;
	case 1:
		a.desc_user_addr = chance(80) ? D.iova + ring_off(s.index, 0) : any_u64();
		a.avail_user_addr = chance(80) ? D.iova + ring_off(s.index, 1) : any_u64();
		a.used_user_addr = chance(80) ? D.iova + ring_off(s.index, 2) : any_u64();
		a.flags = chance(90) ? 0 : rnd(4);
		note("SET_VRING_ADDR vq %u desc %#llx avail %#llx used %#llx flags %u", a.index,
		     (unsigned long long)a.desc_user_addr, (unsigned long long)a.avail_user_addr,
		     (unsigned long long)a.used_user_addr, a.flags);
		fz_ioctl(VHOST_SET_VRING_ADDR, &a);
		break;
	case 2:
		s.num = chance(50) ? rnd(65536) : (chance(50) ? 0 : (uint32_t)vc_splitmix64(&rng));
		note("SET_VRING_BASE vq %u base %u", s.index, s.num);
		if (!fz_ioctl(VHOST_SET_VRING_BASE, &s) && s.index < VC_MAX_VQS)
			D.avail[s.index] = s.num;
		break;
	case 3:
		s.num = chance(80) ? rnd(2) : (uint32_t)vc_splitmix64(&rng);
		note("SET_VRING_ENABLE vq %u %u", s.index, s.num);
		fz_ioctl(VHOST_VDPA_SET_VRING_ENABLE, &s);
		break;
	case 4:
		f.fd = chance(80) ? D.kick[s.index % VC_MAX_VQS] : (chance(50) ? -1 : 1000);
		note("SET_VRING_KICK vq %u fd %d", f.index, f.fd);
		fz_ioctl(VHOST_SET_VRING_KICK, &f);
		break;
	case 5:
		f.fd = chance(80) ? D.call[s.index % VC_MAX_VQS] : (chance(50) ? -1 : 1000);
		note("SET_VRING_CALL vq %u fd %d", f.index, f.fd);
		fz_ioctl(VHOST_SET_VRING_CALL, &f);
		break;
	default:
		note("GET_VRING_BASE vq %u", s.index);
		fz_ioctl(VHOST_GET_VRING_BASE, &s);
		break;
	}
}

static void op_config(void)
{
	struct {
		struct vhost_vdpa_config h;
		uint8_t buf[512];
	} c;

	memset(&c, 0, sizeof(c));
	c.h.off = chance(80) ? rnd(D.config_size + 1) : (uint32_t)vc_splitmix64(&rng);
	c.h.len = chance(80) ? rnd(D.config_size + 2) : rnd(sizeof(c.buf) + 1);
	if (chance(60)) {
		note("GET_CONFIG off %u len %u", c.h.off, c.h.len);
		fz_ioctl(VHOST_VDPA_GET_CONFIG, &c);
	} else {
		unsigned int i;

		for (i = 0; i < sizeof(c.buf); i++)
			c.buf[i] = rnd(256);
		note("SET_CONFIG off %u len %u", c.h.off, c.h.len);
		fz_ioctl(VHOST_VDPA_SET_CONFIG, &c);
	}
}

/* Read the used rings, as a driver would, and drain the call eventfds. */
static void op_reap(void)
{
	unsigned int i;
	uint64_t v;

	note("reap used rings and call eventfds");
	for (i = 0; i < D.nvqs && i < VC_MAX_VQS; i++) {
		volatile struct vring_used *u = (void *)(D.mem + ring_off(i, 2));

		(void)u->idx;
		if (read(D.call[i], &v, 8) < 0 && errno != EAGAIN)
			vc_warn("call eventfd: %s", strerror(errno));
	}
}

int cmd_seq_fuzz(void)
{
	double start, end_by;
	pthread_t wd;
	uint64_t n;
	unsigned int i;

	if (!opt.seed_set)
		vc_die(VC_EXIT_USAGE, "seq-fuzz needs --seed");
	rng = opt.seed;
	printf("seq-fuzz: seed=%llu (replay: --seed %llu)\n", (unsigned long long)opt.seed,
	       (unsigned long long)opt.seed);
	fflush(stdout);
	D.path = opt.dev;
	D.fd = -1;
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg < 0)
		vc_die(VC_EXIT_ERR, "open /dev/kmsg: %s", strerror(errno));
	lseek(kmsg, 0, SEEK_END);
	if (pthread_create(&wd, NULL, watchdog, NULL))
		vc_die(VC_EXIT_ERR, "pthread_create failed");

	D.memfd = memfd_create("seq-fuzz", MFD_CLOEXEC);
	if (D.memfd < 0 || ftruncate(D.memfd, MEM_SIZE))
		vc_die(VC_EXIT_ERR, "memfd: %s", strerror(errno));
	D.mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		     D.memfd, 0);
	if (D.mem == MAP_FAILED)
		vc_die(VC_EXIT_ERR, "mmap: %s", strerror(errno));
	for (i = 0; i < VC_MAX_VQS; i++) {
		D.kick[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		D.call[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (D.kick[i] < 0 || D.call[i] < 0)
			vc_die(VC_EXIT_ERR, "eventfd: %s", strerror(errno));
	}

	note("open");
	dev_open(false);
	fz_ioctl(VHOST_GET_FEATURES, &D.dev_features);
	fz_ioctl(VHOST_VDPA_GET_VRING_NUM, &D.vring_num);
	fz_ioctl(VHOST_VDPA_GET_VQS_COUNT, &D.nvqs);
	fz_ioctl(VHOST_VDPA_GET_IOVA_RANGE, &D.range);
	fz_ioctl(VHOST_VDPA_GET_CONFIG_SIZE, &D.config_size);
	if (fz_ioctl(VHOST_VDPA_GET_GROUP_NUM, &D.ngroups))
		D.ngroups = 1;
	if (fz_ioctl(VHOST_VDPA_GET_AS_NUM, &D.nas))
		D.nas = 1;
	if (!D.nvqs || D.vring_num < QNUM)
		vc_die(VC_EXIT_UNSUPP, "%s: %u vqs of at most %u entries: not for this fuzzer",
		       D.path, D.nvqs, D.vring_num);
	D.iova = (D.range.first + PAGE - 1) & ~(PAGE - 1);
	if (!D.iova)
		D.iova = 2ull << 20;
	printf("seq-fuzz: %s: %u vqs, %u groups, %u address spaces, features %#llx, "
	       "backend %#llx\n", D.path, D.nvqs, D.ngroups, D.nas,
	       (unsigned long long)D.dev_features, (unsigned long long)D.backend_offered);
	fflush(stdout);

	start = vc_now();
	end_by = opt.secs > 0 ? start + opt.secs : 0;
	for (n = 0; n < opt.count; n++) {
		unsigned int x;

		op_no = n;
		if (end_by && vc_now() > end_by)
			break;
		if (D.fd < 0) {
			note("reopen");
			dev_open(true);
			S.reopen++;
		}
		if (get_status() & VIRTIO_CONFIG_S_DRIVER_OK)
			S.running_ops++;
		x = rnd(1000);
		if (x < 200)
			op_iotlb();
		else if (x < 240)
			op_start();
		else if (x < 330)
			op_status();
		else if (x < 360)
			op_features();
		else if (x < 400)
			op_group_asid();
		else if (x < 600)
			op_vring();
		else if (x < 640) {
			note("SUSPEND");
			fz_ioctl(VHOST_VDPA_SUSPEND, NULL);
		} else if (x < 680) {
			note("RESUME");
			fz_ioctl(VHOST_VDPA_RESUME, NULL);
		} else if (x < 800)
			op_fill();
		else if (x < 850)
			op_kick();
		else if (x < 900)
			op_reap();
		else if (x < 950)
			op_config();
		else if (x < 975) {
			note("close");
			dev_close();
		} else {
			note("map the whole region in asid 0");
			map_all(0);
		}
		S.ops++;
		check_kmsg();
	}
	op_no = n;
	note("final close");
	dev_close();
	usleep(200000);
	check_kmsg();
	printf("seq-fuzz: seed=%llu ops=%llu secs=%.1f ok=%llu reopens=%llu starts=%llu "
	       "driver_ok=%llu ops_while_running=%llu buffers_posted=%llu\n",
	       (unsigned long long)opt.seed, (unsigned long long)S.ops, vc_now() - start,
	       (unsigned long long)S.ok, (unsigned long long)S.reopen,
	       (unsigned long long)S.starts, (unsigned long long)S.driver_ok,
	       (unsigned long long)S.running_ops, (unsigned long long)S.frames_posted);
	printf("seq-fuzz: errors:");
	for (i = 0; i < 256; i++)
		if (S.err[i])
			printf(" %s=%llu", strerrorname_np(i) ? strerrorname_np(i) : "?",
			       (unsigned long long)S.err[i]);
	printf("\n");
	return VC_EXIT_OK;
}
