// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-client: a userspace vhost-vdpa driver for tests, in the manner of
 * a VMM or DPDK's virtio-user.  It opens /dev/vhost-vdpa-N, owns it,
 * negotiates backend features (IOTLB_MSG_V2, IOTLB_BATCH, IOTLB_ASID,
 * SUSPEND, RESUME when offered) and device features, maps one memfd region
 * through VHOST_IOTLB_UPDATE messages (inside BATCH_BEGIN/END), lays split
 * rings and buffers out in it, and moves numbered Ethernet frames or
 * patterned disk sectors; the pkt-* commands are the peer side on an
 * ordinary netdev (AF_PACKET).
 *
 *   vhost-client info DEV [-j]
 *   vhost-client net-tx DEV [--count N] [--size B] [--dst-mac M] [--src-mac M] [--rate PPS]
 *                      [--bench]
 *   vhost-client net-rx DEV [--count N] [--timeout S] [--allow-loss] [--mrg-rxbuf]
 *   vhost-client net-stream DEV [--count N] [--suspend-every K] [--reset | --no-suspend]
 *                          [--window W] [--dst-mac M]   (peer: pkt-reflect)
 *   vhost-client net-ctrl DEV [--ctrl CLASS:CMD[:HEX]]... [--ack ok|err|none] [--pairs P]
 *                        [--cvq-index N [--cvq-base B]] [--enable-late N]
 *                        [--count N | --wait-stdin]
 *   vhost-client blk-write DEV --sector S --count N --seed X
 *   vhost-client blk-read DEV --sector S --count N [--seed X | --expect-zero]
 *   vhost-client blk-flush DEV
 *   vhost-client dirty-check DEV --name VDPA [--seed N] [--rounds R] [--ignore-log]
 *   vhost-client net-migrate DEV_A DEV_B --name-a VDPA_A --name-b VDPA_B [--count N]
 *                           [--rounds R] [--round-ms MS] [--no-quiesce]
 *   vhost-client blk-migrate DEV_A DEV_B --name-a A --name-b B --sector S --count N --seed X
 *   vhost-client ring-fuzz DEV --seed S [--iterations N] [--start I] [--mode M] [--pairs 1]
 *                         [--round-ms MS] [--qsize N]
 *   vhost-client unmap-attack DEV [--region SIZE] [--timeout S]
 *   vhost-client asid-attack DEV --group-asid G:A
 *   vhost-client pkt-send IFNAME [--count N] [--size B] [--dst-mac M] [--rate PPS] [--bench]
 *   vhost-client pkt-recv IFNAME [--count N] [--timeout S] [--allow-loss]
 *   vhost-client pkt-reflect IFNAME [--count N] [--timeout S]
 *   vhost-client seq-fuzz DEV --seed X [--count OPS] [--secs S] [--timeout S]
 *
 * Exit status: 0 ok; 1 a system call, ioctl or the device failed; 2 usage;
 * 3 data check failed (frames lost, duplicated or corrupt, sectors
 * mismatched, a request's status not OK); 4 the device did not complete
 * buffers in time; 77 the device does not offer what the mode needs
 * (net-stream --suspend-every without SUSPEND/RESUME).
 *
 * Output: results are one line of key=value pairs per command on stdout;
 * errors and warnings (and -v progress) go to stderr.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_net.h>

#include "vc.h"

struct vc_opts opt;
const char *prog = "vhost-client";

static void usage(FILE *f)
{
	fprintf(f,
"usage: vhost-client COMMAND DEV|IFNAME [options]\n"
"\n"
"vhost-vdpa commands (DEV is /dev/vhost-vdpa-N):\n"
"  info DEV                 device id, features, backend features, vqs, vring num,\n"
"                           iova range, config (net: mac/status/max_vqp/mtu,\n"
"                           blk: capacity/blk_size), groups and address spaces\n"
"  net-tx DEV               send --count numbered frames on vq 1, wait for all\n"
"                           completions; --bench adds a 'bench:' line\n"
"  net-rx DEV               post buffers on vq 0, print 'net-rx: ready', receive\n"
"                           --count frames; fails on loss (unless --allow-loss),\n"
"                           duplicates, corruption\n"
"  net-stream DEV           send --count frames that the peer reflects back\n"
"                           (pkt-reflect), at most --window in flight; every\n"
"                           --suspend-every K frames: VHOST_VDPA_SUSPEND, GET_VRING_BASE\n"
"                           of each vq, then RESUME, or with --reset: SET_STATUS 0,\n"
"                           setup again with SET_VRING_BASE at the saved index,\n"
"                           DRIVER_OK.  --no-suspend: quiesce instead of suspending,\n"
"                           then reset and restore.  Exits 77 with 'suspend not\n"
"                           offered by the device' when SUSPEND (or RESUME) is missing\n"
"  net-ctrl DEV             negotiate a control queue (--pairs, default 1) and send\n"
"                           each --ctrl command, printing its ack; exit 3 when one\n"
"                           is not --ack.  Then, with --count, receive like net-rx\n"
"                           ('net-ctrl: ready'); with --wait-stdin, print 'net-ctrl:\n"
"                           ready' and hold the device until stdin ends\n"
"  blk-write DEV            write --count sectors from --sector, pattern of --seed\n"
"  blk-read DEV             read them back; verify against --seed or --expect-zero\n"
"  blk-flush DEV            one VIRTIO_BLK_T_FLUSH\n"
"\n"
"dpu_vdpa migration commands (--name: the vDPA device name of DEV):\n"
"  dirty-check DEV          random traffic (net: frames reflected by pkt-reflect on\n"
"                           the peer, random sizes; blk: random reads and writes in\n"
"                           sectors --sector .. + --count) in --rounds rounds of\n"
"                           --round-ms, the dirty log over the whole region; a copy\n"
"                           of the region kept only from each round's log sync and\n"
"                           the pages the client wrote; then suspend, final sync,\n"
"                           compare page by page: exit 3 on any difference.\n"
"                           --ignore-log: copy the client's writes only (must fail)\n"
"  net-migrate DEV_A DEV_B  a --count frame stream (pkt-reflect on the peers) on A\n"
"                           under pre-copy (log start, --rounds syncs of --round-ms);\n"
"                           at --count/2 frames the source stops, waits for frames\n"
"                           out (unless --no-quiesce), A is suspended, synced, saved,\n"
"                           the state loaded into B (--name-a, --name-b), the client\n"
"                           moves to the copy on B and finishes the stream there;\n"
"                           fails on frames lost (unless --no-quiesce) or duplicated,\n"
"                           TX sent again, or B's saved net state differing from A's\n"
"  blk-migrate DEV_A DEV_B  write --count sectors from --sector (pattern of --seed)\n"
"                           on A under pre-copy; half way, stop submitting, suspend\n"
"                           A (it drains), save, load into B, move to the copy on B\n"
"                           and write the rest there.  Prints 'split=' (the first\n"
"                           sector written on B): A and B are different disks, so\n"
"                           read back [sector, split) on A, [split, end) on B, and\n"
"                           expect zeroes elsewhere.  Fails if a request A had\n"
"                           taken is left for B (not drained) or fails\n"
"  seq-fuzz DEV             a hostile VMM (seq-fuzz.c): --count random operations\n"
"                           from --seed (IOTLB messages, ASIDs, any status byte,\n"
"                           vring setup, suspend/resume, rings sane or junk,\n"
"                           close and reopen) for at most --secs seconds; exits 4\n"
"                           if one does not return within --timeout, 1 on a\n"
"                           kernel splat, printing the seed and operation\n"
"\n"
"attack commands (a hostile guest or VMM; exit 3 when the device let it through):\n"
"  ring-fuzz DEV            --iterations rounds of reset, setup and hostile split\n"
"                           rings on net rx/tx (--pairs 1: and the control queue,\n"
"                           on address space 1) or blk: loops, indexes out of\n"
"                           range, indirect, huge/zero lengths, addresses outside\n"
"                           every mapping or straddling two, chains longer than\n"
"                           the ring, avail index jumps, used ring and event\n"
"                           fields rewritten while running.  Each chain completes\n"
"                           correctly or the device reports NEEDS_RESET (then\n"
"                           reset); guard pages and a canary mapped only in\n"
"                           address space 1 stay intact.  --mode shadow or\n"
"                           translated (no IOMMU) also requires the relay to\n"
"                           refuse malformed chains.  Deterministic from --seed;\n"
"                           a failure prints the iteration to replay (--start I\n"
"                           --iterations 1); --round-ms: wait per round\n"
"  unmap-attack DEV         post net rx buffers, invalidate and free all memory\n"
"                           while the function holds them, fill a fresh\n"
"                           --region, print 'unmap-attack: ready'; exit 3 if a\n"
"                           byte of it changed after --timeout seconds\n"
"  asid-attack DEV          --group-asid G:A, memory only in A, DRIVER_OK: must be\n"
"                           refused (NEEDS_RESET, no DRIVER_OK) when the data group\n"
"                           (0) is left on an empty address space, else start\n"
"\n"
"peer commands on a netdev (AF_PACKET, EtherType 0x88B5):\n"
"  pkt-send IFNAME          send --count numbered frames (--rate PPS, --bench)\n"
"  pkt-recv IFNAME          print 'pkt-recv: ready', receive and check --count frames\n"
"  pkt-reflect IFNAME       send our frames back to their source, until --count\n"
"                           frames or --timeout seconds without one\n"
"\n"
"options:\n"
"  -j, --json               info as JSON\n"
"  -v, --verbose            progress on stderr\n"
"  --count N                frames, or sectors (default 1000 frames, 128 sectors)\n"
"  --timeout S              give up after S seconds without progress (default 10)\n"
"  --linger S               keep receiving S seconds after the last frame, to see\n"
"                           duplicates (default 0.2)\n"
"  --size B                 frame size without virtio header, 60.. (default 64)\n"
"  --dst-mac M              default ff:ff:ff:ff:ff:ff\n"
"  --src-mac M              default the device's (config) or interface's MAC\n"
"  --stream ID              stream id carried in frames; receivers count only\n"
"                           theirs (default 0x1234)\n"
"  --allow-loss             lost frames do not fail net-rx/pkt-recv\n"
"  --bench                  print a 'bench:' frames/s line (net-tx, pkt-send)\n"
"  --rate PPS               net-tx, pkt-send pacing (default unlimited)\n"
"  --window W               net-stream frames in flight (default 32)\n"
"  --suspend-every K        net-stream suspend cycle period in frames\n"
"  --reset                  net-stream: reset and restore instead of RESUME\n"
"  --no-suspend             net-stream: quiesce + reset + restore, no SUSPEND\n"
"  --mrg-rxbuf              negotiate VIRTIO_NET_F_MRG_RXBUF (num_buffers must be 1)\n"
"  --sector S, --seed X     blk start sector, pattern seed\n"
"  --req-sectors N          sectors per request (default 128)\n"
"  --depth N                requests in flight (default 16)\n"
"  --expect-zero            blk-read: the sectors must be zero\n"
"  --force                  blk: send requests beyond the capacity\n"
"  --mem SIZE               memory region (default 8M; K/M/G suffixes); vhost-vdpa\n"
"                           allows 2048 IOTLB entries, one per contiguous run\n"
"  --iova ADDR              IOVA of the region (default: start of the device's\n"
"                           range rounded up to a page, 2M if that is 0)\n"
"  --qsize N                vring size (default min(256, device max))\n"
"  --features HEX           mask ANDed with the features the command negotiates\n"
"  --group-asid G:A         VHOST_VDPA_SET_GROUP_ASID before use; memory goes to A\n"
"  --doorbell-mmap          kick through the mmapped doorbell page, not the eventfd\n"
"  --name N, --name-a N, --name-b N   vDPA device names (dirty-check, net-migrate)\n"
"  --rounds R               log sync rounds (default 4)\n"
"  --round-ms MS            traffic per round (default 200)\n"
"  --ignore-log             dirty-check: the negative control\n"
"  --no-quiesce             net-migrate: suspend with frames still out (may lose them)\n"
"  --pairs P                net: negotiate the control queue (CTRL_VQ, CTRL_RX,\n"
"                           CTRL_VLAN, CTRL_MAC_ADDR) and P queue pairs (MQ if P > 1);\n"
"                           frames spread over the pairs (net-stream: not supported)\n"
"  --iterations N, --start I  ring-fuzz: iterations (default 100), the first one\n"
"  --mode M                 ring-fuzz: direct (default), shadow or translated\n"
"  --region SIZE            unmap-attack: the fresh region (default MemFree after\n"
"                           the release less 256M: the freed pages are\n"
"                           almost surely in it)\n"
"  --no-load, --tx-rewind N net-migrate negative controls: no state load into B;\n"
"                           B's TX starts N entries before A's index (must fail)\n"
"  --ctrl CLASS:CMD[:HEX]   net-ctrl: a control command, its data in hex (repeat)\n"
"  --ack ok|err|none        net-ctrl: the ack every --ctrl must get (default ok);\n"
"                           none: no answer within --timeout\n"
"  --cvq-index N            net-ctrl: no CTRL_VQ negotiated; send the commands on\n"
"                           vq N anyway (a hostile consumer)\n"
"  --cvq-base N             net-ctrl --cvq-index: start that ring's indexes at N\n"
"                           without telling the device (where a queue the driver\n"
"                           ran N commands on expects the next)\n"
"  --enable-late N          enable vq N after DRIVER_OK, not before\n"
"  --wait-stdin             net-ctrl: after the commands, hold until stdin ends\n"
"\n"
"exit status: 0 ok, 1 error, 2 usage, 3 data check failed, 4 device timeout,\n"
"             77 not offered by the device\n");
}

static uint64_t parse_u64(const char *s, const char *name, bool suffix)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		goto bad;
	if (suffix && *end) {
		unsigned int shift = 0;

		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: goto bad;
		}
		if (end[1] || v > (~0ull >> shift))
			goto bad;
		v <<= shift;
		end++;
	}
	if (*end)
		goto bad;
	return v;
