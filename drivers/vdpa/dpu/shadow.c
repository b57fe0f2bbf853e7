// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shadow virtqueue relay (see struct dpu_vdpa_svq).
 *
 * Work is done by a worker per queue, queued from the consumer's kick
 * (atomic context) and from the function's interrupt; it never runs with
 * the relay halted.  Everything the consumer wrote is treated as hostile:
 * an index out of range, a chain that loops or reuses a descriptor still
 * at the function, or an indirect descriptor (never offered) stops the
 * queue and reports NEEDS_RESET, with no access outside the ring.
 *
 * Split rings only: VIRTIO_F_RING_PACKED is never offered.
 */
#include <linux/delay.h>
#include <linux/virtio_config.h>

#include "dpu_vdpa.h"
#include "shadow.h"

#define DPU_VDPA_SVQ_ALIGN	64
/* entries of a split chain; more segments than this end in a ring error */
#define DPU_VDPA_SVQ_INDIRECT	32
/* consumer chains relayed per worker run before it yields */
#define DPU_VDPA_SVQ_BUDGET	256

/* A consumer descriptor as the relay copied it, in CPU byte order. */
struct dpu_vdpa_svq_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

/* One avail entry the relay handed to the function (shadow.c). */
struct dpu_vdpa_svq_slot {
	u16 head;		/* descriptor id, the same in both rings */
	u16 ndesc;		/* descriptors in its chain */
	u32 len;		/* used length the function reported */
	bool done;		/* the function used it; not yet given back */
	/* translated: its pages hold references until it comes back */
	bool pinned;
};

/*
 * struct dpu_vdpa_svq - shadow virtqueue
 *
 * The consumer's ring is read and written through its address space; the
 * function runs a ring of the driver's own, of the same size.  A chain the
 * consumer makes available is copied into the driver's descriptor table at
 * the same ids (so ids need no mapping), and completions are given back to
 * the consumer in the order it made them available, so the consumer-side
 * state is always "everything before used_idx is done, [used_idx,
 * last_avail_idx) is at the function".  That makes suspend exact: what the
 * function did not use is handed back by moving last_avail_idx back.
 *
 * @lock protects everything below it; it nests inside dpu_vdpa_dev.lock
 * and outside dpu_vdpa_as.lock.  @running is also read without it (kick and
 * interrupt paths) to decide whether to queue @work.
 */
struct dpu_vdpa_svq {
	struct dpu_vdpa_vq *vq;		/* the queue it serves */
	struct work_struct work;
	struct mutex lock;	/* see above */
	bool running;		/* relaying; cleared to suspend or stop */
	bool broken;		/* malformed consumer ring or function used ring */
	/*
	 * Hand the queue back to the function at the next index wrap: the
	 * function can only run the consumer's ring from index 0, so the relay
	 * stops taking chains when last_avail_idx wraps to 0 and asks for the
	 * switch once the function has used them all.
	 */
	bool to_direct;
	u16 num;
	bool event_idx;
	bool indirect_ok;	/* the function takes indirect descriptors */
	/* consumer ring */
	u16 last_avail_idx;
	u16 used_idx;
	/* the driver's ring, run by the function */
	struct dpu_vdpa_fn_buf ring;
	struct vring fn;
	u16 fn_avail_idx;
	u16 fn_used_idx;
	struct dpu_vdpa_svq_slot *slots;	/* by avail position % num */
	u16 *head_pos;			/* avail position of each head in flight */
	struct dpu_vdpa_svq_desc *cdesc;	/* the consumer's descriptors, as copied */
	/*
	 * Without an IOMMU domain a buffer that is not physically contiguous
	 * is split: the chain then goes to the function as one indirect
	 * descriptor, at its head's id, pointing into @indirect.
	 */
	struct dpu_vdpa_fn_buf indirect;	/* DPU_VDPA_SVQ_INDIRECT entries per head */
	unsigned long *busy;		/* descriptors at the function */
};

static struct dpu_vdpa_vq *svq_vq(struct dpu_vdpa_svq *svq)
{
	return svq->vq;
}

static void dpu_vdpa_svq_fail(struct dpu_vdpa_svq *svq, const char *what, int err)
{
	struct dpu_vdpa_vq *vq = svq_vq(svq);

	if (!svq->broken)
		dev_err(&vq->dev->vdpa.dev, "vq %u: %s (%d): queue stopped, device needs reset\n",
			vq->index, what, err);
	svq->broken = true;
	atomic64_inc(&vq->dev->stats.ring_errors);
}

/* Consumer ring fields, split layout (virtio 1.2, 2.7). */
static u64 svq_avail_idx_addr(struct dpu_vdpa_vq *vq)
{
	return vq->driver_addr + offsetof(struct vring_avail, idx);
}

