/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TAP for the unit tests of vdpa-mgmt: check() prints "ok N - what" or
 * "not ok N - what"; each test program reports test_num and test_failed.
 */
#ifndef VDPA_MGMT_TEST_TAP_H
#define VDPA_MGMT_TEST_TAP_H

#include <stdio.h>

static int test_num, test_failed;

static inline void check(const char *what, int ok)
{
	test_num++;
	if (ok) {
		printf("ok %d - %s\n", test_num, what);
	} else {
		test_failed++;
		printf("not ok %d - %s\n", test_num, what);
	}
}

#endif
