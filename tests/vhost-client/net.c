// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-client net-tx, net-rx, net-stream: numbered frames through the
 * first queue pair of a vhost-vdpa net device (vq 0 receive, vq 1
 * transmit).  Every buffer is one descriptor: the 12-byte
 * virtio_net_hdr_v1, then the frame.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "vc.h"

static uint32_t round64(uint32_t v)
{
	return (v + 63) & ~63u;
}

void vc_net_open(struct vc_net *n)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t dflt_src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	unsigned int vqs[2 * VC_NET_MAX_PAIRS + 1], nvqs = 0, p, cvq = 0;
	uint32_t sizes[2 * VC_NET_MAX_PAIRS + 1];
	struct vc_dev *d = &n->d;
	uint16_t mtu, max_vqp = 1;
	uint64_t want;

	memset(n, 0, sizeof(*n));
	vc_open(d, opt.dev);
	if (d->device_id != VIRTIO_ID_NET)
		vc_die(VC_EXIT_ERR, "%s is not a net device (device id %u)", d->path, d->device_id);
	n->mtu = 1500;
	if (d->dev_features & (1ull << VIRTIO_NET_F_MTU)) {
		memcpy(&mtu, d->config + offsetof(struct virtio_net_config, mtu), 2);
		n->mtu = le16toh(mtu);
	}
	if (opt.size > VC_HDR_LEN + n->mtu)
		vc_die(VC_EXIT_USAGE, "--size %u exceeds the device's MTU %u + 14", opt.size, n->mtu);

	/*
	 * No offloads.  A control queue (served by the driver in software)
	 * only with --pairs, which also asks for MQ when more than one pair.
	 */
	want = (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_ACCESS_PLATFORM) |
	       (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS) |
	       (1ull << VIRTIO_NET_F_MTU);
	if (opt.mrg_rxbuf)
		want |= 1ull << VIRTIO_NET_F_MRG_RXBUF;
	n->pairs = 1;
	if (opt.pairs) {
		uint64_t ctrl = (1ull << VIRTIO_NET_F_CTRL_VQ) | (1ull << VIRTIO_NET_F_CTRL_RX) |
				(1ull << VIRTIO_NET_F_CTRL_VLAN) | (1ull << VIRTIO_NET_F_CTRL_MAC_ADDR);

		if (opt.pairs > 1)
			ctrl |= 1ull << VIRTIO_NET_F_MQ;
		if ((d->dev_features & ctrl) != ctrl)
			vc_die(VC_EXIT_UNSUPP, "--pairs %u: the device does not offer %#llx", opt.pairs,
			       (unsigned long long)(ctrl & ~d->dev_features));
		want |= ctrl;
		if (opt.pairs > 1) {
			memcpy(&max_vqp, d->config + offsetof(struct virtio_net_config,
							      max_virtqueue_pairs), 2);
			max_vqp = le16toh(max_vqp);
			if (opt.pairs > max_vqp || opt.pairs > VC_NET_MAX_PAIRS)
				vc_die(VC_EXIT_UNSUPP, "--pairs %u: the device has %u (client max %u)",
				       opt.pairs, max_vqp, VC_NET_MAX_PAIRS);
		}
		n->pairs = opt.pairs;
		cvq = 2 * max_vqp;
	}
	n->rx_buf = round64(NET_HDR_LEN + VC_HDR_LEN + 4 + n->mtu);
	n->tx_buf = round64(NET_HDR_LEN + opt.size);
	for (p = 0; p < n->pairs; p++) {
		vqs[nvqs] = 2 * p;
		sizes[nvqs++] = n->rx_buf;
		vqs[nvqs] = 2 * p + 1;
		sizes[nvqs++] = n->tx_buf;
	}
	if (opt.pairs) {
		vqs[nvqs] = cvq;
		sizes[nvqs++] = 0;
	} else if (opt.cvq_index >= 0) {
		/* a hostile consumer: a control queue it did not negotiate */
		if (opt.cvq_index < 2)
			vc_die(VC_EXIT_USAGE, "--cvq-index %d is a data queue of pair 0",
			       opt.cvq_index);
		vqs[nvqs] = opt.cvq_index;
		sizes[nvqs++] = 0;
	}
	vc_start(d, want, vqs, nvqs, sizes);
	n->mrg = d->features & (1ull << VIRTIO_NET_F_MRG_RXBUF);
	vc_net_bind(n);
	if (n->cvq) {
		/* command and ack on pages of their own: CPU-written, device-written */
		n->ctrl_out = vc_alloc(d, 4096, 4096);
		n->ctrl_in = vc_alloc(d, 4096, 4096);
	}

	if (opt.src_set)
		memcpy(n->src, opt.src_mac, 6);
	else if (d->features & (1ull << VIRTIO_NET_F_MAC))
		memcpy(n->src, d->config, 6);
	else
		memcpy(n->src, dflt_src, 6);
	memcpy(n->dst, opt.dst_set ? opt.dst_mac : bcast, 6);
	if (n->pairs > 1) {
		uint16_t pairs = htole16(n->pairs);

		vc_net_ctrl(n, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &pairs, 2);
	}
}

