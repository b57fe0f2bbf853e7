// SPDX-License-Identifier: GPL-2.0-only
/*
 * "vdpa-mgmt apply [--dry-run] [FILE]": make the host what the devices file
 * says.  The whole file is parsed first (apply.c) and a bad one changes
 * nothing; then the host is read (functions through sysfs, devices through
 * the vdpa family), planned against (apply.c) and the plan carried out,
 * one line per change.
 *
 * Text output is printed as each change is made, not at the end: at boot
 * the journal then shows how far apply got if a step hangs.  JSON, which
 * must be one document, comes at the end, built from the same reports.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "cli.h"
#include "files.h"

#define APPLY_FILE_MAX		(1024 * 1024)
#define APPLY_ATTACH_TIMEOUT_MS	10000

/* What the host has now, as the planner takes it (apply_current points into this). */
struct host_state {
	struct vdpamgmt_pci_fn *functions;
	size_t function_count;
	struct vdpamgmt_mgmtdev *mgmtdevs;
	size_t mgmtdev_count;
	struct apply_current_device *devices;
	size_t device_count;
	const struct apply_config *config;	/* only its devices are looked at */
};

struct apply_run {
	struct cli *c;
	const char *file;
	bool dry_run;
	const struct apply_config *config;
	struct out_node *root;			/* JSON */
	struct out_node *changes, *conflicts, *absent;
	bool *function_failed;			/* by index in config->functions */
	bool *device_failed;			/* by index in config->devices */
	bool failed;
};

static bool grow(void *array_ptr, size_t count, size_t size)
{
	void **array = array_ptr;
	void *grown = realloc(*array, (count + 1) * size);

	if (grown)
		*array = grown;
	return grown != NULL;
}

static int collect_mgmtdev(const struct vdpamgmt_mgmtdev *m, void *arg)
{
	struct host_state *host = arg;

	if (!grow(&host->mgmtdevs, host->mgmtdev_count, sizeof(*m)))
		return -ENOMEM;
	host->mgmtdevs[host->mgmtdev_count++] = *m;
	return 0;
}

/* Does the file name device NAME, or list the function of mgmtdev HANDLE? */
static bool concerns_config(const struct apply_config *config, const char *name,
			    const char *handle)
{
	size_t i;

	for (i = 0; i < config->device_count; i++)
		if (!strcmp(config->devices[i].name, name))
			return true;
	for (i = 0; i < config->function_count; i++)
		if (!strncmp(handle, "pci/", 4) && !strcmp(config->functions[i].bdf, handle + 4))
			return true;
	return false;
}

/*
 * The devices the file names, and any on its functions (a device renamed in
 * the file): their mgmtdev now, the rest read after the walk.
 */
static int collect_device(const struct vdpamgmt_dev *d, void *arg)
{
	struct host_state *host = arg;
	struct apply_current_device *cur;

	if (!concerns_config(host->config, d->name, d->mgmtdev))
		return 0;
	if (!grow(&host->devices, host->device_count, sizeof(*cur)))
		return -ENOMEM;
	cur = &host->devices[host->device_count++];
	memset(cur, 0, sizeof(*cur));
	snprintf(cur->config.name, sizeof(cur->config.name), "%s", d->name);
	snprintf(cur->mgmtdev, sizeof(cur->mgmtdev), "%s", d->mgmtdev);
	return 0;
}

static void host_release(struct host_state *host)
{
	free(host->functions);
	free(host->mgmtdevs);
	free(host->devices);
}

