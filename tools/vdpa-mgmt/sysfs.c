// SPDX-License-Identifier: GPL-2.0-only
/*
 * Binding through sysfs: PCI functions to and from dpu_vdpa, vDPA devices
 * to vhost_vdpa or virtio_vdpa, and finding what a bound device became.
 * Both buses take the same steps: unbind from the current driver, name the
 * wanted one in driver_override, ask the bus to probe (drivers_probe).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define PCI_DEVICES	"/sys/bus/pci/devices"
#define PCI_DRIVERS	"/sys/bus/pci/drivers"
#define VDPA_DEVICES	"/sys/bus/vdpa/devices"
#define VDPA_DRIVERS	"/sys/bus/vdpa/drivers"
#define VIRTIO_VENDOR	0x1af4
#define VIRTIO_ID_NET	1
#define VIRTIO_ID_BLOCK	2

/*
 * snprintf for paths and names read from sysfs: they are short, and a
 * truncated one is simply not found, so truncation needs no handling.
 */
static void textf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void textf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

static int sysfs_read(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

static int sysfs_write(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	return err;
}

static bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* The last component of the symlink at PATH ("" when there is none). */
static void link_name(const char *path, char *out, size_t size)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *base;

	out[0] = '\0';
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	textf(out, size, "%s", base ? base + 1 : target);
}

/* driver_override reads "(null)" when unset. */
static void read_override(const char *dev_dir, char *out, size_t size)
{
	char path[PATH_MAX];

	textf(path, sizeof(path), "%s/driver_override", dev_dir);
	if (sysfs_read(path, out, size) || !strcmp(out, "(null)"))
		out[0] = '\0';
}

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* --- PCI functions */

int vdpamgmt_pci_bdf_parse(const char *text, char bdf[16])
{
	unsigned int domain = 0, bus, slot, fn;
	int used = 0;

	if (sscanf(text, "%4x:%2x:%2x.%1u%n", &domain, &bus, &slot, &fn, &used) != 4 ||
	    (size_t)used != strlen(text)) {
		domain = 0;
		used = 0;
		if (sscanf(text, "%2x:%2x.%1u%n", &bus, &slot, &fn, &used) != 3 ||
		    (size_t)used != strlen(text))
			return -EINVAL;
	}
	/* sscanf's %x takes signs and 0x; the forms above must be plain hex */
	for (; *text; text++)
		if (!isxdigit((unsigned char)*text) && *text != ':' && *text != '.')
			return -EINVAL;
	if (slot > 0x1f || fn > 7)
		return -EINVAL;
	textf(bdf, 16, "%04x:%02x:%02x.%u", domain, bus, slot, fn);
	return 0;
}

static int pci_fn_read(const char *bdf, struct vdpamgmt_pci_fn *out)
{
	char dir[PATH_MAX], path[PATH_MAX], value[32];

	memset(out, 0, sizeof(*out));
	textf(out->bdf, sizeof(out->bdf), "%s", bdf);
	textf(dir, sizeof(dir), PCI_DEVICES "/%s", bdf);
	if (!path_exists(dir))
		return -ENODEV;
	textf(path, sizeof(path), "%s/vendor", dir);
	if (!sysfs_read(path, value, sizeof(value)))
		out->vendor = (uint16_t)strtoul(value, NULL, 16);
	textf(path, sizeof(path), "%s/device", dir);
	if (!sysfs_read(path, value, sizeof(value)))
		out->device = (uint16_t)strtoul(value, NULL, 16);
	textf(path, sizeof(path), "%s/driver", dir);
	link_name(path, out->driver, sizeof(out->driver));
	read_override(dir, out->driver_override, sizeof(out->driver_override));
	return 0;
}

/* Look the function up; its canonical address into BDF. */
static int pci_fn_find(struct vdpamgmt *vm, const char *text, char bdf[16],
		       struct vdpamgmt_pci_fn *fn)
{
	if (vdpamgmt_pci_bdf_parse(text, bdf))
		return vm_fail(vm, EINVAL, "\"%s\" is not a PCI address (0000:00:08.0)", text);
	if (pci_fn_read(bdf, fn))
		return vm_fail(vm, ENODEV, "no PCI function %s", bdf);
	return 0;
}

