// SPDX-License-Identifier: GPL-2.0-only
/*
 * The net sections of the device-state blob (state.c frames the blob, this
 * file fills and reads the NET_* sections): the MAC, MTU and queue pairs
 * the config space shows, and the control-queue state (net_state.c) the
 * consumer set.  All are marked critical.  state.c reaches these through
 * the type's state_* ops, with a struct dpu_vdpa_net_blob as scratch.
 */
#include <linux/etherdevice.h>
#include <linux/dpu_vdpa_state.h>
#include <net/netlink.h>

#include "compat.h"
#include "net.h"

#define NET_BLOB_RX_ALL		(DPU_VDPA_STATE_RX_PROMISC | DPU_VDPA_STATE_RX_ALLMULTI | \
				 DPU_VDPA_STATE_RX_ALLUNI | DPU_VDPA_STATE_RX_NOMULTI | \
				 DPU_VDPA_STATE_RX_NOUNI | DPU_VDPA_STATE_RX_NOBCAST)
#define NET_BLOB_RX_BASIC	(DPU_VDPA_STATE_RX_PROMISC | DPU_VDPA_STATE_RX_ALLMULTI | \
				 DPU_VDPA_STATE_RX_ALLUNI)

/* ---- save */

static size_t net_blob_size(const struct dpu_vdpa_net_state *ns)
{
	struct dpu_vdpa_state_net_mac_table *mt;

	return DPU_VDPA_STATE_SECT_SIZE(sizeof(struct dpu_vdpa_state_net_config)) +
	       DPU_VDPA_STATE_SECT_SIZE(sizeof(struct dpu_vdpa_state_net_rx_mode)) +
	       DPU_VDPA_STATE_SECT_SIZE(struct_size(mt, macs, ns->uc + ns->mc)) +
	       DPU_VDPA_STATE_SECT_SIZE(sizeof(struct dpu_vdpa_state_net_vlan)) +
	       DPU_VDPA_STATE_SECT_SIZE(sizeof(struct dpu_vdpa_state_net_mq));
}

/*
 * Save, the device suspended: the control-queue state into @priv, and the
 * bytes its sections will take.  A MAC table larger than what is tracked
 * cannot be saved.
 */
int dpu_vdpa_net_blob_get(struct dpu_vdpa_dev *dev, void *priv, size_t *len,
			  struct netlink_ext_ack *extack)
{
	struct dpu_vdpa_net_state *ns = &((struct dpu_vdpa_net_blob *)priv)->ns;

	dpu_vdpa_net_state_get(dev, ns);
	if (ns->macs_overflow) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "guest MAC table exceeds the %u entries saved",
				       DPU_VDPA_NET_MACS_MAX);
		return -EOVERFLOW;
	}
	if (ns->untracked)
		dev_warn(&dev->vdpa.dev, "state save: control-queue classes %#x (RSS, offloads, coalescing) are not saved\n",
			 ns->untracked);
	*len = net_blob_size(ns);
	return 0;
}

/* Save: the NET_* sections, after CONFIG (@cfg, for the status field). */
void dpu_vdpa_net_blob_put(struct dpu_vdpa_dev *dev, struct dpu_vdpa_state_writer *w,
			   const void *priv, const u8 *cfg, size_t cfg_len)
{
	const struct dpu_vdpa_net_state *ns = &((const struct dpu_vdpa_net_blob *)priv)->ns;
	struct dpu_vdpa_net *net = dpu_vdpa_to_net(dev);
	const u16 crit = DPU_VDPA_STATE_F_CRITICAL;
	struct dpu_vdpa_state_net_config *nc;
	struct dpu_vdpa_state_net_rx_mode *rx;
	struct dpu_vdpa_state_net_mac_table *mt;
	struct dpu_vdpa_state_net_vlan *vl;
	struct dpu_vdpa_state_net_mq *mq;
	size_t status_off = offsetof(struct virtio_net_config, status);
	unsigned int vid;

	nc = dpu_vdpa_state_put(w, DPU_VDPA_STATE_NET_CONFIG, crit, sizeof(*nc));
	ether_addr_copy(nc->mac, ns->mac);
	nc->mtu = cpu_to_le16(net->mtu);
	if (cfg_len >= status_off + sizeof(__virtio16))
		nc->status = cpu_to_le16(get_unaligned_le16(cfg + status_off));
	nc->max_virtqueue_pairs = cpu_to_le16(net->max_vqp);

	rx = dpu_vdpa_state_put(w, DPU_VDPA_STATE_NET_RX_MODE, crit, sizeof(*rx));
	rx->flags = cpu_to_le32(ns->rx_flags);

	mt = dpu_vdpa_state_put(w, DPU_VDPA_STATE_NET_MAC_TABLE, crit,
				struct_size(mt, macs, ns->uc + ns->mc));
	mt->unicast = cpu_to_le32(ns->uc);
	mt->multicast = cpu_to_le32(ns->mc);
	memcpy(mt->macs, ns->macs, (size_t)(ns->uc + ns->mc) * ETH_ALEN);

	vl = dpu_vdpa_state_put(w, DPU_VDPA_STATE_NET_VLAN, crit, sizeof(*vl));
	for_each_set_bit(vid, ns->vlans, VLAN_N_VID)
		vl->bitmap[vid / 8] |= BIT(vid % 8);

	mq = dpu_vdpa_state_put(w, DPU_VDPA_STATE_NET_MQ, crit, sizeof(*mq));
	mq->pairs = cpu_to_le16(ns->pairs);
}

