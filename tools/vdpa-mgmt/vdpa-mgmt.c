// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdpa-mgmt: create, attach, inspect and migrate dpu_vdpa devices.
 *
 * Skeleton: the commands arrive with the vdpa-mgmt issue.
 */
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: vdpa-mgmt [-j] [-p] OBJECT COMMAND [ARGS]\n"
		     "objects: mgmtdev, dev, pci (not implemented yet)\n");
}

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	fprintf(stderr, "vdpa-mgmt: no commands implemented yet\n");
	return 2;
}