bad:
	fprintf(stderr, "%s: bad %s '%s'\n", prog, name, s);
	exit(VC_EXIT_USAGE);
}

static double parse_double(const char *s, const char *name)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < 0) {
		fprintf(stderr, "%s: bad %s '%s'\n", prog, name, s);
		exit(VC_EXIT_USAGE);
	}
	return v;
}

static unsigned int parse_uint(const char *s, const char *name)
{
	uint64_t v = parse_u64(s, name, false);

	if (v > 0xffffffffu) {
		fprintf(stderr, "%s: %s '%s' too large\n", prog, name, s);
		exit(VC_EXIT_USAGE);
	}
	return (unsigned int)v;
}

enum {
	O_MEM = 256, O_IOVA, O_QSIZE, O_TIMEOUT, O_FEATURES, O_GROUP_ASID, O_DOORBELL,
	O_COUNT, O_SIZE, O_DST, O_SRC, O_STREAM, O_BENCH, O_ALLOW_LOSS, O_MRG, O_LINGER,
	O_RATE, O_WINDOW, O_SUSPEND_EVERY, O_RESET, O_NO_SUSPEND, O_SECTOR, O_SEED,
	O_REQ, O_DEPTH, O_FORCE, O_ZERO, O_NAME, O_NAME_B, O_ROUNDS, O_ROUND_MS, O_IGNORE_LOG,
	O_NO_QUIESCE, O_NO_LOAD, O_TX_REWIND, O_PAIRS, O_CTRL, O_ACK, O_CVQ_INDEX, O_ENABLE_LATE,
	O_WAIT_STDIN, O_CVQ_BASE, O_ITERATIONS, O_START, O_MODE, O_REGION, O_SECS,
};

