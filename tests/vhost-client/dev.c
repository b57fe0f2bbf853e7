// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-client: the vhost-vdpa side.  Open and own the device, negotiate
 * backend and device features, map one memfd region through IOTLB
 * messages, lay out split rings in it, drive the status byte, and the
 * suspend / vq state / resume ioctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "vc.h"

#define PAGE	4096ull

static void xioctl_(struct vc_dev *d, unsigned long req, const char *name, void *arg)
{
	if (ioctl(d->fd, req, arg) < 0)
		vc_die(VC_EXIT_ERR, "ioctl %s on %s: %s", name, d->path, strerror(errno));
}

/* Every failing ioctl names itself: "ioctl VHOST_SET_OWNER on /dev/...: ..." */
#define xioctl(d, req, arg)	xioctl_(d, req, #req, arg)

/* For the optional ioctls: 0 or the errno. */
static int tioctl(struct vc_dev *d, unsigned long req, void *arg)
{
	return ioctl(d->fd, req, arg) < 0 ? errno : 0;
}

bool vc_has_backend(const struct vc_dev *d, unsigned int bit)
{
	return d->backend & (1ull << bit);
}

void vc_open(struct vc_dev *d, const char *path)
{
	uint64_t want;
	int i;

	memset(d, 0, sizeof(*d));
	d->path = path;
	d->mem.fd = -1;
	for (i = 0; i < VC_MAX_VQS; i++)
		d->vqs[i].kickfd = d->vqs[i].callfd = -1;
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		vc_die(VC_EXIT_ERR, "open %s: %s", path, strerror(errno));
	xioctl(d, VHOST_SET_OWNER, NULL);

	xioctl(d, VHOST_GET_BACKEND_FEATURES, &d->backend_offered);
	want = (1ull << VHOST_BACKEND_F_IOTLB_MSG_V2) | (1ull << VHOST_BACKEND_F_IOTLB_BATCH) |
	       (1ull << VHOST_BACKEND_F_IOTLB_ASID) | (1ull << VHOST_BACKEND_F_SUSPEND) |
	       (1ull << VHOST_BACKEND_F_RESUME);
	d->backend = d->backend_offered & want;
	xioctl(d, VHOST_SET_BACKEND_FEATURES, &d->backend);
	vc_log("backend features offered %#llx, acked %#llx",
	       (unsigned long long)d->backend_offered, (unsigned long long)d->backend);

	xioctl(d, VHOST_VDPA_GET_DEVICE_ID, &d->device_id);
	xioctl(d, VHOST_GET_FEATURES, &d->dev_features);
	xioctl(d, VHOST_VDPA_GET_VRING_NUM, &d->vring_num);
	xioctl(d, VHOST_VDPA_GET_VQS_COUNT, &d->nvqs);
	xioctl(d, VHOST_VDPA_GET_IOVA_RANGE, &d->range);
	xioctl(d, VHOST_VDPA_GET_CONFIG_SIZE, &d->config_size);
	if (tioctl(d, VHOST_VDPA_GET_GROUP_NUM, &d->ngroups))
		d->ngroups = 0;
	if (tioctl(d, VHOST_VDPA_GET_AS_NUM, &d->nas))
		d->nas = 0;
	vc_read_config(d);
	vc_log("%s: device id %u, %u vqs, vring num %u, iova %#llx-%#llx", path, d->device_id,
	       d->nvqs, d->vring_num, (unsigned long long)d->range.first,
	       (unsigned long long)d->range.last);
}

void vc_read_config(struct vc_dev *d)
{
	struct {
		struct vhost_vdpa_config hdr;
		uint8_t buf[sizeof(d->config)];
	} c;
	uint32_t len = d->config_size;

	if (len > sizeof(d->config))
		len = sizeof(d->config);
	memset(&c, 0, sizeof(c));
	memset(d->config, 0, sizeof(d->config));
	if (!len)
		return;
	c.hdr.off = 0;
	c.hdr.len = len;
	xioctl(d, VHOST_VDPA_GET_CONFIG, &c);
	memcpy(d->config, c.buf, len);
}

uint8_t vc_get_status(struct vc_dev *d)
{
	uint8_t s = 0;

	xioctl(d, VHOST_VDPA_GET_STATUS, &s);
	return s;
}

