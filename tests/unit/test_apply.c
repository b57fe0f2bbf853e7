// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of "vdpa-mgmt apply"'s parser and planner (apply.c), TAP, no
 * kernel: a good file read field by field, bad files refused at their
 * exact line with their reason, and plans against made-up hosts (nothing
 * there; all there as the file says; attributes, bus driver or mgmtdev
 * not as the file says; half done).  Run under valgrind by
 * tests/unit/vdpa-mgmt-apply.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "test_tap.h"

#define FN_A	"0000:00:03.0"
#define FN_B	"0000:00:04.0"
#define FN_C	"0000:00:05.0"
#define B(n)	(1ULL << (n))
#define NET_SUPPORTED	(B(0) | B(5) | B(16) | B(17) | B(21) | B(32) | B(33))	/* GUEST_ANNOUNCE 21 */

static int parse(const char *text, struct apply_config *config, unsigned int *line, char *why)
{
	return apply_config_parse(text, strlen(text), config, line, why, APPLY_WHY_MAX);
}

static void test_good_file(void)
{
	static const char text[] =
		"# devices of this host\n"
		"function 0000:00:03.0\n"
		"\tfunction 00:04.0   # the short form\n"
		"\n"
		"device vdpa0 function 0000:00:03.0 mac 02:00:00:00:00:0A mtu 1500 max_vqp 2 "
		"driver vhost\n"
		"device vdpa1 driver virtio_vdpa function 00:04.0 "
		"device_features profile=qemu-svq,-CTRL_VLAN\r\n"
		"device vdpa2 function 0000:00:05.0 device_features 0x300000000 driver none\n"
		"function 0000:00:05.0\n";	/* after its device: order does not matter */
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x0a };
	struct apply_config c;
	const struct apply_device *d;
	char why[APPLY_WHY_MAX];
	unsigned int line;
	int err;

	err = parse(text, &c, &line, why);
	check("good file: parsed", !err);
	if (err) {
		printf("# line %u: %s\n", line, why);
		return;
	}
	check("good file: three functions, canonical addresses, their lines",
	      c.function_count == 3 && !strcmp(c.functions[0].bdf, FN_A) &&
	      c.functions[0].line == 2 && !strcmp(c.functions[1].bdf, FN_B) &&
	      c.functions[1].line == 3 && !strcmp(c.functions[2].bdf, FN_C) &&
	      c.functions[2].line == 8);
	check("good file: three devices in file order", c.device_count == 3 &&
	      !strcmp(c.devices[0].name, "vdpa0") && !strcmp(c.devices[1].name, "vdpa1") &&
	      !strcmp(c.devices[2].name, "vdpa2"));
	d = &c.devices[0];
	check("vdpa0: line 5, its function, mac, mtu, max_vqp, vhost_vdpa (from \"vhost\")",
	      c.device_count == 3 && d->line == 5 && !strcmp(d->bdf, FN_A) &&
	      d->set == (VDPAMGMT_DEV_PARAM_MAC | VDPAMGMT_DEV_PARAM_MTU |
			 VDPAMGMT_DEV_PARAM_MAX_VQP) &&
	      !memcmp(d->mac, mac, 6) && d->mtu == 1500 && d->max_vq_pairs == 2 &&
	      d->driver && !strcmp(d->driver, VDPAMGMT_DRIVER_VHOST));
	d = &c.devices[1];
	check("vdpa1: keys in any order, short address, features as written, CRLF",
	      c.device_count == 3 && d->line == 6 && !strcmp(d->bdf, FN_B) &&
	      d->set == VDPAMGMT_DEV_PARAM_FEATURES &&
	      !strcmp(d->features, "profile=qemu-svq,-CTRL_VLAN") && d->driver &&
	      !strcmp(d->driver, VDPAMGMT_DRIVER_VIRTIO));
	d = &c.devices[2];
	check("vdpa2: hex features, driver none",
	      c.device_count == 3 && !strcmp(d->features, "0x300000000") && !d->driver);
	apply_config_release(&c);

	err = parse("", &c, &line, why);
	check("an empty file is a good file with nothing in it",
	      !err && !c.function_count && !c.device_count);
	apply_config_release(&c);
	err = parse("device x function 00:03.0\nfunction 00:03.0", &c, &line, why);
	check("no newline at the end: the last line counts", !err && c.device_count == 1 &&
	      c.function_count == 1 && c.functions[0].line == 2);
	apply_config_release(&c);
}