static const struct option longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "mem", required_argument, NULL, O_MEM },
	{ "iova", required_argument, NULL, O_IOVA },
	{ "qsize", required_argument, NULL, O_QSIZE },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "features", required_argument, NULL, O_FEATURES },
	{ "group-asid", required_argument, NULL, O_GROUP_ASID },
	{ "doorbell-mmap", no_argument, NULL, O_DOORBELL },
	{ "count", required_argument, NULL, O_COUNT },
	{ "frames", required_argument, NULL, O_COUNT },
	{ "size", required_argument, NULL, O_SIZE },
	{ "dst-mac", required_argument, NULL, O_DST },
	{ "src-mac", required_argument, NULL, O_SRC },
	{ "stream", required_argument, NULL, O_STREAM },
	{ "bench", no_argument, NULL, O_BENCH },
	{ "allow-loss", no_argument, NULL, O_ALLOW_LOSS },
	{ "mrg-rxbuf", no_argument, NULL, O_MRG },
	{ "linger", required_argument, NULL, O_LINGER },
	{ "rate", required_argument, NULL, O_RATE },
	{ "window", required_argument, NULL, O_WINDOW },
	{ "suspend-every", required_argument, NULL, O_SUSPEND_EVERY },
	{ "reset", no_argument, NULL, O_RESET },
	{ "no-suspend", no_argument, NULL, O_NO_SUSPEND },
	{ "sector", required_argument, NULL, O_SECTOR },
	{ "seed", required_argument, NULL, O_SEED },
	{ "req-sectors", required_argument, NULL, O_REQ },
	{ "depth", required_argument, NULL, O_DEPTH },
	{ "force", no_argument, NULL, O_FORCE },
	{ "expect-zero", no_argument, NULL, O_ZERO },
	{ "name", required_argument, NULL, O_NAME },
	{ "name-a", required_argument, NULL, O_NAME },
	{ "name-b", required_argument, NULL, O_NAME_B },
	{ "rounds", required_argument, NULL, O_ROUNDS },
	{ "round-ms", required_argument, NULL, O_ROUND_MS },
	{ "ignore-log", no_argument, NULL, O_IGNORE_LOG },
	{ "no-quiesce", no_argument, NULL, O_NO_QUIESCE },
	{ "no-load", no_argument, NULL, O_NO_LOAD },
	{ "pairs", required_argument, NULL, O_PAIRS },
	{ "tx-rewind", required_argument, NULL, O_TX_REWIND },
	{ "ctrl", required_argument, NULL, O_CTRL },
	{ "ack", required_argument, NULL, O_ACK },
	{ "cvq-index", required_argument, NULL, O_CVQ_INDEX },
	{ "enable-late", required_argument, NULL, O_ENABLE_LATE },
	{ "wait-stdin", no_argument, NULL, O_WAIT_STDIN },
	{ "cvq-base", required_argument, NULL, O_CVQ_BASE },
	{ "iterations", required_argument, NULL, O_ITERATIONS },
	{ "start", required_argument, NULL, O_START },
	{ "mode", required_argument, NULL, O_MODE },
	{ "region", required_argument, NULL, O_REGION },
	{ "secs", required_argument, NULL, O_SECS },
	{ NULL, 0, NULL, 0 },
};