static u64 svq_avail_ring_addr(struct dpu_vdpa_vq *vq, u16 pos)
{
	return vq->driver_addr + offsetof(struct vring_avail, ring) +
	       (u64)(pos % vq->svq->num) * sizeof(__virtio16);
}

static u64 svq_used_elem_addr(struct dpu_vdpa_vq *vq, u16 pos)
{
	return vq->device_addr + offsetof(struct vring_used, ring) +
	       (u64)(pos % vq->svq->num) * sizeof(struct vring_used_elem);
}

/* used_event sits after the avail ring, avail_event after the used ring */
static u64 svq_used_event_addr(struct dpu_vdpa_vq *vq)
{
	return svq_avail_ring_addr(vq, 0) + (u64)vq->svq->num * sizeof(__virtio16);
}

static u64 svq_avail_event_addr(struct dpu_vdpa_vq *vq)
{
	return svq_used_elem_addr(vq, 0) + (u64)vq->svq->num * sizeof(struct vring_used_elem);
}

static void svq_log_used(struct dpu_vdpa_vq *vq, u16 pos)
{
	struct dpu_vdpa_dev *dev = vq->dev;

	dpu_vdpa_log_mark(dev, svq_used_elem_addr(vq, pos), sizeof(struct vring_used_elem));
}

/* Release the descriptors of a chain copied at avail time. */
static void svq_put_chain(struct dpu_vdpa_svq *svq, u16 head, u16 ndesc)
{
	u16 i = head;

	while (ndesc--) {
		clear_bit(i, svq->busy);
		i = svq->cdesc[i].next;
		if (i >= svq->num)
			break;
	}
}

/* Drop the page references of the first @n descriptors of the chain at @head. */
static void svq_unpin_descs(struct dpu_vdpa_svq *svq, u16 head, u16 n)
{
	u16 i = head;

	while (n--) {
		dpu_vdpa_mem_fn_unpin(dpu_vdpa_u64(svq->fn.desc[i].addr),
				      dpu_vdpa_u32(svq->fn.desc[i].len));
		i = svq->cdesc[i].next;
		if (i >= svq->num)
			break;
	}
}

static struct vring_desc *svq_indirect_table(struct dpu_vdpa_svq *svq, u16 head)
{
	return svq->indirect.va + (size_t)head * DPU_VDPA_SVQ_INDIRECT * sizeof(struct vring_desc);
}

static void svq_unpin_table(struct vring_desc *table, unsigned int n)
{
	while (n--)
		dpu_vdpa_mem_fn_unpin(dpu_vdpa_u64(table[n].addr), dpu_vdpa_u32(table[n].len));
}

/*
 * A translated chain the function no longer holds (used, or its queue
 * stopped): drop the references its segments took.
 */
static void svq_unpin_chain(struct dpu_vdpa_svq *svq, const struct dpu_vdpa_svq_slot *slot)
{
	struct vring_desc *d = &svq->fn.desc[slot->head];

	if (!slot->pinned)
		return;
	if (d->flags & dpu_vdpa_v16(VRING_DESC_F_INDIRECT))
		svq_unpin_table(svq_indirect_table(svq, slot->head),
				dpu_vdpa_u32(d->len) / sizeof(*d));
	else
		svq_unpin_descs(svq, slot->head, slot->ndesc);
}

/*
 * A chain whose buffers are physically contiguous goes to the function as
 * it is, at the same ids, however long.  Returns -EAGAIN, holding nothing,
 * when a buffer must be split.
 */
static int svq_translate_in_place(struct dpu_vdpa_vq *vq, u16 head, u16 ndesc)
{
	struct dpu_vdpa_svq *svq = vq->svq;
	u16 i = head, n;
	int err;

	for (n = 0; n < ndesc; n++, i = svq->cdesc[i].next) {
		const struct dpu_vdpa_svq_desc *c = &svq->cdesc[i];
		u32 perm = c->flags & VRING_DESC_F_WRITE ? VHOST_MAP_WO : VHOST_MAP_RO;
		u64 pa, contig;

		err = dpu_vdpa_mem_fn_segment(vq->dev, c->addr, c->len, perm, &pa, &contig);
		if (!err && contig < c->len) {
			dpu_vdpa_mem_fn_unpin(pa, contig);
			err = -EAGAIN;
		}
		if (err) {
			svq_unpin_descs(svq, head, n);
			return err;
		}
		svq->fn.desc[i].addr = dpu_vdpa_v64(pa);
		svq->fn.desc[i].len = dpu_vdpa_v32(c->len);
		svq->fn.desc[i].flags = dpu_vdpa_v16(c->flags);
		svq->fn.desc[i].next = dpu_vdpa_v16(c->next);
	}
	return 0;
}

