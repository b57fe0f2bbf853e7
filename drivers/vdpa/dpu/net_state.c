// SPDX-License-Identifier: GPL-2.0-only
/*
 * The state a net consumer set through its control queue, which the
 * function keeps but cannot report: the MAC (MAC_ADDR_SET), the MAC table
 * (MAC_TABLE_SET), the RX mode (VIRTIO_NET_CTRL_RX_*), the VLAN filter
 * and the number of queue pairs (MQ_VQ_PAIRS_SET).
 *
 * Tracking: net_cvq.c relays each consumer command to the function and,
 * once the function acknowledged it with VIRTIO_NET_OK, hands it to
 * dpu_vdpa_net_state_record(), under cvq.lock.  A command the function
 * refused changed nothing and is not recorded.  Device reset restores the
 * state a freshly reset function has (dpu_vdpa_net_state_init).
 *
 * MAC table: up to DPU_VDPA_NET_MACS_MAX entries (unicast and multicast
 * together) are tracked.  A bigger table still goes to the function as
 * the consumer sent it, but is not tracked: the device then refuses to
 * save its state (EOVERFLOW) until the consumer sends one that fits,
 * rather than saving a filter that would drop frames after a load.
 *
 * Not tracked (and reported at save): RSS and hash configuration, guest
 * offloads, notification coalescing.  The destination function keeps its
 * defaults for those.
 *
 * Undo (dpu_vdpa_net_state_undo): a function parked by a reset while
 * suspended keeps what the consumer set; the next consumer takes it over
 * at DRIVER_OK only after every part of it went back to a reset's value.
 *
 * Replay (dpu_vdpa_net_state_replay): at DRIVER_OK of a device with a
 * loaded state, after the function's control queue started and the MAC of
 * "vdpa dev add" was programmed, before the consumer's first command.
 * RX mode and MAC table are sent explicitly whenever VIRTIO_NET_F_CTRL_RX
 * is negotiated, whatever the function's defaults are.
 */
#include <linux/etherdevice.h>
#include <linux/dpu_vdpa_state.h>

#include "net.h"

/*
 * RX mode commands: PROMISC and ALLMULTI need CTRL_RX, ALLUNI and the rest
 * CTRL_RX_EXTRA (include/uapi/linux/virtio_net.h)
 */
#define NET_RX_CMDS		6
#define NET_RX_BASIC		(DPU_VDPA_STATE_RX_PROMISC | DPU_VDPA_STATE_RX_ALLMULTI)
#define NET_RX_DEFAULT		DPU_VDPA_STATE_RX_PROMISC

static const char * const net_rx_names[NET_RX_CMDS] = {
	"RX_PROMISC", "RX_ALLMULTI", "RX_ALLUNI", "RX_NOMULTI", "RX_NOUNI", "RX_NOBCAST",
};

/* The state of a freshly reset function: what a device reset goes back to. */
void dpu_vdpa_net_state_init(struct dpu_vdpa_dev *dev, struct dpu_vdpa_net_state *ns)
{
	memset(ns, 0, sizeof(*ns));
	ether_addr_copy(ns->mac, dpu_vdpa_to_net(dev)->mac);
	ns->rx_flags = NET_RX_DEFAULT;
	ns->pairs = 1;
}

static bool dpu_vdpa_net_state_is_default(struct dpu_vdpa_dev *dev,
					  const struct dpu_vdpa_net_state *ns)
{
	return ether_addr_equal(ns->mac, dpu_vdpa_to_net(dev)->mac) &&
	       ns->rx_flags == NET_RX_DEFAULT && !ns->uc && !ns->mc && ns->pairs == 1 &&
	       bitmap_empty(ns->vlans, VLAN_N_VID);
}

/*
 * Device reset, or a new provisioned MAC while not running (net.c); the
 * consumer's control queue is stopped.  Takes cvq.lock.
 */
void dpu_vdpa_net_state_reset(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_net *net = dpu_vdpa_to_net(dev);
	struct dpu_vdpa_cvq *cvq = &net->cvq;

	mutex_lock(&cvq->lock);
	dpu_vdpa_net_state_init(dev, &net->cur);
	mutex_unlock(&cvq->lock);
}