/* ---- load */

/* Load: what a blob without NET_* sections stands for, a reset's state. */
void dpu_vdpa_net_blob_init(struct dpu_vdpa_dev *dev, void *priv)
{
	dpu_vdpa_net_state_init(dev, &((struct dpu_vdpa_net_blob *)priv)->ns);
}

/* Minimum payload of a NET_* section; 0 for a section type that is none. */
size_t dpu_vdpa_net_blob_min_len(u16 type)
{
	switch (type) {
	case DPU_VDPA_STATE_NET_CONFIG:
		return sizeof(struct dpu_vdpa_state_net_config);
	case DPU_VDPA_STATE_NET_RX_MODE:
		return sizeof(struct dpu_vdpa_state_net_rx_mode);
	case DPU_VDPA_STATE_NET_MAC_TABLE:
		return sizeof(struct dpu_vdpa_state_net_mac_table);
	case DPU_VDPA_STATE_NET_VLAN:
		return sizeof(struct dpu_vdpa_state_net_vlan);
	case DPU_VDPA_STATE_NET_MQ:
		return sizeof(struct dpu_vdpa_state_net_mq);
	}
	return 0;
}

/* One NET_* section into @priv; @len is at least what dpu_vdpa_net_blob_min_len says. */
int dpu_vdpa_net_blob_parse(struct dpu_vdpa_dev *dev, void *priv, u16 type, const void *payload,
			    u32 len, struct netlink_ext_ack *extack)
{
	struct dpu_vdpa_net_blob *p = priv;
	struct dpu_vdpa_net_state *ns = &p->ns;

	switch (type) {
	case DPU_VDPA_STATE_NET_CONFIG:
		memcpy(&p->config, payload, sizeof(p->config));
		p->have_config = true;
		ether_addr_copy(ns->mac, p->config.mac);
		return 0;
	case DPU_VDPA_STATE_NET_RX_MODE: {
		struct dpu_vdpa_state_net_rx_mode rx;

		memcpy(&rx, payload, sizeof(rx));
		ns->rx_flags = le32_to_cpu(rx.flags);
		if (ns->rx_flags & ~NET_BLOB_RX_ALL) {
			NL_SET_ERR_MSG_FMT_MOD(extack, "unknown RX mode flags %#x",
					       ns->rx_flags & ~NET_BLOB_RX_ALL);
			return -EINVAL;
		}
		return 0;
	}
	case DPU_VDPA_STATE_NET_MAC_TABLE: {
		const struct dpu_vdpa_state_net_mac_table *mt = payload;
		u32 uc = get_unaligned_le32(&mt->unicast), mc = get_unaligned_le32(&mt->multicast);

		if (uc > DPU_VDPA_NET_MACS_MAX || mc > DPU_VDPA_NET_MACS_MAX - uc) {
			NL_SET_ERR_MSG_FMT_MOD(extack, "MAC table of %u+%u entries, at most %u",
					       uc, mc, DPU_VDPA_NET_MACS_MAX);
			return -EINVAL;
		}
		if (len < struct_size(mt, macs, uc + mc)) {
			NL_SET_ERR_MSG_FMT_MOD(extack, "MAC table section of %u bytes is short",
					       len);
			return -EINVAL;
		}
		ns->uc = uc;
		ns->mc = mc;
		memcpy(ns->macs, mt->macs, (size_t)(uc + mc) * ETH_ALEN);
		return 0;
	}
	case DPU_VDPA_STATE_NET_VLAN: {
		const struct dpu_vdpa_state_net_vlan *vl = payload;
		unsigned int vid;

		bitmap_zero(ns->vlans, VLAN_N_VID);
		for (vid = 0; vid < VLAN_N_VID; vid++)
			if (vl->bitmap[vid / 8] & BIT(vid % 8))
				__set_bit(vid, ns->vlans);
		return 0;
	}
	case DPU_VDPA_STATE_NET_MQ: {
		const struct dpu_vdpa_state_net_mq *mq = payload;

		ns->pairs = get_unaligned_le16(&mq->pairs);
		return 0;
	}
	}
	return 0;
}

/* The saved control-queue state agrees with the saved features and this device. */
int dpu_vdpa_net_blob_check(struct dpu_vdpa_dev *dev, const void *priv, u64 f,
			    struct netlink_ext_ack *extack)
{
	const struct dpu_vdpa_net_blob *p = priv;
	struct dpu_vdpa_net *net = dpu_vdpa_to_net(dev);
	const struct dpu_vdpa_net_state *ns = &p->ns;

