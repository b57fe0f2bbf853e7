// SPDX-License-Identifier: GPL-2.0-only
/*
 * Software control queue for net devices.
 *
 * The consumer's control virtqueue is served here: a worker reads each
 * command from the consumer's ring, copies it (commands are small, never
 * packet data) into a bounce buffer, and executes it on the function's
 * own control queue through a ring the driver owns.  The ack and any
 * reply go back to the consumer, then the used ring is updated.
 *
 * The same ring carries the driver's own commands, e.g. the MAC given to
 * "vdpa dev add", sent after DRIVER_OK before any consumer command.
 *
 * Everything the consumer wrote (indexes, chains, lengths) is checked: a
 * malformed ring marks the device NEEDS_RESET and stops the relay.  A
 * command is relayed only when both the consumer and the function
 * negotiated the feature it needs (dpu_vdpa_net_ctrl_features); any other
 * is answered VIRTIO_NET_ERR here, and neither reaches the function nor
 * the tracked state (net_state.c).
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "net.h"

/* The driver's ring on the function: one command in flight at a time. */
#define CVQ_FN_NUM		4
#define CVQ_FN_DESC_OFF		0
#define CVQ_FN_AVAIL_OFF	128
#define CVQ_FN_USED_OFF		256
#define CVQ_RING_BYTES		PAGE_SIZE

#define CVQ_BUF_BYTES		(2 * PAGE_SIZE)
#define CVQ_IN_MAX		256
#define CVQ_OUT_MAX		(CVQ_BUF_BYTES - CVQ_IN_MAX)
#define CVQ_IN_OFF		CVQ_OUT_MAX
#define CVQ_MAX_IN_SEGS		8
#define CVQ_INDIRECT_MAX	64
#define CVQ_BATCH		64
#define CVQ_TIMEOUT_MS		2000

struct dpu_vdpa_cvq_seg {
	u64 addr;
	u32 len;
};

struct dpu_vdpa_cvq_cmd {
	u16 head;
	u32 out_len;
	u32 in_len;
	unsigned int nr_in;
	struct dpu_vdpa_cvq_seg in[CVQ_MAX_IN_SEGS];
};

static void dpu_vdpa_cvq_work(struct work_struct *work);

static struct dpu_vdpa_cvq *dev_cvq(struct dpu_vdpa_dev *dev)
{
	return &dpu_vdpa_to_net(dev)->cvq;
}

int dpu_vdpa_cvq_init(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_cvq *cvq = dev_cvq(dev);

	mutex_init(&cvq->lock);
	INIT_WORK(&cvq->work, dpu_vdpa_cvq_work);
	dpu_vdpa_net_state_init(dev, &dpu_vdpa_to_net(dev)->cur);
	/* the ring and the command buffer come with the first start */
	return 0;
}

void dpu_vdpa_cvq_cleanup(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_cvq *cvq = dev_cvq(dev);

	cancel_work_sync(&cvq->work);
	/* the function has been reset (dev_del) or never had them */
	dpu_vdpa_fn_buf_free(dev, &cvq->buf);
	dpu_vdpa_fn_buf_free(dev, &cvq->ring);
	mutex_destroy(&cvq->lock);
}

/*
 * The features a control command needs (virtio 1.2, 5.1.6.5), 0 for a
 * command that does not exist.  The control queue itself (CTRL_VQ) is
 * taken for granted.
 */