/*
 * No IOMMU domain: give the function physical addresses of pages the relay
 * holds a reference to.  A buffer whose pages are not contiguous is split,
 * and the chain then becomes an indirect table of at most
 * DPU_VDPA_SVQ_INDIRECT segments at its head's id.
 */
static int svq_translate_chain(struct dpu_vdpa_vq *vq, u16 head, u16 ndesc)
{
	struct dpu_vdpa_svq *svq = vq->svq;
	struct vring_desc *table = svq_indirect_table(svq, head);
	unsigned int nseg = 0, n;
	u16 i = head;
	int err;

	err = svq_translate_in_place(vq, head, ndesc);
	if (err != -EAGAIN)
		return err;
	if (!svq->indirect_ok)
		return -E2BIG;

	for (n = 0; n < ndesc; n++, i = svq->cdesc[i].next) {
		const struct dpu_vdpa_svq_desc *d = &svq->cdesc[i];
		u32 perm = d->flags & VRING_DESC_F_WRITE ? VHOST_MAP_WO : VHOST_MAP_RO;
		u64 addr = d->addr, left = d->len;

		do {
			u64 pa, contig;

			if (nseg == DPU_VDPA_SVQ_INDIRECT) {
				err = -E2BIG;
				goto err_unpin;
			}
			err = dpu_vdpa_mem_fn_segment(vq->dev, addr, left, perm, &pa, &contig);
			if (err)
				goto err_unpin;
			table[nseg].addr = dpu_vdpa_v64(pa);
			table[nseg].len = dpu_vdpa_v32(contig);
			table[nseg].flags = dpu_vdpa_v16((d->flags & VRING_DESC_F_WRITE) |
							 VRING_DESC_F_NEXT);
			table[nseg].next = dpu_vdpa_v16(nseg + 1);
			nseg++;
			addr += contig;
			left -= contig;
		} while (left);
	}
	table[nseg - 1].flags &= ~dpu_vdpa_v16(VRING_DESC_F_NEXT);
	table[nseg - 1].next = 0;

	svq->fn.desc[head].addr = dpu_vdpa_v64(svq->indirect.dma + ((void *)table -
								svq->indirect.va));
	svq->fn.desc[head].len = dpu_vdpa_v32(nseg * sizeof(*table));
	svq->fn.desc[head].flags = dpu_vdpa_v16(VRING_DESC_F_INDIRECT);
	svq->fn.desc[head].next = 0;
	return 0;

err_unpin:
	svq_unpin_table(table, nseg);
	return err;
}

/*
 * Copy the consumer's chain at @head into the driver's table at the same
 * ids.  Returns the number of descriptors, or an error with nothing held.
 */
static int svq_get_chain(struct dpu_vdpa_vq *vq, u16 head, bool *pinned)
{
	struct dpu_vdpa_svq *svq = vq->svq;
	struct dpu_vdpa_dev *dev = vq->dev;
	enum dpu_vdpa_reach reach = dpu_vdpa_mem_fn_reach(dev);
	bool translate = reach == DPU_VDPA_REACH_TRANSLATE;
	bool writable = false;
	u16 i = head, n = 0;
	int err;

	/* the consumer unmapped what the function reached it through */
	if (reach == DPU_VDPA_REACH_NONE)
		return -EFAULT;

	for (;;) {
		struct dpu_vdpa_svq_desc *c;
		struct vring_desc d;

		if (i >= svq->num) {
			err = -ERANGE;
			goto err_put;
		}
		c = &svq->cdesc[i];
		/* a loop, or a descriptor the function still owns */
		if (test_bit(i, svq->busy)) {
			err = -ELOOP;
			goto err_put;
		}
		err = dpu_vdpa_mem_read(dev, DPU_VDPA_GROUP_DATA,
					vq->desc_addr + (u64)i * sizeof(d), &d, sizeof(d));
		if (err)
			goto err_put;
		c->addr = dpu_vdpa_u64(d.addr);
		c->len = dpu_vdpa_u32(d.len);
		c->flags = dpu_vdpa_u16(d.flags);
		c->next = dpu_vdpa_u16(d.next);
		/*
		 * No indirect tables (never offered); and every device-readable
		 * buffer comes before every device-writable one (2.7.4.2).
		 */
		if (c->flags & VRING_DESC_F_INDIRECT ||
		    (writable && !(c->flags & VRING_DESC_F_WRITE))) {
			err = -EPROTO;
			goto err_put;
		}
		writable = c->flags & VRING_DESC_F_WRITE;
		if (!c->len) {
			err = -EINVAL;
			goto err_put;
		}
		if (!translate) {
			err = dpu_vdpa_mem_fn_check(dev, c->addr, c->len,
						    writable ? VHOST_MAP_WO : VHOST_MAP_RO);
			if (err)
				goto err_put;
			svq->fn.desc[i] = d;
		}
		set_bit(i, svq->busy);
		n++;
		if (!(c->flags & VRING_DESC_F_NEXT))
			break;
		i = c->next;
	}
	if (translate) {
		err = svq_translate_chain(vq, head, n);
		if (err)
			goto err_put;
	}
	*pinned = translate;
	return n;

err_put:
	svq_put_chain(svq, head, n);
	return err;
}

