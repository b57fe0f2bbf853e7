// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-client unmap-attack, asid-attack: a VMM that attacks the driver
 * through its address spaces rather than its rings.
 *
 * unmap-attack DEV: receive buffers posted on a net device (on a machine
 * without an IOMMU the relay hands the function the physical addresses
 * of their pages), then, while the function holds them, the whole memory
 * is invalidated in the IOTLB (vhost-vdpa unpins it), unmapped and its
 * memfd truncated and closed, so its pages are free for anyone.  A fresh
 * anonymous region of --region bytes (default: the free memory, read
 * after the release, less 256M) is filled with a pattern,
 * 'unmap-attack: ready' printed, and for --timeout seconds (the peer
 * sends frames meanwhile) the region is scanned: any byte changed means
 * the function wrote into pages that were no longer the consumer's (the
 * driver must hold a reference to every page it handed the function).
 * Exit 3 then.
 *
 * asid-attack DEV --group-asid G:A: the memory mapped in address space A
 * only, group G moved onto A, the rx/tx rings programmed, DRIVER_OK.
 * When the data group (0) is left on an address space with nothing
 * mapped (G != 0, A != 0), the device must refuse to start: NEEDS_RESET
 * and no DRIVER_OK in the status; else it must start.  Exit 0 when it
 * does what it must, 3 when not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "vc.h"

static uint64_t pat(uint64_t off)
{
	return (off * 0x9e3779b97f4a7c15ull) ^ 0xa5a5c3c3f0f00f0full;
}

/* Changed 8-byte words of the region, *first the offset of the first. */
static uint64_t scan(const uint64_t *r, uint64_t words, uint64_t *first)
{
	uint64_t i, bad = 0;

	for (i = 0; i < words; i++) {
		if (r[i] == pat(i))
			continue;
		if (!bad++)
			*first = i * 8;
	}
	return bad;
}

/*
 * The freed pages go back to the allocator, which hands them out again in
 * no order we can ask for: take nearly all that is free once they are
 * back (MemFree less 256 MiB, at least 64 MiB), so they are almost surely
 * among ours.  Not MemAvailable: that counts the page cache too, which
 * on the test VM holds the binaries of the running programs, read over
 * 9p; the freed pages are not there, so the fill has no reason to evict
 * them.
 */
static uint64_t free_memory(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %llu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	if (kb * 1024 < (320ull << 20))
		return 64ull << 20;
	return kb * 1024 - (256ull << 20);
}

