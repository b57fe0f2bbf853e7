// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-net specifics: the attributes of "vdpa dev add" (mac, mtu,
 * max_vqp), the config space the consumer sees, and the control queue,
 * which the driver serves in software (net_cvq.c).
 *
 * The consumer sees max_vqp queue pairs and, if it negotiates
 * VIRTIO_NET_F_CTRL_VQ, a control queue right after them: after the first
 * pair only, unless it negotiates MQ or RSS (virtio 1.2, 5.1.2).  Data
 * queue i is function queue i.  The function's own control queue sits
 * after the function's queue pairs, by the same rule, and only ever runs
 * the driver's ring: a consumer queue that is no data queue under the
 * features it negotiated never reaches the function (net_vq_is_soft).
 */
#include <linux/etherdevice.h>
#include <linux/virtio_config.h>

#include "net.h"

#define NET_MTU_MIN		ETH_MIN_MTU
#define NET_MTU_DEFAULT		ETH_DATA_LEN

/* Bits the consumer may see even if the function lacks them: the driver provides them. */
#define NET_EMULATED_FEATURES	(BIT_ULL(VIRTIO_NET_F_MTU) | BIT_ULL(VIRTIO_NET_F_MAC))
/* Needs a control queue, or failover support the driver does not have. */
#define NET_CTRL_FEATURES						\
	(BIT_ULL(VIRTIO_NET_F_CTRL_VQ) | BIT_ULL(VIRTIO_NET_F_CTRL_RX) |	\
	 BIT_ULL(VIRTIO_NET_F_CTRL_VLAN) | BIT_ULL(VIRTIO_NET_F_CTRL_RX_EXTRA) | \
	 BIT_ULL(VIRTIO_NET_F_GUEST_ANNOUNCE) | BIT_ULL(VIRTIO_NET_F_MQ) |	\
	 BIT_ULL(VIRTIO_NET_F_CTRL_MAC_ADDR) | BIT_ULL(VIRTIO_NET_F_RSS) |	\
	 BIT_ULL(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS) |			\
	 BIT_ULL(VIRTIO_NET_F_NOTF_COAL) | BIT_ULL(VIRTIO_NET_F_VQ_NOTF_COAL))

static bool net_fn_has(const struct dpu_vdpa_fn *fn, unsigned int bit)
{
	return fn->features & BIT_ULL(bit);
}

static void net_fn_config(struct dpu_vdpa_fn *fn, struct virtio_net_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	dpu_vdpa_hw_read_config(fn, (u8 *)cfg, sizeof(*cfg));
}

/* What a device on @fn offers by default; also the mgmtdev's supported features. */
static u64 net_offered_features(struct dpu_vdpa_fn *fn)
{
	u64 f = fn->features & (DPU_VDPA_TRANSPORT_FEATURES | DPU_VDPA_DEVICE_TYPE_FEATURES);

	f &= ~BIT_ULL(VIRTIO_NET_F_STANDBY);
	if (!net_fn_has(fn, VIRTIO_NET_F_CTRL_VQ))
		f &= ~NET_CTRL_FEATURES;
	f |= BIT_ULL(VIRTIO_NET_F_MTU);
	if (net_fn_has(fn, VIRTIO_NET_F_CTRL_MAC_ADDR))
		f |= BIT_ULL(VIRTIO_NET_F_MAC);
	return f;
}

/* Features under which a net device has max_virtqueue_pairs pairs, not 1. */
#define NET_MULTI_FEATURES	(BIT_ULL(VIRTIO_NET_F_MQ) | BIT_ULL(VIRTIO_NET_F_RSS))

/*
 * The function's queue pairs (its control queue index is twice this): its
 * config space says, and a function does not change it while it is bound.
 */
static u16 net_fn_max_vqp(struct dpu_vdpa_fn *fn)
{
	struct virtio_net_config cfg;

	if (!(fn->features & NET_MULTI_FEATURES))
		return 1;
	net_fn_config(fn, &cfg);
	return max_t(u16, 1, dpu_vdpa_u16(cfg.max_virtqueue_pairs));
}

