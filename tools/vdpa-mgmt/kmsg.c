// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel log as a source of error reasons.  Some refusals reach
 * userspace as a bare errno: a vDPA driver's dev_add has no extack, a PCI
 * probe failure is not returned by drivers_probe at all.  The driver does
 * say why with dev_err(), so we note where /dev/kmsg ends before the
 * request and read the records after it that name the device concerned
 * (each record carries "DEVICE=+bus:name").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "internal.h"

#define KMSG_RECORD_MAX	8192

void kmsg_mark_set(struct kmsg_mark *mark)
{
	/* without the log (not root, no /dev/kmsg) reasons are just missing */
	mark->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (mark->fd >= 0 && lseek(mark->fd, 0, SEEK_END) < 0) {
		close(mark->fd);
		mark->fd = -1;
	}
}

void kmsg_mark_release(struct kmsg_mark *mark)
{
	if (mark->fd >= 0)
		close(mark->fd);
	mark->fd = -1;
}

/*
 * "3,453,17133352,-;dpu_vdpa 0000:00:08.0: function already has ...\n
 *  SUBSYSTEM=pci\n DEVICE=+pci:0000:00:08.0\n" into REC (pointing into
 * the record, which is modified).
 */
static bool kmsg_record_parse(char *record, struct kmsg_record *rec)
{
	char *text = strchr(record, ';');
	char *line, *end, *dev_name;

	if (!text)
		return false;
	rec->level = atoi(record) & LOG_PRIMASK;
	text++;
	end = strchr(text, '\n');
	line = end ? end + 1 : NULL;
	if (end)
		*end = '\0';
	rec->device = "";
	while (line && *line == ' ') {
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (!strncmp(line, " DEVICE=", 8))
			rec->device = line + 8;
		line = end ? end + 1 : NULL;
	}
	/* dev_printk's prefix is "<driver> <device>: "; the reason follows */
	rec->text = text;
	dev_name = strchr(rec->device, ':');
	if (dev_name) {
		char prefix[VDPAMGMT_NAME_MAX + 3];
		const char *at;

		snprintf(prefix, sizeof(prefix), " %s: ", dev_name + 1);
		at = strstr(text, prefix);
		if (at)
			rec->text = at + strlen(prefix);
	}
	return true;
}

void kmsg_for_each_since(struct kmsg_mark *mark, kmsg_record_cb cb, void *arg)
{
	struct kmsg_record rec;
	char *buf;
	ssize_t n;

	if (mark->fd < 0)
		return;
	buf = malloc(KMSG_RECORD_MAX + 1);
	if (!buf)
		return;
	for (;;) {
		n = read(mark->fd, buf, KMSG_RECORD_MAX);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten under us: go on */
		if (n <= 0)
			break;		/* EAGAIN: the end of the log */
		buf[n] = '\0';
		if (kmsg_record_parse(buf, &rec) && cb(&rec, arg))
			break;
	}
	free(buf);
}

struct first_error {
	const char *device;
	char *out;
	size_t size;
	bool found;
};

static bool first_error_cb(const struct kmsg_record *rec, void *arg)
{
	struct first_error *f = arg;

	if (rec->level > LOG_ERR || strcmp(rec->device, f->device))
		return false;
	snprintf(f->out, f->size, "%s", rec->text);
	f->found = true;
	return true;
}

bool kmsg_error_since(struct kmsg_mark *mark, const char *device, char *out, size_t size)
{
	struct first_error f = { device, out, size, false };

	kmsg_for_each_since(mark, first_error_cb, &f);
	return f.found;
}