/* Point rxq/txq/cvq at the device's vqs (after open, or a move to another device). */
void vc_net_bind(struct vc_net *n)
{
	unsigned int p, i;

	for (p = 0; p < n->pairs; p++) {
		n->rxq[p] = &n->d.vqs[2 * p];
		n->txq[p] = &n->d.vqs[2 * p + 1];
	}
	n->rx = n->rxq[0];
	n->tx = n->txq[0];
	n->cvq = NULL;
	for (i = 2 * n->pairs; i < VC_MAX_VQS; i++)
		if (n->d.vqs[i].active)
			n->cvq = &n->d.vqs[i];
}

/*
 * One control command, waited for until the deadline: the device's ack
 * (VIRTIO_NET_OK or VIRTIO_NET_ERR), or -1 when it did not answer.  The
 * chain uses descriptors 0 and 1: after -1 no other command may be sent.
 */
int vc_net_ctrl_ack(struct vc_net *n, uint8_t class, uint8_t cmd, const void *data, size_t len)
{
	static const uint16_t ids[2] = { 0, 1 };
	struct vc_vq *q = n->cvq;
	double deadline = vc_now() + opt.timeout;
	uint32_t used_len;
	uint16_t id;

	if (!q)
		vc_die(VC_EXIT_ERR, "no control queue (use --pairs)");
	if (2 + len > 4096)
		vc_die(VC_EXIT_USAGE, "control command %u/%u: %zu bytes of data, at most 4094", class,
		       cmd, len);
	n->ctrl_out[0] = class;
	n->ctrl_out[1] = cmd;
	memcpy(n->ctrl_out + 2, data, len);
	vc_track_write(n->ctrl_out, 2 + len);
	q->desc[0].addr = vc_iova(&n->d, n->ctrl_out);
	q->desc[0].len = 2 + len;
	q->desc[0].flags = 0;
	q->desc[1].addr = vc_iova(&n->d, n->ctrl_in);
	q->desc[1].len = 1;
	q->desc[1].flags = VRING_DESC_F_WRITE;
	vc_vq_add_chain(q, ids, 2);
	vc_vq_kick(q);
	while (!vc_vq_used(q, &id, &used_len)) {
		if (vc_now() > deadline)
			return -1;
		vc_vq_wait(&n->d, deadline);
	}
	if (id != 0 || used_len < 1)
		vc_die(VC_EXIT_ERR, "control command %u/%u: id %u, %u bytes", class, cmd, id,
		       used_len);
	n->ctrl_cmds++;
	return n->ctrl_in[0];
}

/* One control command, waited for; the device's ack must be VIRTIO_NET_OK. */
void vc_net_ctrl(struct vc_net *n, uint8_t class, uint8_t cmd, const void *data, size_t len)
{
	int ack = vc_net_ctrl_ack(n, class, cmd, data, len);

	if (ack < 0)
		vc_die(VC_EXIT_TIMEOUT, "control command %u/%u: no answer in %.1f s", class, cmd,
		       opt.timeout);
	if (ack != VIRTIO_NET_OK)
		vc_die(VC_EXIT_ERR, "control command %u/%u: ack %d", class, cmd, ack);
}

void vc_net_close(struct vc_net *n)
{
	vc_close(&n->d);
}

void vc_net_post_rx(struct vc_net *n)
{
	unsigned int p;

	for (p = 0; p < n->pairs; p++) {
		struct vc_vq *rx = n->rxq[p];
		bool added = false;

		while (rx->nfree) {
			vc_vq_add(rx, vc_vq_get_id(rx), n->rx_buf, true);
			added = true;
		}
		if (added)
			vc_vq_kick(rx);
	}
}

