/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Files the commands read and write, "-" meaning stdin or stdout.  An
 * output is complete or absent: a regular file is written to a temporary
 * file beside it and renamed over it only once everything is written, and
 * stdout gets the data only at the end, in one piece.
 */
#ifndef VDPA_MGMT_FILES_H
#define VDPA_MGMT_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FILE_WHY_MAX	256

/*
 * All of PATH ("-": stdin), at most MAX bytes, into a malloc()ed *DATA.
 * 0, or a negative errno with WHY (-EFBIG: more than MAX bytes).
 */
int file_read_all(const char *path, size_t max, uint8_t **data, size_t *len, char *why);

struct output_file {
	const char *path;	/* as given; "-" is stdout */
	FILE *f;
	char *tmp_path;		/* the temporary file to rename; NULL if written in place */
	char *mem;		/* stdout's data, until commit */
	size_t mem_len;
};

/* Start writing PATH.  0, or a negative errno with WHY. */
int output_file_open(struct output_file *o, const char *path, char *why);
int output_file_write(struct output_file *o, const void *data, size_t len, char *why);
/* Everything written: make it visible.  Closes O either way. */
int output_file_commit(struct output_file *o, char *why);
/* Leave no trace of what was written. */
void output_file_abort(struct output_file *o);

#endif