static void dpu_vdpa_net_state_record_macs(struct dpu_vdpa_dev *dev, struct dpu_vdpa_net_state *ns,
					   const u8 *data, size_t len)
{
	const struct virtio_net_ctrl_mac *uc, *mc;
	size_t uc_bytes, mc_bytes;
	u32 nuc, nmc;

	if (len < sizeof(*uc))
		goto bad;
	uc = (const void *)data;
	nuc = dpu_vdpa_u32(uc->entries);
	if (nuc > (len - sizeof(*uc)) / ETH_ALEN)
		goto bad;
	uc_bytes = sizeof(*uc) + (size_t)nuc * ETH_ALEN;
	if (len - uc_bytes < sizeof(*mc))
		goto bad;
	mc = (const void *)(data + uc_bytes);
	nmc = dpu_vdpa_u32(mc->entries);
	if (nmc > (len - uc_bytes - sizeof(*mc)) / ETH_ALEN)
		goto bad;
	mc_bytes = (size_t)nmc * ETH_ALEN;

	if (nuc + nmc > DPU_VDPA_NET_MACS_MAX) {
		dev_warn_ratelimited(&dev->vdpa.dev,
				     "MAC table of %u unicast and %u multicast entries: more than the %u tracked, state save refused until a smaller one\n",
				     nuc, nmc, DPU_VDPA_NET_MACS_MAX);
		ns->macs_overflow = true;
		ns->uc = 0;
		ns->mc = 0;
		return;
	}
	ns->macs_overflow = false;
	ns->uc = nuc;
	ns->mc = nmc;
	memcpy(ns->macs, uc->macs, (size_t)nuc * ETH_ALEN);
	memcpy(ns->macs[nuc], mc->macs, mc_bytes);
	return;
bad:
	/* the function accepted what the driver cannot parse: keep the old table */
	dev_warn_ratelimited(&dev->vdpa.dev, "MAC_TABLE_SET of %zu bytes malformed: not tracked\n",
			     len);
}

/*
 * A consumer command of @len bytes (header and data) that the function
 * acknowledged with VIRTIO_NET_OK.  cvq.lock held (net_cvq.c).
 */
void dpu_vdpa_net_state_record(struct dpu_vdpa_dev *dev, const void *cmd, size_t len)
{
	struct dpu_vdpa_net *net = dpu_vdpa_to_net(dev);
	const struct virtio_net_ctrl_hdr *hdr = cmd;
	struct dpu_vdpa_net_state *ns = &net->cur;
	const u8 *data = cmd + sizeof(*hdr);
	size_t dlen;

	lockdep_assert_held(&net->cvq.lock);
	if (len < sizeof(*hdr))
		return;
	dlen = len - sizeof(*hdr);

	switch (hdr->class) {
	case VIRTIO_NET_CTRL_RX:
		if (hdr->cmd >= NET_RX_CMDS || dlen < 1)
			break;
		if (data[0])
			ns->rx_flags |= BIT(hdr->cmd);
		else
			ns->rx_flags &= ~BIT(hdr->cmd);
		break;
	case VIRTIO_NET_CTRL_MAC:
		if (hdr->cmd == VIRTIO_NET_CTRL_MAC_ADDR_SET && dlen >= ETH_ALEN)
			ether_addr_copy(ns->mac, data);
		else if (hdr->cmd == VIRTIO_NET_CTRL_MAC_TABLE_SET)
			dpu_vdpa_net_state_record_macs(dev, ns, data, dlen);
		break;
	case VIRTIO_NET_CTRL_VLAN: {
		__virtio16 raw;
		u16 vid;

		if (dlen < sizeof(raw))
			break;
		memcpy(&raw, data, sizeof(raw));
		vid = dpu_vdpa_u16(raw);
		if (vid >= VLAN_N_VID)
			break;
		if (hdr->cmd == VIRTIO_NET_CTRL_VLAN_ADD)
			__set_bit(vid, ns->vlans);
		else if (hdr->cmd == VIRTIO_NET_CTRL_VLAN_DEL)
			__clear_bit(vid, ns->vlans);
		break;
	}
	case VIRTIO_NET_CTRL_MQ:
		if (hdr->cmd == VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET &&
		    dlen >= sizeof(struct virtio_net_ctrl_mq)) {
			const struct virtio_net_ctrl_mq *mq = (const void *)data;

			ns->pairs = dpu_vdpa_u16(mq->virtqueue_pairs);
		} else {
			/* RSS or hash configuration */
			ns->untracked |= BIT(hdr->class);
		}
		break;
	case VIRTIO_NET_CTRL_ANNOUNCE:
	case VIRTIO_NET_CTRL_STATS:
		/* an acknowledgment, a query: no state */
		break;
	default:
		if (hdr->class < 32)
			ns->untracked |= BIT(hdr->class);
		break;
	}
	dev_dbg(&dev->vdpa.dev, "control queue state: class %u cmd %u recorded\n", hdr->class,
		hdr->cmd);
}

