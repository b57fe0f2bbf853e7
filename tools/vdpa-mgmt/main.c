// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdpa-mgmt: create, attach and inspect vDPA devices (dpu_vdpa and any
 * other vDPA driver), and hand PCI functions to dpu_vdpa.
 *
 * This file: global options, finding the command in the table (cli.c),
 * help.  A command is its words ("dev config show") followed by its
 * arguments; an object alone means its "show".
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef VDPA_MGMT_VERSION
#define VDPA_MGMT_VERSION "0.1"
#endif

static void print_help(FILE *out)
{
	size_t i;

	fputs("usage: vdpa-mgmt [-j] [-p] OBJECT COMMAND [ARGS]\n"
	      "  -j, --json      JSON output, the objects of iproute2's \"vdpa -j\"\n"
	      "  -p, --pretty    indented JSON (implies -j)\n"
	      "  -V, --version   print the version\n"
	      "  -h, --help      this help; \"-h\" after any command: its usage\n"
	      "\ncommands:\n", out);
	for (i = 0; i < cli_command_count; i++) {
		fputs("  ", out);
		cli_print_usage(out, &cli_commands[i]);
		fprintf(out, "      %s\n", cli_commands[i].summary);
	}
	fputs("\nMGMTDEV is bus/name (pci/0000:00:08.0); BDF a PCI address (0000:00:08.0).\n"
	      "exit status: 0 done, 1 the operation failed, 2 bad usage (nothing done)\n", out);
}

/* How many of WORDS ("dev config show") lead ARGV; 0 unless all of them. */
static int words_lead(const char *words, int argc, char **argv, bool partial)
{
	int n = 0;

	while (*words) {
		size_t len = strcspn(words, " ");

		if (n >= argc || strlen(argv[n]) != len || strncmp(argv[n], words, len))
			return partial ? n : 0;
		n++;
		words += len;
		words += *words == ' ';
	}
	return n;
}

static bool is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help") || !strcmp(arg, "help");
}

/* Commands whose words start with the first N of ARGV, to OUT. */
static void print_group_usage(FILE *out, int n, char **argv)
{
	size_t i;

	for (i = 0; i < cli_command_count; i++)
		if (words_lead(cli_commands[i].words, n, argv, true) == n) {
			fputs(out == stderr ? "usage: " : "", out);
			cli_print_usage(out, &cli_commands[i]);
		}
}

static int run(const struct command *cmd, enum out_format format, int argc, char **argv)
{
	struct cli c = { .format = format, .cmd = cmd };
	int i, ret;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") ||
		    (argc == 1 && !strcmp(argv[i], "help"))) {
			fputs("usage: ", stdout);
			cli_print_usage(stdout, cmd);
			printf("  %s\n", cmd->summary);
			if (cmd->details)
				fputs(cmd->details, stdout);
			return EXIT_OK;
		}
	c.vm = vdpamgmt_new();
	if (!c.vm) {
		fputs("vdpa-mgmt: out of memory\n", stderr);
		return EXIT_FAILED;
	}
	ret = cmd->run(&c, argc, argv);
	vdpamgmt_free(c.vm);
	return ret;
}

static int dispatch(enum out_format format, int argc, char **argv)
{
	const struct command *best = NULL;
	char show_words[64];
	int best_n = 0, group_n = 0, n;
	size_t i;

	for (i = 0; i < cli_command_count; i++) {
		n = words_lead(cli_commands[i].words, argc, argv, false);
		if (n > best_n) {
			best = &cli_commands[i];
			best_n = n;
		}
		n = words_lead(cli_commands[i].words, argc, argv, true);
		if (n > group_n)
			group_n = n;
	}
	if (best)
		return run(best, format, argc - best_n, argv + best_n);
	if (!group_n) {
		fprintf(stderr, "vdpa-mgmt: unknown object \"%s\" (try \"vdpa-mgmt help\")\n",
			argv[0]);
		return EXIT_USAGE;
	}
	if (group_n < argc && is_help(argv[group_n])) {
		print_group_usage(stdout, group_n, argv);
		return EXIT_OK;
	}
	if (group_n == argc) {
		/* an object alone is its "show" */
		show_words[0] = '\0';
		for (n = 0; n < group_n; n++)
			snprintf(show_words + strlen(show_words),
				 sizeof(show_words) - strlen(show_words), "%s ", argv[n]);
		strncat(show_words, "show", sizeof(show_words) - strlen(show_words) - 1);
		for (i = 0; i < cli_command_count; i++)
			if (!strcmp(cli_commands[i].words, show_words))
				return run(&cli_commands[i], format, 0, argv + argc);
		fprintf(stderr, "vdpa-mgmt: %s: missing command\n", argv[0]);
	} else {
		fprintf(stderr, "vdpa-mgmt: ");
		for (n = 0; n < group_n; n++)
			fprintf(stderr, "%s%s", argv[n], n + 1 < group_n ? " " : "");
		fprintf(stderr, ": unknown command \"%s\"\n", argv[group_n]);
	}
	print_group_usage(stderr, group_n, argv);
	return EXIT_USAGE;
}

/*
 * Short options, combinable (-jp).  True when the program is done (-h,
 * -V, a bad option), with its exit status in *RET.
 */
static bool parse_short_options(const char *opts, bool *json, bool *pretty, int *ret)
{
	for (; *opts; opts++) {
		switch (*opts) {
		case 'j':
			*json = true;
			break;
		case 'p':
			*pretty = true;
			break;
		case 'h':
			print_help(stdout);
			*ret = EXIT_OK;
			return true;
		case 'V':
			printf("vdpa-mgmt %s\n", VDPA_MGMT_VERSION);
			*ret = EXIT_OK;
			return true;
		default:
			fprintf(stderr, "vdpa-mgmt: unknown option \"-%c\"\n", *opts);
			*ret = EXIT_USAGE;
			return true;
		}
	}
	return false;
}

int main(int argc, char **argv)
{
	enum out_format format = OUT_HUMAN;
	bool json = false, pretty = false;
	int i = 1, ret;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *opt = argv[i];

		if (!strcmp(opt, "--")) {
			i++;
			break;
		} else if (!strcmp(opt, "--json")) {
			json = true;
		} else if (!strcmp(opt, "--pretty")) {
			pretty = true;
		} else if (!strcmp(opt, "--help")) {
			print_help(stdout);
			return EXIT_OK;
		} else if (!strcmp(opt, "--version")) {
			printf("vdpa-mgmt %s\n", VDPA_MGMT_VERSION);
			return EXIT_OK;
		} else if (opt[1] == '-') {
			fprintf(stderr, "vdpa-mgmt: unknown option \"%s\"\n", opt);
			return EXIT_USAGE;
		} else if (parse_short_options(opt + 1, &json, &pretty, &ret)) {
			return ret;
		}
	}
	if (pretty)
		format = OUT_JSON_PRETTY;
	else if (json)
		format = OUT_JSON;
	if (i >= argc) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		print_help(stdout);
		return EXIT_OK;
	}
	return dispatch(format, argc - i, argv + i);
}
