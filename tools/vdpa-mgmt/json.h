/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A streaming JSON writer: objects, arrays, strings, numbers, booleans,
 * compact (as iproute2's -j) or indented (-p).
 */
#ifndef VDPA_MGMT_JSON_H
#define VDPA_MGMT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json_writer {
	FILE *out;
	bool pretty;
	int depth;
	bool has_items[JSON_MAX_DEPTH];	/* per open container: a comma is due */
};

void json_init(struct json_writer *w, FILE *out, bool pretty);
/* KEY is NULL for a value in an array or at the top. */
void json_object_open(struct json_writer *w, const char *key);
void json_object_close(struct json_writer *w);
void json_array_open(struct json_writer *w, const char *key);
void json_array_close(struct json_writer *w);
void json_string(struct json_writer *w, const char *key, const char *value);
void json_uint(struct json_writer *w, const char *key, uint64_t value);
void json_bool(struct json_writer *w, const char *key, bool value);
/* After the top-level value: the final newline. */
void json_finish(struct json_writer *w);
/* S as a JSON string literal, quotes included. */
void json_write_escaped(FILE *out, const char *s);

#endif