/* 0, or the failure printed and EXIT_FAILED. */
static int host_read(struct cli *c, const struct apply_config *config, struct host_state *host)
{
	struct vdpamgmt_attachment attachment;
	struct vdpamgmt_pci_fn fn;
	size_t i;
	int err;

	memset(host, 0, sizeof(*host));
	host->config = config;
	for (i = 0; i < config->function_count; i++) {
		err = vdpamgmt_pci_fn_get(c->vm, config->functions[i].bdf, &fn);
		if (err == -ENODEV)
			continue;
		if (err)
			return cli_op_failed(c, config->functions[i].bdf, err);
		if (!grow(&host->functions, host->function_count, sizeof(fn)))
			return cli_failed(c, NULL, ENOMEM, "out of memory");
		host->functions[host->function_count++] = fn;
	}
	/* no vdpa family yet (its module not loaded): no mgmtdev, no device */
	err = vdpamgmt_mgmtdev_for_each(c->vm, collect_mgmtdev, host);
	if (err == -ENOENT)
		return 0;
	if (!err)
		err = vdpamgmt_dev_for_each(c->vm, collect_device, host);
	if (err == -ENOMEM)
		return cli_failed(c, NULL, ENOMEM, "out of memory");
	if (err)
		return cli_op_failed(c, NULL, err);
	for (i = 0; i < host->device_count; i++) {
		struct apply_current_device *cur = &host->devices[i];
		char name[VDPAMGMT_NAME_MAX];

		memcpy(name, cur->config.name, sizeof(name));
		err = vdpamgmt_dev_config_get(c->vm, name, &cur->config);
		if (!err)
			err = vdpamgmt_dev_attachment(c->vm, name, &attachment);
		if (err)
			return cli_op_failed(c, name, err);
		memcpy(cur->bus_driver, attachment.driver, sizeof(cur->bus_driver));
	}
	return 0;
}

/*
 * One change done (or planned): "OBJECT: TEXT" in text, an object of the
 * "changes" array in JSON with ACTION and, if KEY, KEY: VALUE.
 */
static void report(struct apply_run *run, const char *object, const char *action,
		   const char *key, const char *value, const char *text)
{
	struct out_node *obj;

	if (run->c->format == OUT_HUMAN) {
		printf("%s: %s\n", object, text);
		fflush(stdout);
		return;
	}
	obj = out_object(run->changes, NULL);
	out_string(obj, "object", object);
	out_string(obj, "action", action);
	if (key)
		out_string(obj, key, value);
}

static size_t function_index(const struct apply_run *run, const struct apply_function *fn)
{
	return (size_t)(fn - run->config->functions);
}

static size_t device_index(const struct apply_run *run, const struct apply_device *dev)
{
	return (size_t)(dev - run->config->devices);
}

/* Did DEV's function fail to bind in this run? */
static bool function_of_failed(const struct apply_run *run, const struct apply_device *dev)
{
	size_t i;

	for (i = 0; i < run->config->function_count; i++)
		if (!strcmp(run->config->functions[i].bdf, dev->bdf))
			return run->function_failed[i];
	return false;
}

static void step_bind(struct apply_run *run, const struct apply_function *fn)
{
	int err;

	if (run->dry_run) {
		report(run, fn->bdf, "bind", "driver", VDPAMGMT_PCI_DRIVER,
		       "bind to " VDPAMGMT_PCI_DRIVER);
		return;
	}
	err = vdpamgmt_pci_bind(run->c->vm, fn->bdf);
	if (err) {
		cli_op_failed(run->c, fn->bdf, err);
		run->function_failed[function_index(run, fn)] = true;
		run->failed = true;
		return;
	}
	report(run, fn->bdf, "bind", "driver", VDPAMGMT_PCI_DRIVER,
	       "bound to " VDPAMGMT_PCI_DRIVER);
}

/*
 * The bus driver the kernel gave a new device (the first one loaded takes
 * it) is put right here when the file says none; ATTACH steps do it for
 * the others.
 */
static int leave_unbound(struct apply_run *run, const struct apply_device *dev)
{
	struct vdpamgmt_attachment a;
	char text[VDPAMGMT_NAME_MAX + 48];
	int err;

	err = vdpamgmt_dev_attachment(run->c->vm, dev->name, &a);
	if (!err && a.driver[0]) {
		err = vdpamgmt_dev_detach(run->c->vm, dev->name);
		if (!err) {
			snprintf(text, sizeof(text), "detached from %s (driver none)", a.driver);
			report(run, dev->name, "detach", "driver", a.driver, text);
		}
	}
	return err ? cli_op_failed(run->c, dev->name, err) : 0;
}

