// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dirty-page log: one bit per page of an IOVA range of the data
 * address space (struct dpu_vdpa_log).  The shadow relay marks what the
 * function wrote for a completed chain (its writable descriptors, up to the
 * used length) and what the relay itself wrote in the consumer's used ring;
 * LOG_SYNC reads and clears.  Writes outside the range are not recorded:
 * the range given at start is expected to cover the consumer's memory.
 */
#include <linux/bitmap.h>
#include <linux/log2.h>

#include "dpu_vdpa.h"

void dpu_vdpa_log_mark(struct dpu_vdpa_dev *dev, u64 iova, u64 len)
{
	struct dpu_vdpa_log *log = &dev->log;
	u64 first, last, end;

	if (!READ_ONCE(log->active) || !len)
		return;
	end = iova + len - 1;
	if (end < iova || iova >= log->iova + log->len || end < log->iova)
		return;
	iova = max(iova, log->iova);
	end = min(end, log->iova + log->len - 1);
	first = (iova - log->iova) >> log->page_shift;
	last = (end - log->iova) >> log->page_shift;
	for (; first <= last; first++)
		if (!test_and_set_bit(first, log->bitmap))
			atomic64_inc(&dev->stats.dirty_marked);
}

/* dev->lock held, relay halted. */
int dpu_vdpa_log_alloc(struct dpu_vdpa_dev *dev, u32 page_size, u64 iova, u64 len)
{
	struct dpu_vdpa_log *log = &dev->log;
	u64 pages = len >> ilog2(page_size);

	lockdep_assert_held(&dev->lock);
	log->bitmap = kvcalloc(BITS_TO_LONGS(pages), sizeof(unsigned long), GFP_KERNEL);
	if (!log->bitmap)
		return -ENOMEM;
	log->page_shift = ilog2(page_size);
	log->iova = iova;
	log->len = len;
	/* the geometry before the flag that makes the relay read it */
	smp_wmb();
	WRITE_ONCE(log->active, true);
	return 0;
}

/* dev->lock held; no relay may be marking (halted, or active already false). */
void dpu_vdpa_log_free(struct dpu_vdpa_dev *dev)
{
	struct dpu_vdpa_log *log = &dev->log;

	WRITE_ONCE(log->active, false);
	kvfree(log->bitmap);
	log->bitmap = NULL;
	log->len = 0;
	log->owner = 0;
}

/*
 * Move @npages bits starting at page @iova into @bitmap, clearing them.
 * Whole words are exchanged, so a bit set meanwhile is either returned now
 * or kept for the next sync, never lost.  Returns the number of bits set.
 */
u64 dpu_vdpa_log_read_clear(struct dpu_vdpa_dev *dev, u64 iova, u64 npages,
			    unsigned long *bitmap)
{
	struct dpu_vdpa_log *log = &dev->log;
	u64 first = (iova - log->iova) >> log->page_shift;
	u64 i, dirty = 0;

	bitmap_zero(bitmap, npages);
	if (IS_ALIGNED(first, BITS_PER_LONG)) {
		unsigned long *src = log->bitmap + first / BITS_PER_LONG;

		for (i = 0; i < npages / BITS_PER_LONG; i++) {
			bitmap[i] = xchg(&src[i], 0);
			dirty += hweight_long(bitmap[i]);
		}
		i *= BITS_PER_LONG;
	} else {
		i = 0;
	}
	for (; i < npages; i++) {
		if (test_and_clear_bit(first + i, log->bitmap)) {
			__set_bit(i, bitmap);
			dirty++;
		}
	}
	return dirty;
}