/* Frame SEQ goes to pair SEQ % pairs; vc_net_kick_tx publishes. */
void vc_net_tx_frame_len(struct vc_net *n, uint64_t seq, uint64_t total, unsigned int size)
{
	struct vc_vq *tx = n->txq[seq % n->pairs];
	uint16_t id = vc_vq_get_id(tx);
	uint8_t *b = vc_vq_buf(tx, id);

	memset(b, 0, NET_HDR_LEN);	/* no csum, GSO_NONE, num_buffers 0 */
	vc_frame_build(b + NET_HDR_LEN, size, n->dst, n->src, opt.stream, seq, total);
	vc_track_write(b, NET_HDR_LEN + size);
	vc_vq_add(tx, id, NET_HDR_LEN + size, false);
	n->tx_pending |= 1u << (seq % n->pairs);
}

void vc_net_kick_tx(struct vc_net *n)
{
	unsigned int p;

	for (p = 0; p < n->pairs; p++)
		if (n->tx_pending & (1u << p))
			vc_vq_kick(n->txq[p]);
	n->tx_pending = 0;
}

/* Room for frame SEQ on its queue. */
bool vc_net_tx_room(const struct vc_net *n, uint64_t seq)
{
	return n->txq[seq % n->pairs]->nfree;
}

static void vc_net_tx_frame(struct vc_net *n, uint64_t seq, uint64_t total)
{
	vc_net_tx_frame_len(n, seq, total, opt.size);
}

uint64_t vc_net_reap_tx(struct vc_net *n)
{
	uint64_t done = 0;
	unsigned int p;
	uint32_t len;
	uint16_t id;

	for (p = 0; p < n->pairs; p++) {
		while (vc_vq_used(n->txq[p], &id, &len)) {
			vc_vq_put_id(n->txq[p], id);
			done++;
		}
	}
	return done;
}

/* Check every received frame, give its buffer back; frames handled. */
uint64_t vc_net_reap_rx(struct vc_net *n, struct vc_rx_stats *st)
{
	uint64_t got = 0;
	unsigned int p;
	uint32_t len;
	uint16_t id;

	for (p = 0; p < n->pairs; p++) {
		struct vc_vq *rx = n->rxq[p];
		uint64_t here = 0;

		while (vc_vq_used(rx, &id, &len)) {
			uint8_t *b = vc_vq_buf(rx, id);

			if (len > n->rx_buf || len < NET_HDR_LEN) {
				vc_warn("rx: device used %u bytes of a %u-byte buffer", len, n->rx_buf);
				st->corrupt++;
			} else if (n->mrg && le16toh(*(uint16_t *)(b + 10)) != 1) {
				/* a frame over several buffers: never for our frame sizes */
				n->rx_multi++;
				st->corrupt++;
			} else {
				vc_frame_check(st, b + NET_HDR_LEN, len - NET_HDR_LEN, opt.stream, NULL);
			}
			vc_vq_add(rx, id, n->rx_buf, true);
			here++;
		}
		if (here)
			vc_vq_kick(rx);
		got += here;
	}
	return got;
}

static void print_vq_counters(const char *who, const struct vc_net *n)
{
	printf("%s: rx_kicks=%llu rx_calls=%llu tx_kicks=%llu tx_calls=%llu\n", who,
	       (unsigned long long)n->rx->kicks, (unsigned long long)n->rx->calls,
	       (unsigned long long)n->tx->kicks, (unsigned long long)n->tx->calls);
}