/*
 * The MAC the consumer set last, or the device's: config space shows it,
 * as the spec asks of MAC_ADDR_SET.  Takes cvq.lock (dev->lock may be held).
 */
void dpu_vdpa_net_state_mac(struct dpu_vdpa_dev *dev, u8 *mac)
{
	struct dpu_vdpa_net *net = dpu_vdpa_to_net(dev);
	struct dpu_vdpa_cvq *cvq = &net->cvq;

	if (!(dev->fn->features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ))) {
		ether_addr_copy(mac, net->mac);
		return;
	}
	mutex_lock(&cvq->lock);
	ether_addr_copy(mac, net->cur.mac);
	mutex_unlock(&cvq->lock);
}

/* A copy of the tracked state.  dev->lock held; takes cvq.lock. */
void dpu_vdpa_net_state_get(struct dpu_vdpa_dev *dev, struct dpu_vdpa_net_state *ns)
{
	struct dpu_vdpa_net *net = dpu_vdpa_to_net(dev);
	struct dpu_vdpa_cvq *cvq = &net->cvq;

	lockdep_assert_held(&dev->lock);
	/* without a control queue on the function nothing changes it */
	if (!(dev->fn->features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ))) {
		dpu_vdpa_net_state_init(dev, ns);
		return;
	}
	mutex_lock(&cvq->lock);
	memcpy(ns, &net->cur, sizeof(*ns));
	mutex_unlock(&cvq->lock);
}

static int dpu_vdpa_net_state_send(struct dpu_vdpa_dev *dev, u8 class, u8 cmd,
				   const void *data, size_t len, const char *what)
{
	int err = dpu_vdpa_cvq_send(dev, class, cmd, data, len);

	if (err)
		dev_err(&dev->vdpa.dev, "control-queue state: function refused %s (class %u cmd %u): %d\n",
			what, class, cmd, err);
	return err;
}

/* Does the function run with @bit negotiated?  Else say what @what needs. */
static bool dpu_vdpa_net_state_fn_has(struct dpu_vdpa_dev *dev, unsigned int bit,
				      const char *bit_name, const char *what)
{
	if (dev->fn_driver_features & BIT_ULL(bit))
		return true;
	dev_err(&dev->vdpa.dev, "state replay: %s needs %s, which the function did not negotiate (features %#llx)\n",
		what, bit_name, dev->fn_driver_features);
	return false;
}

#define NET_FN_HAS(dev, bit, what) dpu_vdpa_net_state_fn_has(dev, bit, #bit, what)

static int dpu_vdpa_net_state_replay_macs(struct dpu_vdpa_dev *dev,
					  const struct dpu_vdpa_net_state *ns)
{
	size_t len = 2 * sizeof(__virtio32) + (size_t)(ns->uc + ns->mc) * ETH_ALEN;
	__virtio32 n;
	u8 *buf, *p;
	int err;

	buf = kmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	p = buf;
	n = dpu_vdpa_v32(ns->uc);
	memcpy(p, &n, sizeof(n));
	p += sizeof(n);
	memcpy(p, ns->macs, (size_t)ns->uc * ETH_ALEN);
	p += (size_t)ns->uc * ETH_ALEN;
	n = dpu_vdpa_v32(ns->mc);
	memcpy(p, &n, sizeof(n));
	p += sizeof(n);
	memcpy(p, ns->macs[ns->uc], (size_t)ns->mc * ETH_ALEN);
	err = dpu_vdpa_net_state_send(dev, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET,
				      buf, len, "MAC_TABLE_SET");
	kfree(buf);
	return err;
}