u64 dpu_vdpa_net_ctrl_features(u8 class, u8 cmd)
{
	switch (class) {
	case VIRTIO_NET_CTRL_RX:
		/* commands 0-1 come with CTRL_RX, 2-5 with CTRL_RX_EXTRA (which needs CTRL_RX) */
		if (cmd <= VIRTIO_NET_CTRL_RX_ALLMULTI)
			return BIT_ULL(VIRTIO_NET_F_CTRL_RX);
		if (cmd <= VIRTIO_NET_CTRL_RX_NOBCAST)
			return BIT_ULL(VIRTIO_NET_F_CTRL_RX) | BIT_ULL(VIRTIO_NET_F_CTRL_RX_EXTRA);
		return 0;
	case VIRTIO_NET_CTRL_MAC:
		if (cmd == VIRTIO_NET_CTRL_MAC_TABLE_SET)
			return BIT_ULL(VIRTIO_NET_F_CTRL_RX);
		if (cmd == VIRTIO_NET_CTRL_MAC_ADDR_SET)
			return BIT_ULL(VIRTIO_NET_F_CTRL_MAC_ADDR);
		return 0;
	case VIRTIO_NET_CTRL_VLAN:
		if (cmd == VIRTIO_NET_CTRL_VLAN_ADD || cmd == VIRTIO_NET_CTRL_VLAN_DEL)
			return BIT_ULL(VIRTIO_NET_F_CTRL_VLAN);
		return 0;
	case VIRTIO_NET_CTRL_ANNOUNCE:
		if (cmd == VIRTIO_NET_CTRL_ANNOUNCE_ACK)
			return BIT_ULL(VIRTIO_NET_F_GUEST_ANNOUNCE);
		return 0;
	case VIRTIO_NET_CTRL_MQ:
		if (cmd == VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET)
			return BIT_ULL(VIRTIO_NET_F_MQ);
		if (cmd == VIRTIO_NET_CTRL_MQ_RSS_CONFIG)
			return BIT_ULL(VIRTIO_NET_F_RSS);
		if (cmd == VIRTIO_NET_CTRL_MQ_HASH_CONFIG)
			return BIT_ULL(VIRTIO_NET_F_HASH_REPORT);
		return 0;
	case VIRTIO_NET_CTRL_GUEST_OFFLOADS:
		if (cmd == VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET)
			return BIT_ULL(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS);
		return 0;
	case VIRTIO_NET_CTRL_NOTF_COAL:
		if (cmd == VIRTIO_NET_CTRL_NOTF_COAL_TX_SET ||
		    cmd == VIRTIO_NET_CTRL_NOTF_COAL_RX_SET)
			return BIT_ULL(VIRTIO_NET_F_NOTF_COAL);
		if (cmd == VIRTIO_NET_CTRL_NOTF_COAL_VQ_SET ||
		    cmd == VIRTIO_NET_CTRL_NOTF_COAL_VQ_GET)
			return BIT_ULL(VIRTIO_NET_F_VQ_NOTF_COAL);
		return 0;
	case VIRTIO_NET_CTRL_STATS:
		if (cmd == VIRTIO_NET_CTRL_STATS_QUERY || cmd == VIRTIO_NET_CTRL_STATS_GET)
			return BIT_ULL(VIRTIO_NET_F_DEVICE_STATS);
		return 0;
	}
	return 0;
}

/* Does @features hold everything command @class/@cmd needs? */
static bool dpu_vdpa_cvq_cmd_ok(u64 features, u8 class, u8 cmd)
{
	u64 need = dpu_vdpa_net_ctrl_features(class, cmd);

	return need && (features & need) == need;
}