int cmd_net_tx(void)
{
	struct vc_rx_stats rx_st;
	uint64_t sent = 0, done = 0;
	double t0, t1, last;
	struct vc_net n;

	vc_net_open(&n);
	/*
	 * RX buffers stay posted and are drained (their frames ignored), as in
	 * a VM: a device may hold TX back while its receive side is stuck
	 * (vdpa_sim_net loops TX to RX and stops on a missing RX buffer).
	 */
	vc_rx_stats_init(&rx_st, 1);
	vc_net_post_rx(&n);
	t0 = last = vc_now();
	while (done < opt.count) {
		bool progress = false, paced = false;
		uint64_t r;

		vc_net_reap_rx(&n, &rx_st);
		while (sent < opt.count && n.tx->nfree) {
			if (opt.rate > 0 && vc_now() < t0 + sent / opt.rate) {
				paced = true;
				break;
			}
			vc_net_tx_frame(&n, sent++, opt.count);
			progress = true;
		}
		if (progress)
			vc_vq_kick(n.tx);
		r = vc_net_reap_tx(&n);
		if (r) {
			done += r;
			last = vc_now();
			continue;
		}
		if (paced && !progress) {
			double due = t0 + sent / opt.rate - vc_now();

			/* not a stall: waiting for the next frame's turn */
			last = vc_now();
			if (due > 0)
				usleep(due > 0.001 ? 1000 : (useconds_t)(due * 1e6) + 1);
			continue;
		}
		if (vc_now() - last > opt.timeout)
			vc_die(VC_EXIT_TIMEOUT, "net-tx: %llu of %llu frames completed, none for %.1f s "
			       "(vq %u avail %u, used %u)", (unsigned long long)done,
			       (unsigned long long)opt.count, opt.timeout, TXQ, n.tx->avail_idx,
			       n.tx->used_idx);
		if (!progress)
			vc_vq_wait(&n.d, last + opt.timeout);
	}
	t1 = vc_now();
	printf("net-tx: sent=%llu completed=%llu size=%u secs=%.3f frames/s=%.0f\n",
	       (unsigned long long)sent, (unsigned long long)done, opt.size, t1 - t0,
	       t1 > t0 ? done / (t1 - t0) : 0.0);
	if (opt.verbose || opt.bench)
		print_vq_counters("net-tx", &n);
	if (opt.bench)
		printf("bench: vhost-vdpa net-tx %.0f frames/s (%u-byte frames, %llu frames)\n",
		       t1 > t0 ? done / (t1 - t0) : 0.0, opt.size, (unsigned long long)done);
	vc_rx_stats_free(&rx_st);
	vc_net_close(&n);
	return VC_EXIT_OK;
}

/* Post receive buffers, say WHO: ready, take --count frames and report. */
static int net_rx_run(struct vc_net *n, const char *who)
{
	double t_first = 0, t_last = 0, last, done_at = 0;
	struct vc_rx_stats st;
	int rc;

	vc_rx_stats_init(&st, opt.count);
	vc_net_post_rx(n);
	printf("%s: ready\n", who);
	fflush(stdout);
	last = vc_now();
	for (;;) {
		uint64_t before = st.unique + st.dup + st.corrupt + st.out_of_range;
		double now;

		if (vc_net_reap_rx(n, &st)) {
			now = vc_now();
			if (st.unique + st.dup + st.corrupt + st.out_of_range != before) {
				if (!t_first)
					t_first = now;
				t_last = now;
			}
			last = now;
			if (st.unique == opt.count && !done_at)
				done_at = now;
			continue;
		}
		now = vc_now();
		if (done_at && now - done_at >= opt.linger)
			break;
		if (!done_at && now - last > opt.timeout)
			break;
		vc_vq_wait(&n->d, done_at ? done_at + opt.linger : last + opt.timeout);
	}
	rc = vc_rx_stats_report(who, &st, t_last - t_first, opt.allow_loss);
	if (n->rx_multi)
		printf("%s: %llu frames came in several buffers\n", who,
		       (unsigned long long)n->rx_multi);
	if (opt.verbose)
		print_vq_counters(who, n);
	vc_rx_stats_free(&st);
	return rc;
}

int cmd_net_rx(void)
{
	struct vc_net n;
	int rc;

	vc_net_open(&n);
	rc = net_rx_run(&n, "net-rx");
	vc_net_close(&n);
	return rc;
}

static const char *ack_name(int ack)
{
	return ack < 0 ? "none" : ack == VIRTIO_NET_OK ? "ok" : ack == VIRTIO_NET_ERR ? "err" :
	       "other";
}

/*
 * net-ctrl: the consumer's side of the control queue.  Each --ctrl command
 * in turn, its ack checked against --ack; then frames (--count, as
 * net-rx) or, with --wait-stdin, the device held open until stdin ends.
 */