void vc_set_status(struct vc_dev *d, uint8_t status)
{
	xioctl(d, VHOST_VDPA_SET_STATUS, &status);
}

/* Reset, ACKNOWLEDGE|DRIVER, features, FEATURES_OK (checked). */
void vc_negotiate(struct vc_dev *d, uint64_t want)
{
	uint8_t s;

	vc_set_status(d, 0);
	s = VIRTIO_CONFIG_S_ACKNOWLEDGE;
	vc_set_status(d, s);
	s |= VIRTIO_CONFIG_S_DRIVER;
	vc_set_status(d, s);
	d->features = d->dev_features & want;
	if (opt.features_set)
		d->features &= opt.features_mask;
	xioctl(d, VHOST_SET_FEATURES, &d->features);
	s |= VIRTIO_CONFIG_S_FEATURES_OK;
	vc_set_status(d, s);
	s = vc_get_status(d);
	if (!(s & VIRTIO_CONFIG_S_FEATURES_OK))
		vc_die(VC_EXIT_ERR, "%s: FEATURES_OK did not stick (status %#x, features %#llx)",
		       d->path, s, (unsigned long long)d->features);
	vc_log("features %#llx negotiated, status %#x", (unsigned long long)d->features, s);
}

static uint32_t data_asid(void)
{
	return opt.group_asid[0] >= 0 ? (uint32_t)opt.group_asid[1] : 0;
}

static void iotlb_msg(struct vc_dev *d, uint8_t type, const char *name, uint64_t iova,
		      uint64_t size, uint64_t uaddr)
{
	ssize_t n, want;
	struct vhost_msg_v2 m2;
	struct vhost_msg m1;
	struct vhost_iotlb_msg *m;
	void *buf;

	memset(&m2, 0, sizeof(m2));
	memset(&m1, 0, sizeof(m1));
	if (vc_has_backend(d, VHOST_BACKEND_F_IOTLB_MSG_V2)) {
		m2.type = VHOST_IOTLB_MSG_V2;
		m2.asid = data_asid();
		m = &m2.iotlb;
		buf = &m2;
		want = sizeof(m2);
	} else {
		m1.type = VHOST_IOTLB_MSG;
		m = &m1.iotlb;
		buf = &m1;
		want = sizeof(m1);
	}
	m->type = type;
	m->iova = iova;
	m->size = size;
	m->uaddr = uaddr;
	m->perm = VHOST_ACCESS_RW;
	n = write(d->fd, buf, want);
	if (n != want)
		vc_die(VC_EXIT_ERR, "write %s (iova %#llx size %#llx) to %s: %s%s", name,
		       (unsigned long long)iova, (unsigned long long)size, d->path,
		       n < 0 ? strerror(errno) : "short write",
		       n < 0 && errno == EFAULT ? " (vhost reports any IOTLB failure as EFAULT: "
		       "range, RLIMIT_MEMLOCK, pinning, too many entries; see -v)" : "");
}

/*
 * One IOTLB message in address space @asid (MSG_V2; v1 only for asid 0):
 * 0 or the errno, for callers that expect refusals (ring-fuzz,
 * unmap-attack).  No batch: the caller brackets with BATCH_BEGIN/END.
 */
int vc_iotlb(struct vc_dev *d, uint32_t asid, uint8_t type, uint64_t iova, uint64_t size,
	     const void *uaddr)
{
	struct vhost_msg_v2 m2;
	struct vhost_msg m1;
	struct vhost_iotlb_msg *m;
	ssize_t n, want;
	void *buf;

	memset(&m2, 0, sizeof(m2));
	memset(&m1, 0, sizeof(m1));
	if (vc_has_backend(d, VHOST_BACKEND_F_IOTLB_MSG_V2)) {
		m2.type = VHOST_IOTLB_MSG_V2;
		m2.asid = asid;
		m = &m2.iotlb;
		buf = &m2;
		want = sizeof(m2);
	} else {
		if (asid)
			return EOPNOTSUPP;
		m1.type = VHOST_IOTLB_MSG;
		m = &m1.iotlb;
		buf = &m1;
		want = sizeof(m1);
	}
	m->type = type;
	m->iova = iova;
	m->size = size;
	m->uaddr = (uint64_t)(uintptr_t)uaddr;
	m->perm = VHOST_ACCESS_RW;
	n = write(d->fd, buf, want);
	if (n == want)
		return 0;
	return n < 0 ? errno : EIO;
}