int vdpamgmt_pci_fn_get(struct vdpamgmt *vm, const char *bdf, struct vdpamgmt_pci_fn *out)
{
	char canon[16];

	vm_clear_error(vm);
	return pci_fn_find(vm, bdf, canon, out);
}

static int dirent_name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int vdpamgmt_pci_fn_for_each(struct vdpamgmt *vm, vdpamgmt_pci_fn_cb cb, void *arg)
{
	struct dirent **names;
	struct vdpamgmt_pci_fn fn;
	int n, i, ret = 0;

	vm_clear_error(vm);
	n = scandir(PCI_DEVICES, &names, NULL, dirent_name_cmp);
	if (n < 0)
		return vm_fail(vm, errno, "cannot list " PCI_DEVICES ": %s", strerror(errno));
	for (i = 0; i < n; i++) {
		if (!ret && names[i]->d_name[0] != '.' && !pci_fn_read(names[i]->d_name, &fn) &&
		    (fn.vendor == VIRTIO_VENDOR || !strcmp(fn.driver, VDPAMGMT_PCI_DRIVER) ||
		     !strcmp(fn.driver_override, VDPAMGMT_PCI_DRIVER)))
			ret = cb(&fn, arg);
		free(names[i]);
	}
	free(names);
	return ret;
}

/* Why a probe failed: the driver's first error, and the errno if logged. */
struct probe_failure {
	const char *device;
	char reason[VDPAMGMT_ERR_MAX];
	int err;
};

static bool probe_failure_cb(const struct kmsg_record *rec, void *arg)
{
	struct probe_failure *f = arg;
	const char *code;

	if (rec->level > 3 || strcmp(rec->device, f->device))
		return false;
	/* the driver core's summary: "probe with driver X failed with error -22" */
	code = strstr(rec->text, "failed with error -");
	if (code && !strncmp(rec->text, "probe with driver", 17)) {
		f->err = atoi(code + strlen("failed with error -"));
		return false;
	}
	if (!f->reason[0])
		textf(f->reason, sizeof(f->reason), "%s", rec->text);
	return false;
}

int vdpamgmt_pci_bind(struct vdpamgmt *vm, const char *text)
{
	char bdf[16], dir[PATH_MAX], path[PATH_MAX], device[48];
	struct probe_failure failure = { .device = device };
	struct vdpamgmt_pci_fn fn, after;
	struct kmsg_mark mark;
	int err;

	vm_clear_error(vm);
	err = pci_fn_find(vm, text, bdf, &fn);
	if (err)
		return err;
	if (!path_exists(PCI_DRIVERS "/" VDPAMGMT_PCI_DRIVER))
		return vm_fail(vm, ENOENT, "the %s driver is not loaded (modprobe %s)",
			       VDPAMGMT_PCI_DRIVER, VDPAMGMT_PCI_DRIVER);
	if (!strcmp(fn.driver, VDPAMGMT_PCI_DRIVER))
		return 0;

	textf(dir, sizeof(dir), PCI_DEVICES "/%s", bdf);
	kmsg_mark_set(&mark);
	if (fn.driver[0]) {
		textf(path, sizeof(path), "%s/driver/unbind", dir);
		err = sysfs_write(path, bdf);
		if (err) {
			vm_fail(vm, err, "cannot unbind it from %s: %s", fn.driver, strerror(-err));
			goto out;
		}
	}
	textf(path, sizeof(path), "%s/driver_override", dir);
	err = sysfs_write(path, VDPAMGMT_PCI_DRIVER);
	if (err) {
		vm_fail(vm, err, "cannot set driver_override: %s", strerror(-err));
		goto restore;
	}
	/* a refused probe is not an error of drivers_probe: look at the result */
	sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	if (!pci_fn_read(bdf, &after) && !strcmp(after.driver, VDPAMGMT_PCI_DRIVER))
		goto out;

	textf(device, sizeof(device), "+pci:%s", bdf);
	kmsg_for_each_since(&mark, probe_failure_cb, &failure);
	err = failure.err ? -failure.err : -ENODEV;
	if (failure.reason[0])
		vm_fail(vm, err, "%s refused the function: %s", VDPAMGMT_PCI_DRIVER,
			failure.reason);
	else
		vm_fail(vm, err, "%s refused the function (see dmesg)", VDPAMGMT_PCI_DRIVER);
restore:
	/* give the function back to the driver it had */
	textf(path, sizeof(path), "%s/driver_override", dir);
	sysfs_write(path, fn.driver_override[0] ? fn.driver_override : "\n");
	if (fn.driver[0])
		sysfs_write("/sys/bus/pci/drivers_probe", bdf);
out:
	kmsg_mark_release(&mark);
	return err;
}