int cmd_net_ctrl(void)
{
	struct vc_net n;
	unsigned int i;
	int rc = VC_EXIT_OK;

	if (!opt.pairs && opt.cvq_index < 0)
		opt.pairs = 1;
	vc_net_open(&n);
	if (opt.cvq_index >= 0) {
		/* nothing published yet: the avail index goes out with the first kick */
		n.cvq->avail_idx = (uint16_t)opt.cvq_base;
		n.cvq->used_idx = (uint16_t)opt.cvq_base;
		__atomic_store_n(&n.cvq->used->idx, (uint16_t)opt.cvq_base, __ATOMIC_RELEASE);
	}
	for (i = 0; i < opt.nctrl; i++) {
		const struct vc_ctrl_cmd *c = &opt.ctrl[i];
		int ack = vc_net_ctrl_ack(&n, c->class, c->cmd, c->data, c->len);

		printf("net-ctrl: class=%u cmd=%u len=%u ack=%s\n", c->class, c->cmd, c->len,
		       ack_name(ack));
		if (ack != opt.ctrl_ack) {
			vc_warn("control command %u/%u: ack %s, expected %s", c->class, c->cmd,
				ack_name(ack), ack_name(opt.ctrl_ack));
			rc = VC_EXIT_CHECK;
		}
		/* the chain is still out: its descriptors cannot be used again */
		if (ack < 0)
			break;
	}
	if (rc == VC_EXIT_OK && opt.count) {
		rc = net_rx_run(&n, "net-ctrl");
	} else if (rc == VC_EXIT_OK && opt.wait_stdin) {
		char buf[64];

		printf("net-ctrl: ready\n");
		fflush(stdout);
		while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
			;
	}
	printf("net-ctrl: features=%#llx commands=%llu\n", (unsigned long long)n.d.features,
	       (unsigned long long)n.ctrl_cmds);
	vc_net_close(&n);
	return rc;
}

/* --- net-stream: frames out, reflected back by the peer, suspend cycles */

struct cycles {
	unsigned int n;
	double susp_sum, susp_max, down_sum, down_max;
	uint64_t gaps;		/* buffers the device consumed but never completed */
	uint64_t base_mismatch;	/* GET_VRING_BASE differed from the client's own index */
};

/*
 * After the device stopped: the index it reports must lie between what it
 * completed (used) and what we offered (avail).  Entries consumed but not
 * completed are gaps: across a reset they are gone.
 */
static uint64_t check_base(struct vc_vq *vq, uint16_t base)
{
	uint16_t ahead = vq->avail_idx - base, gap = base - vq->used_idx;

	if (ahead > vq->num || gap > vq->num)
		vc_die(VC_EXIT_ERR, "vq %u: device reports avail index %u outside used %u .. avail %u",
		       vq->idx, base, vq->used_idx, vq->avail_idx);
	if (gap)
		vc_warn("vq %u: %u buffers consumed but not completed at suspend (used %u, base %u)",
			vq->idx, gap, vq->used_idx, base);
	return gap;
}

static void stream_cycle(struct vc_net *n, struct cycles *c, struct vc_rx_stats *st,
			 uint64_t sent, uint64_t *tx_done)
{
	uint16_t bases[VC_MAX_VQS] = { 0 }, brx, btx;
	double t0, t1, t2;
	uint64_t g;

	t0 = vc_now();
	if (!opt.no_suspend) {
		vc_suspend(&n->d);
	} else {
		/* no suspend: wait until nothing is in flight, the rings are idle */
		double last = t0;

		while (*tx_done < sent || st->unique + st->dup < sent) {
			uint64_t r = vc_net_reap_tx(n);

			*tx_done += r;
			if (vc_net_reap_rx(n, st) || r)
				last = vc_now();
			else if (vc_now() - last > opt.timeout)
				vc_die(VC_EXIT_TIMEOUT, "net-stream: quiesce: %llu of %llu frames back",
				       (unsigned long long)st->unique, (unsigned long long)sent);
			else
				vc_vq_wait(&n->d, last + opt.timeout);
		}
	}
	t1 = vc_now();
	brx = vc_get_vring_base(&n->d, RXQ);
	btx = vc_get_vring_base(&n->d, TXQ);
	/* what the device completed before it stopped */
	*tx_done += vc_net_reap_tx(n);
	vc_net_reap_rx(n, st);
	if (opt.no_suspend) {
		/* an idle device has used all it consumed: the client knows the index */
		if (brx != n->rx->used_idx || btx != n->tx->used_idx) {
			vc_log("cycle %u: GET_VRING_BASE rx %u tx %u, client's rx %u tx %u", c->n,
			       brx, btx, n->rx->used_idx, n->tx->used_idx);
			c->base_mismatch++;
		}
		brx = n->rx->used_idx;
		btx = n->tx->used_idx;
	}
	g = check_base(n->rx, brx) + check_base(n->tx, btx);
	c->gaps += g;
	vc_log("cycle %u after %llu frames: rx base %u (avail %u used %u), tx base %u "
	       "(avail %u used %u)", c->n, (unsigned long long)sent, brx, n->rx->avail_idx,
	       n->rx->used_idx, btx, n->tx->avail_idx, n->tx->used_idx);

	if (opt.reset || opt.no_suspend) {
		bases[RXQ] = brx;
		bases[TXQ] = btx;
		vc_restart(&n->d, bases);
		/* the device starts its used index at the base */
		n->rx->used_idx = brx;
		n->tx->used_idx = btx;
	} else {
		vc_resume(&n->d);
	}
	vc_vq_kick(n->rx);
	vc_vq_kick(n->tx);
	t2 = vc_now();
	c->n++;
	c->susp_sum += t1 - t0;
	c->down_sum += t2 - t0;
	if (t1 - t0 > c->susp_max)
		c->susp_max = t1 - t0;
	if (t2 - t0 > c->down_max)
		c->down_max = t2 - t0;
}