/* Mark what the function wrote for a used chain: its writable part, by length. */
static void svq_log_chain(struct dpu_vdpa_vq *vq, const struct dpu_vdpa_svq_slot *slot)
{
	struct dpu_vdpa_svq *svq = vq->svq;
	u32 left = slot->len;
	u16 i = slot->head, n;

	for (n = 0; n < slot->ndesc && left; n++) {
		const struct dpu_vdpa_svq_desc *d = &svq->cdesc[i];

		if (d->flags & VRING_DESC_F_WRITE) {
			u32 len = min(d->len, left);

			dpu_vdpa_log_mark(vq->dev, d->addr, len);
			left -= len;
		}
		i = d->next;
		if (i >= svq->num)
			break;
	}
}

/* Should the consumer be notified of used entries [old, new)? */
static bool svq_consumer_wants_call(struct dpu_vdpa_vq *vq, u16 old, u16 new)
{
	struct dpu_vdpa_dev *dev = vq->dev;
	u16 v;

	/* the used index must be visible before the consumer's flags are read */
	smp_mb();
	if (vq->svq->event_idx) {
		if (dpu_vdpa_mem_read16(dev, DPU_VDPA_GROUP_DATA, svq_used_event_addr(vq), &v))
			return true;
		return vring_need_event(v, new, old);
	}
	if (dpu_vdpa_mem_read16(dev, DPU_VDPA_GROUP_DATA,
				vq->driver_addr + offsetof(struct vring_avail, flags), &v))
		return true;
	return !(v & VRING_AVAIL_F_NO_INTERRUPT);
}

static void svq_call_consumer(struct dpu_vdpa_vq *vq)
{
	struct vdpa_callback cb = dpu_vdpa_vq_cb(vq);

	if (!cb.callback)
		return;
	/* virtio_vdpa's callback may schedule NAPI: run its softirq here */
	local_bh_disable();
	cb.callback(cb.private);
	local_bh_enable();
}

/*
 * Collect what the function used, then give the consumer back, in avail
 * order, every chain that is done.  Returns the number given back.
 */
static int svq_complete(struct dpu_vdpa_vq *vq)
{
	struct dpu_vdpa_svq *svq = vq->svq;
	struct dpu_vdpa_dev *dev = vq->dev;
	u16 old = svq->used_idx;
	u16 fn_used;
	int err;

collect:
	fn_used = dpu_vdpa_u16(READ_ONCE(svq->fn.used->idx));
	/* entries are read after the index that published them */
	dma_rmb();
	while (svq->fn_used_idx != fn_used) {
		struct vring_used_elem *e = &svq->fn.used->ring[svq->fn_used_idx % svq->num];
		u32 id = dpu_vdpa_u32(e->id);
		struct dpu_vdpa_svq_slot *slot;
		u16 pos;

		svq->fn_used_idx++;
		if (id >= svq->num || !test_bit(id, svq->busy)) {
			dpu_vdpa_svq_fail(svq, "function used a descriptor it did not own",
					  -EPROTO);
			return 0;
		}
		pos = svq->head_pos[id];
		slot = &svq->slots[pos % svq->num];
		if (slot->head != id || slot->done ||
		    (u16)(pos - svq->used_idx) >= (u16)(svq->last_avail_idx - svq->used_idx)) {
			dpu_vdpa_svq_fail(svq, "function used a descriptor that is no chain head",
					  -EPROTO);
			return 0;
		}
		slot->done = true;
		slot->len = dpu_vdpa_u32(e->len);
	}
	if (svq->event_idx) {
		vring_used_event(&svq->fn) = dpu_vdpa_v16(svq->fn_used_idx);
		/*
		 * The function may have published more entries before it saw
		 * the new event index, and then it sends no interrupt for
		 * them: look again once the store is visible to it.  Each pass
		 * takes at least one entry of the chains it holds, so this ends.
		 */
		mb();
		if (dpu_vdpa_u16(READ_ONCE(svq->fn.used->idx)) != svq->fn_used_idx)
			goto collect;
	}

	while (svq->used_idx != svq->last_avail_idx) {
		struct dpu_vdpa_svq_slot *slot = &svq->slots[svq->used_idx % svq->num];
		struct vring_used_elem e;

		if (!slot->done)
			break;
		svq_log_chain(vq, slot);
		e.id = dpu_vdpa_v32(slot->head);
		e.len = dpu_vdpa_v32(slot->len);
		err = dpu_vdpa_mem_write(dev, DPU_VDPA_GROUP_DATA,
					 svq_used_elem_addr(vq, svq->used_idx), &e, sizeof(e));
		if (err) {
			dpu_vdpa_svq_fail(svq, "cannot write the used ring", err);
			return 0;
		}
		svq_log_used(vq, svq->used_idx);
		svq_unpin_chain(svq, slot);
		svq_put_chain(svq, slot->head, slot->ndesc);
		slot->done = false;
		svq->used_idx++;
	}
	if (svq->used_idx == old)
		return 0;

	/* the entries must be visible before the index */
	smp_wmb();
	err = dpu_vdpa_mem_write16(dev, DPU_VDPA_GROUP_DATA,
				   vq->device_addr + offsetof(struct vring_used, idx),
				   svq->used_idx);
	if (err) {
		dpu_vdpa_svq_fail(svq, "cannot write the used index", err);
		return 0;
	}
	dpu_vdpa_log_mark(dev, vq->device_addr + offsetof(struct vring_used, idx),
			  sizeof(__virtio16));
	atomic64_add((u16)(svq->used_idx - old), &dev->stats.relayed_used);
	if (svq_consumer_wants_call(vq, old, svq->used_idx))
		svq_call_consumer(vq);
	return (u16)(svq->used_idx - old);
}