/* Run one command already in the bounce buffer on the function.  cvq->lock held. */
static int dpu_vdpa_cvq_exec(struct dpu_vdpa_dev *dev, u32 out_len, u32 in_len, u32 *written)
{
	struct dpu_vdpa_cvq *cvq = dev_cvq(dev);
	struct vring_desc *desc = cvq->ring.va + CVQ_FN_DESC_OFF;
	struct vring_avail *avail = cvq->ring.va + CVQ_FN_AVAIL_OFF;
	struct vring_used *used = cvq->ring.va + CVQ_FN_USED_OFF;
	unsigned long timeout;

	lockdep_assert_held(&cvq->lock);
	if (!cvq->fn_notify)
		return -ENODEV;
	if (cvq->fn_hung)
		return -EIO;

	desc[0].addr = dpu_vdpa_v64(cvq->buf.dma);
	desc[0].len = dpu_vdpa_v32(out_len);
	desc[0].flags = dpu_vdpa_v16(VRING_DESC_F_NEXT);
	desc[0].next = dpu_vdpa_v16(1);
	desc[1].addr = dpu_vdpa_v64(cvq->buf.dma + CVQ_IN_OFF);
	desc[1].len = dpu_vdpa_v32(in_len);
	desc[1].flags = dpu_vdpa_v16(VRING_DESC_F_WRITE);
	desc[1].next = 0;
	avail->ring[cvq->fn_avail_idx % CVQ_FN_NUM] = dpu_vdpa_v16(0);
	/* descriptors and ring entry before the index the function polls */
	dma_wmb();
	cvq->fn_avail_idx++;
	WRITE_ONCE(avail->idx, dpu_vdpa_v16(cvq->fn_avail_idx));
	/* the index before the doorbell */
	wmb();
	dpu_vdpa_hw_kick(cvq->fn_notify, cvq->fn_index);

	timeout = jiffies + msecs_to_jiffies(CVQ_TIMEOUT_MS);
	for (;;) {
		if (dpu_vdpa_u16(READ_ONCE(used->idx)) != cvq->fn_used_idx)
			break;
		if (time_after(jiffies, timeout)) {
			dev_err(&dev->vdpa.dev, "function control queue did not answer in %d ms\n",
				CVQ_TIMEOUT_MS);
			cvq->fn_hung = true;
			return -ETIMEDOUT;
		}
		usleep_range(10, 100);
	}
	/* the used entry and the reply after the index that published them */
	dma_rmb();
	*written = min_t(u32, dpu_vdpa_u32(used->ring[cvq->fn_used_idx % CVQ_FN_NUM].len),
			 in_len);
	cvq->fn_used_idx++;
	return 0;
}

int dpu_vdpa_cvq_send(struct dpu_vdpa_dev *dev, u8 class, u8 cmd, const void *data, size_t len)
{
	struct dpu_vdpa_cvq *cvq = dev_cvq(dev);
	struct virtio_net_ctrl_hdr *hdr = cvq->buf.va;
	u8 *ack = cvq->buf.va + CVQ_IN_OFF;
	u32 written = 0;
	int err;

	if (sizeof(*hdr) + len > CVQ_OUT_MAX)
		return -E2BIG;
	/* the driver's own commands too: never one the function did not negotiate */
	if (!dpu_vdpa_cvq_cmd_ok(dev->fn_driver_features, class, cmd)) {
		dev_err(&dev->vdpa.dev, "cvq command class %u cmd %u: the function did not negotiate its feature (function features %#llx)\n",
			class, cmd, dev->fn_driver_features);
		return -EOPNOTSUPP;
	}
	mutex_lock(&cvq->lock);
	/* no buffer before the function's control queue was started */
	if (!cvq->buf.mapped) {
		mutex_unlock(&cvq->lock);
		return -ENODEV;
	}
	hdr->class = class;
	hdr->cmd = cmd;
	memcpy(hdr + 1, data, len);
	*ack = VIRTIO_NET_ERR;
	err = dpu_vdpa_cvq_exec(dev, sizeof(*hdr) + len, 1, &written);
	if (!err && (written < 1 || *ack != VIRTIO_NET_OK))
		err = -EIO;
	mutex_unlock(&cvq->lock);
	dev_dbg(&dev->vdpa.dev, "cvq command class %u cmd %u: %d\n", class, cmd, err);
	return err;
}

/*
 * Walk one descriptor chain of the consumer, copying what it reads into
 * cvq->buf unless @copy is false (a command answered without being read).
 */
