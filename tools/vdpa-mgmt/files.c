// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading a whole input, and outputs that appear whole or not at all
 * (files.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"

static int fail(char *why, int err, const char *what, const char *path)
{
	snprintf(why, FILE_WHY_MAX, "%s %s: %s", what, path, strerror(err));
	return -err;
}

int file_read_all(const char *path, size_t max, uint8_t **data, size_t *len, char *why)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	uint8_t *buf;
	size_t n;
	int err = 0;

	*data = NULL;
	*len = 0;
	if (!f)
		return fail(why, errno, "cannot open", path);
	buf = malloc(max + 1);
	if (!buf) {
		err = fail(why, ENOMEM, "cannot read", path);
		goto out;
	}
	/* one byte more than allowed tells a too-long input from a full one */
	n = fread(buf, 1, max + 1, f);
	if (ferror(f)) {
		err = fail(why, errno ? errno : EIO, "cannot read", path);
	} else if (n > max) {
		snprintf(why, FILE_WHY_MAX, "%s is over %zu bytes", is_stdin ? "stdin" : path,
			 max);
		err = -EFBIG;
	} else if (!n) {
		snprintf(why, FILE_WHY_MAX, "%s is empty", is_stdin ? "stdin" : path);
		err = -ENODATA;
	}
	if (err) {
		free(buf);
	} else {
		*data = buf;
		*len = n;
	}
out:
	if (!is_stdin)
		fclose(f);
	return err;
}

/* The permissions a new file gets from open(): 0666 less the umask. */
static mode_t new_file_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

int output_file_open(struct output_file *o, const char *path, char *why)
{
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	o->path = path;
	if (!strcmp(path, "-")) {
		/* a blob or bitmap on a terminal helps nobody and garbles it */
		if (isatty(STDOUT_FILENO)) {
			snprintf(why, FILE_WHY_MAX, "standard output is a terminal: send the "
				 "binary data to a file or a pipe");
			return -EINVAL;
		}
		o->f = open_memstream(&o->mem, &o->mem_len);
		return o->f ? 0 : fail(why, errno, "cannot buffer", "stdout");
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a device or a pipe: there is nothing to rename over */
		o->f = fopen(path, "wb");
		return o->f ? 0 : fail(why, errno, "cannot open", path);
	}
	if (asprintf(&o->tmp_path, "%s.tmp.XXXXXX", path) < 0) {
		o->tmp_path = NULL;
		return fail(why, ENOMEM, "cannot create", path);
	}
	fd = mkstemp(o->tmp_path);
	if (fd < 0 || fchmod(fd, new_file_mode()) < 0 || !(o->f = fdopen(fd, "wb"))) {
		int err = errno;

		if (fd >= 0) {
			close(fd);
			unlink(o->tmp_path);
		}
		free(o->tmp_path);
		o->tmp_path = NULL;
		return fail(why, err, "cannot create a file beside", path);
	}
	return 0;
}

int output_file_write(struct output_file *o, const void *data, size_t len, char *why)
{
	if (len && fwrite(data, 1, len, o->f) != len)
		return fail(why, errno ? errno : EIO, "cannot write", o->path);
	return 0;
}

int output_file_commit(struct output_file *o, char *why)
{
	int err = 0;

	if (fflush(o->f) || (o->tmp_path && fsync(fileno(o->f))))
		err = fail(why, errno, "cannot write", o->path);
	if (fclose(o->f) && !err)
		err = fail(why, errno, "cannot write", o->path);
	o->f = NULL;
	if (!err && o->mem &&
	    (fwrite(o->mem, 1, o->mem_len, stdout) != o->mem_len || fflush(stdout)))
		err = fail(why, errno ? errno : EIO, "cannot write", "stdout");
	if (!err && o->tmp_path && rename(o->tmp_path, o->path))
		err = fail(why, errno, "cannot rename the new file to", o->path);
	if (err) {
		output_file_abort(o);
		return err;
	}
	free(o->tmp_path);
	free(o->mem);
	o->tmp_path = NULL;
	o->mem = NULL;
	return 0;
}

void output_file_abort(struct output_file *o)
{
	if (o->f)
		fclose(o->f);
	o->f = NULL;
	if (o->tmp_path)
		unlink(o->tmp_path);
	free(o->tmp_path);
	free(o->mem);
	o->tmp_path = NULL;
	o->mem = NULL;
}