static int net_fn_probe(struct dpu_vdpa_fn *fn)
{
	fn->mgmt.max_supported_vqs = 2 * net_fn_max_vqp(fn) +
				     !!net_fn_has(fn, VIRTIO_NET_F_CTRL_VQ);
	/* queues beyond the first pair may appear only with MQ (see dpu_vdpa_hw_probe_queues) */
	fn->num_queues = max_t(u16, fn->num_queues, fn->mgmt.max_supported_vqs);
	return 0;
}

/* Check and take the "vdpa dev add" attributes into the device's net state. */
static int net_dev_configure(struct dpu_vdpa_dev *dev, const struct vdpa_dev_set_config *cfg)
{
	struct dpu_vdpa_fn *fn = dev->fn;
	struct device *pdev = &fn->pdev->dev;
	struct dpu_vdpa_net *net = dpu_vdpa_to_net(dev);
	u16 fn_max_vqp = net_fn_max_vqp(fn);
	struct virtio_net_config fncfg;
	u16 fn_mtu_max = U16_MAX;

	net_fn_config(fn, &fncfg);
	if (net_fn_has(fn, VIRTIO_NET_F_MTU))
		fn_mtu_max = dpu_vdpa_u16(fncfg.mtu);

	if ((dev->device_features & BIT_ULL(VIRTIO_NET_F_MQ)) &&
	    !(dev->device_features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ))) {
		dev_err(pdev, "device_features %#llx: MQ needs CTRL_VQ\n", dev->device_features);
		return -EINVAL;
	}

	memcpy(net->mac, fncfg.mac, ETH_ALEN);
	net->mac_set = false;
	if (cfg->mask & BIT_ULL(VDPA_ATTR_DEV_NET_CFG_MACADDR)) {
		if (!net_fn_has(fn, VIRTIO_NET_F_CTRL_VQ) ||
		    !net_fn_has(fn, VIRTIO_NET_F_CTRL_MAC_ADDR)) {
			dev_err(pdev, "mac: function cannot set its MAC (no VIRTIO_NET_F_CTRL_MAC_ADDR)\n");
			return -EOPNOTSUPP;
		}
		if (!is_valid_ether_addr(cfg->net.mac)) {
			dev_err(pdev, "mac %pM: not a unicast address\n", cfg->net.mac);
			return -EINVAL;
		}
		if (!(dev->device_features & BIT_ULL(VIRTIO_NET_F_MAC))) {
			dev_err(pdev, "mac given but VIRTIO_NET_F_MAC not in device_features\n");
			return -EINVAL;
		}
		memcpy(net->mac, cfg->net.mac, ETH_ALEN);
		net->mac_set = true;
	}

	net->mtu = net_fn_has(fn, VIRTIO_NET_F_MTU) ? fn_mtu_max : NET_MTU_DEFAULT;
	net->mtu_set = false;
	if (cfg->mask & BIT_ULL(VDPA_ATTR_DEV_NET_CFG_MTU)) {
		if (cfg->net.mtu < NET_MTU_MIN || cfg->net.mtu > fn_mtu_max) {
			dev_err(pdev, "mtu %u out of range %u-%u\n", cfg->net.mtu, NET_MTU_MIN,
				fn_mtu_max);
			return -ERANGE;
		}
		if (!(dev->device_features & BIT_ULL(VIRTIO_NET_F_MTU))) {
			dev_err(pdev, "mtu given but VIRTIO_NET_F_MTU not in device_features\n");
			return -EINVAL;
		}
		net->mtu = cfg->net.mtu;
		net->mtu_set = true;
	}

	net->max_vqp = (dev->device_features & BIT_ULL(VIRTIO_NET_F_MQ)) ? fn_max_vqp : 1;
	if (cfg->mask & BIT_ULL(VDPA_ATTR_DEV_NET_CFG_MAX_VQP)) {
		u16 n = cfg->net.max_vq_pairs;

		if (n < 1 || n > fn_max_vqp) {
			dev_err(pdev, "max_vqp %u out of range 1-%u\n", n, fn_max_vqp);
			return -ERANGE;
		}
		if (n > 1 && !(dev->device_features & BIT_ULL(VIRTIO_NET_F_MQ))) {
			dev_err(pdev, "max_vqp %u needs VIRTIO_NET_F_MQ\n", n);
			return -EINVAL;
		}
		net->max_vqp = n;
	}

	dev->nvqs = 2 * net->max_vqp;
	if (dev->device_features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ))
		dev->nvqs++;

	if (net_fn_has(fn, VIRTIO_NET_F_CTRL_VQ))
		return dpu_vdpa_cvq_init(dev);
	return 0;
}

