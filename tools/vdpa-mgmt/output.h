/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a command prints, built once as a small tree and rendered either
 * as aligned text or as JSON: human and -j output come from the same
 * fields, so they cannot drift apart.
 *
 * The shape is iproute2's: { SECTION: { OBJECT-NAME: { field: value } } }.
 */
#ifndef VDPA_MGMT_OUTPUT_H
#define VDPA_MGMT_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum out_format {
	OUT_HUMAN,
	OUT_JSON,
	OUT_JSON_PRETTY,
};

struct out_node;

struct out_node *out_new(void);
void out_free(struct out_node *root);
struct out_node *out_object(struct out_node *parent, const char *key);
struct out_node *out_array(struct out_node *parent, const char *key);
/* In an array, KEY is NULL. */
void out_string(struct out_node *parent, const char *key, const char *value);
void out_uint(struct out_node *parent, const char *key, uint64_t value);
/* A number in JSON that reads TEXT in the text rendering. */
void out_uint_text(struct out_node *parent, const char *key, uint64_t value, const char *text);
void out_bool(struct out_node *parent, const char *key, bool value);
void out_print(const struct out_node *root, FILE *out, enum out_format format);

#endif
