/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * "vdpa-mgmt apply": the devices file (/etc/vdpa-mgmt/devices.conf) parsed
 * into a config, and the plan that brings the host to it, both pure: they
 * read nothing but their arguments, so test_apply.c runs them against a
 * made-up host.  cli_apply.c reads the host and carries the plan out.
 *
 * The file, one line per function or device (vdpa-mgmt(8), CONFIGURATION):
 *   function BDF
 *   device NAME function BDF [mac MAC] [mtu N] [max_vqp N]
 *          [device_features FEATURES] [driver vhost_vdpa|virtio_vdpa|none]
 */
#ifndef VDPA_MGMT_APPLY_H
#define VDPA_MGMT_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libvdpamgmt.h"

#define APPLY_DEFAULT_FILE	"/etc/vdpa-mgmt/devices.conf"
#define APPLY_WHY_MAX		256
#define APPLY_FEATURES_MAX	512	/* a device_features value as written */

/* A PCI function to hand to dpu_vdpa. */
struct apply_function {
	char bdf[16];				/* canonical: 0000:00:03.0 */
	unsigned int line;
};

/* A vDPA device to have, as "dev add" would make it. */
struct apply_device {
	char name[VDPAMGMT_NAME_MAX];
	char bdf[16];				/* its function, listed in the file */
	unsigned int line;
	unsigned int set;			/* VDPAMGMT_DEV_PARAM_* given */
	uint8_t mac[6];
	uint16_t mtu;
	uint16_t max_vq_pairs;
	/* as written: names and +/- resolve against the mgmtdev, once it exists */
	char features[APPLY_FEATURES_MAX];
	const char *driver;			/* VDPAMGMT_DRIVER_* or NULL: none */
};

struct apply_config {
	struct apply_function *functions;
	size_t function_count;
	struct apply_device *devices;
	size_t device_count;
};

/*
 * The whole of TEXT (LEN bytes; NUL bytes are refused) into CONFIG.  0, or
 * -EINVAL with the first bad line in *LINE (0: the file as a whole) and
 * why in WHY; -ENOMEM.  Nothing to release after a failure.
 */
int apply_config_parse(const char *text, size_t len, struct apply_config *config,
		       unsigned int *line, char *why, size_t why_size);
void apply_config_release(struct apply_config *config);

/* An existing vDPA device as the planner needs it. */
struct apply_current_device {
	struct vdpamgmt_dev_config config;	/* name, attributes, device_features */
	char mgmtdev[VDPAMGMT_NAME_MAX];
	char bus_driver[VDPAMGMT_NAME_MAX];	/* "" when unbound */
};

/*
 * The host now: functions present, dpu_vdpa's mgmtdevs, and the vDPA
 * devices the file names or that are on its functions.
 */
struct apply_current {
	const struct vdpamgmt_pci_fn *functions;
	size_t function_count;
	const struct vdpamgmt_mgmtdev *mgmtdevs;
	size_t mgmtdev_count;
	const struct apply_current_device *devices;
	size_t device_count;
};

enum apply_action {
	APPLY_ABSENT,		/* a listed function is not on this host: skipped */
	APPLY_BIND,		/* hand the function to dpu_vdpa */
	APPLY_CREATE,		/* dev add (then leave it on no bus driver if driver none) */
	APPLY_ATTACH,		/* bind an unbound device to its bus driver */
	APPLY_CONFLICT,		/* exists, but not as the file says: left alone */
};

struct apply_step {
	enum apply_action action;
	const struct apply_function *function;	/* ABSENT, BIND */
	const struct apply_device *device;	/* CREATE, ATTACH, CONFLICT */
	char why[APPLY_WHY_MAX];		/* CONFLICT: every difference */
};

struct apply_plan {
	struct apply_step *steps;		/* functions first, then devices in file order */
	size_t count;
	size_t changes;				/* BIND, CREATE, ATTACH */
	size_t conflicts;
};

/* 0, or -ENOMEM. */
int apply_plan_make(const struct apply_config *config, const struct apply_current *current,
		    struct apply_plan *plan);
void apply_plan_release(struct apply_plan *plan);

/* "bind", "create", ...: the step's word in text and JSON output. */
const char *apply_action_name(enum apply_action action);

#endif