static void mem_map(struct vc_dev *d, bool unmap_first)
{
	bool batch = vc_has_backend(d, VHOST_BACKEND_F_IOTLB_BATCH);
	struct vc_mem *m = &d->mem;

	if (batch)
		iotlb_msg(d, VHOST_IOTLB_BATCH_BEGIN, "VHOST_IOTLB_BATCH_BEGIN", 0, 0, 0);
	if (unmap_first)
		iotlb_msg(d, VHOST_IOTLB_INVALIDATE, "VHOST_IOTLB_INVALIDATE", m->iova, m->size, 0);
	iotlb_msg(d, VHOST_IOTLB_UPDATE, "VHOST_IOTLB_UPDATE", m->iova, m->size,
		  (uint64_t)(uintptr_t)m->base);
	if (batch)
		iotlb_msg(d, VHOST_IOTLB_BATCH_END, "VHOST_IOTLB_BATCH_END", 0, 0, 0);
	m->mapped = true;
}

/*
 * vhost-vdpa pins the region and makes one IOTLB entry per physically
 * contiguous run of pages, at most max_iotlb_entries (2048) per address
 * space; beyond that the UPDATE fails with ENOSPC, which reaches us as
 * EFAULT.  Count the runs (PFNs from /proc/self/pagemap, readable by
 * root) to fail with the reason instead.  Returns 0 when unknown.
 */
static unsigned long count_runs(const struct vc_mem *m)
{
	uint64_t npages = m->size / PAGE, i, prev = 0;
	unsigned long runs = 0;
	uint64_t e[512];
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	for (i = 0; i < npages; i++) {
		uint64_t pfn;

		if (i % 512 == 0) {
			size_t n = npages - i < 512 ? npages - i : 512;
			off_t off = (off_t)(((uintptr_t)m->base / PAGE + i) * 8);

			if (pread(fd, e, n * 8, off) != (ssize_t)(n * 8)) {
				runs = 0;
				break;
			}
		}
		pfn = e[i % 512] & ((1ull << 55) - 1);
		if (!(e[i % 512] >> 63) || !pfn) {
			runs = 0;	/* not present, or PFNs hidden from us */
			break;
		}
		if (!i || pfn != prev + 1)
			runs++;
		prev = pfn;
	}
	close(fd);
	return runs;
}

static long max_iotlb_entries(void)
{
	FILE *f = fopen("/sys/module/vhost_vdpa/parameters/max_iotlb_entries", "re");
	long v = 2048;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 2048;
		fclose(f);
	}
	return v;
}

/* The memfd region: created, mapped here, mapped in the device. */
void vc_mem_setup(struct vc_dev *d)
{
	struct vc_mem *m = &d->mem;
	unsigned long runs;
	struct rlimit rl;

	m->size = (opt.mem_size + PAGE - 1) & ~(PAGE - 1);
	/*
	 * The start of the device's range, rounded up; never 0: a ring at
	 * address 0 is "not set up" to QEMU's virtio-pci (and to other devices
	 * that test addresses for zero), so 0 becomes 2 MiB.
	 */
	m->iova = (d->range.first + PAGE - 1) & ~(PAGE - 1);
	if (!m->iova)
		m->iova = 2ull << 20;
	if (opt.iova_set)
		m->iova = opt.iova;
	if (m->iova & (PAGE - 1))
		vc_die(VC_EXIT_USAGE, "--iova %#llx is not page aligned", (unsigned long long)m->iova);
	if (m->iova < d->range.first || m->iova + m->size - 1 > d->range.last ||
	    m->iova + m->size < m->iova)
		vc_die(VC_EXIT_USAGE, "iova %#llx + %#llx is outside the device's range %#llx-%#llx",
		       (unsigned long long)m->iova, (unsigned long long)m->size,
		       (unsigned long long)d->range.first, (unsigned long long)d->range.last);

	/* vhost-vdpa pins the region and counts it against RLIMIT_MEMLOCK */
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < 2 * m->size) {
		struct rlimit nl = { 2 * m->size + (64 << 20), 2 * m->size + (64 << 20) };

		if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > nl.rlim_max)
			nl.rlim_max = rl.rlim_max;
		if (setrlimit(RLIMIT_MEMLOCK, &nl))
			vc_warn("cannot raise RLIMIT_MEMLOCK to %llu: %s",
				(unsigned long long)nl.rlim_cur, strerror(errno));
	}

	m->fd = memfd_create("vhost-client", MFD_CLOEXEC);
	if (m->fd < 0)
		vc_die(VC_EXIT_ERR, "memfd_create: %s", strerror(errno));
	if (ftruncate(m->fd, m->size))
		vc_die(VC_EXIT_ERR, "ftruncate memfd to %llu: %s", (unsigned long long)m->size,
		       strerror(errno));
	m->base = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, m->fd, 0);
	if (m->base == MAP_FAILED) {
		m->base = NULL;
		vc_die(VC_EXIT_ERR, "mmap memfd: %s", strerror(errno));
	}
	runs = count_runs(m);
	if (runs && (long)runs > max_iotlb_entries())
		vc_die(VC_EXIT_ERR, "the %llu-KiB region lies in %lu physically contiguous runs, "
		       "vhost_vdpa maps at most %ld (max_iotlb_entries): use a smaller --mem",
		       (unsigned long long)(m->size >> 10), runs, max_iotlb_entries());
	mem_map(d, false);
	vc_log("memory: %llu KiB at iova %#llx (asid %u), %lu physically contiguous runs",
	       (unsigned long long)(m->size >> 10), (unsigned long long)m->iova, data_asid(), runs);
}

