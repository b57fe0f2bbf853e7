// SPDX-License-Identifier: GPL-2.0-only
/*
 * "vdpa-mgmt apply", the pure half: the devices file into a config, and
 * the config against the host's current state into a plan.  Nothing here
 * reads the system, so the whole file is judged before anything changes
 * and test_apply.c can plan against any host it makes up.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"

#define VIRTIO_ID_NET		1
#define VIRTIO_ID_BLOCK		2
#define LINE_WORDS_MAX		32	/* "device NAME" and every key once, with room */

static int why_set(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int why_set(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Grow *ARRAY (of *COUNT elements of SIZE) by one zeroed element; NULL: no memory. */
static void *array_append(void *array_ptr, size_t *count, size_t size)
{
	void **array = array_ptr;
	char *grown = realloc(*array, (*count + 1) * size);

	if (!grown)
		return NULL;
	*array = grown;
	memset(grown + *count * size, 0, size);
	return grown + (*count)++ * size;
}

static const struct apply_function *function_find(const struct apply_config *config,
						  const char *bdf)
{
	size_t i;

	for (i = 0; i < config->function_count; i++)
		if (!strcmp(config->functions[i].bdf, bdf))
			return &config->functions[i];
	return NULL;
}

/* --- parsing */

/* The same rules as "dev add name NAME" (cli_check_dev_name). */
static int check_dev_name(const char *name, char *why, size_t size)
{
	const char *p;

	if (strlen(name) >= VDPAMGMT_NAME_MAX)
		return why_set(why, size, "device name \"%s\" is longer than %d characters",
			       name, VDPAMGMT_NAME_MAX - 1);
	for (p = name; *p; p++)
		if (*p == '/' || iscntrl((unsigned char)*p))
			return why_set(why, size, "device name \"%s\" has a '/' or a control "
				       "character", name);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return why_set(why, size, "\"%s\" is not a device name", name);
	return 0;
}

static int parse_u16(const char *key, const char *text, uint16_t *out, char *why, size_t size)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = isdigit((unsigned char)text[0]) ? strtoul(text, &end, 10) : 0;
	if (!isdigit((unsigned char)text[0]) || *end || errno || v > UINT16_MAX)
		return why_set(why, size, "%s \"%s\" is not a number from 0 to 65535", key, text);
	*out = (uint16_t)v;
	return 0;
}

static int parse_bdf(const char *text, char bdf[16], char *why, size_t size)
{
	if (vdpamgmt_pci_bdf_parse(text, bdf))
		return why_set(why, size, "\"%s\" is not a PCI address (0000:00:03.0)", text);
	return 0;
}

/* "function BDF" */
static int parse_function_line(struct apply_config *config, char **words, int nwords,
			       unsigned int line, char *why, size_t size)
{
	const struct apply_function *seen;
	struct apply_function *fn;
	char bdf[16];

	if (nwords != 2)
		return why_set(why, size, nwords < 2 ? "function: missing its PCI address" :
			       "function: unexpected \"%s\" after the address", words[2]);
	if (parse_bdf(words[1], bdf, why, size))
		return -EINVAL;
	seen = function_find(config, bdf);
	if (seen)
		return why_set(why, size, "function %s is already listed on line %u", bdf,
			       seen->line);
	fn = array_append(&config->functions, &config->function_count, sizeof(*fn));
	if (!fn)
		return -ENOMEM;
	memcpy(fn->bdf, bdf, sizeof(bdf));
	fn->line = line;
	return 0;
}

static int parse_driver(const char *text, const char **driver, char *why, size_t size)
{
	if (!strcmp(text, VDPAMGMT_DRIVER_VHOST) || !strcmp(text, "vhost"))
		*driver = VDPAMGMT_DRIVER_VHOST;
	else if (!strcmp(text, VDPAMGMT_DRIVER_VIRTIO) || !strcmp(text, "virtio"))
		*driver = VDPAMGMT_DRIVER_VIRTIO;
	else if (!strcmp(text, "none"))
		*driver = NULL;
	else
		return why_set(why, size, "driver \"%s\": vhost_vdpa, virtio_vdpa or none", text);
	return 0;
}

/* One "KEY VALUE" of a device line into DEV. */
static int parse_device_key(struct apply_device *dev, const char *key, const char *value,
			    char *bdf, char *why, size_t size)
{
	char features_why[VDPAMGMT_ERR_MAX];
	uint64_t ignored;

	if (!strcmp(key, "function"))
		return parse_bdf(value, bdf, why, size);
	if (!strcmp(key, "mac")) {
		if (vdpamgmt_mac_parse(value, dev->mac))
			return why_set(why, size, "mac \"%s\" is not a MAC address "
				       "(02:00:00:00:00:01)", value);
		dev->set |= VDPAMGMT_DEV_PARAM_MAC;
		return 0;
	}
	if (!strcmp(key, "mtu")) {
		dev->set |= VDPAMGMT_DEV_PARAM_MTU;
		return parse_u16(key, value, &dev->mtu, why, size);
	}
	if (!strcmp(key, "max_vqp")) {
		dev->set |= VDPAMGMT_DEV_PARAM_MAX_VQP;
		return parse_u16(key, value, &dev->max_vq_pairs, why, size);
	}
	if (!strcmp(key, "device_features")) {
		/* the syntax and the names now; +/- and profiles need the mgmtdev */
		if (vdpamgmt_features_parse(value, VDPAMGMT_FEATURES_ANY_TYPE, 0, &ignored,
					    features_why, sizeof(features_why)))
			return why_set(why, size, "device_features: %s", features_why);
		if (strlen(value) >= sizeof(dev->features))
			return why_set(why, size, "device_features: longer than %zu characters",
				       sizeof(dev->features) - 1);
		strcpy(dev->features, value);
		dev->set |= VDPAMGMT_DEV_PARAM_FEATURES;
		return 0;
	}
	if (!strcmp(key, "driver"))
		return parse_driver(value, &dev->driver, why, size);
	return why_set(why, size, "unknown key \"%s\" (function, mac, mtu, max_vqp, "
		       "device_features, driver)", key);
}

/* "device NAME function BDF [KEY VALUE]..." */
static int parse_device_line(struct apply_config *config, char **words, int nwords,
			     unsigned int line, char *why, size_t size)
{
	static const char *const keys[] = {
		"function", "mac", "mtu", "max_vqp", "device_features", "driver",
	};
	struct apply_device dev = { .line = line }, *added;
	unsigned int given = 0;
	size_t i, k;

	if (nwords < 2)
		return why_set(why, size, "device: missing its name");
	if (check_dev_name(words[1], why, size))
		return -EINVAL;
	strcpy(dev.name, words[1]);
	for (i = 2; i < (size_t)nwords; i += 2) {
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]) && strcmp(words[i], keys[k]); k++)
			;
		if (k < sizeof(keys) / sizeof(keys[0]) && (given & (1u << k)))
			return why_set(why, size, "\"%s\" given twice", words[i]);
		given |= 1u << k;
		if (k < sizeof(keys) / sizeof(keys[0]) && i + 1 >= (size_t)nwords)
			return why_set(why, size, "\"%s\" needs a value", words[i]);
		if (parse_device_key(&dev, words[i], i + 1 < (size_t)nwords ? words[i + 1] : "",
				     dev.bdf, why, size))
			return -EINVAL;
	}
	if (!dev.bdf[0])
		return why_set(why, size, "device %s: missing \"function BDF\"", dev.name);
	for (i = 0; i < config->device_count; i++) {
		const struct apply_device *other = &config->devices[i];

		if (!strcmp(other->name, dev.name))
			return why_set(why, size, "device %s is already defined on line %u",
				       dev.name, other->line);
		if (!strcmp(other->bdf, dev.bdf))
			return why_set(why, size, "function %s already has device %s (line %u): "
				       "dpu_vdpa makes one device per function", dev.bdf,
				       other->name, other->line);
	}
	added = array_append(&config->devices, &config->device_count, sizeof(*added));
	if (!added)
		return -ENOMEM;
	*added = dev;
	return 0;
}