int vdpamgmt_pci_unbind(struct vdpamgmt *vm, const char *text)
{
	char bdf[16], path[PATH_MAX];
	struct vdpamgmt_pci_fn fn;
	int err;

	vm_clear_error(vm);
	err = pci_fn_find(vm, text, bdf, &fn);
	if (err)
		return err;
	if (strcmp(fn.driver, VDPAMGMT_PCI_DRIVER) &&
	    strcmp(fn.driver_override, VDPAMGMT_PCI_DRIVER))
		return vm_fail(vm, EINVAL, "the function is not bound to %s (driver: %s)",
			       VDPAMGMT_PCI_DRIVER, fn.driver[0] ? fn.driver : "none");
	if (fn.driver[0]) {
		textf(path, sizeof(path), PCI_DRIVERS "/%s/unbind", fn.driver);
		err = sysfs_write(path, bdf);
		if (err)
			return vm_fail(vm, err, "cannot unbind it from %s: %s", fn.driver,
				       strerror(-err));
	}
	textf(path, sizeof(path), PCI_DEVICES "/%s/driver_override", bdf);
	err = sysfs_write(path, "\n");
	if (err)
		return vm_fail(vm, err, "cannot clear driver_override: %s", strerror(-err));
	/* its usual driver, if any is loaded, takes it back */
	sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	return 0;
}

/* --- vDPA devices and their bus drivers */

static int vdpa_dev_dir(struct vdpamgmt *vm, const char *name, char *dir, size_t size)
{
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return vm_fail(vm, EINVAL, "\"%s\" is not a device name", name);
	textf(dir, size, VDPA_DEVICES "/%s", name);
	if (!path_exists(dir))
		return vm_fail(vm, ENODEV, "no vDPA device %s", name);
	return 0;
}

/* The first entry of DIR whose name starts with PREFIX, into OUT. */
static bool find_entry(const char *dir, const char *prefix, char *out, size_t size,
		       unsigned int *count)
{
	size_t len = strlen(prefix);
	struct dirent *de;
	DIR *d = opendir(dir);
	bool found = false;

	if (count)
		*count = 0;
	if (!d)
		return false;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strncmp(de->d_name, prefix, len))
			continue;
		if (count)
			(*count)++;
		if (!found)
			textf(out, size, "%s", de->d_name);
		found = true;
	}
	closedir(d);
	return found;
}

/*
 * virtio_vdpa parents its virtio device on the vDPA device's DMA device:
 * the vDPA device itself (vdpa_sim) or its PCI function (dpu_vdpa, and
 * most hardware drivers).  In the parent it is ours only if the parent
 * has no other vDPA device and one virtio device.
 */