/* The net state is the type's own: allocated here, freed by net_dev_teardown. */
static int net_dev_setup(struct dpu_vdpa_dev *dev, const struct vdpa_dev_set_config *cfg)
{
	struct dpu_vdpa_net *net;
	int err;

	net = kzalloc(sizeof(*net), GFP_KERNEL);
	if (!net)
		return -ENOMEM;
	net->dev = dev;
	dev->type_priv = net;
	err = net_dev_configure(dev, cfg);
	if (err) {
		kfree(dev->type_priv);
		dev->type_priv = NULL;
	}
	return err;
}

/*
 * "vdpa dev set NAME mac MAC": the MAC the device is provisioned with, as
 * dev add's.  Only before the consumer starts the device: a running
 * driver would not learn of it.  Programmed into the function at the next
 * DRIVER_OK, shown in config space at once.
 */
static int net_set_mac(struct dpu_vdpa_dev *dev, const u8 *mac)
{
	struct dpu_vdpa_net *net = dpu_vdpa_to_net(dev);
	struct dpu_vdpa_fn *fn = dev->fn;

	lockdep_assert_held(&dev->lock);

	if (!net_fn_has(fn, VIRTIO_NET_F_CTRL_VQ) || !net_fn_has(fn, VIRTIO_NET_F_CTRL_MAC_ADDR)) {
		dev_err(&dev->vdpa.dev, "mac: function cannot set its MAC (no VIRTIO_NET_F_CTRL_MAC_ADDR)\n");
		return -EOPNOTSUPP;
	}
	if (!(dev->device_features & BIT_ULL(VIRTIO_NET_F_MAC))) {
		dev_err(&dev->vdpa.dev, "mac: VIRTIO_NET_F_MAC not in device_features\n");
		return -EOPNOTSUPP;
	}
	if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
		dev_err(&dev->vdpa.dev, "mac: device is running; detach or reset it first\n");
		return -EBUSY;
	}
	ether_addr_copy(net->mac, mac);
	net->mac_set = true;
	/*
	 * Not running, so the tracked state is a reset's: reset it again for
	 * the new MAC, which config space shows until the consumer sets its own.
	 */
	dpu_vdpa_net_state_reset(dev);
	dev_dbg(&dev->vdpa.dev, "mac set to %pM\n", mac);
	return 0;
}

/* "vdpa dev set": the vdpa core has checked the MAC is unicast. */
static int net_set_attr(struct dpu_vdpa_dev *dev, const struct vdpa_dev_set_config *config)
{
	if (!(config->mask & BIT_ULL(VDPA_ATTR_DEV_NET_CFG_MACADDR)))
		return -EOPNOTSUPP;
	return net_set_mac(dev, config->net.mac);
}

static void net_dev_teardown(struct dpu_vdpa_dev *dev)
{
	if (net_fn_has(dev->fn, VIRTIO_NET_F_CTRL_VQ))
		dpu_vdpa_cvq_cleanup(dev);
	kfree(dev->type_priv);
	dev->type_priv = NULL;
}

static size_t net_config_size(struct dpu_vdpa_dev *dev)
{
	return clamp_t(size_t, dev->fn->vpm.device_len,
		       offsetofend(struct virtio_net_config, mtu),
		       sizeof(struct virtio_net_config));
}