/* LINE's words (blank-separated, up to a '#') into WORDS; their count, or -1: too many. */
static int split_words(char *line, char **words)
{
	int n = 0;
	char *p = line;

	p[strcspn(p, "#")] = '\0';
	for (;;) {
		p += strspn(p, " \t\r\f\v");
		if (!*p)
			return n;
		if (n == LINE_WORDS_MAX)
			return -1;
		words[n++] = p;
		p += strcspn(p, " \t\r\f\v");
		if (*p)
			*p++ = '\0';
	}
}

static int parse_line(struct apply_config *config, char *text, unsigned int line, char *why,
		      size_t size)
{
	char *words[LINE_WORDS_MAX];
	int n = split_words(text, words);

	if (n < 0)
		return why_set(why, size, "more than %d words", LINE_WORDS_MAX);
	if (!n)
		return 0;
	if (!strcmp(words[0], "function"))
		return parse_function_line(config, words, n, line, why, size);
	if (!strcmp(words[0], "device"))
		return parse_device_line(config, words, n, line, why, size);
	return why_set(why, size, "\"%s\": a line is \"function BDF\" or \"device NAME ...\"",
		       words[0]);
}

int apply_config_parse(const char *text, size_t len, struct apply_config *config,
		       unsigned int *line, char *why, size_t why_size)
{
	size_t start = 0, end, i;
	char *copy;
	int err = 0;

	memset(config, 0, sizeof(*config));
	*line = 0;
	why[0] = '\0';
	while (start < len) {
		(*line)++;
		for (end = start; end < len && text[end] != '\n'; end++)
			;
		if (memchr(text + start, '\0', end - start)) {
			err = why_set(why, why_size, "a NUL byte: not a text file");
			goto fail;
		}
		copy = strndup(text + start, end - start);
		if (!copy) {
			err = -ENOMEM;
			goto fail;
		}
		err = parse_line(config, copy, *line, why, why_size);
		free(copy);
		if (err)
			goto fail;
		start = end + 1;
	}
	/* every device's function listed, wherever in the file */
	for (i = 0; i < config->device_count; i++) {
		const struct apply_device *dev = &config->devices[i];

		if (!function_find(config, dev->bdf)) {
			*line = dev->line;
			err = why_set(why, why_size, "device %s: function %s is not listed "
				      "(add \"function %s\")", dev->name, dev->bdf, dev->bdf);
			goto fail;
		}
	}
	*line = 0;
	return 0;
fail:
	if (err == -ENOMEM)
		snprintf(why, why_size, "out of memory");
	apply_config_release(config);
	return err;
}