static bool count_set;

/*
 * The options that only store their argument (or true): parsed by the
 * field's type, NAME in the messages.  SET, when not NULL, records that
 * the option was given; for a flag it is the flag itself.
 */
struct opt_store {
	int code;
	const char *name;
	bool *set;
	uint64_t *u64;
	bool suffix;			/* K, M, G allowed */
	unsigned int *uint;
	double *dbl;
	const char **str;
};

static const struct opt_store stores[] = {
	{ 'j', NULL, .set = &opt.json },
	{ O_MEM, "--mem", .u64 = &opt.mem_size, .suffix = true },
	{ O_IOVA, "--iova", .u64 = &opt.iova, .set = &opt.iova_set },
	{ O_QSIZE, "--qsize", .uint = &opt.qsize },
	{ O_TIMEOUT, "--timeout", .dbl = &opt.timeout },
	{ O_FEATURES, "--features", .u64 = &opt.features_mask, .set = &opt.features_set },
	{ O_DOORBELL, NULL, .set = &opt.doorbell_mmap },
	{ O_COUNT, "--count", .u64 = &opt.count, .suffix = true, .set = &count_set },
	{ O_SIZE, "--size", .uint = &opt.size },
	{ O_STREAM, "--stream", .uint = &opt.stream },
	{ O_BENCH, NULL, .set = &opt.bench },
	{ O_ALLOW_LOSS, NULL, .set = &opt.allow_loss },
	{ O_MRG, NULL, .set = &opt.mrg_rxbuf },
	{ O_LINGER, "--linger", .dbl = &opt.linger },
	{ O_RATE, "--rate", .dbl = &opt.rate },
	{ O_WINDOW, "--window", .uint = &opt.window },
	{ O_SUSPEND_EVERY, "--suspend-every", .u64 = &opt.suspend_every, .suffix = true },
	{ O_RESET, NULL, .set = &opt.reset },
	{ O_NO_SUSPEND, NULL, .set = &opt.no_suspend },
	{ O_SECTOR, "--sector", .u64 = &opt.sector },
	{ O_SEED, "--seed", .u64 = &opt.seed, .set = &opt.seed_set },
	{ O_REQ, "--req-sectors", .uint = &opt.req_sectors },
	{ O_DEPTH, "--depth", .uint = &opt.depth },
	{ O_FORCE, NULL, .set = &opt.force },
	{ O_ZERO, NULL, .set = &opt.expect_zero },
	{ O_NAME, NULL, .str = &opt.name },
	{ O_NAME_B, NULL, .str = &opt.name_b },
	{ O_ROUNDS, "--rounds", .uint = &opt.rounds },
	{ O_IGNORE_LOG, NULL, .set = &opt.ignore_log },
	{ O_NO_LOAD, NULL, .set = &opt.no_load },
	{ O_PAIRS, "--pairs", .uint = &opt.pairs },
	{ O_TX_REWIND, "--tx-rewind", .uint = &opt.tx_rewind },
	{ O_WAIT_STDIN, NULL, .set = &opt.wait_stdin },
	{ O_ITERATIONS, "--iterations", .u64 = &opt.iterations },
	{ O_START, "--start", .u64 = &opt.start },
	{ O_MODE, NULL, .str = &opt.mode },
	{ O_REGION, "--region", .u64 = &opt.region, .suffix = true },
	{ O_SECS, "--secs", .dbl = &opt.secs },
};