static void svq_kick_function(struct dpu_vdpa_vq *vq)
{
	void __iomem *notify = READ_ONCE(vq->notify);

	if (notify)
		dpu_vdpa_hw_kick(notify, vq->index);
}

/* Hand the function what the consumer made available.  Returns chains relayed. */
static int svq_relay(struct dpu_vdpa_vq *vq, int budget)
{
	struct dpu_vdpa_svq *svq = vq->svq;
	struct dpu_vdpa_dev *dev = vq->dev;
	u16 avail, head;
	int n = 0, err;

again:
	err = dpu_vdpa_mem_read16(dev, DPU_VDPA_GROUP_DATA, svq_avail_idx_addr(vq), &avail);
	if (err) {
		dpu_vdpa_svq_fail(svq, "cannot read the avail index", err);
		return n;
	}
	if ((u16)(avail - svq->used_idx) > svq->num) {
		dpu_vdpa_svq_fail(svq, "avail index runs more than a ring ahead", -ERANGE);
		return n;
	}
	/* ring entries are read after the index that published them */
	smp_rmb();
	while (svq->last_avail_idx != avail && n < budget) {
		struct dpu_vdpa_svq_slot *slot;
		bool pinned;
		int ndesc;

		/* the rest is for the function itself, after the switch */
		if (svq->to_direct && !svq->last_avail_idx)
			break;

		err = dpu_vdpa_mem_read16(dev, DPU_VDPA_GROUP_DATA,
					  svq_avail_ring_addr(vq, svq->last_avail_idx), &head);
		if (err) {
			dpu_vdpa_svq_fail(svq, "cannot read the avail ring", err);
			break;
		}
		ndesc = svq_get_chain(vq, head, &pinned);
		if (ndesc < 0) {
			dpu_vdpa_svq_fail(svq, "malformed descriptor chain", ndesc);
			break;
		}
		slot = &svq->slots[svq->last_avail_idx % svq->num];
		slot->head = head;
		slot->ndesc = ndesc;
		slot->pinned = pinned;
		slot->len = 0;
		slot->done = false;
		svq->head_pos[head] = svq->last_avail_idx;
		svq->fn.avail->ring[svq->fn_avail_idx % svq->num] = dpu_vdpa_v16(head);
		svq->fn_avail_idx++;
		svq->last_avail_idx++;
		n++;
	}
	if (svq->event_idx && !svq->broken && n < budget) {
		/* ask for a kick at the next entry, then look once more */
		if (dpu_vdpa_mem_write16(dev, DPU_VDPA_GROUP_DATA, svq_avail_event_addr(vq),
					 svq->last_avail_idx)) {
			dpu_vdpa_svq_fail(svq, "cannot write avail_event", -EFAULT);
		} else {
			u16 again_avail;

			dpu_vdpa_log_mark(dev, svq_avail_event_addr(vq), sizeof(__virtio16));
			/*
			 * avail_event before the second look at avail->idx: a
			 * consumer that wrote the index after our first look
			 * and before seeing avail_event has not kicked
			 */
			smp_mb();
			if (!dpu_vdpa_mem_read16(dev, DPU_VDPA_GROUP_DATA, svq_avail_idx_addr(vq),
						 &again_avail) && again_avail != avail) {
				/* a consumer can move avail forever: stay preemptible */
				cond_resched();
				goto again;
			}
		}
	}
	if (n) {
		/* descriptors and ring entries before the index the function polls */
		dma_wmb();
		WRITE_ONCE(svq->fn.avail->idx, dpu_vdpa_v16(svq->fn_avail_idx));
		/* the index must reach the function before the doorbell */
		mb();
		svq_kick_function(vq);
		atomic64_add(n, &dev->stats.relayed_avail);
	}
	return n;
}

