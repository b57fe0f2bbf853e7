// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-client: the numbered test frames, the same on the vhost side and
 * on the AF_PACKET side.
 *
 *   0  dst MAC, 6 src MAC, 12 EtherType 0x88B5 (local experimental)
 *   14 magic "DPUV"  18 stream id  22 sequence (u64)  30 total (u64)
 *   38 frame length (u32)  42 reserved (u32)  46.. fill: (seq * 31 + i) & 0xff
 *
 * All fields big endian.  A receiver counts frames of its stream by
 * sequence number: unique, duplicated, out of order, corrupt (length or
 * fill wrong), and frames that are not ours ("other").
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vc.h"

static void put16(uint8_t *p, uint16_t v)
{
	v = htobe16(v);
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return be16toh(v);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return be32toh(v);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

void vc_frame_build(uint8_t *f, unsigned int len, const uint8_t dst[6], const uint8_t src[6],
		    uint32_t stream, uint64_t seq, uint64_t total)
{
	uint8_t *p = f + VC_HDR_LEN;
	unsigned int i;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, VC_ETHERTYPE);
	put32(p, VC_MAGIC);
	put32(p + 4, stream);
	put64(p + 8, seq);
	put64(p + 16, total);
	put32(p + 24, len);
	put32(p + 28, 0);
	for (i = VC_HDR_LEN + VC_PAYLOAD_LEN; i < len; i++)
		f[i] = (uint8_t)(seq * 31 + i);
}

void vc_rx_stats_init(struct vc_rx_stats *st, uint64_t expect)
{
	memset(st, 0, sizeof(*st));
	st->expect = expect;
	st->seen = calloc(expect / 8 + 1, 1);
	if (!st->seen)
		vc_die(VC_EXIT_ERR, "out of memory");
}

void vc_rx_stats_free(struct vc_rx_stats *st)
{
	free(st->seen);
	st->seen = NULL;
}

bool vc_frame_check(struct vc_rx_stats *st, const uint8_t *f, unsigned int len,
		    uint32_t stream, uint64_t *seqp)
{
	const uint8_t *p = f + VC_HDR_LEN;
	uint64_t seq;
	unsigned int i;

	if (len < VC_HDR_LEN + VC_PAYLOAD_LEN || get16(f + 12) != VC_ETHERTYPE ||
	    get32(p) != VC_MAGIC || get32(p + 4) != stream) {
		st->other++;
		return false;
	}
	seq = get64(p + 8);
	if (seqp)
		*seqp = seq;
	st->bytes += len;
	if (get32(p + 24) != len) {
		st->corrupt++;
		return true;
	}
	for (i = VC_HDR_LEN + VC_PAYLOAD_LEN; i < len; i++) {
		if (f[i] != (uint8_t)(seq * 31 + i)) {
			st->corrupt++;
			return true;
		}
	}
	if (seq >= st->expect) {
		st->out_of_range++;
		return true;
	}
	if (st->seen[seq / 8] & (1u << (seq % 8))) {
		st->dup++;
		return true;
	}
	st->seen[seq / 8] |= 1u << (seq % 8);
	st->unique++;
	if (st->any && seq < st->max_seq)
		st->ooo++;
	if (!st->any || seq > st->max_seq)
		st->max_seq = seq;
	st->any = true;
	return true;
}

/* One line, key=value, for tests to pick apart; the exit status. */
int vc_rx_stats_report(const char *who, const struct vc_rx_stats *st, double secs,
		       bool allow_loss)
{
	uint64_t lost = st->expect - st->unique;

	printf("%s: expected=%llu received=%llu lost=%llu dup=%llu ooo=%llu corrupt=%llu "
	       "out_of_range=%llu other=%llu secs=%.3f frames/s=%.0f\n", who,
	       (unsigned long long)st->expect, (unsigned long long)st->unique,
	       (unsigned long long)lost, (unsigned long long)st->dup,
	       (unsigned long long)st->ooo, (unsigned long long)st->corrupt,
	       (unsigned long long)st->out_of_range, (unsigned long long)st->other, secs,
	       secs > 0 ? st->unique / secs : 0.0);
	fflush(stdout);
	if (st->dup || st->corrupt || st->out_of_range || (lost && !allow_loss))
		return VC_EXIT_CHECK;
	return VC_EXIT_OK;
}