/*
 * Take a region another device had (the copy a migration made): same
 * IOVA, mapped in this device.
 */
void vc_mem_adopt(struct vc_dev *d, int fd, uint8_t *base, uint64_t size, uint64_t iova)
{
	struct vc_mem *m = &d->mem;

	m->fd = fd;
	m->base = base;
	m->size = size;
	m->iova = iova;
	m->next = size;
	if (iova < d->range.first || iova + size - 1 > d->range.last)
		vc_die(VC_EXIT_ERR, "%s: iova %#llx + %#llx is outside the device's range %#llx-%#llx",
		       d->path, (unsigned long long)iova, (unsigned long long)size,
		       (unsigned long long)d->range.first, (unsigned long long)d->range.last);
	mem_map(d, false);
}

void *vc_alloc(struct vc_dev *d, uint64_t size, uint64_t align)
{
	struct vc_mem *m = &d->mem;
	uint64_t off = (m->next + align - 1) & ~(align - 1);

	if (off + size > m->size)
		vc_die(VC_EXIT_USAGE, "memory region too small (%llu bytes): raise --mem",
		       (unsigned long long)m->size);
	m->next = off + size;
	return m->base + off;
}

uint64_t vc_iova(const struct vc_dev *d, const void *p)
{
	return d->mem.iova + (uint64_t)((const uint8_t *)p - d->mem.base);
}

unsigned int vc_qsize(const struct vc_dev *d)
{
	unsigned int n = opt.qsize ? opt.qsize : 256;

	if (n > d->vring_num) {
		if (opt.qsize)
			vc_die(VC_EXIT_USAGE, "--qsize %u exceeds the device's %u", n, d->vring_num);
		n = d->vring_num;
	}
	if (!n || (n & (n - 1)))
		vc_die(VC_EXIT_USAGE, "queue size %u is not a power of 2", n);
	return n;
}

void vc_vq_alloc(struct vc_dev *d, unsigned int idx, unsigned int num, uint32_t buf_size)
{
	struct vc_vq *vq;
	unsigned int i;

	if (idx >= VC_MAX_VQS || idx >= d->nvqs)
		vc_die(VC_EXIT_ERR, "%s: vq %u does not exist (%u vqs)", d->path, idx, d->nvqs);
	vq = &d->vqs[idx];
	vq->idx = idx;
	vq->num = num;
	vq->desc = vc_alloc(d, 16ull * num, PAGE);
	vq->avail = vc_alloc(d, 6 + 2ull * num, PAGE);
	vq->used = vc_alloc(d, 6 + 8ull * num, PAGE);
	vq->buf_size = buf_size;
	if (buf_size)
		/* own pages: the dirty-page checks tell device and CPU writes apart */
		vq->bufs = vc_alloc(d, (uint64_t)num * buf_size, PAGE);
	vq->free_ids = calloc(num, sizeof(*vq->free_ids));
	if (!vq->free_ids)
		vc_die(VC_EXIT_ERR, "out of memory");
	for (i = 0; i < num; i++) {
		vq->free_ids[i] = num - 1 - i;
		if (buf_size) {
			vq->desc[i].addr = vc_iova(d, vq->bufs + (uint64_t)i * buf_size);
			vq->desc[i].len = buf_size;
		}
	}
	vq->nfree = num;
	vq->kickfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vq->callfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vq->kickfd < 0 || vq->callfd < 0)
		vc_die(VC_EXIT_ERR, "eventfd: %s", strerror(errno));
	vq->active = true;
	d->nactive++;
}