static void test_bad_files(void)
{
	static const struct {
		const char *what;
		const char *text;
		unsigned int line;
		const char *why;
	} bad[] = {
		{ "a function listed twice", "function 00:03.0\n\nfunction 0000:00:03.0\n", 3,
		  "function 0000:00:03.0 is already listed on line 1" },
		{ "a device name twice",
		  "function 00:03.0\nfunction 00:04.0\ndevice a function 00:03.0\n"
		  "device a function 00:04.0\n", 4, "device a is already defined on line 3" },
		{ "a device on a function not listed",
		  "function 00:03.0\n# x\ndevice a function 00:03.0\ndevice b function 00:09.0\n",
		  4, "device b: function 0000:00:09.0 is not listed" },
		{ "an unknown key", "function 00:03.0\ndevice a function 00:03.0 speed 10\n", 2,
		  "unknown key \"speed\"" },
		{ "a bad MAC", "function 00:03.0\ndevice a function 00:03.0 mac 02:00:00:00:00\n",
		  2, "mac \"02:00:00:00:00\" is not a MAC address" },
		{ "a MAC with dashes",
		  "function 00:03.0\ndevice a function 00:03.0 mac 02-00-00-00-00-01\n", 2,
		  "is not a MAC address" },
		{ "mtu over 16 bits", "function 00:03.0\ndevice a function 00:03.0 mtu 65536\n", 2,
		  "mtu \"65536\" is not a number from 0 to 65535" },
		{ "max_vqp not a number",
		  "function 00:03.0\ndevice a function 00:03.0 max_vqp two\n", 2,
		  "max_vqp \"two\" is not a number" },
		{ "an unknown bus driver",
		  "function 00:03.0\ndevice a function 00:03.0 driver kvm\n", 2,
		  "driver \"kvm\": vhost_vdpa, virtio_vdpa or none" },
		{ "an unknown feature name",
		  "function 00:03.0\ndevice a function 00:03.0 device_features -HOST_USOO\n", 2,
		  "device_features: unknown feature \"HOST_USOO\"" },
		{ "a key twice", "function 00:03.0\ndevice a function 00:03.0 mtu 1500 mtu 1400\n",
		  2, "\"mtu\" given twice" },
		{ "a key without its value", "function 00:03.0\ndevice a function 00:03.0 mac\n",
		  2, "\"mac\" needs a value" },
		{ "a device without its function", "function 00:03.0\ndevice a mtu 1500\n", 2,
		  "device a: missing \"function BDF\"" },
		{ "a device without a name", "device\n", 1, "device: missing its name" },
		{ "a '/' in a device name", "function 00:03.0\ndevice a/b function 00:03.0\n", 2,
		  "device name \"a/b\" has a '/'" },
		{ "two devices on one function",
		  "function 00:03.0\ndevice a function 00:03.0\ndevice b function 00:03.0\n", 3,
		  "function 0000:00:03.0 already has device a (line 2)" },
		{ "not a PCI address", "function 0000:00:03\n", 1,
		  "\"0000:00:03\" is not a PCI address" },
		{ "a word after the address", "function 00:03.0 dpu_vdpa\n", 1,
		  "function: unexpected \"dpu_vdpa\" after the address" },
		{ "a function without its address", "function # later\n", 1,
		  "function: missing its PCI address" },
		{ "an unknown kind of line", "function 00:03.0\nfuncton 00:04.0\n", 2,
		  "\"functon\": a line is \"function BDF\" or \"device NAME ...\"" },
		{ "a bad line after good ones, a bad device later too",
		  "function 00:03.0\ndevice a function 00:03.0\n\n\nmgmtdev x\n"
		  "device b function 00:07.0\n", 5, "\"mgmtdev\": a line is" },
	};
	char what[160], why[APPLY_WHY_MAX];
	struct apply_config c;
	unsigned int line;
	size_t i;
	int err;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = parse(bad[i].text, &c, &line, why);
		snprintf(what, sizeof(what), "refused: %s (line %u)", bad[i].what, bad[i].line);
		check(what, err == -EINVAL && line == bad[i].line && strstr(why, bad[i].why) &&
		      !c.devices && !c.functions);
		if (err != -EINVAL || line != bad[i].line || !strstr(why, bad[i].why))
			printf("#   got %d, line %u: %s\n", err, line, why);
		if (!err)
			apply_config_release(&c);
	}
	err = apply_config_parse("function 00:03.0\n\nfunc\0tion 00:04.0\n", 34, &c, &line,
				 why, sizeof(why));
	check("refused: a NUL byte, at its line", err == -EINVAL && line == 3 &&
	      strstr(why, "NUL byte"));
}