static void net_config_patch(struct dpu_vdpa_dev *dev, u8 *buf, size_t len)
{
	struct dpu_vdpa_net *net = dpu_vdpa_to_net(dev);
	u8 mac[ETH_ALEN];
	__virtio16 v;

	dpu_vdpa_net_state_mac(dev, mac);
	memcpy(buf + offsetof(struct virtio_net_config, mac), mac, ETH_ALEN);
	v = dpu_vdpa_v16(net->max_vqp);
	memcpy(buf + offsetof(struct virtio_net_config, max_virtqueue_pairs), &v, sizeof(v));
	v = dpu_vdpa_v16(net->mtu);
	memcpy(buf + offsetof(struct virtio_net_config, mtu), &v, sizeof(v));
}

/* Modern virtio-net config space is read-only for the driver. */
static bool net_config_writable(struct dpu_vdpa_dev *dev, unsigned int offset, unsigned int len)
{
	return false;
}

/* Queue pairs of the consumer under the features it negotiated. */
static u16 net_consumer_pairs(struct dpu_vdpa_dev *dev)
{
	return (READ_ONCE(dev->driver_features) & NET_MULTI_FEATURES) ?
	       dpu_vdpa_to_net(dev)->max_vqp : 1;
}

/* The consumer's control queue index under the features it negotiated. */
static u16 net_consumer_cvq_index(struct dpu_vdpa_dev *dev)
{
	return 2 * net_consumer_pairs(dev);
}

/* Is @idx the consumer's control queue, which it negotiated? */
static bool net_is_consumer_cvq(struct dpu_vdpa_dev *dev, u16 idx)
{
	return (READ_ONCE(dev->driver_features) & BIT_ULL(VIRTIO_NET_F_CTRL_VQ)) &&
	       idx == net_consumer_cvq_index(dev);
}

/*
 * Features are known once the consumer set them, or once FEATURES_OK went
 * to the function (a consumer may set FEATURES_OK without ever setting
 * features); a parked function's are the previous consumer's.
 */
static bool net_features_known(struct dpu_vdpa_dev *dev)
{
	return READ_ONCE(dev->driver_features) ||
	       (READ_ONCE(dev->fn_driver_features) && !READ_ONCE(dev->fn_parked));
}

/*
 * A queue the function must not run: the consumer's control queue, which
 * the driver serves, and every index past the consumer's data queues,
 * which is ignored.  Without MQ the function's own control queue is at
 * index 2 when the driver negotiated CTRL_VQ for itself (a dev-add MAC),
 * and a consumer without MQ or CTRL_VQ may still configure vq 2: were it
 * started, its ring would take the driver's place there and its commands
 * would reach the function unfiltered.
 */
static bool net_vq_is_soft(struct dpu_vdpa_dev *dev, u16 idx)
{
	/* before negotiation: the last queue, as if MQ were taken */
	if (!net_features_known(dev))
		return (dev->device_features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ)) &&
		       idx == dev->nvqs - 1;
	return idx >= 2 * net_consumer_pairs(dev);
}

/*
 * The software control queue is mapped by virtio_vdpa with the DMA API of
 * the vDPA device itself, which has no IOMMU: its addresses are physical
 * and the relay can read them (guest_mem.c).
 */
static struct device *net_vq_dma_dev(struct dpu_vdpa_dev *dev, u16 idx)
{
	if (net_vq_is_soft(dev, idx))
		return &dev->vdpa.dev;
	return dpu_vdpa_compat_dma_dev(&dev->vdpa);
}

static bool net_fn_cvq_needed(struct dpu_vdpa_dev *dev, u64 driver_features)
{
	return net_fn_has(dev->fn, VIRTIO_NET_F_CTRL_VQ) &&
	       (dpu_vdpa_to_net(dev)->mac_set || driver_features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ));
}