/* Returns false when C is not one of stores[]. */
static bool store_opt(int c, const char *arg)
{
	const struct opt_store *s;

	for (s = stores; s < stores + sizeof(stores) / sizeof(stores[0]); s++) {
		if (s->code != c)
			continue;
		if (s->u64)
			*s->u64 = parse_u64(arg, s->name, s->suffix);
		else if (s->uint)
			*s->uint = parse_uint(arg, s->name);
		else if (s->dbl)
			*s->dbl = parse_double(arg, s->name);
		else if (s->str)
			*s->str = arg;
		if (s->set)
			*s->set = true;
		return true;
	}
	return false;
}

/* --ctrl CLASS:CMD[:HEX] */
static void parse_ctrl(const char *s)
{
	struct vc_ctrl_cmd *c;
	unsigned int class, cmd;
	const char *hex;
	int n = 0;

	if (opt.nctrl == sizeof(opt.ctrl) / sizeof(opt.ctrl[0])) {
		fprintf(stderr, "%s: too many --ctrl\n", prog);
		exit(VC_EXIT_USAGE);
	}
	c = &opt.ctrl[opt.nctrl++];
	if (sscanf(s, "%u:%u%n", &class, &cmd, &n) != 2 || class > 255 || cmd > 255 ||
	    (s[n] && s[n] != ':'))
		goto bad;
	c->class = class;
	c->cmd = cmd;
	c->len = 0;
	hex = s[n] ? s + n + 1 : "";
	if (strlen(hex) % 2 || strlen(hex) / 2 > sizeof(c->data))
		goto bad;
	for (; *hex; hex += 2) {
		unsigned int b;

		if (!isxdigit((unsigned char)hex[0]) || !isxdigit((unsigned char)hex[1]) ||
		    sscanf(hex, "%2x", &b) != 1)
			goto bad;
		c->data[c->len++] = b;
	}
	return;
bad:
	fprintf(stderr, "%s: bad --ctrl '%s' (CLASS:CMD[:HEX], up to %zu bytes)\n", prog, s,
		sizeof(c->data));
	exit(VC_EXIT_USAGE);
}