int cmd_net_stream(void)
{
	uint64_t sent = 0, tx_done = 0, cycled_at = 0, k = opt.suspend_every;
	double t0, last, done_at = 0;
	struct vc_rx_stats st;
	struct cycles c;
	struct vc_net n;
	int rc;

	memset(&c, 0, sizeof(c));
	vc_net_open(&n);
	if (k && !opt.no_suspend &&
	    (!vc_has_backend(&n.d, VHOST_BACKEND_F_SUSPEND) ||
	     (!opt.reset && !vc_has_backend(&n.d, VHOST_BACKEND_F_RESUME)))) {
		printf("suspend not offered by the device (backend features %#llx)\n",
		       (unsigned long long)n.d.backend_offered);
		vc_net_close(&n);
		return VC_EXIT_UNSUPP;
	}
	if (opt.window > n.tx->num || opt.window > n.rx->num)
		opt.window = n.tx->num < n.rx->num ? n.tx->num : n.rx->num;
	vc_rx_stats_init(&st, opt.count);
	vc_net_post_rx(&n);
	t0 = last = vc_now();
	for (;;) {
		bool due = k && sent && sent % k == 0 && cycled_at != sent && sent < opt.count;
		bool progress = false;
		uint64_t r;

		while (!due && sent < opt.count && sent - st.unique < opt.window && n.tx->nfree) {
			vc_net_tx_frame(&n, sent++, opt.count);
			progress = true;
			due = k && sent % k == 0 && sent < opt.count;
		}
		if (progress)
			vc_vq_kick(n.tx);
		r = vc_net_reap_tx(&n);
		tx_done += r;
		if (vc_net_reap_rx(&n, &st) || r)
			progress = true;
		if (due) {
			stream_cycle(&n, &c, &st, sent, &tx_done);
			cycled_at = sent;
			progress = true;
		}
		if (progress)
			last = vc_now();
		if (st.unique == opt.count && tx_done == opt.count && !done_at)
			done_at = vc_now();
		if (done_at && vc_now() - done_at >= opt.linger)
			break;
		if (!done_at && vc_now() - last > opt.timeout)
			break;
		if (!progress)
			vc_vq_wait(&n.d, done_at ? done_at + opt.linger : last + opt.timeout);
	}
	printf("net-stream: frames=%llu sent=%llu tx_completed=%llu cycles=%u mode=%s gaps=%llu "
	       "base_mismatch=%llu suspend_us_avg=%.0f suspend_us_max=%.0f downtime_us_avg=%.0f "
	       "downtime_us_max=%.0f\n", (unsigned long long)opt.count, (unsigned long long)sent,
	       (unsigned long long)tx_done, c.n,
	       !k ? "none" : opt.no_suspend ? "quiesce+reset" : opt.reset ? "suspend+reset" :
	       "suspend+resume", (unsigned long long)c.gaps, (unsigned long long)c.base_mismatch,
	       c.n ? 1e6 * c.susp_sum / c.n : 0.0, 1e6 * c.susp_max,
	       c.n ? 1e6 * c.down_sum / c.n : 0.0, 1e6 * c.down_max);
	rc = vc_rx_stats_report("net-stream", &st, vc_now() - t0, false);
	if (opt.verbose)
		print_vq_counters("net-stream", &n);
	if (tx_done != opt.count || c.gaps)
		rc = VC_EXIT_CHECK;
	vc_rx_stats_free(&st);
	vc_net_close(&n);
	return rc;
}
