// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of feature names and device_features values (TAP), no kernel:
 * every bit's printed name read back, + and - against a mgmtdev's
 * features, exact lists, unknown names and profiles, the qemu-svq
 * profile's bits.  With --headers FILE it reads "TYPE MACRO BIT" lines
 * (tests/unit/vdpa-mgmt-names.sh greps them from the kernel's uapi
 * headers) and checks that each is named and its macro name is taken.
 * Run under valgrind by tests/unit/vdpa-mgmt-names.sh.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvdpamgmt.h"
#include "test_tap.h"

#define NET	1
#define BLK	2
#define B(n)	(1ULL << (n))

/* What text output shows for BIT of a DEVICE_ID device (cli_out_features). */
static const char *shown(uint32_t device_id, unsigned int bit, char *buf, size_t size)
{
	const char *name = vdpamgmt_feature_full_name(device_id, bit);

	if (name)
		return name;
	snprintf(buf, size, "bit_%u", bit);
	return buf;
}

static int parse(const char *text, uint32_t device_id, uint64_t supported, uint64_t *out,
		 char *why)
{
	return vdpamgmt_features_parse(text, device_id, supported, out, why, 256);
}

static void test_round_trip(void)
{
	static const uint32_t types[] = { NET, BLK, 0 };
	char buf[16], lower[64], what[128], why[256];
	unsigned int t, bit, bad, named, count[3];
	const char *name;
	uint64_t out;
	size_t i;

	for (t = 0; t < 3; t++) {
		bad = 0;
		named = 0;
		for (bit = 0; bit < 64; bit++) {
			name = shown(types[t], bit, buf, sizeof(buf));
			named += vdpamgmt_feature_full_name(types[t], bit) != NULL;
			for (i = 0; name[i] && i < sizeof(lower) - 1; i++)
				lower[i] = (char)tolower((unsigned char)name[i]);
			lower[i] = '\0';
			if (vdpamgmt_feature_bit(types[t], name) != (int)bit ||
			    vdpamgmt_feature_bit(types[t], lower) != (int)bit ||
			    parse(name, types[t], ~0ULL, &out, why) || out != B(bit) ||
			    parse(name, VDPAMGMT_FEATURES_ANY_TYPE, 0, &out, why)) {
				printf("# type %u bit %u: \"%s\" does not read back (%s)\n", types[t],
				       bit, name, why);
				bad++;
			}
			/* iproute2's names (JSON strings) are ours too */
			name = vdpamgmt_feature_name(types[t], bit);
			if (name && vdpamgmt_feature_bit(types[t], name) != (int)bit)
				bad++;
		}
		snprintf(what, sizeof(what), "type %u: the name shown for each of the 64 bits "
			 "reads back as that bit (%u named, the rest bit_N)", types[t], named);
		check(what, !bad);
	}
	for (t = 0; t < 3; t++)
		for (bit = 0, count[t] = 0; bit < 64; bit++)
			count[t] += vdpamgmt_feature_full_name(types[t], bit) != NULL;
	/* net's own 35 and 24, 27; block's 15; 24, 27 and the 12 transport bits for all */
	check("named: net 49 bits, block 29, other types 14",
	      count[0] == 49 && count[1] == 29 && count[2] == 14);
	check("the USO bits are named (they printed as bit_54..bit_56)",
	      !strcmp(vdpamgmt_feature_full_name(NET, 54), "GUEST_USO4") &&
	      !strcmp(vdpamgmt_feature_full_name(NET, 55), "GUEST_USO6") &&
	      !strcmp(vdpamgmt_feature_full_name(NET, 56), "HOST_USO"));
	check("... but not by iproute2: JSON keeps their numbers, as vdpa -j does",
	      !vdpamgmt_feature_name(NET, 54) && !vdpamgmt_feature_name(NET, 56) &&
	      !strcmp(vdpamgmt_feature_name(NET, 21), "GUEST_ANNOUNCE"));
	check("block names are block bits: MQ is 12 there, 22 for net",
	      vdpamgmt_feature_bit(BLK, "MQ") == 12 && vdpamgmt_feature_bit(NET, "MQ") == 22 &&
	      vdpamgmt_feature_bit(BLK, "FLUSH") == 9 && vdpamgmt_feature_bit(NET, "FLUSH") == -ENOENT);
	check("the headers' spelling: VIRTIO_NET_F_MQ, VIRTIO_F_VERSION_1, VIRTIO_RING_F_EVENT_IDX",
	      vdpamgmt_feature_bit(NET, "VIRTIO_NET_F_MQ") == 22 &&
	      vdpamgmt_feature_bit(BLK, "VIRTIO_F_VERSION_1") == 32 &&
	      vdpamgmt_feature_bit(NET, "virtio_ring_f_event_idx") == 29 &&
	      vdpamgmt_feature_bit(BLK, "VIRTIO_BLK_F_RO") == 5);
	check("bit_N: 0..63 only, no leading zero, nothing after",
	      vdpamgmt_feature_bit(NET, "bit_0") == 0 && vdpamgmt_feature_bit(NET, "BIT_63") == 63 &&
	      vdpamgmt_feature_bit(NET, "bit_64") == -ENOENT &&
	      vdpamgmt_feature_bit(NET, "bit_05") == -ENOENT &&
	      vdpamgmt_feature_bit(NET, "bit_") == -ENOENT &&
	      vdpamgmt_feature_bit(NET, "bit_5x") == -ENOENT);
	check("negative control: a name off by a letter, or with its prefix half there, is no name",
	      vdpamgmt_feature_bit(NET, "HOST_US") == -ENOENT &&
	      vdpamgmt_feature_bit(NET, "HOST_USOX") == -ENOENT &&
	      vdpamgmt_feature_bit(NET, "NET_F_MQ") == -ENOENT &&
	      vdpamgmt_feature_bit(NET, "") == -ENOENT);
}