static void dpu_vdpa_svq_work(struct work_struct *work)
{
	struct dpu_vdpa_svq *svq = container_of(work, struct dpu_vdpa_svq, work);
	struct dpu_vdpa_vq *vq = svq_vq(svq);
	int budget = DPU_VDPA_SVQ_BUDGET, done;

	mutex_lock(&svq->lock);
	while (svq->running && !svq->broken && budget > 0) {
		done = svq_complete(vq);
		done += svq_relay(vq, budget);
		if (!done)
			break;
		budget -= done;
	}
	/* out of budget with work left: yield, then go on */
	if (svq->running && !svq->broken && budget <= 0)
		queue_work(dpu_vdpa_wq, &svq->work);
	if (svq->running && svq->to_direct && !svq->last_avail_idx && !svq->used_idx)
		schedule_work(&vq->dev->mode_work);
	mutex_unlock(&svq->lock);
}

/* Nothing at the function and the consumer's indexes at 0: ready for direct. */
bool dpu_vdpa_svq_at_wrap(struct dpu_vdpa_vq *vq)
{
	struct dpu_vdpa_svq *svq = vq->svq;
	bool ret;

	mutex_lock(&svq->lock);
	ret = svq->to_direct && !svq->broken && !svq->last_avail_idx && !svq->used_idx;
	mutex_unlock(&svq->lock);
	return ret;
}

void dpu_vdpa_svq_set_to_direct(struct dpu_vdpa_vq *vq, bool to_direct)
{
	struct dpu_vdpa_svq *svq = vq->svq;

	mutex_lock(&svq->lock);
	svq->to_direct = to_direct;
	mutex_unlock(&svq->lock);
	if (to_direct)
		dpu_vdpa_svq_notify(vq);
}

/* The relay's state of @vq, at dev_add; idle until a queue is shadowed. */
int dpu_vdpa_svq_init(struct dpu_vdpa_vq *vq)
{
	struct dpu_vdpa_svq *svq = kzalloc(sizeof(*svq), GFP_KERNEL);

	if (!svq)
		return -ENOMEM;
	svq->vq = vq;
	INIT_WORK(&svq->work, dpu_vdpa_svq_work);
	mutex_init(&svq->lock);
	vq->svq = svq;
	return 0;
}

/*
 * Work an interrupt or a kick queued after the last halt; called once the
 * device's interrupts are gone, so nothing queues it again.
 */
void dpu_vdpa_svq_cancel(struct dpu_vdpa_vq *vq)
{
	if (vq->svq)
		cancel_work_sync(&vq->svq->work);
}

/* At the device's release: the relay's rings went with its last reset. */
void dpu_vdpa_svq_destroy(struct dpu_vdpa_vq *vq)
{
	if (!vq->svq)
		return;
	mutex_destroy(&vq->svq->lock);
	kfree(vq->svq);
	vq->svq = NULL;
}

/* Where the function finds the driver's ring of @vq (shadow mode). */
void dpu_vdpa_svq_fn_ring(struct dpu_vdpa_vq *vq, u64 *desc, u64 *driver, u64 *device)
{
	struct dpu_vdpa_svq *svq = vq->svq;

	*desc = svq->ring.dma;
	*driver = svq->ring.dma + ((void *)svq->fn.avail - svq->ring.va);
	*device = svq->ring.dma + ((void *)svq->fn.used - svq->ring.va);
}

/* Kick or interrupt: atomic context. */
void dpu_vdpa_svq_notify(struct dpu_vdpa_vq *vq)
{
	if (READ_ONCE(vq->svq->running))
		queue_work(dpu_vdpa_wq, &vq->svq->work);
}

/*
 * The function queue is stopped with chains still at it (a device reset, a
 * broken ring): drop what they hold.  The relay is halted.
 */
static void svq_unpin_inflight(struct dpu_vdpa_svq *svq)
{
	u16 pos;

	if (!svq->slots)
		return;
	for (pos = svq->used_idx; pos != svq->last_avail_idx; pos++) {
		struct dpu_vdpa_svq_slot *slot = &svq->slots[pos % svq->num];

		svq_unpin_chain(svq, slot);
		slot->pinned = false;
	}
}