static bool find_virtio_dir(const char *vdpa_dir, char *virtio_dir, size_t size)
{
	char parent[PATH_MAX], name[VDPAMGMT_NAME_MAX], path[PATH_MAX];
	unsigned int virtio_count = 0, vdpa_count = 0;
	struct dirent *de;
	char *slash;
	DIR *d;

	if (find_entry(vdpa_dir, "virtio", name, sizeof(name), NULL)) {
		textf(virtio_dir, size, "%s/%s", vdpa_dir, name);
		return true;
	}
	if (!realpath(vdpa_dir, parent))
		return false;
	slash = strrchr(parent, '/');
	if (!slash)
		return false;
	*slash = '\0';
	d = opendir(parent);
	if (!d)
		return false;
	while ((de = readdir(d))) {
		char subsystem[32];

		if (de->d_name[0] == '.')
			continue;
		textf(path, sizeof(path), "%s/%s/subsystem", parent, de->d_name);
		link_name(path, subsystem, sizeof(subsystem));
		if (!strcmp(subsystem, "vdpa"))
			vdpa_count++;
		if (!strcmp(subsystem, "virtio") && !virtio_count++)
			textf(name, sizeof(name), "%s", de->d_name);
	}
	closedir(d);
	if (vdpa_count != 1 || virtio_count != 1)
		return false;
	textf(virtio_dir, size, "%s/%s", parent, name);
	return true;
}

/* The attachment, and the virtio device id of a virtio_vdpa one (else 0). */
static void attachment_read(const char *dir, struct vdpamgmt_attachment *out, uint32_t *virtio_id)
{
	char path[PATH_MAX], virtio_dir[PATH_MAX], name[VDPAMGMT_NAME_MAX], value[32];
	const char *base;

	memset(out, 0, sizeof(*out));
	*virtio_id = 0;
	textf(path, sizeof(path), "%s/driver", dir);
	link_name(path, out->driver, sizeof(out->driver));
	if (!strcmp(out->driver, VDPAMGMT_DRIVER_VHOST)) {
		if (find_entry(dir, "vhost-vdpa-", name, sizeof(name), NULL))
			textf(out->chardev, sizeof(out->chardev), "/dev/%s", name);
		return;
	}
	if (strcmp(out->driver, VDPAMGMT_DRIVER_VIRTIO) ||
	    !find_virtio_dir(dir, virtio_dir, sizeof(virtio_dir)))
		return;
	base = strrchr(virtio_dir, '/');
	textf(out->virtio, sizeof(out->virtio), "%s", base + 1);
	textf(path, sizeof(path), "%s/device", virtio_dir);
	if (!sysfs_read(path, value, sizeof(value)))
		*virtio_id = (uint32_t)strtoul(value, NULL, 16);
	textf(path, sizeof(path), "%s/net", virtio_dir);
	if (find_entry(path, "", name, sizeof(name), NULL))
		textf(out->netdev, sizeof(out->netdev), "%s", name);
	textf(path, sizeof(path), "%s/block", virtio_dir);
	if (find_entry(path, "vd", name, sizeof(name), NULL))
		textf(out->blockdev, sizeof(out->blockdev), "/dev/%s", name);
}

int vdpamgmt_dev_attachment(struct vdpamgmt *vm, const char *name, struct vdpamgmt_attachment *out)
{
	char dir[PATH_MAX];
	uint32_t virtio_id;
	int err;

	vm_clear_error(vm);
	err = vdpa_dev_dir(vm, name, dir, sizeof(dir));
	if (err)
		return err;
	attachment_read(dir, out, &virtio_id);
	return 0;
}

/* Has the driver made what it makes for this kind of device? */
static bool attachment_complete(const struct vdpamgmt_attachment *a, uint32_t virtio_id)
{
	if (!strcmp(a->driver, VDPAMGMT_DRIVER_VHOST))
		return a->chardev[0] && path_exists(a->chardev);
	if (!a->virtio[0])
		return false;
	if (virtio_id == VIRTIO_ID_NET)
		return a->netdev[0];
	if (virtio_id == VIRTIO_ID_BLOCK)
		return a->blockdev[0] && path_exists(a->blockdev);
	return true;
}