static int dpu_vdpa_net_state_replay_rx(struct dpu_vdpa_dev *dev,
					const struct dpu_vdpa_net_state *ns)
{
	bool rx = dev->fn_driver_features & BIT_ULL(VIRTIO_NET_F_CTRL_RX);
	bool extra = dev->fn_driver_features & BIT_ULL(VIRTIO_NET_F_CTRL_RX_EXTRA);
	unsigned int cmd;
	int err;

	if (!rx && ns->rx_flags != NET_RX_DEFAULT) {
		NET_FN_HAS(dev, VIRTIO_NET_F_CTRL_RX, "RX mode");
		return -EOPNOTSUPP;
	}
	if (!extra && ns->rx_flags & ~NET_RX_BASIC) {
		NET_FN_HAS(dev, VIRTIO_NET_F_CTRL_RX_EXTRA, "RX mode ALLUNI/NOMULTI/NOUNI/NOBCAST");
		return -EOPNOTSUPP;
	}
	for (cmd = 0; rx && cmd < NET_RX_CMDS; cmd++) {
		u8 on = !!(ns->rx_flags & BIT(cmd));

		if (!extra && !(BIT(cmd) & NET_RX_BASIC))
			continue;
		err = dpu_vdpa_net_state_send(dev, VIRTIO_NET_CTRL_RX, cmd, &on, 1,
					      net_rx_names[cmd]);
		if (err)
			return err;
	}
	if (!rx) {
		if (!ns->uc && !ns->mc)
			return 0;
		NET_FN_HAS(dev, VIRTIO_NET_F_CTRL_RX, "the MAC table");
		return -EOPNOTSUPP;
	}
	return dpu_vdpa_net_state_replay_macs(dev, ns);
}

/*
 * DRIVER_OK of a device with a loaded state: bring the function, whose
 * control queue runs but serves no consumer command yet, to the staged
 * state, which then becomes the tracked one.  dev->lock held (net.c).
 */
int dpu_vdpa_net_state_replay(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_net *net = dpu_vdpa_to_net(dev);
	struct dpu_vdpa_net_state *ns = &net->staged;
	unsigned int vid;
	int err;

	lockdep_assert_held(&dev->lock);
	if (!(dev->fn_driver_features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ))) {
		/* nothing to send, and nothing can have changed */
		if (dpu_vdpa_net_state_is_default(dev, ns))
			return 0;
		NET_FN_HAS(dev, VIRTIO_NET_F_CTRL_VQ, "the saved control-queue state");
		return -EOPNOTSUPP;
	}

	/* the function has the MAC of dev add (or its own): change it if the guest did */
	if (!ether_addr_equal(ns->mac, net->mac)) {
		if (!NET_FN_HAS(dev, VIRTIO_NET_F_CTRL_MAC_ADDR, "the saved MAC"))
			return -EOPNOTSUPP;
		err = dpu_vdpa_net_state_send(dev, VIRTIO_NET_CTRL_MAC,
					      VIRTIO_NET_CTRL_MAC_ADDR_SET, ns->mac, ETH_ALEN,
					      "MAC_ADDR_SET");
		if (err)
			return err;
	}

	if (ns->pairs != 1) {
		struct virtio_net_ctrl_mq mq = {
			.virtqueue_pairs = dpu_vdpa_v16(ns->pairs),
		};

		if (!NET_FN_HAS(dev, VIRTIO_NET_F_MQ, "the saved queue pairs"))
			return -EOPNOTSUPP;
		err = dpu_vdpa_net_state_send(dev, VIRTIO_NET_CTRL_MQ,
					      VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &mq, sizeof(mq),
					      "MQ_VQ_PAIRS_SET");
		if (err)
			return err;
	}

	err = dpu_vdpa_net_state_replay_rx(dev, ns);
	if (err)
		return err;

	if (!bitmap_empty(ns->vlans, VLAN_N_VID) &&
	    !NET_FN_HAS(dev, VIRTIO_NET_F_CTRL_VLAN, "the saved VLAN filter"))
		return -EOPNOTSUPP;
	for_each_set_bit(vid, ns->vlans, VLAN_N_VID) {
		__virtio16 raw = dpu_vdpa_v16(vid);

		err = dpu_vdpa_net_state_send(dev, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD,
					      &raw, sizeof(raw), "VLAN_ADD");
		if (err)
			return err;
	}

	mutex_lock(&net->cvq.lock);
	memcpy(&net->cur, ns, sizeof(*ns));
	mutex_unlock(&net->cvq.lock);
	dev_dbg(&dev->vdpa.dev, "state replay: MAC %pM, %u queue pairs, RX mode %#x, %u+%u MACs, %u VLANs\n",
		ns->mac, ns->pairs, ns->rx_flags, ns->uc, ns->mc,
		bitmap_weight(ns->vlans, VLAN_N_VID));
	return 0;
}