static int dpu_vdpa_cvq_read_chain(struct dpu_vdpa_dev *dev, struct dpu_vdpa_cvq_cmd *cmd,
				   bool copy)
{
	struct dpu_vdpa_cvq *cvq = dev_cvq(dev);
	u64 table = cvq->desc_addr;
	u32 table_num = cvq->num, limit = cvq->num, count = 0;
	bool indirect = false, too_big = false;
	u16 i = cmd->head;
	int err;

	cmd->out_len = 0;
	cmd->in_len = 0;
	cmd->nr_in = 0;
	for (;;) {
		struct vring_desc d;
		u64 addr;
		u32 len;
		u16 flags;

		if (i >= table_num || ++count > limit)
			return -EINVAL;
		err = dpu_vdpa_mem_read(dev, DPU_VDPA_GROUP_CVQ, table + (u64)i * sizeof(d), &d,
					sizeof(d));
		if (err)
			return err;
		addr = dpu_vdpa_u64(d.addr);
		len = dpu_vdpa_u32(d.len);
		flags = dpu_vdpa_u16(d.flags);

		if (flags & VRING_DESC_F_INDIRECT) {
			if (indirect || !len || len % sizeof(d) ||
			    len / sizeof(d) > CVQ_INDIRECT_MAX)
				return -EINVAL;
			table = addr;
			table_num = len / sizeof(d);
			limit = table_num;
			count = 0;
			indirect = true;
			i = 0;
			continue;
		}
		if (flags & VRING_DESC_F_WRITE) {
			if (cmd->nr_in == CVQ_MAX_IN_SEGS ||
			    len > CVQ_IN_MAX - cmd->in_len) {
				too_big = true;
			} else {
				cmd->in[cmd->nr_in].addr = addr;
				cmd->in[cmd->nr_in].len = len;
				cmd->nr_in++;
				cmd->in_len += len;
			}
		} else {
			/* readable descriptors after writable ones: not virtio */
			if (cmd->nr_in)
				return -EINVAL;
			/* len is the consumer's: a sum could wrap past the bound */
			if (len > CVQ_OUT_MAX - cmd->out_len) {
				too_big = true;
			} else {
				err = copy ? dpu_vdpa_mem_read(dev, DPU_VDPA_GROUP_CVQ, addr,
							       cvq->buf.va + cmd->out_len, len) : 0;
				if (err)
					return err;
				cmd->out_len += len;
			}
		}
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		i = dpu_vdpa_u16(d.next);
	}
	return too_big ? -E2BIG : 0;
}

/*
 * A write into the consumer's memory: marked in the dirty log, as the
 * relay marks what it writes (shadow.c), once written, so that a sync
 * cannot clear the bit before the page holds the new bytes.
 */
static int dpu_vdpa_cvq_write(struct dpu_vdpa_dev *dev, u64 addr, const void *buf, size_t len)
{
	int err = dpu_vdpa_mem_write(dev, DPU_VDPA_GROUP_CVQ, addr, buf, len);

	if (!err && READ_ONCE(dev->log.active) && dpu_vdpa_as_logged(dev, DPU_VDPA_GROUP_CVQ))
		dpu_vdpa_log_mark(dev, addr, len);
	return err;
}

/* Give the consumer the @written bytes of reply at @src and the used entry. */
static int dpu_vdpa_cvq_complete(struct dpu_vdpa_dev *dev, struct dpu_vdpa_cvq_cmd *cmd,
				 const u8 *src, u32 written)
{
	struct dpu_vdpa_cvq *cvq = dev_cvq(dev);
	struct vring_used_elem elem;
	u32 done = 0;
	unsigned int s;
	__virtio16 idx;
	int err;

	for (s = 0; s < cmd->nr_in && done < written; s++) {
		u32 n = min(cmd->in[s].len, written - done);

		err = dpu_vdpa_cvq_write(dev, cmd->in[s].addr, src + done, n);
		if (err)
			return err;
		done += n;
	}
	elem.id = dpu_vdpa_v32(cmd->head);
	elem.len = dpu_vdpa_v32(done);
	err = dpu_vdpa_cvq_write(dev, cvq->device_addr +
				 offsetof(struct vring_used, ring[cvq->used_idx % cvq->num]),
				 &elem, sizeof(elem));
	if (err)
		return err;
	/* the element before the index the consumer polls */
	smp_wmb();
	cvq->used_idx++;
	idx = dpu_vdpa_v16(cvq->used_idx);
	return dpu_vdpa_cvq_write(dev, cvq->device_addr + offsetof(struct vring_used, idx),
				  &idx, sizeof(idx));
}