/* The function no longer runs the driver's ring: free it all. */
static void svq_free(struct dpu_vdpa_svq *svq)
{
	struct dpu_vdpa_dev *dev = svq_vq(svq)->dev;

	svq_unpin_inflight(svq);
	svq->used_idx = 0;
	svq->last_avail_idx = 0;
	kvfree(svq->slots);
	kvfree(svq->head_pos);
	kvfree(svq->cdesc);
	bitmap_free(svq->busy);
	dpu_vdpa_fn_buf_free(dev, &svq->indirect);
	dpu_vdpa_fn_buf_free(dev, &svq->ring);
	svq->slots = NULL;
	svq->head_pos = NULL;
	svq->cdesc = NULL;
	svq->busy = NULL;
}

/*
 * Build the driver's ring for @vq, to start at the consumer's avail index
 * vq->avail_idx (as set_vq_state left it), and with @to_direct to hand
 * the queue back to the function at its next index wrap.  Called with the
 * function queue disabled; the function is then pointed at svq->ring.dma.
 */
int dpu_vdpa_svq_prepare(struct dpu_vdpa_vq *vq, bool to_direct)
{
	struct dpu_vdpa_svq *svq = vq->svq;
	struct dpu_vdpa_dev *dev = vq->dev;
	u32 num = vq->num;
	int err;

	lockdep_assert_held(&dev->lock);
	/* vhost lets a consumer change the ring while suspended */
	err = dpu_vdpa_hw_vq_check_num(dev, vq->index);
	if (err)
		return err;

	/* reused unless the size changed or an indirect table is now needed */
	if (svq->ring.va && svq->num == num &&
	    (svq->indirect.va || !dpu_vdpa_mem_fn_translates(dev))) {
		/* a resume: the same ring, started afresh */
		svq_unpin_inflight(svq);
		memset(svq->ring.va, 0, svq->ring.size);
		goto reset;
	}
	if (svq->ring.va)
		dpu_vdpa_svq_release(vq);

	svq->slots = kvcalloc(num, sizeof(*svq->slots), GFP_KERNEL);
	svq->head_pos = kvcalloc(num, sizeof(*svq->head_pos), GFP_KERNEL);
	svq->cdesc = kvcalloc(num, sizeof(*svq->cdesc), GFP_KERNEL);
	svq->busy = bitmap_zalloc(num, GFP_KERNEL);
	if (!svq->slots || !svq->head_pos || !svq->cdesc || !svq->busy) {
		err = -ENOMEM;
		goto err_free;
	}
	/* zeroed; slots 0 and 1 of the private window hold the net control queue */
	err = dpu_vdpa_fn_buf_map(dev, &svq->ring, PAGE_ALIGN(vring_size(num, DPU_VDPA_SVQ_ALIGN)),
				  2 + vq->index);
	if (err) {
		dev_err(&dev->vdpa.dev, "vq %u: cannot map the shadow ring: %d\n", vq->index, err);
		goto err_free;
	}
	if (dpu_vdpa_mem_fn_translates(dev)) {
		/* no IOMMU domain, so never in the private window: no slot of its own */
		err = dpu_vdpa_fn_buf_map(dev, &svq->indirect,
					  PAGE_ALIGN((size_t)num * DPU_VDPA_SVQ_INDIRECT *
						     sizeof(struct vring_desc)), 0);
		if (err) {
			dev_err(&dev->vdpa.dev, "vq %u: cannot map the indirect tables: %d\n",
				vq->index, err);
			goto err_free;
		}
	}
	svq->num = num;
	vring_init(&svq->fn, num, svq->ring.va, DPU_VDPA_SVQ_ALIGN);
reset:
	svq->to_direct = to_direct;
	svq->indirect_ok = dev->fn_driver_features & BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC);
	svq->event_idx = dev->driver_features & BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	svq->last_avail_idx = vq->avail_idx;
	svq->used_idx = vq->avail_idx;
	svq->fn_avail_idx = 0;
	svq->fn_used_idx = 0;
	svq->broken = false;
	bitmap_zero(svq->busy, num);
	/*
	 * The relay never sets VRING_USED_F_NO_NOTIFY, but the function may
	 * have left it in the consumer's ring while it polled in direct mode
	 * (or it came with migrated memory): without EVENT_IDX the consumer
	 * would never kick the relay.  A ring not mapped yet fails later.
	 */
	if (!dpu_vdpa_mem_write16(dev, DPU_VDPA_GROUP_DATA,
				  vq->device_addr + offsetof(struct vring_used, flags), 0))
		dpu_vdpa_log_mark(dev, vq->device_addr + offsetof(struct vring_used, flags),
				  sizeof(__virtio16));
	return 0;

err_free:
	svq_free(svq);
	return err;
}

/* The function queue is enabled on the driver's ring: relay. */
void dpu_vdpa_svq_run(struct dpu_vdpa_vq *vq)
{
	struct dpu_vdpa_svq *svq = vq->svq;

	mutex_lock(&svq->lock);
	WRITE_ONCE(svq->running, true);
	mutex_unlock(&svq->lock);
	/* the consumer may have made buffers available while nobody relayed */
	queue_work(dpu_vdpa_wq, &svq->work);
	if (READ_ONCE(vq->notify_given))
		schedule_delayed_work(&vq->dev->doorbell_poll, 1);
}