/*
 * May a function reset while suspended be parked (vdpa_ops.c), keeping
 * what the consumer set through the control queue until the next one
 * takes it over?  Only if dpu_vdpa_net_state_undo can take all of it
 * back: not RSS, hash, guest offload or coalescing settings, which are
 * not tracked.  dev->lock held; takes cvq.lock.
 */
bool dpu_vdpa_net_state_undoable(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_net *net = dpu_vdpa_to_net(dev);
	struct dpu_vdpa_cvq *cvq = &net->cvq;
	u32 untracked;

	lockdep_assert_held(&dev->lock);
	mutex_lock(&cvq->lock);
	untracked = net->cur.untracked;
	mutex_unlock(&cvq->lock);
	if (untracked)
		dev_dbg(&dev->vdpa.dev, "control-queue classes %#x set but not tracked: the function will be reset, not parked\n",
			untracked);
	return !untracked;
}

/*
 * A parked function was taken over by a new consumer (vdpa_ops.c): it
 * still holds @held, what the previous consumer set through the control
 * queue.  Send what takes each part of it back to a reset's value, so that
 * nothing of it reaches the new consumer: the function's MAC, queue pairs,
 * RX mode, MAC table and VLAN filter.  The function's control queue runs
 * and serves no consumer command yet.  dev->lock held (net.c).
 */
int dpu_vdpa_net_state_undo(struct dpu_vdpa_dev *dev, const struct dpu_vdpa_net_state *held)
{
	struct dpu_vdpa_net *net = dpu_vdpa_to_net(dev);
	/* a reset's MAC table: no unicast, no multicast entry */
	static const __virtio32 no_macs[2];
	unsigned int cmd, vid;
	int err;

	lockdep_assert_held(&dev->lock);
	if (held->untracked) {
		dev_err(&dev->vdpa.dev, "parked function: control-queue classes %#x cannot be undone\n",
			held->untracked);
		return -EOPNOTSUPP;
	}
	/* the values of dpu_vdpa_net_state_init */
	if (!ether_addr_equal(held->mac, net->mac)) {
		err = dpu_vdpa_net_state_send(dev, VIRTIO_NET_CTRL_MAC,
					      VIRTIO_NET_CTRL_MAC_ADDR_SET, net->mac, ETH_ALEN,
					      "MAC_ADDR_SET");
		if (err)
			return err;
	}
	if (held->pairs != 1) {
		struct virtio_net_ctrl_mq mq = {
			.virtqueue_pairs = dpu_vdpa_v16(1),
		};

		err = dpu_vdpa_net_state_send(dev, VIRTIO_NET_CTRL_MQ,
					      VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &mq, sizeof(mq),
					      "MQ_VQ_PAIRS_SET");
		if (err)
			return err;
	}
	for (cmd = 0; cmd < NET_RX_CMDS; cmd++) {
		u8 on = !!(NET_RX_DEFAULT & BIT(cmd));

		if (!((held->rx_flags ^ NET_RX_DEFAULT) & BIT(cmd)))
			continue;
		err = dpu_vdpa_net_state_send(dev, VIRTIO_NET_CTRL_RX, cmd, &on, 1,
					      net_rx_names[cmd]);
		if (err)
			return err;
	}
	if (held->uc || held->mc || held->macs_overflow) {
		err = dpu_vdpa_net_state_send(dev, VIRTIO_NET_CTRL_MAC,
					      VIRTIO_NET_CTRL_MAC_TABLE_SET, no_macs,
					      sizeof(no_macs), "MAC_TABLE_SET");
		if (err)
			return err;
	}
	for_each_set_bit(vid, held->vlans, VLAN_N_VID) {
		__virtio16 raw = dpu_vdpa_v16(vid);

		err = dpu_vdpa_net_state_send(dev, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_DEL,
					      &raw, sizeof(raw), "VLAN_DEL");
		if (err)
			return err;
	}
	dev_dbg(&dev->vdpa.dev, "parked function taken over: MAC %pM, %u queue pairs, RX mode %#x, %u+%u MACs, %u VLANs undone\n",
		held->mac, held->pairs, held->rx_flags, held->uc, held->mc,
		bitmap_weight(held->vlans, VLAN_N_VID));
	return 0;
}