/*
 * May the consumer's command in the bounce buffer go to the function?
 * Only if both the consumer and the function negotiated what it needs: a
 * consumer must not change function state it did not ask for (which the
 * tracked state would then carry to a migration destination), nor send the
 * function a command it did not agree to take.  cvq->lock held.
 */
static bool dpu_vdpa_cvq_allowed(struct dpu_vdpa_dev *dev)
{
	const struct virtio_net_ctrl_hdr *hdr = dev_cvq(dev)->buf.va;

	lockdep_assert_held(&dev_cvq(dev)->lock);
	if (dpu_vdpa_cvq_cmd_ok(dev->driver_features, hdr->class, hdr->cmd) &&
	    dpu_vdpa_cvq_cmd_ok(dev->fn_driver_features, hdr->class, hdr->cmd))
		return true;
	dev_dbg(&dev->vdpa.dev, "cvq command class %u cmd %u refused: needs %#llx, consumer negotiated %#llx, function %#llx\n",
		hdr->class, hdr->cmd, dpu_vdpa_net_ctrl_features(hdr->class, hdr->cmd),
		dev->driver_features, dev->fn_driver_features);
	return false;
}

/* Relay one consumer command.  Returns 1 if the ring was empty. */
static int dpu_vdpa_cvq_relay_one(struct dpu_vdpa_dev *dev)
{
	static const u8 refusal = VIRTIO_NET_ERR;
	struct dpu_vdpa_cvq *cvq = dev_cvq(dev);
	const u8 *reply = &refusal;
	struct dpu_vdpa_cvq_cmd cmd;
	__virtio16 raw;
	u16 avail_idx;
	u32 written = 0;
	int err;

	err = dpu_vdpa_mem_read(dev, DPU_VDPA_GROUP_CVQ,
				cvq->driver_addr + offsetof(struct vring_avail, idx), &raw,
				sizeof(raw));
	if (err)
		return err;
	avail_idx = dpu_vdpa_u16(raw);
	if (avail_idx == cvq->last_avail_idx)
		return 1;
	if ((u16)(avail_idx - cvq->last_avail_idx) > cvq->num)
		return -EINVAL;
	/* entries after the index that announced them */
	smp_rmb();
	err = dpu_vdpa_mem_read(dev, DPU_VDPA_GROUP_CVQ, cvq->driver_addr +
				offsetof(struct vring_avail, ring[cvq->last_avail_idx % cvq->num]),
				&raw, sizeof(raw));
	if (err)
		return err;
	cmd.head = dpu_vdpa_u16(raw);

	err = dpu_vdpa_cvq_read_chain(dev, &cmd, !cvq->refusing);
	if (err && err != -E2BIG)
		return err;
	if (err || cvq->refusing || cmd.out_len < sizeof(struct virtio_net_ctrl_hdr) ||
	    cmd.in_len < 1 || !dpu_vdpa_cvq_allowed(dev)) {
		/*
		 * well-formed ring, but a command that is unusable or not
		 * negotiated, or a device that did not start: answered with an
		 * error, never sent
		 */
		written = cmd.in_len ? 1 : 0;
		cvq->errors++;
	} else {
		u8 *in = cvq->buf.va + CVQ_IN_OFF;

		memset(in, 0, cmd.in_len);
		*in = VIRTIO_NET_ERR;
		err = dpu_vdpa_cvq_exec(dev, cmd.out_len, cmd.in_len, &written);
		if (err) {
			/*
			 * The function failed, not the consumer: this command
			 * and every later one are answered with an error, and
			 * the consumer is told to reset.  Left unanswered, a
			 * kernel consumer would wait forever, holding RTNL or
			 * its device lock.
			 */
			dev_err(&dev->vdpa.dev, "control queue: function failed a command (%d): refusing commands until reset\n",
				err);
			cvq->refusing = true;
			cvq->broken = true;
			cvq->errors++;
			written = 1;
		} else {
			reply = in;
			cvq->commands++;
			/* what the function took is state to save (net_state.c) */
			if (written >= 1 && *in == VIRTIO_NET_OK)
				dpu_vdpa_net_state_record(dev, cvq->buf.va, cmd.out_len);
		}
	}
	cvq->last_avail_idx++;
	err = dpu_vdpa_cvq_complete(dev, &cmd, reply, written);
	if (err)
		return err;
	if (cvq->event_idx) {
		raw = dpu_vdpa_v16(cvq->last_avail_idx);
		err = dpu_vdpa_cvq_write(dev, cvq->device_addr +
					 offsetof(struct vring_used, ring[cvq->num]), &raw,
					 sizeof(raw));
	}
	return err;
}