/*
 * A consumer that mmapped a queue's doorbell (vhost-vdpa with QEMU's host
 * notifiers) kicks the function directly.  get_vq_notification keeps a
 * queue that is shadowed from being mapped, but a mapped queue can move to
 * shadow mode later (resume, dirty logging): the function then runs the
 * driver's ring and ignores those kicks, and kick_vq never sees them.  Look
 * at such queues every tick instead, for as long as one is shadowed.
 * Relaying is then up to a tick late, during migration only.
 */
void dpu_vdpa_doorbell_poll(struct work_struct *work)
{
	struct dpu_vdpa_dev *dev = container_of(to_delayed_work(work), struct dpu_vdpa_dev,
						doorbell_poll);
	bool again = false;
	u16 i;

	for (i = 0; i < dev->nvqs; i++) {
		struct dpu_vdpa_vq *vq = &dev->vqs[i];

		if (!READ_ONCE(vq->notify_given) || !READ_ONCE(vq->shadow) ||
		    !READ_ONCE(vq->svq->running))
			continue;
		queue_work(dpu_vdpa_wq, &vq->svq->work);
		again = true;
	}
	if (again)
		schedule_delayed_work(&dev->doorbell_poll, 1);
}

/* Stop relaying; on return the worker is idle and will not run again. */
void dpu_vdpa_svq_halt(struct dpu_vdpa_vq *vq)
{
	struct dpu_vdpa_svq *svq = vq->svq;

	mutex_lock(&svq->lock);
	WRITE_ONCE(svq->running, false);
	mutex_unlock(&svq->lock);
	cancel_work_sync(&svq->work);
}

/*
 * Wait for the function to use everything relayed to it, giving it back to
 * the consumer as it comes.  The relay is halted, so nothing new is added.
 */
void dpu_vdpa_svq_drain(struct dpu_vdpa_vq *vq, unsigned int timeout_ms)
{
	struct dpu_vdpa_svq *svq = vq->svq;
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	bool empty;

	for (;;) {
		mutex_lock(&svq->lock);
		if (!svq->broken)
			svq_complete(vq);
		empty = svq->broken || svq->used_idx == svq->last_avail_idx;
		mutex_unlock(&svq->lock);
		if (empty || time_after(jiffies, deadline))
			break;
		usleep_range(200, 500);
	}
}

/*
 * The function queue has been reset: nothing more will be used.  Give
 * back what the function finished in order, and hand the rest back to the
 * consumer by moving last_avail_idx to used_idx.  Completions held back
 * behind an unfinished chain are dropped with it (a function that uses
 * buffers out of order; see the README).  Returns the chains handed back.
 */
u16 dpu_vdpa_svq_rewind(struct dpu_vdpa_vq *vq)
{
	struct dpu_vdpa_svq *svq = vq->svq;
	u16 n;

	mutex_lock(&svq->lock);
	if (!svq->broken)
		svq_complete(vq);
	n = svq->last_avail_idx - svq->used_idx;
	while (svq->last_avail_idx != svq->used_idx) {
		struct dpu_vdpa_svq_slot *slot;

		svq->last_avail_idx--;
		slot = &svq->slots[svq->last_avail_idx % svq->num];
		svq_unpin_chain(svq, slot);
		svq_put_chain(svq, slot->head, slot->ndesc);
		slot->done = false;
	}
	vq->avail_idx = svq->last_avail_idx;
	mutex_unlock(&svq->lock);
	if (n)
		atomic64_add(n, &vq->dev->stats.rewound);
	return n;
}

/* The consumer-side next avail index, exact while halted. */
u16 dpu_vdpa_svq_avail_idx(struct dpu_vdpa_vq *vq)
{
	u16 idx;

	mutex_lock(&vq->svq->lock);
	idx = vq->svq->last_avail_idx;
	mutex_unlock(&vq->svq->lock);
	return idx;
}

bool dpu_vdpa_svq_broken(struct dpu_vdpa_dev *dev)
{
	u16 i;

	for (i = 0; i < dev->nvqs; i++)
		if (READ_ONCE(dev->vqs[i].shadow) && READ_ONCE(dev->vqs[i].svq->broken))
			return true;
	return false;
}

/* Free the driver's ring; the relay is halted and the function reset. */
void dpu_vdpa_svq_release(struct dpu_vdpa_vq *vq)
{
	struct dpu_vdpa_svq *svq = vq->svq;

	dpu_vdpa_svq_halt(vq);
	svq_free(svq);
	svq->num = 0;
}