static void vq_map_doorbell(struct vc_dev *d, struct vc_vq *vq)
{
	void *p;

	if (vq->doorbell)
		return;
	p = mmap(NULL, PAGE, PROT_WRITE, MAP_SHARED, d->fd, (off_t)(vq->idx * PAGE));
	if (p == MAP_FAILED)
		vc_die(VC_EXIT_ERR, "mmap doorbell of vq %u on %s: %s (the device must give a "
		       "page-sized notification area)", vq->idx, d->path, strerror(errno));
	vq->doorbell = p;
}

/* NUM, ADDR, BASE, KICK, CALL, ENABLE: the order QEMU uses. */
void vc_vq_program(struct vc_dev *d, struct vc_vq *vq, uint16_t base)
{
	struct vhost_vring_state s = { .index = vq->idx };
	struct vhost_vring_addr a = { .index = vq->idx };
	struct vhost_vring_file f = { .index = vq->idx };

	s.num = vq->num;
	xioctl(d, VHOST_SET_VRING_NUM, &s);
	a.desc_user_addr = vc_iova(d, vq->desc);
	a.avail_user_addr = vc_iova(d, vq->avail);
	a.used_user_addr = vc_iova(d, vq->used);
	xioctl(d, VHOST_SET_VRING_ADDR, &a);
	s.num = base;
	xioctl(d, VHOST_SET_VRING_BASE, &s);
	f.fd = vq->kickfd;
	xioctl(d, VHOST_SET_VRING_KICK, &f);
	f.fd = vq->callfd;
	xioctl(d, VHOST_SET_VRING_CALL, &f);
	/* --enable-late: enabled after DRIVER_OK (vc_enable_late) */
	if ((int)vq->idx != opt.enable_late) {
		s.num = 1;
		xioctl(d, VHOST_VDPA_SET_VRING_ENABLE, &s);
	}
	if (opt.doorbell_mmap)
		vq_map_doorbell(d, vq);
	vc_log("vq %u: num %u base %u desc %#llx avail %#llx used %#llx", vq->idx, vq->num, base,
	       (unsigned long long)a.desc_user_addr, (unsigned long long)a.avail_user_addr,
	       (unsigned long long)a.used_user_addr);
}

void vc_driver_ok(struct vc_dev *d)
{
	uint8_t s = vc_get_status(d);

	vc_set_status(d, s | VIRTIO_CONFIG_S_DRIVER_OK);
	s = vc_get_status(d);
	if (!(s & VIRTIO_CONFIG_S_DRIVER_OK) || (s & VIRTIO_CONFIG_S_NEEDS_RESET) ||
	    (s & VIRTIO_CONFIG_S_FAILED))
		vc_die(VC_EXIT_ERR, "%s: device did not start: status %#x after DRIVER_OK%s",
		       d->path, s, s & VIRTIO_CONFIG_S_NEEDS_RESET ? " (NEEDS_RESET; see dmesg)" : "");
	vc_log("DRIVER_OK, status %#x", s);
}

static void set_group_asid(struct vc_dev *d)
{
	struct vhost_vring_state s;

	if (opt.group_asid[0] < 0)
		return;
	if (!vc_has_backend(d, VHOST_BACKEND_F_IOTLB_ASID))
		vc_die(VC_EXIT_UNSUPP, "--group-asid: the backend does not offer IOTLB_ASID");
	s.index = opt.group_asid[0];
	s.num = opt.group_asid[1];
	xioctl(d, VHOST_VDPA_SET_GROUP_ASID, &s);
}

/*
 * --enable-late N: VHOST_VDPA_SET_VRING_ENABLE of vq N once the device
 * runs, as QEMU does with the data queues after restoring the control
 * queue's state (VHOST_BACKEND_F_ENABLE_AFTER_DRIVER_OK).
 */