static u64 net_fn_features(struct dpu_vdpa_dev *dev, u64 f)
{
	struct dpu_vdpa_fn *fn = dev->fn;

	f &= ~(NET_EMULATED_FEATURES & ~fn->features);
	if (net_fn_cvq_needed(dev, f)) {
		f |= BIT_ULL(VIRTIO_NET_F_CTRL_VQ);
		if (dpu_vdpa_to_net(dev)->mac_set)
			f |= BIT_ULL(VIRTIO_NET_F_CTRL_MAC_ADDR);
	}
	return f | BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_F_ACCESS_PLATFORM);
}

static int net_pre_driver_ok(struct dpu_vdpa_dev *dev)
{
	u64 f = dev->fn_driver_features;
	u16 fn_index;

	if (!(f & BIT_ULL(VIRTIO_NET_F_CTRL_VQ)))
		return 0;
	fn_index = (f & NET_MULTI_FEATURES) ? 2 * net_fn_max_vqp(dev->fn) : 2;
	return dpu_vdpa_cvq_start(dev, fn_index);
}

static int net_cvq_serve(struct dpu_vdpa_dev *dev, struct dpu_vdpa_vq *vq, bool refuse);

static int net_post_driver_ok(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_net *net = dpu_vdpa_to_net(dev);
	/* what a parked function holds: undone if taken over, else gone */
	bool undo = dev->fn_taken_over && net->held_valid;
	struct dpu_vdpa_vq *vq;
	int err;

	net->held_valid = false;
	/* without a control queue a loaded state must have nothing to replay */
	if (!(dev->fn_driver_features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ)))
		return dev->state_loaded ? dpu_vdpa_net_state_replay(dev) : 0;
	/* a parked function taken over: nothing of the last consumer's stays */
	if (undo) {
		err = dpu_vdpa_net_state_undo(dev, &net->held);
		if (err) {
			dev_err(&dev->vdpa.dev, "cannot clean the parked function's control-queue state: %d\n",
				err);
			return err;
		}
	}
	if (net->mac_set) {
		err = dpu_vdpa_cvq_send(dev, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET,
					net->mac, ETH_ALEN);
		if (err) {
			dev_err(&dev->vdpa.dev, "function refused MAC %pM: %d\n", net->mac, err);
			return err;
		}
	}
	/* a loaded state, before any command of the consumer (net_state.c) */
	if (dev->state_loaded) {
		err = dpu_vdpa_net_state_replay(dev);
		if (err)
			return err;
	}
	if (!(dev->driver_features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ)))
		return 0;
	vq = &dev->vqs[net_consumer_cvq_index(dev)];
	if (!vq->ready)
		return 0;
	return net_cvq_serve(dev, vq, false);
}

/*
 * Start serving the consumer's control queue @vq: relaying to the
 * function's, which is running, or with @refuse answering every command
 * with an error.
 */
static int net_cvq_serve(struct dpu_vdpa_dev *dev, struct dpu_vdpa_vq *vq, bool refuse)
{
	struct dpu_vdpa_cvq *cvq = &dpu_vdpa_to_net(dev)->cvq;

	mutex_lock(&cvq->lock);
	cvq->index = vq->index;
	cvq->desc_addr = vq->desc_addr;
	cvq->driver_addr = vq->driver_addr;
	cvq->device_addr = vq->device_addr;
	cvq->num = vq->num;
	cvq->event_idx = dev->driver_features & BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	cvq->last_avail_idx = vq->avail_idx;
	cvq->used_idx = vq->avail_idx;
	cvq->broken = false;
	cvq->refusing = refuse;
	cvq->running = cvq->num && is_power_of_2(cvq->num) && cvq->num <= 32768;
	mutex_unlock(&cvq->lock);
	if (!cvq->running) {
		dev_err(&dev->vdpa.dev, "control queue size %u invalid\n", vq->num);
		return -EINVAL;
	}
	/* commands queued before DRIVER_OK */
	dpu_vdpa_cvq_kick(dev);
	return 0;
}