int cmd_unmap_attack(void)
{
	uint64_t size, words, i, bad = 0, first = 0;
	struct vc_net n;
	struct vc_mem *m = &n.d.mem;
	uint64_t *r;
	double deadline;
	uint8_t s;
	int err;

	if (opt.region && opt.region < 4096)
		vc_die(VC_EXIT_USAGE, "--region must be at least 4K");
	vc_net_open(&n);
	vc_net_post_rx(&n);
	/* the relay takes them on the kick; give it time under TCG */
	usleep(500 * 1000);
	s = vc_get_status(&n.d);
	if (!(s & VIRTIO_CONFIG_S_DRIVER_OK) || (s & VIRTIO_CONFIG_S_NEEDS_RESET))
		vc_die(VC_EXIT_ERR, "device not running after posting rx buffers: status %#x", s);

	err = vc_iotlb(&n.d, opt.group_asid[0] >= 0 ? (uint32_t)opt.group_asid[1] : 0,
		       VHOST_IOTLB_INVALIDATE, m->iova, m->size, NULL);
	if (err)
		vc_die(VC_EXIT_ERR, "IOTLB invalidate of the whole memory: %s", strerror(err));
	m->mapped = false;
	munmap(m->base, m->size);
	m->base = NULL;
	/* the memfd held the pages too: now nothing of ours does */
	if (ftruncate(m->fd, 0))
		vc_die(VC_EXIT_ERR, "truncate memfd: %s", strerror(errno));
	close(m->fd);
	m->fd = -1;

	size = (opt.region ? opt.region : free_memory()) & ~4095ull;
	r = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		vc_die(VC_EXIT_ERR, "mmap %llu bytes: %s", (unsigned long long)size, strerror(errno));
	/*
	 * Small pages, faulted in by the fill: the freed pages wait on the
	 * per-CPU lists and in the buddy allocator as single pages, which
	 * transparent huge pages would pass over.
	 */
	madvise(r, size, MADV_NOHUGEPAGE);
	words = size / 8;
	for (i = 0; i < words; i++)
		r[i] = pat(i);
	s = vc_get_status(&n.d);
	printf("unmap-attack: ready (memory invalidated and freed, %llu MiB filled, status %#x)\n",
	       (unsigned long long)(size >> 20), s);

	deadline = vc_now() + opt.timeout;
	while (vc_now() < deadline)
		usleep(100 * 1000);
	bad = scan(r, words, &first);
	s = vc_get_status(&n.d);
	vc_net_close(&n);
	/* after the reset too: a late write would land now */
	if (!bad)
		bad = scan(r, words, &first);
	printf("unmap-attack: region=%llu changed_words=%llu status_before_reset=%#x\n",
	       (unsigned long long)size, (unsigned long long)bad, s);
	if (bad) {
		const uint8_t *b = (const uint8_t *)r + first;

		fprintf(stderr, "%s: unmap-attack: the fresh region changed at offset %#llx "
			"(%02x %02x %02x %02x %02x %02x %02x %02x...): the function wrote into pages "
			"the consumer had unmapped and freed\n", prog, (unsigned long long)first,
			b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
	}
	munmap(r, size);
	return bad ? VC_EXIT_CHECK : VC_EXIT_OK;
}

int cmd_asid_attack(void)
{
	static const unsigned int vqs[2] = { RXQ, TXQ };
	struct vc_dev d;
	struct vhost_vring_state st;
	unsigned int i, g, a, num;
	bool refuse, started;
	uint8_t s;

	if (opt.group_asid[0] < 0)
		vc_die(VC_EXIT_USAGE, "asid-attack: --group-asid G:A is required");
	g = (unsigned int)opt.group_asid[0];
	a = (unsigned int)opt.group_asid[1];
	vc_open(&d, opt.dev);
	if (d.device_id != VIRTIO_ID_NET)
		vc_die(VC_EXIT_ERR, "%s is not a net device", d.path);
	if (!vc_has_backend(&d, VHOST_BACKEND_F_IOTLB_ASID))
		vc_die(VC_EXIT_UNSUPP, "the backend does not offer IOTLB_ASID");
	vc_negotiate(&d, (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_ACCESS_PLATFORM) |
			 (1ull << VIRTIO_NET_F_MAC));
	st.index = g;
	st.num = a;
	if (ioctl(d.fd, VHOST_VDPA_SET_GROUP_ASID, &st))
		vc_die(VC_EXIT_ERR, "VHOST_VDPA_SET_GROUP_ASID %u:%u: %s", g, a, strerror(errno));
	vc_mem_setup(&d);	/* into address space a */
	num = vc_qsize(&d);
	for (i = 0; i < 2; i++) {
		vc_vq_alloc(&d, vqs[i], num, 2048);
		vc_vq_program(&d, &d.vqs[vqs[i]], 0);
	}
	/* the data group is on a: the memory; or on 0: empty unless a is 0 */
	refuse = g != 0 && a != 0;
	s = vc_get_status(&d);
	vc_set_status(&d, s | VIRTIO_CONFIG_S_DRIVER_OK);
	s = vc_get_status(&d);
	started = (s & VIRTIO_CONFIG_S_DRIVER_OK) && !(s & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* stop it at once: a function started on such rings may be reading anything */
	vc_set_status(&d, 0);
	printf("asid-attack: group=%u asid=%u data_group_asid=%u memory_asid=%u status=%#x "
	       "driver_ok=%d needs_reset=%d expected=%s\n", g, a, g == 0 ? a : 0, a, s,
	       !!(s & VIRTIO_CONFIG_S_DRIVER_OK), !!(s & VIRTIO_CONFIG_S_NEEDS_RESET),
	       refuse ? "refused" : "started");
	vc_close(&d);
	if (refuse && !(s & VIRTIO_CONFIG_S_NEEDS_RESET)) {
		fprintf(stderr, "%s: asid-attack: the data group has nothing mapped in its address "
			"space %u, yet the device %s (status %#x)\n", prog, g == 0 ? a : 0,
			started ? "started" : "did not report NEEDS_RESET", s);
		return VC_EXIT_CHECK;
	}
	if (refuse && (s & VIRTIO_CONFIG_S_DRIVER_OK)) {
		fprintf(stderr, "%s: asid-attack: NEEDS_RESET, but DRIVER_OK is in the status (%#x)\n",
			prog, s);
		return VC_EXIT_CHECK;
	}
	if (!refuse && !started) {
		fprintf(stderr, "%s: asid-attack: the data group's address space holds the memory, "
			"yet the device did not start (status %#x)\n", prog, s);
		return VC_EXIT_CHECK;
	}
	return VC_EXIT_OK;
}
