/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The command front end: the table of commands (cli.c) and what main.c
 * hands each of them.
 */
#ifndef VDPA_MGMT_CLI_H
#define VDPA_MGMT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "libvdpamgmt.h"
#include "output.h"

#define EXIT_OK		0
#define EXIT_FAILED	1	/* the operation failed */
#define EXIT_USAGE	2	/* the command line is wrong; nothing was done */

struct command;

struct cli {
	struct vdpa_mgmt *vm;
	enum out_format format;
	const struct command *cmd;
};

struct command {
	const char *words;	/* "dev config show" */
	const char *args;	/* "[NAME]", for the usage line */
	const char *summary;	/* one line for help */
	int (*run)(struct cli *c, int argc, char **argv);
};

extern const struct command cli_commands[];
extern const size_t cli_command_count;

void cli_print_usage(FILE *out, const struct command *cmd);
/* "vdpa-mgmt: WORDS: MESSAGE" and the usage line; returns EXIT_USAGE. */
int cli_usage_error(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