/* --- planning against made-up hosts */

static const char plan_file[] =
	"function 0000:00:03.0\n"
	"function 0000:00:04.0\n"
	"function 0000:00:05.0\n"
	"device vdpa0 function 0000:00:03.0 mac 02:00:00:00:00:01 mtu 1500 driver vhost_vdpa\n"
	"device vdpa1 function 0000:00:04.0 device_features -GUEST_ANNOUNCE driver virtio\n"
	"device vdpa2 function 0000:00:05.0 max_vqp 1\n";

struct fake_host {
	struct vdpamgmt_pci_fn functions[3];
	struct vdpamgmt_mgmtdev mgmtdevs[2];
	struct apply_current_device devices[2];
	struct apply_current current;
};

static void fake_function(struct vdpamgmt_pci_fn *fn, const char *bdf, const char *driver)
{
	memset(fn, 0, sizeof(*fn));
	strcpy(fn->bdf, bdf);
	fn->vendor = 0x1af4;
	fn->device = 0x1041;
	strcpy(fn->driver, driver);
}

static void fake_mgmtdev(struct vdpamgmt_mgmtdev *m, const char *bdf)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->handle, sizeof(m->handle), "pci/%s", bdf);
	m->present = B(VDPA_ATTR_MGMTDEV_SUPPORTED_CLASSES) | B(VDPA_ATTR_DEV_SUPPORTED_FEATURES);
	m->classes = B(1);
	m->supported_features = NET_SUPPORTED;
}

/* Functions A and B on virtio-pci, C absent; no mgmtdev, no device. */
static void host_empty(struct fake_host *h)
{
	memset(h, 0, sizeof(*h));
	fake_function(&h->functions[0], FN_A, "virtio-pci");
	fake_function(&h->functions[1], FN_B, "virtio-pci");
	h->current.functions = h->functions;
	h->current.function_count = 2;
}

/* A and B dpu_vdpa's, vdpa0 and vdpa1 as plan_file says; C absent. */
static void host_as_file(struct fake_host *h)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	struct apply_current_device *d;

	host_empty(h);
	strcpy(h->functions[0].driver, VDPAMGMT_PCI_DRIVER);
	strcpy(h->functions[1].driver, VDPAMGMT_PCI_DRIVER);
	fake_mgmtdev(&h->mgmtdevs[0], FN_A);
	fake_mgmtdev(&h->mgmtdevs[1], FN_B);
	d = &h->devices[0];
	strcpy(d->config.name, "vdpa0");
	strcpy(d->mgmtdev, "pci/" FN_A);
	strcpy(d->bus_driver, VDPAMGMT_DRIVER_VHOST);
	d->config.device_id = 1;
	d->config.present = B(VDPA_ATTR_DEV_NET_CFG_MACADDR) | B(VDPA_ATTR_DEV_NET_CFG_MTU) |
			    B(VDPA_ATTR_DEV_NET_CFG_MAX_VQP) | B(VDPA_ATTR_DEV_FEATURES);
	memcpy(d->config.net.mac, mac, 6);
	d->config.net.mtu = 1500;
	d->config.net.max_vq_pairs = 1;
	d->config.device_features = NET_SUPPORTED;
	d = &h->devices[1];
	h->devices[1] = h->devices[0];
	strcpy(d->config.name, "vdpa1");
	strcpy(d->mgmtdev, "pci/" FN_B);
	strcpy(d->bus_driver, VDPAMGMT_DRIVER_VIRTIO);
	d->config.net.mac[5] = 2;	/* the file says no mac for it: not compared */
	d->config.device_features = NET_SUPPORTED & ~B(21);
	h->current.mgmtdevs = h->mgmtdevs;
	h->current.mgmtdev_count = 2;
	h->current.devices = h->devices;
	h->current.device_count = 2;
}