void apply_config_release(struct apply_config *config)
{
	free(config->functions);
	free(config->devices);
	memset(config, 0, sizeof(*config));
}

/* --- planning */

const char *apply_action_name(enum apply_action action)
{
	switch (action) {
	case APPLY_ABSENT: return "absent";
	case APPLY_BIND: return "bind";
	case APPLY_CREATE: return "create";
	case APPLY_ATTACH: return "attach";
	case APPLY_CONFLICT: return "conflict";
	}
	return "?";
}

static const struct vdpamgmt_pci_fn *current_function(const struct apply_current *current,
						      const char *bdf)
{
	size_t i;

	for (i = 0; i < current->function_count; i++)
		if (!strcmp(current->functions[i].bdf, bdf))
			return &current->functions[i];
	return NULL;
}

static const struct vdpamgmt_mgmtdev *current_mgmtdev(const struct apply_current *current,
						      const char *handle)
{
	size_t i;

	for (i = 0; i < current->mgmtdev_count; i++)
		if (!strcmp(current->mgmtdevs[i].handle, handle))
			return &current->mgmtdevs[i];
	return NULL;
}

static const struct apply_current_device *current_device(const struct apply_current *current,
							 const char *name)
{
	size_t i;

	for (i = 0; i < current->device_count; i++)
		if (!strcmp(current->devices[i].config.name, name))
			return &current->devices[i];
	return NULL;
}

/* A device on mgmtdev HANDLE, whatever its name. */
static const struct apply_current_device *current_device_on(const struct apply_current *current,
							    const char *handle)
{
	size_t i;

	for (i = 0; i < current->device_count; i++)
		if (!strcmp(current->devices[i].mgmtdev, handle))
			return &current->devices[i];
	return NULL;
}

static struct apply_step *plan_add(struct apply_plan *plan, enum apply_action action)
{
	struct apply_step *step = array_append(&plan->steps, &plan->count, sizeof(*step));

	if (step) {
		step->action = action;
		plan->changes += action == APPLY_BIND || action == APPLY_CREATE ||
				 action == APPLY_ATTACH;
		plan->conflicts += action == APPLY_CONFLICT;
	}
	return step;
}