static void vc_enable_late(struct vc_dev *d)
{
	struct vhost_vring_state s = { .index = (unsigned int)opt.enable_late, .num = 1 };

	if (opt.enable_late < 0 || opt.enable_late >= VC_MAX_VQS ||
	    !d->vqs[opt.enable_late].active)
		return;
	xioctl(d, VHOST_VDPA_SET_VRING_ENABLE, &s);
	vc_log("vq %d enabled after DRIVER_OK, status %#x", opt.enable_late, vc_get_status(d));
}

void vc_start(struct vc_dev *d, uint64_t want, const unsigned int *vqs, unsigned int nvqs,
	      const uint32_t *buf_sizes)
{
	unsigned int num = vc_qsize(d), i;

	vc_negotiate(d, want);
	set_group_asid(d);
	vc_mem_setup(d);
	for (i = 0; i < nvqs; i++) {
		vc_vq_alloc(d, vqs[i], num, buf_sizes[i]);
		vc_vq_program(d, &d->vqs[vqs[i]], 0);
	}
	vc_driver_ok(d);
	vc_enable_late(d);
}

uint16_t vc_get_vring_base(struct vc_dev *d, unsigned int idx)
{
	struct vhost_vring_state s = { .index = idx };

	xioctl(d, VHOST_GET_VRING_BASE, &s);
	return s.num;
}

void vc_suspend(struct vc_dev *d)
{
	xioctl(d, VHOST_VDPA_SUSPEND, NULL);
}

void vc_resume(struct vc_dev *d)
{
	xioctl(d, VHOST_VDPA_RESUME, NULL);
}

/*
 * Reset and start again where the rings were: the memory is unmapped and
 * mapped again around the reset (as QEMU's memory listener does), each
 * active vq is programmed with its saved avail index.
 */
void vc_restart(struct vc_dev *d, const uint16_t *bases)
{
	unsigned int i;

	vc_negotiate(d, d->features);
	set_group_asid(d);
	mem_map(d, true);
	for (i = 0; i < VC_MAX_VQS; i++)
		if (d->vqs[i].active)
			vc_vq_program(d, &d->vqs[i], bases[i]);
	vc_driver_ok(d);
	vc_enable_late(d);
}