/* The plan as "action object" words, one step after another. */
static const char *plan_text(const struct apply_plan *plan)
{
	static char text[1024];
	size_t i, used = 0;

	text[0] = '\0';
	for (i = 0; i < plan->count && used < sizeof(text); i++) {
		const struct apply_step *s = &plan->steps[i];

		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s %s",
					 i ? ", " : "", apply_action_name(s->action),
					 s->device ? s->device->name : s->function->bdf);
	}
	return text;
}

static void check_plan(const char *what, const struct apply_config *config,
		       const struct fake_host *h, const char *want, const char *want_why)
{
	struct apply_plan plan;
	const char *got;
	size_t i;
	bool why_ok = !want_why;

	if (apply_plan_make(config, &h->current, &plan)) {
		check(what, 0);
		return;
	}
	got = plan_text(&plan);
	for (i = 0; i < plan.count; i++)
		if (want_why && plan.steps[i].action == APPLY_CONFLICT &&
		    strstr(plan.steps[i].why, want_why))
			why_ok = true;
	check(what, !strcmp(got, want) && why_ok);
	if (strcmp(got, want))
		printf("#   plan: \"%s\"\n#   want: \"%s\"\n", got, want);
	for (i = 0; i < plan.count; i++)
		if (plan.steps[i].action == APPLY_CONFLICT)
			printf("#   %s: %s\n", plan.steps[i].device->name, plan.steps[i].why);
	apply_plan_release(&plan);
}