static void dpu_vdpa_cvq_work(struct work_struct *work)
{
	struct dpu_vdpa_cvq *cvq = container_of(work, struct dpu_vdpa_cvq, work);
	struct dpu_vdpa_dev *dev = container_of(cvq, struct dpu_vdpa_net, cvq)->dev;
	struct dpu_vdpa_vq *vq;
	bool completed = false, again = false, was_broken, broke;
	int i, ret = 0;

	mutex_lock(&cvq->lock);
	was_broken = cvq->broken;
	/* served only while the function's control queue runs on our buffers */
	if (!cvq->running || WARN_ON_ONCE(!cvq->refusing && !cvq->buf.mapped))
		goto out;
	for (i = 0; i < CVQ_BATCH; i++) {
		ret = dpu_vdpa_cvq_relay_one(dev);
		if (ret)
			break;
		completed = true;
	}
	if (ret < 0) {
		dev_err(&dev->vdpa.dev, "control queue: %s (%d), device needs reset\n",
			ret == -EINVAL ? "malformed ring" : "relay failed", ret);
		cvq->running = false;
		cvq->broken = true;
		cvq->errors++;
	} else if (i == CVQ_BATCH) {
		again = true;
	}
out:
	broke = cvq->broken && !was_broken;
	mutex_unlock(&cvq->lock);

	vq = &dev->vqs[cvq->index];
	if (completed) {
		struct vdpa_callback cb = dpu_vdpa_vq_cb(vq);

		dpu_vdpa_cb_call(&cb);
	}
	/* NEEDS_RESET is new: the consumer learns it through a config interrupt */
	if (broke) {
		struct vdpa_callback cb = dpu_vdpa_config_cb(dev);

		dpu_vdpa_cb_call(&cb);
	}
	if (again)
		queue_work(dpu_vdpa_wq, &cvq->work);
}

/* Atomic context: called from kick_vq. */
void dpu_vdpa_cvq_kick(struct dpu_vdpa_dev *dev)
{
	queue_work(dpu_vdpa_wq, &dev_cvq(dev)->work);
}

/*
 * Put the driver's ring on the function's control queue @fn_index.  The
 * function is in FEATURES_OK; dev->lock is held.
 */
