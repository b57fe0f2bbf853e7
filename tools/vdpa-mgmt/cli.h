/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The command front end: the table of commands (cli.c) and what main.c
 * hands each of them.
 */
#ifndef VDPA_MGMT_CLI_H
#define VDPA_MGMT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libvdpamgmt.h"
#include "output.h"

#define EXIT_OK		0
#define EXIT_FAILED	1	/* the operation failed */
#define EXIT_USAGE	2	/* the command line is wrong; nothing was done */

struct command;

struct cli {
	struct vdpamgmt *vm;
	enum out_format format;
	const struct command *cmd;
};

struct command {
	const char *words;	/* "dev config show" */
	const char *args;	/* "[NAME]", for the usage line */
	const char *summary;	/* one line for help */
	int (*run)(struct cli *c, int argc, char **argv);
	const char *details;	/* more for "WORDS -h", or NULL */
};

extern const struct command cli_commands[];
extern const size_t cli_command_count;

void cli_print_usage(FILE *out, const struct command *cmd);
/* "vdpa-mgmt: WORDS: MESSAGE" and the usage line; returns EXIT_USAGE. */
int cli_usage_error(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "vdpa-mgmt: WORDS OBJECT: <the session's error> (ERRNO)"; returns EXIT_FAILED. */
int cli_op_failed(struct cli *c, const char *object, int err);
/* The same with a reason of our own. */
int cli_failed(struct cli *c, const char *object, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Flush stdout: EXIT_OK, or one line saying it could not be written and EXIT_FAILED. */
int cli_flush_stdout(struct cli *c);
/* Print ROOT in the chosen format and free it (then cli_flush_stdout). */
int cli_emit(struct cli *c, struct out_node *root);

/* Argument checks: 0, or a usage error printed and EXIT_USAGE returned. */
int cli_check_dev_name(struct cli *c, const char *name);
int cli_check_mgmtdev(struct cli *c, const char *handle);
int cli_parse_u16(struct cli *c, const char *what, const char *text, uint16_t *out);
/* Decimal, 0x hex, or decimal with a K, M, G or T (powers of 1024) suffix. */
int cli_parse_u64(struct cli *c, const char *what, const char *text, uint64_t *out);

struct keyword {
	const char *name;
	const char *value;	/* NULL: not given */
};

/* "key value" pairs, each key at most once, in any order. */
int cli_parse_keywords(struct cli *c, int argc, char **argv, struct keyword *kw, size_t n);

/*
 * A device_features value in names (+/-, profile=) against MGMTDEV's
 * features, for device NAME: 0, or the failure printed and EXIT_FAILED.
 */
int cli_resolve_features(struct cli *c, const char *name, const char *mgmtdev,
			 const char *text, uint64_t *features);

/* Feature bits as names (iproute2's) or bit_N. */
void cli_out_features(struct out_node *obj, const char *key, uint64_t features,
		      uint32_t device_id);
/* The device type whose feature names a mgmtdev's devices use (0: common ones only). */
uint32_t cli_mgmtdev_device_id(const struct vdpamgmt_mgmtdev *m);
/* A number in JSON, 0x hex in text. */
void cli_out_hex(struct out_node *obj, const char *key, uint64_t value);
/* Virtio device status bits as names. */
void cli_out_status(struct out_node *obj, const char *key, uint8_t status);
/* DPU_VDPA_STATE_RX_* flags as "rx_mode": [names] (cli_state.c). */
void cli_out_rx_mode(struct out_node *obj, uint32_t flags);

/* cli_dpu.c: dpu_vdpa's family; cli_state.c: state blobs. */
int cmd_dev_status(struct cli *c, int argc, char **argv);
int cmd_dev_suspend(struct cli *c, int argc, char **argv);
int cmd_dev_resume(struct cli *c, int argc, char **argv);
int cmd_dev_log_start(struct cli *c, int argc, char **argv);
int cmd_dev_log_sync(struct cli *c, int argc, char **argv);
int cmd_dev_log_stop(struct cli *c, int argc, char **argv);
int cmd_dev_state_save(struct cli *c, int argc, char **argv);
int cmd_dev_state_load(struct cli *c, int argc, char **argv);
int cmd_dev_state_show(struct cli *c, int argc, char **argv);
int cmd_dev_migrate(struct cli *c, int argc, char **argv);
/* cli_apply.c: the devices file */
int cmd_apply(struct cli *c, int argc, char **argv);

#endif