static void set_defaults(void)
{
	/*
	 * 8 MiB: vhost-vdpa makes an IOTLB entry per physically contiguous
	 * run of the pinned pages and allows 2048, so 2048 pages always fit;
	 * 64 MiB of 4-KiB pages failed with ENOSPC when memory was fragmented.
	 */
	opt.mem_size = 8ull << 20;
	opt.timeout = 10;
	opt.size = 64;
	opt.stream = 0x1234;
	opt.linger = 0.2;
	opt.window = 32;
	opt.req_sectors = 128;
	opt.depth = 16;
	opt.group_asid[0] = opt.group_asid[1] = -1;
	opt.rounds = 4;
	opt.round_secs = 0.2;
	opt.quiesce = true;
	opt.ctrl_ack = VIRTIO_NET_OK;
	opt.cvq_index = -1;
	opt.enable_late = -1;
	opt.iterations = 100;
}

/* --group-asid G:A */
static void parse_group_asid(const char *arg)
{
	unsigned int g, a;
	char end;

	if (sscanf(arg, "%u:%u%c", &g, &a, &end) != 2 || g > 0xffff || a > 0xffff)
		vc_die(VC_EXIT_USAGE, "bad --group-asid '%s' (G:A)", arg);
	opt.group_asid[0] = g;
	opt.group_asid[1] = a;
}