/* what the test functions offer: tests/vm's QEMU virtio-net */
#define SUPPORTED	(B(0) | B(1) | B(3) | B(5) | B(15) | B(16) | B(17) | B(18) | B(19) | \
			 B(21) | B(22) | B(23) | B(32) | B(33) | B(40) | B(54) | B(55) | B(56))

static void test_arithmetic(void)
{
	char why[256];
	uint64_t out = 0;
	int err;

	check("hex is exactly the mask, supported or not",
	      !parse("0x300000000", NET, 0, &out, why) && out == (B(32) | B(33)) &&
	      !parse("300000020", NET, 0, &out, why) && out == (B(32) | B(33) | B(5)));
	check("-GUEST_ANNOUNCE,-HOST_USO: the mgmtdev's features without those two",
	      !parse("-GUEST_ANNOUNCE,-HOST_USO", NET, SUPPORTED, &out, why) &&
	      out == (SUPPORTED & ~(B(21) | B(56))));
	check("-NAME of a feature the mgmtdev lacks changes nothing",
	      !parse("-RSS", NET, SUPPORTED, &out, why) && out == SUPPORTED);
	check("+NAME first starts from the mgmtdev's features too",
	      !parse("+MAC", NET, SUPPORTED, &out, why) && out == SUPPORTED);
	check("a plain list is exactly that set",
	      !parse("VERSION_1,ACCESS_PLATFORM,MAC,bit_22", NET, SUPPORTED, &out, why) &&
	      out == (B(32) | B(33) | B(5) | B(22)));
	check("left to right: -MQ,+MQ keeps MQ; +MQ after removing it from a list",
	      !parse("-MQ,+MQ", NET, SUPPORTED, &out, why) && out == SUPPORTED &&
	      !parse("MQ,MAC,-MQ", NET, SUPPORTED, &out, why) && out == B(5));
	err = parse("VERSION_1,RSS", NET, SUPPORTED, &out, why);
	check("adding what the mgmtdev lacks: EINVAL, the name in the reason",
	      err == -EINVAL && strstr(why, "RSS") && strstr(why, "not offered"));
	out = 12345;
	err = parse("-GUEST_ANNOUNCE,-HOST_USOO", NET, SUPPORTED, &out, why);
	check("an unknown name: EINVAL naming it, nothing computed",
	      err == -EINVAL && !strcmp(why, "unknown feature \"HOST_USOO\"") && out == 12345);
	err = parse("-GUEST_ANNOUNCE,-HOST_USOO", VDPAMGMT_FEATURES_ANY_TYPE, 0, &out, why);
	check("... already in the check made before the mgmtdev is known",
	      err == -EINVAL && strstr(why, "HOST_USOO"));
	err = parse("-FLUSH", NET, SUPPORTED, &out, why);
	check("a block name on a net mgmtdev: EINVAL, said so",
	      err == -EINVAL && !strcmp(why, "FLUSH is not a feature of net devices"));
	check("... but known to the check before the mgmtdev is known",
	      !parse("-FLUSH", VDPAMGMT_FEATURES_ANY_TYPE, 0, &out, why));
	check("empty terms, signs alone, a bare decimal number in a list: refused",
	      parse("MAC,,MQ", NET, SUPPORTED, &out, why) == -EINVAL &&
	      parse("MAC,", NET, SUPPORTED, &out, why) == -EINVAL &&
	      parse("-", NET, SUPPORTED, &out, why) == -EINVAL &&
	      parse("MAC,22", NET, SUPPORTED, &out, why) == -EINVAL &&
	      parse("", NET, SUPPORTED, &out, why) == -EINVAL);
	check("0x that is not 64-bit hex: refused",
	      parse("0x", NET, 0, &out, why) == -EINVAL &&
	      parse("0x1g", NET, 0, &out, why) == -EINVAL &&
	      parse("0x10000000000000000", NET, 0, &out, why) == -EINVAL &&
	      parse("10000000000000000", NET, 0, &out, why) == -EINVAL);
}