/*
 * A kernel consumer's control queue is not paused by a suspend.  Its
 * driver (virtio_net) waits for each command's answer without a timeout,
 * holding RTNL, from work that unbinding it flushes: a paused queue would
 * stall the host's networking until a resume, and deadlock "vdpa dev
 * del", an unbind or a PCI removal, which remove the device before any
 * resume can reach it.  Such a consumer cannot be migrated anyway; what
 * it sets while suspended is in the state saved after it.
 */
static bool net_cvq_may_pause(struct dpu_vdpa_dev *dev)
{
	return dev->fn_driver_features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ) &&
	       !READ_ONCE(dev->consumer_dma_api);
}

/* The consumer enabled its control queue, or an ignored one, after DRIVER_OK. */
static int net_soft_start(struct dpu_vdpa_dev *dev, u16 idx)
{
	int err;

	if (!(dev->fn_driver_features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ)) ||
	    !net_is_consumer_cvq(dev, idx)) {
		dev_dbg(&dev->vdpa.dev, "vq %u enabled after DRIVER_OK: no queue, ignored\n", idx);
		return 0;
	}
	err = net_cvq_serve(dev, &dev->vqs[idx], false);
	/* held like the rest of the device until resume */
	if (!err && dev->suspended && net_cvq_may_pause(dev))
		dpu_vdpa_cvq_pause(dev);
	return err;
}

/*
 * DRIVER_OK failed and the function is reset.  virtio_net waits for the
 * answer to each control command without a timeout: answer them all with
 * an error until the consumer resets the device, or its probe never ends.
 * dev->lock held.
 */
static void net_start_refused(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_vq *vq;

	lockdep_assert_held(&dev->lock);
	if (!(dev->driver_features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ)))
		return;
	vq = &dev->vqs[net_consumer_cvq_index(dev)];
	if (vq->ready && !net_cvq_serve(dev, vq, true))
		dev_dbg(&dev->vdpa.dev, "control queue answers errors until reset\n");
}

/*
 * The function is parked only if what the consumer set through the
 * control queue can be undone when the next consumer takes it over.
 * dev->lock held.
 */
static bool net_may_park(struct dpu_vdpa_dev *dev)
{
	lockdep_assert_held(&dev->lock);
	if (!(dev->fn_driver_features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ)))
		return true;
	return dpu_vdpa_net_state_undoable(dev);
}

static void net_reset(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_net *net = dpu_vdpa_to_net(dev);

	lockdep_assert_held(&dev->lock);
	if (!net_fn_has(dev->fn, VIRTIO_NET_F_CTRL_VQ))
		return;
	/* a parked function keeps running: stop its control queue by itself */
	if (dev->fn_parked && dev->fn_driver_features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ))
		dpu_vdpa_hw_vq_reset(dev, net->cvq.fn_index);
	dpu_vdpa_cvq_stop(dev);
	/*
	 * A parked function keeps what the consumer set: remember it (at the
	 * first reset of the parking only; later ones find the state reset)
	 * for the next consumer's DRIVER_OK to undo.  A function reset forgets
	 * it all.
	 */
	if (!dev->fn_parked) {
		net->held_valid = false;
	} else if (!net->held_valid) {
		mutex_lock(&net->cvq.lock);
		memcpy(&net->held, &net->cur, sizeof(net->held));
		mutex_unlock(&net->cvq.lock);
		net->held_valid = true;
	}
	dpu_vdpa_net_state_reset(dev);
}

/* the function is reset, or parked with its control queue reset */
static void net_reset_done(struct dpu_vdpa_dev *dev)
{
	lockdep_assert_held(&dev->lock);
	if (net_fn_has(dev->fn, VIRTIO_NET_F_CTRL_VQ))
		dpu_vdpa_cvq_release(dev);
}

/* The software control queue met a malformed ring (net_cvq.c). */
static bool net_needs_reset(struct dpu_vdpa_dev *dev)
{
	return READ_ONCE(dpu_vdpa_to_net(dev)->cvq.broken);
}