/* Append "; TEXT" (or TEXT, the first) to a difference list. */
static void differ(char *list, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void differ(char *list, size_t size, const char *fmt, ...)
{
	size_t used = strlen(list);
	va_list ap;

	if (used && used + 2 < size) {
		strcpy(list + used, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(list + used, size - used, fmt, ap);
	va_end(ap);
}

static void mac_text(const uint8_t mac[6], char text[18])
{
	snprintf(text, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

/* The type whose feature names the mgmtdev's devices take (as cli_mgmtdev_device_id). */
static uint32_t mgmtdev_device_id(const struct vdpamgmt_mgmtdev *m)
{
	if (!VDPAMGMT_HAS(m, VDPA_ATTR_MGMTDEV_SUPPORTED_CLASSES))
		return 0;
	if (m->classes & (1ULL << VIRTIO_ID_NET))
		return VIRTIO_ID_NET;
	if (m->classes & (1ULL << VIRTIO_ID_BLOCK))
		return VIRTIO_ID_BLOCK;
	return 0;
}

/* The features DEV's line asks for on its (existing) mgmtdev, into *WANT. */
static bool wanted_features(const struct apply_device *dev, const struct apply_current *current,
			    const char *handle, uint64_t *want, char *diffs, size_t size)
{
	const struct vdpamgmt_mgmtdev *m = current_mgmtdev(current, handle);
	char why[VDPAMGMT_ERR_MAX];

	if (vdpamgmt_features_is_hex(dev->features))
		return !vdpamgmt_features_parse(dev->features, 0, 0, want, why, sizeof(why));
	if (!m || !VDPAMGMT_HAS(m, VDPA_ATTR_DEV_SUPPORTED_FEATURES)) {
		differ(diffs, size, "device_features: %s does not report its features, so "
		       "\"%s\" cannot be compared", handle, dev->features);
		return false;
	}
	if (vdpamgmt_features_parse(dev->features, mgmtdev_device_id(m), m->supported_features,
				    want, why, sizeof(why))) {
		differ(diffs, size, "device_features: %s", why);
		return false;
	}
	return true;
}

/* Every way CUR differs from what DEV's line asks for, into DIFFS ("" if none). */
static void device_differences(const struct apply_device *dev,
			       const struct apply_current_device *cur,
			       const struct apply_current *current, const char *handle,
			       char *diffs, size_t size)
{
	const struct vdpamgmt_dev_config *cfg = &cur->config;
	char have[18], want_mac[18];
	uint64_t want;

	diffs[0] = '\0';
	if (strcmp(cur->mgmtdev, handle)) {
		/* another function's device: its attributes are beside the point */
		differ(diffs, size, "it is on %s, the file puts it on %s", cur->mgmtdev, handle);
		return;
	}
	if (dev->set & VDPAMGMT_DEV_PARAM_MAC) {
		mac_text(dev->mac, want_mac);
		if (!VDPAMGMT_HAS(cfg, VDPA_ATTR_DEV_NET_CFG_MACADDR))
			differ(diffs, size, "mac: none here, %s in the file", want_mac);
		else if (memcmp(cfg->net.mac, dev->mac, 6)) {
			mac_text(cfg->net.mac, have);
			differ(diffs, size, "mac %s here, %s in the file", have, want_mac);
		}
	}
	if (dev->set & VDPAMGMT_DEV_PARAM_MTU) {
		if (!VDPAMGMT_HAS(cfg, VDPA_ATTR_DEV_NET_CFG_MTU))
			differ(diffs, size, "mtu: none here, %u in the file", dev->mtu);
		else if (cfg->net.mtu != dev->mtu)
			differ(diffs, size, "mtu %u here, %u in the file", cfg->net.mtu, dev->mtu);
	}
	if (dev->set & VDPAMGMT_DEV_PARAM_MAX_VQP) {
		if (!VDPAMGMT_HAS(cfg, VDPA_ATTR_DEV_NET_CFG_MAX_VQP))
			differ(diffs, size, "max_vqp: none here, %u in the file",
			       dev->max_vq_pairs);
		else if (cfg->net.max_vq_pairs != dev->max_vq_pairs)
			differ(diffs, size, "max_vqp %u here, %u in the file",
			       cfg->net.max_vq_pairs, dev->max_vq_pairs);
	}
	if ((dev->set & VDPAMGMT_DEV_PARAM_FEATURES) &&
	    wanted_features(dev, current, handle, &want, diffs, size)) {
		if (!VDPAMGMT_HAS(cfg, VDPA_ATTR_DEV_FEATURES))
			differ(diffs, size, "device_features: none reported here, 0x%llx in "
			       "the file", (unsigned long long)want);
		else if (cfg->device_features != want)
			differ(diffs, size, "device_features 0x%llx here, 0x%llx in the file "
			       "(here only: 0x%llx; file only: 0x%llx)",
			       (unsigned long long)cfg->device_features,
			       (unsigned long long)want,
			       (unsigned long long)(cfg->device_features & ~want),
			       (unsigned long long)(want & ~cfg->device_features));
	}
}

/*
 * One device: create it if missing (and its function has no other); if
 * it exists as the file says, attach it if it is on no bus driver.  A device that differs, or that is on
 * another bus driver than the file's, may be in use: a conflict, never
 * deleted or rebound behind the operator's back.
 */
static int plan_device(struct apply_plan *plan, const struct apply_device *dev,
		       const struct apply_current *current)
{
	const struct apply_current_device *cur = current_device(current, dev->name), *occupant;
	char handle[VDPAMGMT_NAME_MAX], diffs[APPLY_WHY_MAX];
	const char *want_driver = dev->driver ? dev->driver : "";
	struct apply_step *step;

	snprintf(handle, sizeof(handle), "pci/%s", dev->bdf);
	occupant = current_device_on(current, handle);
	if (!cur && occupant) {
		/* renamed in the file, most likely: dev add would fail with EBUSY */
		step = plan_add(plan, APPLY_CONFLICT);
		if (!step)
			return -ENOMEM;
		step->device = dev;
		snprintf(step->why, sizeof(step->why), "%s already has device %s, which the "
			 "file does not name (dpu_vdpa makes one device per function)", dev->bdf,
			 occupant->config.name);
		return 0;
	}
	if (!cur) {
		step = plan_add(plan, APPLY_CREATE);
		if (!step)
			return -ENOMEM;
		step->device = dev;
		if (!dev->driver)
			return 0;
		step = plan_add(plan, APPLY_ATTACH);
		if (!step)
			return -ENOMEM;
		step->device = dev;
		return 0;
	}
	device_differences(dev, cur, current, handle, diffs, sizeof(diffs));
	if (!diffs[0] && !strcmp(cur->bus_driver, want_driver))
		return 0;
	if (!diffs[0] && !cur->bus_driver[0]) {
		step = plan_add(plan, APPLY_ATTACH);
	} else {
		if (!diffs[0])
			differ(diffs, sizeof(diffs), "it is on %s, the file says %s",
			       cur->bus_driver[0] ? cur->bus_driver : "no bus driver",
			       dev->driver ? dev->driver : "none");
		step = plan_add(plan, APPLY_CONFLICT);
		if (step)
			memcpy(step->why, diffs, sizeof(step->why));
	}
	if (!step)
		return -ENOMEM;
	step->device = dev;
	return 0;
}

int apply_plan_make(const struct apply_config *config, const struct apply_current *current,
		    struct apply_plan *plan)
{
	const struct vdpamgmt_pci_fn *fn;
	struct apply_step *step;
	size_t i;

	memset(plan, 0, sizeof(*plan));
	for (i = 0; i < config->function_count; i++) {
		fn = current_function(current, config->functions[i].bdf);
		if (fn && !strcmp(fn->driver, VDPAMGMT_PCI_DRIVER))
			continue;
		step = plan_add(plan, fn ? APPLY_BIND : APPLY_ABSENT);
		if (!step)
			goto nomem;
		step->function = &config->functions[i];
	}
	for (i = 0; i < config->device_count; i++) {
		/* an absent function's devices wait for it (hot-plug re-runs apply) */
		if (!current_function(current, config->devices[i].bdf))
			continue;
		if (plan_device(plan, &config->devices[i], current))
			goto nomem;
	}
	return 0;
nomem:
	apply_plan_release(plan);
	return -ENOMEM;
}

void apply_plan_release(struct apply_plan *plan)
{
	free(plan->steps);
	memset(plan, 0, sizeof(*plan));
}