/* QEMU 10.0's SVQ set, as tests/nested/migrate.sh had it (MIG_SVQ_BITS) with CTRL_VLAN */
static const unsigned int svq_bits[] = {
	0, 1, 2, 3, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22, 23, 27, 29,
	32, 33, 57, 60, 61, 62, 63,
};

static void test_profile(void)
{
	uint64_t svq = 0, p = 0, out = 0;
	uint32_t type = 0;
	char why[256];
	size_t i;

	for (i = 0; i < sizeof(svq_bits) / sizeof(svq_bits[0]); i++)
		svq |= B(svq_bits[i]);
	check("qemu-svq: net, exactly the bits QEMU's shadow virtqueue takes",
	      !vdpamgmt_feature_profile("qemu-svq", &type, &p) && type == NET && p == svq);
	check("... none of what it refuses: GUEST_ANNOUNCE, USO, INDIRECT_DESC, PACKED, "
	      "IN_ORDER, NOTIFICATION_DATA, RING_RESET",
	      !(p & (B(21) | B(54) | B(55) | B(56) | B(28) | B(34) | B(35) | B(38) | B(40))));
	check("profile=qemu-svq: the profile's bits the mgmtdev has",
	      !parse("profile=qemu-svq", NET, SUPPORTED, &out, why) && out == (SUPPORTED & svq));
	check("profile=qemu-svq,-CTRL_VLAN: and without CTRL_VLAN",
	      !parse("profile=qemu-svq,-CTRL_VLAN", NET, SUPPORTED, &out, why) &&
	      out == (SUPPORTED & svq & ~B(19)));
	check("negative control: the mgmtdev's features are not all SVQ takes",
	      (SUPPORTED & svq) != SUPPORTED);
	check("profile names: qemu-svq, then none",
	      !strcmp(vdpamgmt_feature_profile_name(0), "qemu-svq") &&
	      !vdpamgmt_feature_profile_name(1));
	check("unknown profile: EINVAL, named",
	      parse("profile=qemu", NET, SUPPORTED, &out, why) == -EINVAL &&
	      strstr(why, "unknown profile \"qemu\"") &&
	      vdpamgmt_feature_profile("qemu-migratable", &type, &p) == -ENOENT);
	check("a profile only first; for its device type only",
	      parse("-MAC,profile=qemu-svq", NET, SUPPORTED, &out, why) == -EINVAL &&
	      parse("profile=qemu-svq", BLK, ~0ULL, &out, why) == -EINVAL &&
	      strstr(why, "for net devices"));
}

/* "TYPE MACRO BIT" lines: every one named for TYPE (net, block) and its macro taken. */
static void test_headers(const char *path)
{
	unsigned int bit, lines = 0, bad = 0;
	char type[16], macro[64], what[96];
	FILE *f = fopen(path, "r");
	uint32_t id;

	if (!f) {
		printf("# %s: %s\n", path, strerror(errno));
		check("the list of the headers' bits can be read", 0);
		return;
	}
	while (fscanf(f, "%15s %63s %u", type, macro, &bit) == 3) {
		lines++;
		id = !strcmp(type, "net") ? NET : !strcmp(type, "block") ? BLK : 0;
		if (bit >= 64 || !vdpamgmt_feature_full_name(id, bit) ||
		    vdpamgmt_feature_bit(id, macro) != (int)bit) {
			printf("# %s %s (bit %u): %s\n", type, macro, bit,
			       bit < 64 && vdpamgmt_feature_full_name(id, bit) ?
			       "its macro name is not taken" : "no name");
			bad++;
		}
	}
	fclose(f);
	snprintf(what, sizeof(what), "every feature bit of the headers is named (%u bits)", lines);
	check(what, lines > 0 && !bad);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--headers")) {
		test_headers(argv[2]);
	} else {
		test_round_trip();
		test_arithmetic();
		test_profile();
	}
	printf("1..%d\n", test_num);
	return test_failed ? 1 : 0;
}