static void parse_mac_opt(const char *arg, const char *name, uint8_t mac[6], bool *set)
{
	if (vc_parse_mac(arg, mac))
		vc_die(VC_EXIT_USAGE, "bad %s '%s'", name, arg);
	*set = true;
}

/* --ack ok|err|none */
static void parse_ack(const char *arg)
{
	if (!strcmp(arg, "ok"))
		opt.ctrl_ack = VIRTIO_NET_OK;
	else if (!strcmp(arg, "err"))
		opt.ctrl_ack = VIRTIO_NET_ERR;
	else if (!strcmp(arg, "none"))
		opt.ctrl_ack = -1;
	else
		vc_die(VC_EXIT_USAGE, "bad --ack '%s' (ok, err, none)", arg);
}

/* --cvq-index, --enable-late: a vq index */
static int parse_vq_index(const char *arg, const char *name)
{
	int v = (int)parse_uint(arg, name);

	if (v >= VC_MAX_VQS)
		vc_die(VC_EXIT_USAGE, "%s below %d", name, VC_MAX_VQS);
	return v;
}

/* The options stores[] cannot express; returns false when C is none of them. */
static bool special_opt(int c, const char *arg)
{
	switch (c) {
	case 'v': opt.verbose++; break;
	case 'h': usage(stdout); exit(VC_EXIT_OK);
	case O_GROUP_ASID: parse_group_asid(arg); break;
	case O_DST: parse_mac_opt(arg, "--dst-mac", opt.dst_mac, &opt.dst_set); break;
	case O_SRC: parse_mac_opt(arg, "--src-mac", opt.src_mac, &opt.src_set); break;
	case O_ROUND_MS: opt.round_secs = parse_double(arg, "--round-ms") / 1e3; break;
	case O_NO_QUIESCE: opt.quiesce = false; break;
	case O_CTRL: parse_ctrl(arg); break;
	case O_ACK: parse_ack(arg); break;
	case O_CVQ_INDEX: opt.cvq_index = parse_vq_index(arg, "--cvq-index"); break;
	case O_ENABLE_LATE: opt.enable_late = parse_vq_index(arg, "--enable-late"); break;
	case O_CVQ_BASE:
		opt.cvq_base = parse_uint(arg, "--cvq-base");
		if (opt.cvq_base > 0xffff)
			vc_die(VC_EXIT_USAGE, "--cvq-base above 65535");
		break;
	default: return false;
	}
	return true;
}

/* Options that exclude or need each other, once all are parsed. */
static void check_opts(void)
{
	if (opt.size < VC_FRAME_MIN)
		vc_die(VC_EXIT_USAGE, "--size must be at least %u", VC_FRAME_MIN);
	if (!opt.mem_size || !opt.req_sectors || !opt.depth || !opt.window || opt.timeout <= 0)
		vc_die(VC_EXIT_USAGE,
		       "--mem, --req-sectors, --depth, --window, --timeout must be > 0");
	if (opt.seed_set && opt.expect_zero)
		vc_die(VC_EXIT_USAGE, "--seed and --expect-zero exclude each other");
	if (opt.cvq_base && opt.cvq_index < 0)
		vc_die(VC_EXIT_USAGE, "--cvq-base goes with --cvq-index");
	if (opt.cvq_index >= 0 && opt.pairs)
		vc_die(VC_EXIT_USAGE,
		       "--cvq-index is for a consumer without CTRL_VQ: drop --pairs");
	if (opt.reset && opt.no_suspend)
		vc_die(VC_EXIT_USAGE, "--no-suspend always resets; drop --reset");
}