	if (p->have_config) {
		u16 mtu = le16_to_cpu(p->config.mtu);
		u16 vqp = le16_to_cpu(p->config.max_virtqueue_pairs);

		if (f & BIT_ULL(VIRTIO_NET_F_MTU) && mtu != net->mtu) {
			NL_SET_ERR_MSG_FMT_MOD(extack, "saved with MTU %u, this device has %u",
					       mtu, net->mtu);
			return -EINVAL;
		}
		if (f & BIT_ULL(VIRTIO_NET_F_MQ) && vqp != net->max_vqp) {
			NL_SET_ERR_MSG_FMT_MOD(extack, "saved with %u queue pairs, this device has %u",
					       vqp, net->max_vqp);
			return -EINVAL;
		}
		if (!is_valid_ether_addr(ns->mac)) {
			NL_SET_ERR_MSG_FMT_MOD(extack, "saved MAC %pM is not unicast", ns->mac);
			return -EINVAL;
		}
		/*
		 * A consumer without a control queue has the MAC of the config
		 * space, which it cannot change: nothing could make this
		 * device's function take another one at DRIVER_OK.
		 */
		if (!(f & BIT_ULL(VIRTIO_NET_F_CTRL_VQ)) &&
		    !ether_addr_equal(ns->mac, net->mac)) {
			NL_SET_ERR_MSG_FMT_MOD(extack, "saved MAC %pM, here %pM, no CTRL_VQ",
					       ns->mac, net->mac);
			return -EINVAL;
		}
	}
	if (!ns->pairs || ns->pairs > net->max_vqp ||
	    (ns->pairs > 1 && !(f & BIT_ULL(VIRTIO_NET_F_MQ)))) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "saved %u queue pairs, device has %u%s", ns->pairs,
				       net->max_vqp,
				       f & BIT_ULL(VIRTIO_NET_F_MQ) ? "" : " (no MQ)");
		return -EINVAL;
	}
	if (!(f & BIT_ULL(VIRTIO_NET_F_CTRL_RX)) &&
	    (ns->rx_flags != DPU_VDPA_STATE_RX_PROMISC || ns->uc || ns->mc)) {
		NL_SET_ERR_MSG_MOD(extack, "saved RX mode or MAC table without VIRTIO_NET_F_CTRL_RX");
		return -EINVAL;
	}
	if (!(f & BIT_ULL(VIRTIO_NET_F_CTRL_RX_EXTRA)) && ns->rx_flags & ~NET_BLOB_RX_BASIC) {
		NL_SET_ERR_MSG_MOD(extack, "saved RX mode needs VIRTIO_NET_F_CTRL_RX_EXTRA");
		return -EINVAL;
	}
	if (!(f & BIT_ULL(VIRTIO_NET_F_CTRL_VLAN)) && !bitmap_empty(ns->vlans, VLAN_N_VID)) {
		NL_SET_ERR_MSG_MOD(extack, "saved VLANs without VIRTIO_NET_F_CTRL_VLAN");
		return -EINVAL;
	}
	return 0;
}

/* Load accepted: the state is replayed at the next DRIVER_OK. */
void dpu_vdpa_net_blob_apply(struct dpu_vdpa_dev *dev, const void *priv)
{
	const struct dpu_vdpa_net_blob *p = priv;

	memcpy(&dpu_vdpa_to_net(dev)->staged, &p->ns, sizeof(p->ns));
}

/* Is vq @i the consumer's control queue under @features (a saved vq's size limit)? */
bool dpu_vdpa_net_blob_vq_soft(struct dpu_vdpa_dev *dev, u16 i, u64 features)
{
	/* where net_consumer_cvq_index puts it: past every pair under MQ or RSS */
	return features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ) &&
	       i == ((features & (BIT_ULL(VIRTIO_NET_F_MQ) | BIT_ULL(VIRTIO_NET_F_RSS))) ?
		     2 * dpu_vdpa_to_net(dev)->max_vqp : 2);
}

/* The net part of a staged state, as DEV_GET reports it.  dev->lock held. */
int dpu_vdpa_net_blob_report(struct dpu_vdpa_dev *dev, struct sk_buff *msg)
{
	const struct dpu_vdpa_net_state *ns = &dpu_vdpa_to_net(dev)->staged;

	lockdep_assert_held(&dev->lock);
	if (nla_put(msg, DPU_VDPA_STAGED_NET_MAC, ETH_ALEN, ns->mac) ||
	    nla_put_u16(msg, DPU_VDPA_STAGED_NET_PAIRS, ns->pairs) ||
	    nla_put_u32(msg, DPU_VDPA_STAGED_NET_RX_FLAGS, ns->rx_flags) ||
	    nla_put_u32(msg, DPU_VDPA_STAGED_NET_MACS, ns->uc + ns->mc) ||
	    nla_put_u32(msg, DPU_VDPA_STAGED_NET_VLANS, bitmap_weight(ns->vlans, VLAN_N_VID)))
		return -EMSGSIZE;
	return 0;
}
