// SPDX-License-Identifier: GPL-2.0-only
/*
 * The output tree and its two renderings.  Text: each object as a
 * "name:" line and its fields one per line, keys padded to one column:
 *
 *   vdpa0:
 *     type         network
 *     mgmtdev      pci/0000:00:08.0
 *
 * arrays on one line, wrapped under their first item when long.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "output.h"

#define TEXT_WIDTH	100

enum out_type {
	NODE_OBJECT,
	NODE_ARRAY,
	NODE_STRING,
	NODE_UINT,
	NODE_BOOL,
};

struct out_node {
	enum out_type type;
	char *key;
	char *string;
	uint64_t number;
	bool flag;
	struct out_node *first, *last, *next;
};

/* An out-of-memory in a command-line front end has one sensible answer. */
static void *xcalloc(size_t size)
{
	void *p = calloc(1, size);

	if (!p) {
		fputs("vdpa-mgmt: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = xcalloc(strlen(s) + 1);

	return strcpy(p, s);
}

static struct out_node *out_add(struct out_node *parent, enum out_type type, const char *key)
{
	struct out_node *n = xcalloc(sizeof(*n));

	n->type = type;
	n->key = key ? xstrdup(key) : NULL;
	if (parent->last)
		parent->last->next = n;
	else
		parent->first = n;
	parent->last = n;
	return n;
}

struct out_node *out_new(void)
{
	struct out_node *root = xcalloc(sizeof(*root));

	root->type = NODE_OBJECT;
	return root;
}

void out_free(struct out_node *n)
{
	while (n) {
		struct out_node *next = n->next;

		out_free(n->first);
		free(n->key);
		free(n->string);
		free(n);
		n = next;
	}
}

struct out_node *out_object(struct out_node *parent, const char *key)
{
	return out_add(parent, NODE_OBJECT, key);
}

struct out_node *out_array(struct out_node *parent, const char *key)
{
	return out_add(parent, NODE_ARRAY, key);
}

void out_string(struct out_node *parent, const char *key, const char *value)
{
	out_add(parent, NODE_STRING, key)->string = xstrdup(value);
}

void out_uint(struct out_node *parent, const char *key, uint64_t value)
{
	out_add(parent, NODE_UINT, key)->number = value;
}

void out_uint_text(struct out_node *parent, const char *key, uint64_t value, const char *text)
{
	struct out_node *n = out_add(parent, NODE_UINT, key);

	n->number = value;
	n->string = xstrdup(text);
}

void out_bool(struct out_node *parent, const char *key, bool value)
{
	out_add(parent, NODE_BOOL, key)->flag = value;
}

/* --- JSON */

static void json_node(struct json_writer *w, const struct out_node *n)
{
	const struct out_node *c;

	switch (n->type) {
	case NODE_OBJECT:
	case NODE_ARRAY:
		if (n->type == NODE_OBJECT)
			json_object_open(w, n->key);
		else
			json_array_open(w, n->key);
		for (c = n->first; c; c = c->next)
			json_node(w, c);
		if (n->type == NODE_OBJECT)
			json_object_close(w);
		else
			json_array_close(w);
		break;
	case NODE_STRING:
		json_string(w, n->key, n->string);
		break;
	case NODE_UINT:
		json_uint(w, n->key, n->number);
		break;
	case NODE_BOOL:
		json_bool(w, n->key, n->flag);
		break;
	}
}

/* --- text */

static int scalar_text(const struct out_node *n, char *buf, size_t size)
{
	switch (n->type) {
	case NODE_STRING:
		return snprintf(buf, size, "%s", n->string);
	case NODE_UINT:
		if (n->string)
			return snprintf(buf, size, "%s", n->string);
		return snprintf(buf, size, "%llu", (unsigned long long)n->number);
	case NODE_BOOL:
		return snprintf(buf, size, "%s", n->flag ? "true" : "false");
	default:
		return snprintf(buf, size, "?");
	}
}

static void text_array(FILE *out, const struct out_node *arr, int column)
{
	const struct out_node *c;
	int at = column;
	char item[256];

	for (c = arr->first; c; c = c->next) {
		int len = scalar_text(c, item, sizeof(item));

		if (c != arr->first) {
			if (at + 1 + len > TEXT_WIDTH) {
				fprintf(out, "\n%*s", column, "");
				at = column;
			} else {
				fputc(' ', out);
				at++;
			}
		}
		fputs(item, out);
		at += len;
	}
	fputc('\n', out);
}

static void text_fields(FILE *out, const struct out_node *obj, int indent)
{
	const struct out_node *c;
	int width = 0;
	char value[256];

	for (c = obj->first; c; c = c->next)
		if (c->type != NODE_OBJECT && c->key && (int)strlen(c->key) > width)
			width = (int)strlen(c->key);
	for (c = obj->first; c; c = c->next) {
		const char *key = c->key ? c->key : "";

		if (c->type == NODE_OBJECT) {
			fprintf(out, "%*s%s:\n", indent, "", key);
			text_fields(out, c, indent + 2);
		} else if (c->type == NODE_ARRAY && !c->first) {
			/* not a blank value with trailing spaces: JSON has [] */
			fprintf(out, "%*s%-*s  none\n", indent, "", width, key);
		} else if (c->type == NODE_ARRAY) {
			fprintf(out, "%*s%-*s  ", indent, "", width, key);
			text_array(out, c, indent + width + 2);
		} else {
			scalar_text(c, value, sizeof(value));
			fprintf(out, "%*s%-*s  %s\n", indent, "", width, key, value);
		}
	}
}

void out_print(const struct out_node *root, FILE *out, enum out_format format)
{
	const struct out_node *section;

	if (format != OUT_HUMAN) {
		struct json_writer w;

		json_init(&w, out, format == OUT_JSON_PRETTY);
		json_node(&w, root);
		json_finish(&w);
		return;
	}
	/* sections are JSON's wrapping only; text starts at their objects */
	for (section = root->first; section; section = section->next) {
		if (section->type == NODE_OBJECT)
			text_fields(out, section, 0);
	}
}