void vc_close(struct vc_dev *d)
{
	unsigned int i;

	if (d->fd >= 0) {
		uint8_t s = 0;

		/* best effort: the device stops before its memory goes */
		ioctl(d->fd, VHOST_VDPA_SET_STATUS, &s);
		if (d->mem.mapped && vc_has_backend(d, VHOST_BACKEND_F_IOTLB_MSG_V2)) {
			struct vhost_msg_v2 m;

			memset(&m, 0, sizeof(m));
			m.type = VHOST_IOTLB_MSG_V2;
			m.asid = data_asid();
			m.iotlb.type = VHOST_IOTLB_INVALIDATE;
			m.iotlb.iova = d->mem.iova;
			m.iotlb.size = d->mem.size;
			if (write(d->fd, &m, sizeof(m)) != sizeof(m))
				vc_warn("IOTLB invalidate on close: %s", strerror(errno));
		}
	}
	for (i = 0; i < VC_MAX_VQS; i++) {
		struct vc_vq *vq = &d->vqs[i];

		if (vq->doorbell)
			munmap((void *)vq->doorbell, PAGE);
		if (vq->kickfd >= 0)
			close(vq->kickfd);
		if (vq->callfd >= 0)
			close(vq->callfd);
		free(vq->free_ids);
	}
	if (d->mem.base)
		munmap(d->mem.base, d->mem.size);
	if (d->mem.fd >= 0)
		close(d->mem.fd);
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/* --- split ring */

uint8_t *vc_vq_buf(const struct vc_vq *vq, uint16_t id)
{
	return vq->bufs + (uint64_t)id * vq->buf_size;
}

uint16_t vc_vq_get_id(struct vc_vq *vq)
{
	if (!vq->nfree)
		vc_die(VC_EXIT_ERR, "vq %u: no free descriptor", vq->idx);
	return vq->free_ids[--vq->nfree];
}

void vc_vq_put_id(struct vc_vq *vq, uint16_t id)
{
	if (vq->nfree >= vq->num)
		vc_die(VC_EXIT_ERR, "vq %u: descriptor %u returned twice", vq->idx, id);
	vq->free_ids[vq->nfree++] = id;
}

/* Queue a one-descriptor buffer; published by vc_vq_kick. */
void vc_vq_add(struct vc_vq *vq, uint16_t id, uint32_t len, bool write)
{
	vq->desc[id].len = len;
	vq->desc[id].flags = write ? VRING_DESC_F_WRITE : 0;
	vq->desc[id].next = 0;
	vq->avail->ring[vq->avail_idx % vq->num] = id;
	vc_track_write(&vq->desc[id], sizeof(vq->desc[id]));
	vc_track_write(&vq->avail->ring[vq->avail_idx % vq->num], 2);
	vq->avail_idx++;
}

/* Queue a chain the caller laid out in desc[] starting at ids[0]. */
void vc_vq_add_chain(struct vc_vq *vq, const uint16_t *ids, unsigned int n)
{
	unsigned int i;

	for (i = 0; i + 1 < n; i++) {
		vq->desc[ids[i]].flags |= VRING_DESC_F_NEXT;
		vq->desc[ids[i]].next = ids[i + 1];
		vc_track_write(&vq->desc[ids[i]], sizeof(vq->desc[ids[i]]));
	}
	vq->desc[ids[n - 1]].flags &= ~VRING_DESC_F_NEXT;
	vc_track_write(&vq->desc[ids[n - 1]], sizeof(vq->desc[ids[n - 1]]));
	vq->avail->ring[vq->avail_idx % vq->num] = ids[0];
	vc_track_write(&vq->avail->ring[vq->avail_idx % vq->num], 2);
	vq->avail_idx++;
}

void vc_vq_kick(struct vc_vq *vq)
{
	uint64_t one = 1;

	__atomic_store_n(&vq->avail->idx, vq->avail_idx, __ATOMIC_RELEASE);
	vc_track_write(&vq->avail->idx, 2);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vq->kicks++;
	if (vq->doorbell) {
		*vq->doorbell = vq->idx;
		return;
	}
	if (write(vq->kickfd, &one, sizeof(one)) != sizeof(one))
		vc_die(VC_EXIT_ERR, "kick vq %u: %s", vq->idx, strerror(errno));
}

bool vc_vq_used(struct vc_vq *vq, uint16_t *id, uint32_t *len)
{
	uint16_t idx = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	struct vring_used_elem *e;

	if (idx == vq->used_idx)
		return false;
	if ((uint16_t)(idx - vq->used_idx) > vq->num)
		vc_die(VC_EXIT_ERR, "vq %u: used index jumped from %u to %u (ring of %u)",
		       vq->idx, vq->used_idx, idx, vq->num);
	e = &vq->used->ring[vq->used_idx % vq->num];
	if (e->id >= vq->num)
		vc_die(VC_EXIT_ERR, "vq %u: device used descriptor id %u (ring of %u)", vq->idx,
		       e->id, vq->num);
	*id = e->id;
	*len = e->len;
	vq->used_idx++;
	return true;
}

/*
 * Sleep until a call eventfd fires or 50 ms pass (whichever first, and
 * never past the deadline).  Returns 1 when a call came.  The cap lets
 * callers notice used entries even if the device never interrupts.
 */
int vc_vq_wait(struct vc_dev *d, double deadline)
{
	struct pollfd pfd[VC_MAX_VQS];
	struct vc_vq *vqs[VC_MAX_VQS];
	unsigned int n = 0, i;
	double left = deadline - vc_now();
	int ms, r, got = 0;

	if (left <= 0)
		return 0;
	ms = left > 0.05 ? 50 : (int)(left * 1000) + 1;
	for (i = 0; i < VC_MAX_VQS; i++) {
		if (!d->vqs[i].active)
			continue;
		pfd[n].fd = d->vqs[i].callfd;
		pfd[n].events = POLLIN;
		vqs[n++] = &d->vqs[i];
	}
	r = poll(pfd, n, ms);
	if (r < 0 && errno != EINTR)
		vc_die(VC_EXIT_ERR, "poll call eventfds: %s", strerror(errno));
	for (i = 0; r > 0 && i < n; i++) {
		uint64_t v;

		if (!(pfd[i].revents & POLLIN))
			continue;
		if (read(pfd[i].fd, &v, sizeof(v)) == sizeof(v)) {
			vqs[i]->calls += v;
			got = 1;
		}
	}
	return got;
}