/* The control queue's next avail index: exact when it is paused (net_cvq_may_pause). */
static u16 net_soft_avail_idx(struct dpu_vdpa_dev *dev, u16 idx)
{
	struct dpu_vdpa_cvq *cvq = &dpu_vdpa_to_net(dev)->cvq;
	u16 avail;

	mutex_lock(&cvq->lock);
	avail = cvq->last_avail_idx;
	mutex_unlock(&cvq->lock);
	return avail;
}

static void net_kick_soft(struct dpu_vdpa_dev *dev, u16 idx)
{
	/* kicks of ignored queues go nowhere */
	if (net_is_consumer_cvq(dev, idx))
		dpu_vdpa_cvq_kick(dev);
}

/* Receive queues: even indexes below the control queue. */
static bool net_vq_may_rewind(struct dpu_vdpa_dev *dev, u16 idx)
{
	return !(idx & 1) && !net_vq_is_soft(dev, idx);
}

static void net_soft_pause(struct dpu_vdpa_dev *dev)
{
	if (net_cvq_may_pause(dev))
		dpu_vdpa_cvq_pause(dev);
}

static void net_soft_resume(struct dpu_vdpa_dev *dev)
{
	if (dev->fn_driver_features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ))
		dpu_vdpa_cvq_resume(dev);
}

/*
 * The control-queue relay marks the dirty log under cvq.lock: passing
 * through it waits for a command being relayed.  There is no relay, and
 * its lock was never initialised, on a function without a control queue.
 */
static void net_soft_sync(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_net *net = dpu_vdpa_to_net(dev);

	if (!net_fn_has(dev->fn, VIRTIO_NET_F_CTRL_VQ))
		return;
	mutex_lock(&net->cvq.lock);
	mutex_unlock(&net->cvq.lock);
}

const struct dpu_vdpa_type dpu_vdpa_type_net = {
	.device_id = VIRTIO_ID_NET,
	.ngroups = DPU_VDPA_MAX_GROUPS,	/* data queues, control queue */
	.config_attr_mask = BIT_ULL(VDPA_ATTR_DEV_NET_CFG_MACADDR) |
			    BIT_ULL(VDPA_ATTR_DEV_NET_CFG_MTU) |
			    BIT_ULL(VDPA_ATTR_DEV_NET_CFG_MAX_VQP) |
			    BIT_ULL(VDPA_ATTR_DEV_FEATURES),
	.fn_probe = net_fn_probe,
	.offered_features = net_offered_features,
	.dev_setup = net_dev_setup,
	.dev_teardown = net_dev_teardown,
	.config_size = net_config_size,
	.config_patch = net_config_patch,
	.config_writable = net_config_writable,
	.fn_features = net_fn_features,
	.vq_is_soft = net_vq_is_soft,
	.vq_dma_dev = net_vq_dma_dev,
	.pre_driver_ok = net_pre_driver_ok,
	.post_driver_ok = net_post_driver_ok,
	.reset = net_reset,
	.reset_done = net_reset_done,
	.start_refused = net_start_refused,
	.may_park = net_may_park,
	.set_attr = net_set_attr,
	.needs_reset = net_needs_reset,
	.kick_soft = net_kick_soft,
	.soft_avail_idx = net_soft_avail_idx,
	.vq_may_rewind = net_vq_may_rewind,
	.soft_pause = net_soft_pause,
	.soft_resume = net_soft_resume,
	.soft_start = net_soft_start,
	.soft_sync = net_soft_sync,
	.state_size = sizeof(struct dpu_vdpa_net_blob),
	.state_get = dpu_vdpa_net_blob_get,
	.state_put = dpu_vdpa_net_blob_put,
	.state_init = dpu_vdpa_net_blob_init,
	.state_min_len = dpu_vdpa_net_blob_min_len,
	.state_parse = dpu_vdpa_net_blob_parse,
	.state_check = dpu_vdpa_net_blob_check,
	.state_apply = dpu_vdpa_net_blob_apply,
	.state_vq_soft = dpu_vdpa_net_blob_vq_soft,
	.state_report = dpu_vdpa_net_blob_report,
};
