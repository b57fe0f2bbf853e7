// SPDX-License-Identifier: GPL-2.0
/*
 * blk-verify: the nested guest's witness of a live migration of its disk.
 *
 *   blk-verify DEVICE BLOCKS
 *
 * Keeps BLOCKS 4 KiB blocks of DEVICE in one buffer in its own memory and
 * rewrites them without end: each block in turn gets a new generation
 * (written with O_DIRECT from a scratch buffer), then is read back with
 * O_DIRECT into its slot of the long-lived buffer, so the device, not the
 * CPU, writes that memory.  Once a second the whole buffer is checked
 * against what each block should hold.  A migration that misses a page
 * the device wrote (no dirty log) leaves a slot with an older generation
 * on the destination, and the next check names it:
 *
 *   blk-verify: t=12 rounds=340 ok
 *   blk-verify: MISMATCH block 17 word 0: has 0x... want 0x...
 *
 * It exits 1 at the first mismatch or I/O error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 4096u
#define WORDS (BLOCK / sizeof(uint64_t))

static uint64_t word(uint64_t block, uint64_t gen, uint64_t i)
{
	uint64_t x = (block << 40) ^ (gen << 12) ^ i ^ 0x9e3779b97f4a7c15ull;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return x;
}

static void fill(uint64_t *b, uint64_t block, uint64_t gen)
{
	for (uint64_t i = 0; i < WORDS; i++)
		b[i] = word(block, gen, i);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int check(const uint64_t *slots, const uint64_t *gens, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++) {
		const uint64_t *b = slots + k * WORDS;

		for (uint64_t i = 0; i < WORDS; i++) {
			if (b[i] == word(k, gens[k], i))
				continue;
			printf("blk-verify: MISMATCH block %" PRIu64 " word %" PRIu64
			       ": has 0x%016" PRIx64 " want 0x%016" PRIx64
			       " (generation %" PRIu64 ")\n",
			       k, i, b[i], word(k, gens[k], i), gens[k]);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t *slots, *scratch, *gens, n, rounds = 0;
	double start, last;
	int fd;

	if (argc != 3 || !(n = strtoull(argv[2], NULL, 0))) {
		fprintf(stderr, "usage: blk-verify DEVICE BLOCKS\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_DIRECT);
	if (fd < 0) {
		fprintf(stderr, "blk-verify: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	gens = calloc(n, sizeof(*gens));
	if (!gens || posix_memalign((void **)&slots, BLOCK, n * BLOCK) ||
	    posix_memalign((void **)&scratch, BLOCK, BLOCK)) {
		fprintf(stderr, "blk-verify: out of memory\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	start = last = now();
	for (;;) {
		for (uint64_t k = 0; k < n; k++) {
			off_t off = (off_t)(k * BLOCK);

			gens[k]++;
			fill(scratch, k, gens[k]);
			if (pwrite(fd, scratch, BLOCK, off) != BLOCK ||
			    pread(fd, slots + k * WORDS, BLOCK, off) != BLOCK) {
				printf("blk-verify: I/O error on block %" PRIu64 ": %s\n",
				       k, strerror(errno));
				return 1;
			}
		}
		rounds++;
		if (now() - last >= 1.0) {
			if (check(slots, gens, n))
				return 1;
			last = now();
			printf("blk-verify: t=%.0f rounds=%" PRIu64 " ok\n",
			       last - start, rounds);
		}
	}
}
