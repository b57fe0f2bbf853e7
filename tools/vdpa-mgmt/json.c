// SPDX-License-Identifier: GPL-2.0-only
/*
 * The JSON writer.  Strings are escaped per RFC 8259: quote, backslash
 * and every control character; other bytes (UTF-8) pass unchanged.
 */
#include "json.h"

void json_init(struct json_writer *w, FILE *out, bool pretty)
{
	w->out = out;
	w->pretty = pretty;
	w->depth = 0;
	w->has_items[0] = false;
}

void json_write_escaped(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', out);
	for (; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

static void json_indent(struct json_writer *w)
{
	int i;

	if (!w->pretty)
		return;
	fputc('\n', w->out);
	for (i = 0; i < w->depth; i++)
		fputs("    ", w->out);
}

/* The separator and key before any value. */
static void json_value_start(struct json_writer *w, const char *key)
{
	if (w->has_items[w->depth])
		fputc(',', w->out);
	w->has_items[w->depth] = true;
	if (w->depth > 0)
		json_indent(w);
	if (key) {
		json_write_escaped(w->out, key);
		fputs(w->pretty ? ": " : ":", w->out);
	}
}

static void json_open(struct json_writer *w, const char *key, char bracket)
{
	json_value_start(w, key);
	fputc(bracket, w->out);
	if (w->depth < JSON_MAX_DEPTH - 1)
		w->depth++;
	w->has_items[w->depth] = false;
}

static void json_close(struct json_writer *w, char bracket)
{
	bool had_items = w->has_items[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (had_items)
		json_indent(w);
	fputc(bracket, w->out);
}

void json_object_open(struct json_writer *w, const char *key)
{
	json_open(w, key, '{');
}

void json_object_close(struct json_writer *w)
{
	json_close(w, '}');
}

void json_array_open(struct json_writer *w, const char *key)
{
	json_open(w, key, '[');
}

void json_array_close(struct json_writer *w)
{
	json_close(w, ']');
}

void json_string(struct json_writer *w, const char *key, const char *value)
{
	json_value_start(w, key);
	json_write_escaped(w->out, value);
}

void json_uint(struct json_writer *w, const char *key, uint64_t value)
{
	json_value_start(w, key);
	fprintf(w->out, "%llu", (unsigned long long)value);
}

void json_bool(struct json_writer *w, const char *key, bool value)
{
	json_value_start(w, key);
	fputs(value ? "true" : "false", w->out);
}

void json_finish(struct json_writer *w)
{
	fputc('\n', w->out);
}