static void test_plans(void)
{
	struct apply_config config;
	struct fake_host h;
	struct apply_plan plan;
	char why[APPLY_WHY_MAX];
	unsigned int line;

	if (parse(plan_file, &config, &line, why)) {
		check("plan file parsed", 0);
		printf("# line %u: %s\n", line, why);
		return;
	}
	host_empty(&h);
	check_plan("nothing there: bind both, create and attach, C absent and its device "
		   "skipped", &config, &h,
		   "bind 0000:00:03.0, bind 0000:00:04.0, absent 0000:00:05.0, create vdpa0, "
		   "attach vdpa0, create vdpa1, attach vdpa1", NULL);
	if (!apply_plan_make(&config, &h.current, &plan)) {
		check("nothing there: 6 changes, no conflict", plan.changes == 6 &&
		      !plan.conflicts);
		apply_plan_release(&plan);
	}

	host_as_file(&h);
	check_plan("all there as the file says: only the absent function", &config, &h,
		   "absent 0000:00:05.0", NULL);
	if (!apply_plan_make(&config, &h.current, &plan)) {
		check("... 0 changes, 0 conflicts", !plan.changes && !plan.conflicts);
		apply_plan_release(&plan);
	}
	/* negative control: the same host but one attribute changes the plan */
	host_as_file(&h);
	h.devices[0].config.net.mtu = 9000;
	check_plan("negative control: mtu differs: a conflict, not an empty plan", &config, &h,
		   "absent 0000:00:05.0, conflict vdpa0", "mtu 9000 here, 1500 in the file");

	host_as_file(&h);
	h.devices[0].config.net.mac[5] = 7;
	h.devices[0].config.net.mtu = 9000;
	check_plan("mac and mtu differ: one conflict naming both", &config, &h,
		   "absent 0000:00:05.0, conflict vdpa0",
		   "mac 02:00:00:00:00:07 here, 02:00:00:00:00:01 in the file; mtu 9000 here");
	host_as_file(&h);
	h.devices[0].config.present &= ~B(VDPA_ATTR_DEV_NET_CFG_MACADDR);
	check_plan("mac not reported by the device: a conflict", &config, &h,
		   "absent 0000:00:05.0, conflict vdpa0", "mac: none here");

	host_as_file(&h);
	h.devices[1].config.device_features = NET_SUPPORTED;
	check_plan("features by name resolved against the mgmtdev: GUEST_ANNOUNCE too many",
		   &config, &h, "absent 0000:00:05.0, conflict vdpa1",
		   "device_features 0x300230021 here, 0x300030021 in the file "
		   "(here only: 0x200000; file only: 0x0)");
	host_as_file(&h);
	h.mgmtdevs[1].present &= ~B(VDPA_ATTR_DEV_SUPPORTED_FEATURES);
	check_plan("a mgmtdev without its features: names cannot be compared, a conflict",
		   &config, &h, "absent 0000:00:05.0, conflict vdpa1",
		   "pci/0000:00:04.0 does not report its features");

	host_as_file(&h);
	h.devices[0].bus_driver[0] = '\0';
	check_plan("a device on no bus driver is attached", &config, &h,
		   "absent 0000:00:05.0, attach vdpa0", NULL);
	host_as_file(&h);
	strcpy(h.devices[0].bus_driver, VDPAMGMT_DRIVER_VIRTIO);
	check_plan("a device on another bus driver: a conflict, never rebound", &config, &h,
		   "absent 0000:00:05.0, conflict vdpa0",
		   "it is on virtio_vdpa, the file says vhost_vdpa");
	host_as_file(&h);
	strcpy(h.devices[0].mgmtdev, "pci/0000:00:09.0");
	check_plan("a device of that name on another function: a conflict", &config, &h,
		   "absent 0000:00:05.0, conflict vdpa0",
		   "it is on pci/0000:00:09.0, the file puts it on pci/0000:00:03.0");

	host_as_file(&h);
	h.current.device_count = 1;	/* vdpa1 deleted */
	check_plan("a deleted device is re-created and attached, nothing else", &config, &h,
		   "absent 0000:00:05.0, create vdpa1, attach vdpa1", NULL);
	host_as_file(&h);
	strcpy(h.devices[1].config.name, "old1");
	check_plan("a device renamed in the file: its function is taken, a conflict", &config,
		   &h, "absent 0000:00:05.0, conflict vdpa1",
		   "0000:00:04.0 already has device old1, which the file does not name");
	host_as_file(&h);
	strcpy(h.functions[1].driver, "virtio-pci");
	h.current.device_count = 1;
	h.current.mgmtdev_count = 1;
	check_plan("a function given back: bound again, its device re-created", &config, &h,
		   "bind 0000:00:04.0, absent 0000:00:05.0, create vdpa1, attach vdpa1", NULL);
	apply_config_release(&config);

	/* driver none: an unbound device is as the file says, a bound one is not */
	if (parse("function 0000:00:03.0\ndevice vdpa0 function 0000:00:03.0\n", &config, &line,
		  why))
		return;
	host_as_file(&h);
	h.devices[0].bus_driver[0] = '\0';
	check_plan("driver none, device unbound: nothing to do", &config, &h, "", NULL);
	strcpy(h.devices[0].bus_driver, VDPAMGMT_DRIVER_VHOST);
	check_plan("driver none, device on vhost_vdpa: a conflict", &config, &h,
		   "conflict vdpa0", "it is on vhost_vdpa, the file says none");
	host_empty(&h);
	check_plan("driver none, nothing there: bind and create, no attach", &config, &h,
		   "bind 0000:00:03.0, create vdpa0", NULL);
	apply_config_release(&config);
}

int main(void)
{
	test_good_file();
	test_bad_files();
	test_plans();
	printf("1..%d\n", test_num);
	return test_failed ? 1 : 0;
}