static void step_create(struct apply_run *run, const struct apply_device *dev)
{
	struct vdpamgmt_dev_params p = { .name = dev->name, .set = dev->set };
	char handle[VDPAMGMT_NAME_MAX], text[64], why[VDPAMGMT_ERR_MAX];
	bool *failed = &run->device_failed[device_index(run, dev)];
	int err;

	snprintf(text, sizeof(text), "%s on %s", run->dry_run ? "create" : "created", dev->bdf);
	if (run->dry_run) {
		report(run, dev->name, "create", "function", dev->bdf, text);
		return;
	}
	if (function_of_failed(run, dev)) {
		*failed = true;		/* its function's failure is reported */
		return;
	}
	snprintf(handle, sizeof(handle), "pci/%s", dev->bdf);
	p.mgmtdev = handle;
	memcpy(p.mac, dev->mac, sizeof(p.mac));
	p.mtu = dev->mtu;
	p.max_vq_pairs = dev->max_vq_pairs;
	if (dev->set & VDPAMGMT_DEV_PARAM_FEATURES) {
		if (vdpamgmt_features_is_hex(dev->features))
			err = vdpamgmt_features_parse(dev->features, 0, 0, &p.device_features,
						      why, sizeof(why)) ?
			      cli_failed(run->c, dev->name, EINVAL, "device_features: %s", why) : 0;
		else
			err = cli_resolve_features(run->c, dev->name, handle, dev->features,
						   &p.device_features);
		if (err)
			goto fail;
	}
	err = vdpamgmt_dev_add(run->c->vm, &p);
	if (err) {
		cli_op_failed(run->c, dev->name, err);
		goto fail;
	}
	report(run, dev->name, "create", "function", dev->bdf, text);
	if (!dev->driver && leave_unbound(run, dev))
		goto fail;
	return;
fail:
	*failed = true;
	run->failed = true;
}

static void step_attach(struct apply_run *run, const struct apply_device *dev)
{
	char text[VDPAMGMT_NAME_MAX + VDPAMGMT_PATH_MAX + 32];
	struct vdpamgmt_attachment a;
	const char *made;
	int err;

	if (run->dry_run) {
		snprintf(text, sizeof(text), "attach to %s", dev->driver);
		report(run, dev->name, "attach", "driver", dev->driver, text);
		return;
	}
	if (run->device_failed[device_index(run, dev)] || function_of_failed(run, dev))
		return;
	err = vdpamgmt_dev_attach(run->c->vm, dev->name, dev->driver, APPLY_ATTACH_TIMEOUT_MS,
				  &a);
	if (err) {
		cli_op_failed(run->c, dev->name, err);
		run->failed = true;
		return;
	}
	/* what the operator uses next, as dev attach prints it */
	made = a.chardev[0] ? a.chardev : a.netdev[0] ? a.netdev : a.blockdev[0] ? a.blockdev :
	       a.virtio;
	snprintf(text, sizeof(text), "attached to %s%s%s%s", dev->driver, made[0] ? " (" : "",
		 made, made[0] ? ")" : "");
	report(run, dev->name, "attach", "driver", dev->driver, text);
}

static void step_conflict(struct apply_run *run, const struct apply_step *step)
{
	const struct apply_device *dev = step->device;
	struct out_node *obj;

	fprintf(stderr, "vdpa-mgmt: apply: %s:%u: device %s is not as the file says, left as "
		"it is: %s (vdpa-mgmt dev del %s, then apply, to have it re-created)\n",
		run->file, dev->line, dev->name, step->why, dev->name);
	if (run->c->format != OUT_HUMAN) {
		obj = out_object(run->conflicts, NULL);
		out_string(obj, "device", dev->name);
		out_uint(obj, "line", dev->line);
		out_string(obj, "why", step->why);
	}
}

static void step_absent(struct apply_run *run, const struct apply_function *fn)
{
	if (run->c->format == OUT_HUMAN)
		printf("%s: not present; its devices wait for it\n", fn->bdf);
	else
		out_string(run->absent, NULL, fn->bdf);
}