int dpu_vdpa_cvq_start(struct dpu_vdpa_dev *dev, u16 fn_index)
{
	struct dpu_vdpa_cvq *cvq = dev_cvq(dev);
	struct dpu_vdpa_fn *fn = dev->fn;
	resource_size_t pa;
	int err;

	lockdep_assert_held(&dev->lock);
	if (dpu_vdpa_hw_queue_size_max(fn, fn_index) < CVQ_FN_NUM) {
		dev_err(&dev->vdpa.dev, "function control queue %u too small\n", fn_index);
		return -EINVAL;
	}
	mutex_lock(&cvq->lock);
	cvq->fn_avail_idx = 0;
	cvq->fn_used_idx = 0;
	cvq->fn_hung = false;
	cvq->fn_index = fn_index;
	err = dpu_vdpa_fn_buf_map(dev, &cvq->ring, CVQ_RING_BYTES, 0);
	if (!err)
		err = dpu_vdpa_fn_buf_map(dev, &cvq->buf, CVQ_BUF_BYTES, 1);
	if (!err) {
		/* kept from an earlier start, or fresh: the function has none of it */
		memset(cvq->ring.va, 0, CVQ_RING_BYTES);
		((struct vring_avail *)(cvq->ring.va + CVQ_FN_AVAIL_OFF))->flags =
			dpu_vdpa_v16(VRING_AVAIL_F_NO_INTERRUPT);
		cvq->fn_notify = dpu_vdpa_hw_notify_map(fn, fn_index, &pa);
		if (!cvq->fn_notify)
			err = -EIO;
	}
	if (err) {
		/* the function was not pointed at them */
		dpu_vdpa_fn_buf_unmap(dev, &cvq->buf);
		dpu_vdpa_fn_buf_unmap(dev, &cvq->ring);
	}
	mutex_unlock(&cvq->lock);
	if (err) {
		dev_err(&dev->vdpa.dev, "cannot set up the function's control queue: %d\n", err);
		return err;
	}

	dpu_vdpa_hw_queue_set_ring(fn, fn_index, CVQ_FN_NUM, cvq->ring.dma + CVQ_FN_DESC_OFF,
				   cvq->ring.dma + CVQ_FN_AVAIL_OFF,
				   cvq->ring.dma + CVQ_FN_USED_OFF);
	dpu_vdpa_hw_set_queue_vector(fn, fn_index, VIRTIO_MSI_NO_VECTOR);
	dpu_vdpa_hw_queue_enable(fn, fn_index);
	dev_dbg(&dev->vdpa.dev, "driver ring on function queue %u\n", fn_index);
	return 0;
}

/*
 * Suspend: let the command being relayed finish, then take no more until
 * dpu_vdpa_cvq_resume.  last_avail_idx is then exact.  dev->lock held.
 */
void dpu_vdpa_cvq_pause(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_cvq *cvq = dev_cvq(dev);

	lockdep_assert_held(&dev->lock);
	mutex_lock(&cvq->lock);
	cvq->paused = cvq->running;
	cvq->running = false;
	mutex_unlock(&cvq->lock);
	cancel_work_sync(&cvq->work);
}

void dpu_vdpa_cvq_resume(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_cvq *cvq = dev_cvq(dev);
	bool kick;

	mutex_lock(&cvq->lock);
	kick = cvq->paused;
	cvq->running |= cvq->paused;
	cvq->paused = false;
	mutex_unlock(&cvq->lock);
	if (kick)
		dpu_vdpa_cvq_kick(dev);
}

/*
 * Stop serving the consumer: no command is relayed after this.  dev->lock
 * held, the function about to reset.  The function may still read the
 * driver's ring (a device can look at its avail index again after the
 * last command it used), so that stays mapped until
 * dpu_vdpa_cvq_release, after the function's reset.
 */
void dpu_vdpa_cvq_stop(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_cvq *cvq = dev_cvq(dev);

	lockdep_assert_held(&dev->lock);
	mutex_lock(&cvq->lock);
	cvq->running = false;
	cvq->paused = false;
	cvq->broken = false;
	cvq->refusing = false;
	mutex_unlock(&cvq->lock);
	/* the worker never takes dev->lock */
	cancel_work_sync(&cvq->work);
}

/*
 * The function is reset (or its control queue is): unmap what it was
 * given.  Their memory stays until the next start or dev_del.  dev->lock
 * held.
 */
void dpu_vdpa_cvq_release(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_cvq *cvq = dev_cvq(dev);

	lockdep_assert_held(&dev->lock);
	mutex_lock(&cvq->lock);
	if (cvq->fn_notify)
		dpu_vdpa_hw_notify_unmap(dev->fn, cvq->fn_notify);
	cvq->fn_notify = NULL;
	dpu_vdpa_fn_buf_unmap(dev, &cvq->buf);
	dpu_vdpa_fn_buf_unmap(dev, &cvq->ring);
	mutex_unlock(&cvq->lock);
}