/* Unbind from the current driver, name DRIVER in driver_override, probe. */
static int vdpa_dev_rebind(struct vdpamgmt *vm, const char *dir, const char *name,
			   const char *current, const char *driver)
{
	char path[PATH_MAX], device[VDPAMGMT_NAME_MAX + 8], reason[VDPAMGMT_ERR_MAX];
	char now[VDPAMGMT_NAME_MAX];
	struct kmsg_mark mark;
	int err;

	kmsg_mark_set(&mark);
	if (current[0]) {
		textf(path, sizeof(path), VDPA_DRIVERS "/%s/unbind", current);
		err = sysfs_write(path, name);
		if (err) {
			err = vm_fail(vm, err, "cannot unbind it from %s: %s", current,
				      strerror(-err));
			goto out;
		}
	}
	textf(path, sizeof(path), "%s/driver_override", dir);
	err = sysfs_write(path, driver);
	if (err) {
		err = vm_fail(vm, err, "cannot set driver_override: %s", strerror(-err));
		goto out;
	}
	/* a refused probe is not an error of drivers_probe: look at the result */
	sysfs_write("/sys/bus/vdpa/drivers_probe", name);
	textf(path, sizeof(path), "%s/driver", dir);
	link_name(path, now, sizeof(now));
	if (strcmp(now, driver)) {
		textf(device, sizeof(device), "+vdpa:%s", name);
		if (kmsg_error_since(&mark, device, reason, sizeof(reason)))
			err = vm_fail(vm, ENODEV, "%s refused the device: %s", driver, reason);
		else
			err = vm_fail(vm, ENODEV, "%s refused the device (see dmesg)", driver);
	}
out:
	kmsg_mark_release(&mark);
	return err;
}

int vdpamgmt_dev_attach(struct vdpamgmt *vm, const char *name, const char *driver,
			unsigned int timeout_ms, struct vdpamgmt_attachment *out)
{
	char dir[PATH_MAX], path[PATH_MAX];
	unsigned int waited = 0;
	uint32_t virtio_id;
	int err;

	vm_clear_error(vm);
	err = vdpa_dev_dir(vm, name, dir, sizeof(dir));
	if (err)
		return err;
	textf(path, sizeof(path), VDPA_DRIVERS "/%s", driver);
	if (!path_exists(path))
		return vm_fail(vm, ENOENT, "the %s driver is not loaded (modprobe %s)", driver,
			       driver);
	attachment_read(dir, out, &virtio_id);
	if (strcmp(out->driver, driver)) {
		err = vdpa_dev_rebind(vm, dir, name, out->driver, driver);
		if (err)
			return err;
		attachment_read(dir, out, &virtio_id);
	}
	/* the driver's probe made its chardev or netdev; udev may lag for /dev */
	while (!attachment_complete(out, virtio_id)) {
		if (waited >= timeout_ms)
			return vm_fail(vm, ETIMEDOUT, "bound to %s, but nothing appeared in %u ms",
				       driver, timeout_ms);
		msleep(50);
		waited += 50;
		attachment_read(dir, out, &virtio_id);
	}
	return 0;
}

int vdpamgmt_dev_detach(struct vdpamgmt *vm, const char *name)
{
	char dir[PATH_MAX], path[PATH_MAX], driver[VDPAMGMT_NAME_MAX];
	int err;

	vm_clear_error(vm);
	err = vdpa_dev_dir(vm, name, dir, sizeof(dir));
	if (err)
		return err;
	textf(path, sizeof(path), "%s/driver", dir);
	link_name(path, driver, sizeof(driver));
	if (driver[0]) {
		textf(path, sizeof(path), VDPA_DRIVERS "/%s/unbind", driver);
		err = sysfs_write(path, name);
		if (err)
			return vm_fail(vm, err, "cannot unbind it from %s: %s", driver,
				       strerror(-err));
	}
	textf(path, sizeof(path), "%s/driver_override", dir);
	err = sysfs_write(path, "\n");
	if (err)
		return vm_fail(vm, err, "cannot clear driver_override: %s", strerror(-err));
	return 0;
}