static void parse_opts(int argc, char **argv)
{
	int c;

	set_defaults();
	while ((c = getopt_long(argc, argv, "jvh", longopts, NULL)) != -1) {
		if (!store_opt(c, optarg) && !special_opt(c, optarg)) {
			usage(stderr);
			exit(VC_EXIT_USAGE);
		}
	}
	check_opts();
}

struct command {
	const char *name;
	int (*fn)(void);
	uint64_t default_count;
	int ndevs;		/* 0 means 1 */
};

static int blk_write(void) { return cmd_blk(VIRTIO_BLK_T_OUT); }
static int blk_read(void) { return cmd_blk(VIRTIO_BLK_T_IN); }
static int blk_flush(void) { return cmd_blk(VIRTIO_BLK_T_FLUSH); }

static const struct command commands[] = {
	{ "info", cmd_info, 0, 1 },
	{ "net-tx", cmd_net_tx, 1000, 1 },
	{ "net-rx", cmd_net_rx, 1000, 1 },
	{ "net-stream", cmd_net_stream, 1000, 1 },
	{ "net-ctrl", cmd_net_ctrl, 0, 1 },
	{ "blk-write", blk_write, 128, 1 },
	{ "blk-read", blk_read, 128, 1 },
	{ "blk-flush", blk_flush, 1, 1 },
	{ "dirty-check", cmd_dirty_check, 4096, 1 },
	{ "net-migrate", cmd_net_migrate, 4000, 2 },
	{ "blk-migrate", cmd_blk_migrate, 8192, 2 },
	{ "ring-fuzz", cmd_ring_fuzz, 0, 1 },
	{ "unmap-attack", cmd_unmap_attack, 0, 1 },
	{ "asid-attack", cmd_asid_attack, 0, 1 },
	{ "pkt-send", cmd_pkt_send, 1000, 1 },
	{ "pkt-recv", cmd_pkt_recv, 1000, 1 },
	{ "pkt-reflect", cmd_pkt_reflect, 0, 1 },
	{ "seq-fuzz", cmd_seq_fuzz, 20000, 1 },
	{ NULL, NULL, 0, 0 },
};

int main(int argc, char **argv)
{
	const struct command *cmd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		usage(stderr);
		return VC_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return VC_EXIT_OK;
	}
	for (cmd = commands; cmd->name; cmd++)
		if (!strcmp(cmd->name, argv[1]))
			break;
	if (!cmd->name) {
		fprintf(stderr, "%s: unknown command '%s' (see %s --help)\n", prog, argv[1], prog);
		return VC_EXIT_USAGE;
	}
	/* getopt permutes: DEV may come before or after the options */
	parse_opts(argc - 1, argv + 1);
	if (argc - 1 - optind != (cmd->ndevs ? cmd->ndevs : 1)) {
		fprintf(stderr, "%s %s: expected %s %s argument%s\n", prog, cmd->name,
			cmd->ndevs == 2 ? "two" : "one",
			!strncmp(cmd->name, "pkt-", 4) ? "IFNAME" : "DEV", cmd->ndevs == 2 ? "s" : "");
		return VC_EXIT_USAGE;
	}
	if (opt.pairs && strcmp(cmd->name, "dirty-check") && strcmp(cmd->name, "net-migrate") &&
	    strcmp(cmd->name, "net-ctrl") && strcmp(cmd->name, "ring-fuzz")) {
		fprintf(stderr, "%s %s: no --pairs (dirty-check, net-migrate, net-ctrl, ring-fuzz only)\n",
			prog, cmd->name);
		return VC_EXIT_USAGE;
	}
	if ((opt.nctrl || opt.cvq_index >= 0 || opt.wait_stdin) && strcmp(cmd->name, "net-ctrl")) {
		fprintf(stderr, "%s %s: --ctrl, --cvq-index, --wait-stdin are net-ctrl's\n", prog,
			cmd->name);
		return VC_EXIT_USAGE;
	}
	opt.dev = argv[optind + 1];
	if (cmd->ndevs == 2)
		opt.dev_b = argv[optind + 2];
	if (!count_set)
		opt.count = cmd->default_count;
	return cmd->fn();
}