static void plan_run(struct apply_run *run, const struct apply_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->count; i++) {
		const struct apply_step *step = &plan->steps[i];

		switch (step->action) {
		case APPLY_ABSENT:
			step_absent(run, step->function);
			break;
		case APPLY_BIND:
			step_bind(run, step->function);
			break;
		case APPLY_CREATE:
			step_create(run, step->device);
			break;
		case APPLY_ATTACH:
			step_attach(run, step->device);
			break;
		case APPLY_CONFLICT:
			step_conflict(run, step);
			break;
		}
	}
}

/* FILE read and parsed: 0, or the failure printed and its exit status. */
static int config_load(struct cli *c, const char *file, struct apply_config *config)
{
	char why[APPLY_WHY_MAX];
	unsigned int line;
	uint8_t *text;
	size_t len;
	int err;

	err = file_read_all(file, APPLY_FILE_MAX, &text, &len, why);
	if (err)
		return cli_failed(c, NULL, err, "%s", why);
	err = apply_config_parse((const char *)text, len, config, &line, why, sizeof(why));
	free(text);
	if (err == -ENOMEM)
		return cli_failed(c, NULL, ENOMEM, "out of memory");
	if (err) {
		/* the file is wrong, as a command line can be: nothing was done */
		if (line)
			fprintf(stderr, "vdpa-mgmt: apply: %s:%u: %s\n", file, line, why);
		else
			fprintf(stderr, "vdpa-mgmt: apply: %s: %s\n", file, why);
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_apply(struct cli *c, int argc, char **argv)
{
	struct apply_run run = { .c = c, .file = APPLY_DEFAULT_FILE };
	struct apply_current current;
	struct apply_config config;
	struct host_state host;
	struct apply_plan plan;
	bool file_given = false;
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run"))
			run.dry_run = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_error(c, "unknown option \"%s\"", argv[i]);
		else if (file_given)
			return cli_usage_error(c, "unexpected argument \"%s\"", argv[i]);
		else
			run.file = argv[i];
		file_given = file_given || strcmp(argv[i], "--dry-run");
	}
	ret = config_load(c, run.file, &config);
	if (ret)
		return ret;
	run.config = &config;
	ret = host_read(c, &config, &host);
	if (ret)
		goto out_host;
	current = (struct apply_current) {
		.functions = host.functions, .function_count = host.function_count,
		.mgmtdevs = host.mgmtdevs, .mgmtdev_count = host.mgmtdev_count,
		.devices = host.devices, .device_count = host.device_count,
	};
	if (apply_plan_make(&config, &current, &plan)) {
		ret = cli_failed(c, NULL, ENOMEM, "out of memory");
		goto out_host;
	}
	run.function_failed = calloc(config.function_count + 1, sizeof(bool));
	run.device_failed = calloc(config.device_count + 1, sizeof(bool));
	if (!run.function_failed || !run.device_failed) {
		ret = cli_failed(c, NULL, ENOMEM, "out of memory");
		goto out_plan;
	}
	if (c->format != OUT_HUMAN) {
		struct out_node *obj;

		run.root = out_new();
		obj = out_object(run.root, "apply");
		out_string(obj, "file", run.file);
		out_bool(obj, "dry_run", run.dry_run);
		run.changes = out_array(obj, "changes");
		run.conflicts = out_array(obj, "conflicts");
		run.absent = out_array(obj, "absent");
	}
	plan_run(&run, &plan);
	ret = run.failed || plan.conflicts ? EXIT_FAILED : EXIT_OK;
	if (run.root) {
		int emitted = cli_emit(c, run.root);

		ret = ret ? ret : emitted;
	} else {
		if (!plan.changes && !plan.conflicts)
			puts("apply: nothing to change");
		else if (run.dry_run)
			printf("apply: dry run: %zu change%s planned, nothing done\n", plan.changes,
			       plan.changes == 1 ? "" : "s");
		ret = ret ? ret : cli_flush_stdout(c);
	}
out_plan:
	free(run.function_failed);
	free(run.device_failed);
	apply_plan_release(&plan);
out_host:
	host_release(&host);
	apply_config_release(&config);
	return ret;
}
