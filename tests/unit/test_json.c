// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of the JSON writer and the output tree (TAP).  Run under
 * valgrind by tests/unit/vdpa-mgmt-json.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "output.h"

static int test_num, test_failed;

static void check_str(const char *what, const char *want, const char *got)
{
	test_num++;
	if (!strcmp(want, got)) {
		printf("ok %d - %s\n", test_num, what);
		return;
	}
	test_failed++;
	printf("not ok %d - %s\n#   want: %s\n#   got:  %s\n", test_num, what, want, got);
}

/* Run FN(w) on a memory stream and return what it wrote (caller frees). */
static char *capture_json(void (*fn)(struct json_writer *w, const void *arg), const void *arg,
			  bool pretty)
{
	struct json_writer w;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	json_init(&w, f, pretty);
	fn(&w, arg);
	fclose(f);
	return text;
}

static void write_escaped(struct json_writer *w, const void *arg)
{
	json_write_escaped(w->out, arg);
}

static void check_escape(const char *what, const char *in, const char *want)
{
	char *got = capture_json(write_escaped, in, false);

	check_str(what, want, got);
	free(got);
}

static void write_nested(struct json_writer *w, const void *arg)
{
	(void)arg;
	json_object_open(w, NULL);
	json_object_open(w, "dev");
	json_object_open(w, "vdpa0");
	json_string(w, "type", "network");
	json_uint(w, "max_vqs", 5);
	json_bool(w, "ok", true);
	json_array_open(w, "f");
	json_string(w, NULL, "A");
	json_uint(w, NULL, 54);
	json_array_close(w);
	json_array_open(w, "empty");
	json_array_close(w);
	json_object_close(w);
	json_object_close(w);
	json_object_close(w);
	json_finish(w);
}

static char *capture_out(const struct out_node *root, enum out_format format)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	out_print(root, f, format);
	fclose(f);
	return text;
}

int main(void)
{
	struct out_node *root, *section, *obj, *arr;
	char *got;
	int i;

	check_escape("plain string", "vdpa0", "\"vdpa0\"");
	check_escape("empty string", "", "\"\"");
	check_escape("quote and backslash", "a\"b\\c", "\"a\\\"b\\\\c\"");
	check_escape("short escapes", "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	check_escape("other control characters as \\u00XX", "\x01x\x1f\x7f",
		     "\"\\u0001x\\u001f\\u007f\"");
	check_escape("UTF-8 passes unchanged", "caf\xc3\xa9", "\"caf\xc3\xa9\"");
	check_escape("slash is not escaped", "pci/0000:00:08.0", "\"pci/0000:00:08.0\"");

	got = capture_json(write_nested, NULL, false);
	check_str("compact nesting, as iproute2 -j",
		  "{\"dev\":{\"vdpa0\":{\"type\":\"network\",\"max_vqs\":5,\"ok\":true,"
		  "\"f\":[\"A\",54],\"empty\":[]}}}\n", got);
	free(got);
	got = capture_json(write_nested, NULL, true);
	check_str("pretty nesting",
		  "{\n    \"dev\": {\n        \"vdpa0\": {\n            \"type\": \"network\",\n"
		  "            \"max_vqs\": 5,\n            \"ok\": true,\n"
		  "            \"f\": [\n                \"A\",\n                54\n"
		  "            ],\n            \"empty\": []\n        }\n    }\n}\n", got);
	free(got);

	root = out_new();
	section = out_object(root, "dev");
	obj = out_object(section, "vdpa0");
	out_string(obj, "type", "network");
	out_uint(obj, "max_vq_size", 256);
	out_bool(obj, "link_announce", false);
	arr = out_array(obj, "dev_features");
	out_string(arr, NULL, "MAC");
	out_uint_text(arr, NULL, 54, "bit_54");
	obj = out_object(section, "we\"ird");
	out_string(obj, "x", "tab\there");
	got = capture_out(root, OUT_JSON);
	check_str("tree as JSON: numbers for unnamed bits, keys escaped",
		  "{\"dev\":{\"vdpa0\":{\"type\":\"network\",\"max_vq_size\":256,"
		  "\"link_announce\":false,\"dev_features\":[\"MAC\",54]},"
		  "\"we\\\"ird\":{\"x\":\"tab\\there\"}}}\n", got);
	free(got);
	got = capture_out(root, OUT_HUMAN);
	check_str("tree as text: aligned fields, bit_N for unnamed bits",
		  "vdpa0:\n  type           network\n  max_vq_size    256\n"
		  "  link_announce  false\n  dev_features   MAC bit_54\nwe\"ird:\n  x  tab\there\n",
		  got);
	free(got);
	out_free(root);

	root = out_new();
	out_object(root, "dev");
	got = capture_out(root, OUT_JSON);
	check_str("empty section as JSON", "{\"dev\":{}}\n", got);
	free(got);
	got = capture_out(root, OUT_HUMAN);
	check_str("empty section as text prints nothing", "", got);
	free(got);
	out_free(root);

	root = out_new();
	arr = out_array(out_object(out_object(root, "s"), "o"), "features");
	for (i = 0; i < 12; i++)
		out_string(arr, NULL, "FEATURE_NAME");
	got = capture_out(root, OUT_HUMAN);
	check_str("long arrays wrap at 100 columns under their first item",
		  "o:\n  features  FEATURE_NAME FEATURE_NAME FEATURE_NAME FEATURE_NAME "
		  "FEATURE_NAME FEATURE_NAME\n"
		  "            FEATURE_NAME FEATURE_NAME FEATURE_NAME FEATURE_NAME FEATURE_NAME "
		  "FEATURE_NAME\n",
		  got);
	free(got);
	out_free(root);

	root = out_new();
	obj = out_object(out_object(root, "state"), "blob");
	out_array(obj, "vlans");
	out_uint(obj, "mtu", 1500);
	got = capture_out(root, OUT_HUMAN);
	check_str("an empty array as text: \"none\", no trailing blanks",
		  "blob:\n  vlans  none\n  mtu    1500\n", got);
	free(got);
	out_free(root);

	printf("1..%d\n", test_num);
	return test_failed ? 1 : 0;
}
