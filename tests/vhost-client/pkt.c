// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-client pkt-send, pkt-recv, pkt-reflect: the peer side, the same
 * numbered frames on an ordinary netdev through AF_PACKET raw sockets
 * bound to EtherType 0x88B5.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "vc.h"

#define PKT_MAX	65536

static int pkt_socket(const char *ifname, uint8_t mac[6])
{
	struct sockaddr_ll sll;
	struct ifreq ifr;
	int fd, one = 1, bufsz = 32 << 20;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(VC_ETHERTYPE));
	if (fd < 0)
		vc_die(VC_EXIT_ERR, "socket(AF_PACKET): %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		vc_die(VC_EXIT_USAGE, "interface name too long: %s", ifname);
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		vc_die(VC_EXIT_ERR, "interface %s: %s", ifname, strerror(errno));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(VC_ETHERTYPE);
	sll.sll_ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		vc_die(VC_EXIT_ERR, "SIOCGIFHWADDR %s: %s", ifname, strerror(errno));
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		vc_die(VC_EXIT_ERR, "bind AF_PACKET to %s: %s", ifname, strerror(errno));
	/* root may exceed the sysctl limits; plain users get what they get */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz, sizeof(bufsz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bufsz, sizeof(bufsz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
#ifdef PACKET_IGNORE_OUTGOING
	setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
#endif
	(void)one;
	return fd;
}

/* Send one frame; retried while the qdisc or the device queue is full. */
static void pkt_tx(int fd, const uint8_t *f, unsigned int len, double *last)
{
	for (;;) {
		ssize_t n = send(fd, f, len, 0);

		if (n == (ssize_t)len) {
			*last = vc_now();
			return;
		}
		if (n < 0 && (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)) {
			if (vc_now() - *last > opt.timeout)
				vc_die(VC_EXIT_TIMEOUT, "send: interface stuck for %.1f s: %s",
				       opt.timeout, strerror(errno));
			usleep(100);
			continue;
		}
		vc_die(VC_EXIT_ERR, "send on %s: %s", opt.dev, n < 0 ? strerror(errno) : "short");
	}
}

int cmd_pkt_send(void)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t mac[6], f[PKT_MAX];
	double t0, t1, last;
	uint64_t seq;
	int fd;

	if (opt.size > PKT_MAX)
		vc_die(VC_EXIT_USAGE, "--size %u too large", opt.size);
	fd = pkt_socket(opt.dev, mac);
	t0 = last = vc_now();
	for (seq = 0; seq < opt.count; seq++) {
		vc_frame_build(f, opt.size, opt.dst_set ? opt.dst_mac : bcast,
			       opt.src_set ? opt.src_mac : mac, opt.stream, seq, opt.count);
		if (opt.rate > 0) {
			double due = t0 + seq / opt.rate, left;

			/* one reading: a second one could be past due, negative */
			while ((left = due - vc_now()) > 0)
				usleep((useconds_t)(left * 1e6) + 1);
		}
		pkt_tx(fd, f, opt.size, &last);
	}
	t1 = vc_now();
	printf("pkt-send: sent=%llu size=%u secs=%.3f frames/s=%.0f\n",
	       (unsigned long long)opt.count, opt.size, t1 - t0,
	       t1 > t0 ? opt.count / (t1 - t0) : 0.0);
	if (opt.bench)
		printf("bench: AF_PACKET pkt-send on %s %.0f frames/s (%u-byte frames, %llu frames)\n",
		       opt.dev, t1 > t0 ? opt.count / (t1 - t0) : 0.0, opt.size,
		       (unsigned long long)opt.count);
	close(fd);
	return VC_EXIT_OK;
}

/* Wait for a frame: its length, 0 when the wait ended. */
static ssize_t pkt_rx(int fd, uint8_t *f, double until)
{
	struct sockaddr_ll from;
	socklen_t fl = sizeof(from);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	double left = until - vc_now();
	ssize_t n;

	if (left <= 0)
		return 0;
	if (poll(&p, 1, (int)(left * 1000) + 1) < 0) {
		if (errno == EINTR)
			return 0;
		vc_die(VC_EXIT_ERR, "poll: %s", strerror(errno));
	}
	if (!(p.revents & POLLIN))
		return 0;
	n = recvfrom(fd, f, PKT_MAX, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		vc_die(VC_EXIT_ERR, "recv on %s: %s", opt.dev, strerror(errno));
	}
	if (from.sll_pkttype == PACKET_OUTGOING)
		return 0;
	return n;
}

int cmd_pkt_recv(void)
{
	double t_first = 0, t_last = 0, last, done_at = 0;
	struct vc_rx_stats st;
	uint8_t mac[6], *f;
	int fd, rc;

	f = malloc(PKT_MAX);
	if (!f)
		vc_die(VC_EXIT_ERR, "out of memory");
	fd = pkt_socket(opt.dev, mac);
	vc_rx_stats_init(&st, opt.count);
	printf("pkt-recv: ready\n");
	fflush(stdout);
	last = vc_now();
	for (;;) {
		double until = done_at ? done_at + opt.linger : last + opt.timeout;
		ssize_t n = pkt_rx(fd, f, until);
		double now = vc_now();

		if (n > 0 && vc_frame_check(&st, f, n, opt.stream, NULL)) {
			if (!t_first)
				t_first = now;
			t_last = last = now;
			if (st.unique == opt.count && !done_at)
				done_at = now;
		}
		if (now >= until)
			break;
	}
	rc = vc_rx_stats_report("pkt-recv", &st, t_last - t_first, opt.allow_loss);
	vc_rx_stats_free(&st);
	free(f);
	close(fd);
	return rc;
}

/*
 * Send every frame of our stream back where it came from, from this
 * interface's MAC (the sender may have used broadcast), until --count
 * frames were reflected or none came for --timeout seconds.
 */
int cmd_pkt_reflect(void)
{
	struct vc_rx_stats st;
	uint64_t reflected = 0;
	uint8_t mac[6], *f;
	double last, t0;
	int fd;

	f = malloc(PKT_MAX);
	if (!f)
		vc_die(VC_EXIT_ERR, "out of memory");
	fd = pkt_socket(opt.dev, mac);
	vc_rx_stats_init(&st, opt.count ? opt.count : 1);
	printf("pkt-reflect: ready\n");
	fflush(stdout);
	t0 = last = vc_now();
	while (!opt.count || reflected < opt.count) {
		ssize_t n = pkt_rx(fd, f, last + opt.timeout);

		if (n <= 0) {
			if (vc_now() >= last + opt.timeout)
				break;
			continue;
		}
		if (!vc_frame_check(&st, f, n, opt.stream, NULL))
			continue;
		memcpy(f, f + 6, 6);
		memcpy(f + 6, mac, 6);
		pkt_tx(fd, f, n, &last);
		reflected++;
	}
	printf("pkt-reflect: reflected=%llu secs=%.3f\n", (unsigned long long)reflected,
	       vc_now() - t0);
	vc_rx_stats_free(&st);
	free(f);
	close(fd);
	return opt.count && reflected < opt.count ? VC_EXIT_CHECK : VC_EXIT_OK;
}
