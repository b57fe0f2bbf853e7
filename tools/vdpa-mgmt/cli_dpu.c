// SPDX-License-Identifier: GPL-2.0-only
/*
 * The commands of dpu_vdpa's own family: dev status, suspend, resume,
 * log start/sync/stop, state save/load, migrate.  As in cli.c, each checks
 * its whole command line before asking the kernel anything.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/dpu_vdpa.h>
#include <linux/dpu_vdpa_state.h>

#include "cli.h"
#include "files.h"

#define LOG_PAGE_SIZE_MIN	4096u
#define LOG_PAGE_SIZE_MAX	(1u << 30)

/* --- argument checks */

/* "NAME", exactly one. */
static int one_dev_name(struct cli *c, int argc, char **argv)
{
	if (argc != 1)
		return cli_usage_error(c, argc ? "unexpected argument \"%s\"" : "missing NAME%s",
				       argc ? argv[1] : "");
	return cli_check_dev_name(c, argv[0]);
}

static int parse_page_size(struct cli *c, const char *text, uint32_t *out)
{
	uint64_t v;

	if (cli_parse_u64(c, "page_size", text, &v))
		return EXIT_USAGE;
	if (v < LOG_PAGE_SIZE_MIN || v > LOG_PAGE_SIZE_MAX || (v & (v - 1)))
		return cli_usage_error(c, "page_size \"%s\" is not a power of two from 4096 to "
				       "1G", text);
	*out = (uint32_t)v;
	return 0;
}

struct log_range {
	uint64_t iova;
	uint64_t len;			/* 0: none given */
	uint32_t page_size;		/* 0: the kernel's default */
};

/*
 * iova / len / page_size keywords already split out.  Without len, log
 * start (WHOLE_SPACE) lets the kernel log the consumer's whole address
 * space; migrate does not log at all, so a page size alone means nothing.
 */
static int parse_log_range(struct cli *c, const char *iova, const char *len,
			   const char *page_size, bool whole_space, struct log_range *r)
{
	memset(r, 0, sizeof(*r));
	if (!len && (iova || (page_size && !whole_space)))
		return cli_usage_error(c, "missing \"len BYTES\" (the length of the range to log)");
	if ((iova && cli_parse_u64(c, "iova", iova, &r->iova)) ||
	    (len && cli_parse_u64(c, "len", len, &r->len)) ||
	    (page_size && parse_page_size(c, page_size, &r->page_size)))
		return EXIT_USAGE;
	if (!len)
		return 0;
	if (!r->len)
		return cli_usage_error(c, "len must not be 0");
	if (r->iova + (r->len - 1) < r->iova)
		return cli_usage_error(c, "iova + len is past 2^64");
	return 0;
}

/* --- dev status */

static const char *const mode_names[] = {
	[DPU_VDPA_MODE_STOPPED] = "stopped",
	[DPU_VDPA_MODE_DIRECT] = "direct",
	[DPU_VDPA_MODE_SHADOW] = "shadow",
};

static const char *const stat_names[] = {
	[DPU_VDPA_STAT_RELAYED_AVAIL] = "relayed_avail",
	[DPU_VDPA_STAT_RELAYED_USED] = "relayed_used",
	[DPU_VDPA_STAT_DIRTY_MARKED] = "dirty_marked",
	[DPU_VDPA_STAT_SUSPENDS] = "suspends",
	[DPU_VDPA_STAT_MODE_SWITCHES] = "mode_switches",
	[DPU_VDPA_STAT_REWOUND] = "rewound",
	[DPU_VDPA_STAT_RING_ERRORS] = "ring_errors",
};

_Static_assert(sizeof(stat_names) / sizeof(stat_names[0]) == DPU_VDPA_STAT_MAX + 1,
	       "a name for every counter");

/* what the running kernel's vDPA core offers the device's consumers */
static const char *const core_cap_names[] = {
	[DPU_VDPA_CORE_CAP_SUSPEND] = "suspend",
	[DPU_VDPA_CORE_CAP_RESUME] = "resume",
	[DPU_VDPA_CORE_CAP_VQ_SIZE] = "vq_size",
	[DPU_VDPA_CORE_CAP_VQ_DMA_DEV] = "vq_dma_dev",
	[DPU_VDPA_CORE_CAP_BACKEND_FEATURES] = "backend_features",
	[DPU_VDPA_CORE_CAP_RESET_MAP] = "reset_map",
	[DPU_VDPA_CORE_CAP_DEV_SET] = "dev_set",
};

_Static_assert(sizeof(core_cap_names) / sizeof(core_cap_names[0]) == __DPU_VDPA_CORE_CAP_MAX,
	       "a name for every capability of the vDPA core");

/*
 * What a loaded state that DRIVER_OK has not consumed yet carries, with
 * the keys of dev state show where they are the same thing.
 */
static void out_staged(struct out_node *obj, const struct vdpamgmt_dpu_staged *st,
		       uint32_t device_id)
{
	struct out_node *sub = out_object(obj, "staged"), *arr;
	char mac[18];
	uint32_t i;

	cli_out_features(sub, "driver_features", st->driver_features, device_id);
	if (VDPAMGMT_HAS(st, DPU_VDPA_STAGED_AVAIL)) {
		out_uint(sub, "num_queues", st->num_vqs);
		arr = out_array(sub, "avail_idx");
		for (i = 0; i < st->num_vqs && i < VDPAMGMT_DPU_STAGED_VQS_MAX; i++)
			out_uint(arr, NULL, st->avail[i]);
	}
	if (VDPAMGMT_HAS(st, DPU_VDPA_STAGED_NET_MAC)) {
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", st->net_mac[0],
			 st->net_mac[1], st->net_mac[2], st->net_mac[3], st->net_mac[4],
			 st->net_mac[5]);
		out_string(sub, "mac", mac);
	}
	if (VDPAMGMT_HAS(st, DPU_VDPA_STAGED_NET_PAIRS))
		out_uint(sub, "vq_pairs", st->net_pairs);
	if (VDPAMGMT_HAS(st, DPU_VDPA_STAGED_NET_RX_FLAGS))
		cli_out_rx_mode(sub, st->net_rx_flags);
	if (VDPAMGMT_HAS(st, DPU_VDPA_STAGED_NET_MACS))
		out_uint(sub, "mac_table_entries", st->net_macs);
	if (VDPAMGMT_HAS(st, DPU_VDPA_STAGED_NET_VLANS))
		out_uint(sub, "vlan_count", st->net_vlans);
}

/*
 * Keys shared with dev show mean the same and follow its convention: the
 * bus driver is "driver", and absent when no bus driver holds the device.
 * STAGED: what the device has staged, NULL if nothing.
 */
static void status_out(struct out_node *section, const struct vdpamgmt_dpu_dev *d,
		       const struct vdpamgmt_dpu_staged *staged)
{
	struct out_node *obj = out_object(section, d->name), *sub;
	const char *type = vdpamgmt_device_type_name(d->device_id);
	unsigned int i;

	if (d->mgmtdev[0])
		out_string(obj, "mgmtdev", d->mgmtdev);
	if (VDPAMGMT_HAS(d, DPU_VDPA_A_DEVICE_ID))
		out_string(obj, "type", type ? type : "<unknown type>");
	if (d->bus_driver[0])
		out_string(obj, "driver", d->bus_driver);
	if (VDPAMGMT_HAS(d, DPU_VDPA_A_STATUS))
		cli_out_status(obj, "status", d->status);
	if (VDPAMGMT_HAS(d, DPU_VDPA_A_MODE)) {
		if (d->mode < sizeof(mode_names) / sizeof(mode_names[0]))
			out_string(obj, "mode", mode_names[d->mode]);
		else
			out_uint(obj, "mode", d->mode);
	}
	if (VDPAMGMT_HAS(d, DPU_VDPA_A_SUSPENDED))
		out_bool(obj, "suspended", d->suspended);
	if (VDPAMGMT_HAS(d, DPU_VDPA_A_LOGGING))
		out_bool(obj, "logging", d->logging);
	if (d->logging) {
		sub = out_object(obj, "log");
		if (VDPAMGMT_HAS(d, DPU_VDPA_A_LOG_IOVA))
			cli_out_hex(sub, "iova", d->log_iova);
		if (VDPAMGMT_HAS(d, DPU_VDPA_A_LOG_LEN))
			out_uint(sub, "len", d->log_len);
		if (VDPAMGMT_HAS(d, DPU_VDPA_A_LOG_PAGE_SIZE))
			out_uint(sub, "page_size", d->log_page_size);
		out_bool(sub, "owned", d->log_owned);
	}
	if (staged)
		out_staged(obj, staged, d->device_id);
	if (VDPAMGMT_HAS(d, DPU_VDPA_A_CORE_CAPS)) {
		sub = out_object(obj, "vdpa_core");
		for (i = 0; i < __DPU_VDPA_CORE_CAP_MAX; i++)
			out_bool(sub, core_cap_names[i], (d->core_caps >> i) & 1);
	}
	if (VDPAMGMT_HAS(d, DPU_VDPA_A_STATS)) {
		sub = out_object(obj, "stats");
		for (i = 0; i <= DPU_VDPA_STAT_MAX; i++)
			if (stat_names[i] && (d->stats_present >> i) & 1)
				out_uint(sub, stat_names[i], d->stats[i]);
	}
}

/* The devices of a dump, kept: what one has staged is asked after the dump. */
struct status_list {
	struct vdpamgmt_dpu_dev *devs;
	size_t n;
};

static int status_collect(const struct vdpamgmt_dpu_dev *d, void *arg)
{
	struct status_list *l = arg;
	struct vdpamgmt_dpu_dev *more = realloc(l->devs, (l->n + 1) * sizeof(*more));

	if (!more)
		return -ENOMEM;
	l->devs = more;
	l->devs[l->n++] = *d;
	return 0;
}

int cmd_dev_status(struct cli *c, int argc, char **argv)
{
	struct status_list list = { 0 };
	struct vdpamgmt_dpu_staged *staged;
	struct out_node *root, *section;
	size_t i;
	int err;

	if (argc > 1)
		return cli_usage_error(c, "unexpected argument \"%s\"", argv[1]);
	if (argc == 1 && cli_check_dev_name(c, argv[0]))
		return EXIT_USAGE;
	staged = malloc(sizeof(*staged));
	if (!staged)
		return cli_failed(c, NULL, ENOMEM, "out of memory");
	if (argc == 1) {
		list.devs = malloc(sizeof(*list.devs));
		err = list.devs ? vdpamgmt_dpu_dev_get(c->vm, argv[0], list.devs) : -ENOMEM;
		list.n = !err;
	} else {
		err = vdpamgmt_dpu_dev_for_each(c->vm, status_collect, &list);
	}
	root = out_new();
	section = out_object(root, "dev");
	for (i = 0; !err && i < list.n; i++) {
		const struct vdpamgmt_dpu_dev *d = &list.devs[i];
		int found = 0;

		/* consumed or dropped since: shown without it */
		if (VDPAMGMT_HAS(d, DPU_VDPA_A_STAGED))
			found = vdpamgmt_dpu_staged_get(c->vm, d->name, staged);
		if (found < 0)
			err = found;
		else
			status_out(section, d, found ? staged : NULL);
	}
	free(list.devs);
	free(staged);
	if (err) {
		out_free(root);
		if (err == -ENOMEM && !vdpamgmt_error(c->vm)[0])
			return cli_failed(c, argc ? argv[0] : NULL, ENOMEM, "out of memory");
		return cli_op_failed(c, argc ? argv[0] : NULL, err);
	}
	return cli_emit(c, root);
}

/* --- the log range and sync summary, for log start, sync and migrate */

static void out_log_range(struct out_node *obj, const struct vdpamgmt_dpu_log_summary *log)
{
	cli_out_hex(obj, "iova", log->iova);
	out_uint(obj, "len", log->len);
	out_uint(obj, "page_size", log->page_size);
	out_uint(obj, "pages", log->pages);
}

static void out_log_summary(struct out_node *obj, const struct vdpamgmt_dpu_log_summary *log)
{
	out_log_range(obj, log);
	out_uint(obj, "dirty", log->dirty);
}

/* --- suspend, resume, log start / stop */

int cmd_dev_suspend(struct cli *c, int argc, char **argv)
{
	int err;

	if (one_dev_name(c, argc, argv))
		return EXIT_USAGE;
	err = vdpamgmt_dpu_suspend(c->vm, argv[0]);
	return err ? cli_op_failed(c, argv[0], err) : EXIT_OK;
}

int cmd_dev_resume(struct cli *c, int argc, char **argv)
{
	int err;

	if (one_dev_name(c, argc, argv))
		return EXIT_USAGE;
	err = vdpamgmt_dpu_resume(c->vm, argv[0]);
	return err ? cli_op_failed(c, argv[0], err) : EXIT_OK;
}

int cmd_dev_log_start(struct cli *c, int argc, char **argv)
{
	enum { IOVA, LEN, PAGE_SIZE };
	struct keyword kw[] = { [IOVA] = { "iova" }, [LEN] = { "len" },
				[PAGE_SIZE] = { "page_size" } };
	struct vdpamgmt_dpu_log_summary range;
	struct out_node *root;
	struct log_range r;
	int err;

	if (argc < 1)
		return cli_usage_error(c, "missing NAME");
	if (cli_check_dev_name(c, argv[0]) ||
	    cli_parse_keywords(c, argc - 1, argv + 1, kw, sizeof(kw) / sizeof(kw[0])) ||
	    parse_log_range(c, kw[IOVA].value, kw[LEN].value, kw[PAGE_SIZE].value, true, &r))
		return EXIT_USAGE;
	err = vdpamgmt_dpu_log_start(c->vm, argv[0], r.iova, r.len, r.page_size, 0);
	if (err)
		return cli_op_failed(c, argv[0], err);
	/* the range, rounded out to pages and perhaps the kernel's choice */
	err = vdpamgmt_dpu_log_range(c->vm, argv[0], &range);
	if (err)
		return cli_op_failed(c, argv[0], err);
	root = out_new();
	out_log_range(out_object(out_object(root, "log"), argv[0]), &range);
	return cli_emit(c, root);
}

int cmd_dev_log_stop(struct cli *c, int argc, char **argv)
{
	int err;

	if (one_dev_name(c, argc, argv))
		return EXIT_USAGE;
	err = vdpamgmt_dpu_log_stop(c->vm, argv[0]);
	return err ? cli_op_failed(c, argv[0], err) : EXIT_OK;
}

/* --- log sync */

/* Where the chunks of a sync go: an output file, or nowhere. */
struct bitmap_sink {
	struct output_file *out;	/* NULL: not kept */
	char why[FILE_WHY_MAX];
};

static int bitmap_chunk(const struct vdpamgmt_dpu_log_chunk *chunk, void *arg)
{
	struct bitmap_sink *sink = arg;

	if (!sink->out)
		return 0;
	return output_file_write(sink->out, chunk->bitmap, (chunk->pages + 7) / 8, sink->why);
}

/* After a sync or migrate: the file is complete, or removed and the failure told. */
static int finish_bitmap(struct cli *c, const char *object, struct bitmap_sink *sink, int err)
{
	if (!sink->out)
		return err ? cli_op_failed(c, object, err) : EXIT_OK;
	if (err) {
		output_file_abort(sink->out);
		/* a file error is ours; otherwise the kernel's, in the session */
		return sink->why[0] ? cli_failed(c, object, err, "%s", sink->why) :
				      cli_op_failed(c, object, err);
	}
	err = output_file_commit(sink->out, sink->why);
	return err ? cli_failed(c, object, err, "%s", sink->why) : EXIT_OK;
}

int cmd_dev_log_sync(struct cli *c, int argc, char **argv)
{
	struct bitmap_sink sink = { 0 };
	struct vdpamgmt_dpu_log_summary log;
	struct output_file out;
	struct out_node *root;
	int err;

	if (argc < 1 || argc > 2)
		return cli_usage_error(c, argc ? "unexpected argument \"%s\"" : "missing NAME%s",
				       argc ? argv[2] : "");
	if (cli_check_dev_name(c, argv[0]))
		return EXIT_USAGE;
	if (argc == 2) {
		err = output_file_open(&out, argv[1], sink.why);
		if (err)
			return cli_failed(c, argv[0], err, "%s", sink.why);
		sink.out = &out;
	}
	err = vdpamgmt_dpu_log_sync(c->vm, argv[0], bitmap_chunk, &sink, &log);
	if (finish_bitmap(c, argv[0], &sink, err))
		return EXIT_FAILED;
	root = out_new();
	out_log_summary(out_object(out_object(root, "log"), argv[0]), &log);
	if (argc == 2 && !strcmp(argv[1], "-")) {
		/* stdout has the bitmap: the summary goes beside it */
		out_print(root, stderr, c->format);
		out_free(root);
		return EXIT_OK;
	}
	return cli_emit(c, root);
}

/* --- state save / load */

int cmd_dev_state_save(struct cli *c, int argc, char **argv)
{
	char why[FILE_WHY_MAX];
	struct output_file out;
	uint8_t *blob;
	size_t len;
	int err;

	if (argc != 2)
		return cli_usage_error(c, argc > 2 ? "unexpected argument \"%s\"" :
				       "missing %s", argc > 2 ? argv[2] : argc ? "FILE" : "NAME");
	if (cli_check_dev_name(c, argv[0]))
		return EXIT_USAGE;
	/* ask the kernel first: a failed save leaves no file behind */
	err = vdpamgmt_dpu_state_save(c->vm, argv[0], &blob, &len);
	if (err)
		return cli_op_failed(c, argv[0], err);
	err = output_file_open(&out, argv[1], why);
	if (!err) {
		err = output_file_write(&out, blob, len, why);
		if (err)
			output_file_abort(&out);
		else
			err = output_file_commit(&out, why);
	}
	free(blob);
	return err ? cli_failed(c, argv[0], err, "%s", why) : EXIT_OK;
}

int cmd_dev_state_load(struct cli *c, int argc, char **argv)
{
	char why[FILE_WHY_MAX];
	struct vdpamgmt_state st;
	uint8_t *blob;
	size_t len;
	int err;

	if (argc != 2)
		return cli_usage_error(c, argc > 2 ? "unexpected argument \"%s\"" :
				       "missing %s", argc > 2 ? argv[2] : argc ? "FILE" : "NAME");
	if (cli_check_dev_name(c, argv[0]))
		return EXIT_USAGE;
	err = file_read_all(argv[1], DPU_VDPA_STATE_MAX_LEN, &blob, &len, why);
	if (err)
		return cli_failed(c, argv[0], err, "%s", why);
	/*
	 * A malformed blob stops here, with where it is wrong.  One newer than
	 * this tool (its version, or a critical section type we do not know)
	 * may be fine for the kernel: it is the kernel's to judge.
	 */
	err = vdpamgmt_state_decode(blob, len, &st, why, sizeof(why));
	if (err == -EOPNOTSUPP)
		err = 0;
	else if (!err)
		vdpamgmt_state_release(&st);
	if (err) {
		free(blob);
		return cli_failed(c, argv[0], err, "%s: %s", argv[1], why);
	}
	err = vdpamgmt_dpu_state_load(c->vm, argv[0], blob, len);
	free(blob);
	return err ? cli_op_failed(c, argv[0], err) : EXIT_OK;
}

/* --- migrate */

static void migrate_progress(const char *line, void *arg)
{
	(void)arg;
	fprintf(stderr, "vdpa-mgmt: dev migrate: %s\n", line);
}

int cmd_dev_migrate(struct cli *c, int argc, char **argv)
{
	enum { IOVA, LEN, PAGE_SIZE, BITMAP, MGMTDEV };
	struct keyword kw[] = { [IOVA] = { "iova" }, [LEN] = { "len" },
				[PAGE_SIZE] = { "page_size" }, [BITMAP] = { "bitmap" },
				[MGMTDEV] = { "mgmtdev" } };
	struct vdpamgmt_dpu_migrate_params p = { .progress = migrate_progress };
	struct vdpamgmt_dpu_migrate_result result;
	struct bitmap_sink sink = { 0 };
	struct output_file out;
	struct out_node *root, *obj;
	struct log_range r;
	char object[2 * VDPAMGMT_NAME_MAX + 8];
	int err;

	if (argc < 3 || strcmp(argv[1], "to"))
		return cli_usage_error(c, "expected NAME to NAME2");
	if (cli_check_dev_name(c, argv[0]) || cli_check_dev_name(c, argv[2]) ||
	    cli_parse_keywords(c, argc - 3, argv + 3, kw, sizeof(kw) / sizeof(kw[0])) ||
	    parse_log_range(c, kw[IOVA].value, kw[LEN].value, kw[PAGE_SIZE].value, false, &r) ||
	    (kw[MGMTDEV].value && cli_check_mgmtdev(c, kw[MGMTDEV].value)))
		return EXIT_USAGE;
	if (!strcmp(argv[0], argv[2]))
		return cli_usage_error(c, "NAME and NAME2 are the same device");
	if (kw[BITMAP].value && !strcmp(kw[BITMAP].value, "-"))
		return cli_usage_error(c, "bitmap needs a file (stdout is for -j)");
	p.src = argv[0];
	p.dst = argv[2];
	p.dst_mgmtdev = kw[MGMTDEV].value;
	p.log_iova = r.iova;
	p.log_len = r.len;
	p.log_page_size = r.page_size;
	snprintf(object, sizeof(object), "%s to %s", argv[0], argv[2]);
	if (kw[BITMAP].value) {
		err = output_file_open(&out, kw[BITMAP].value, sink.why);
		if (err)
			return cli_failed(c, object, err, "%s", sink.why);
		sink.out = &out;
		p.log_cb = bitmap_chunk;
		p.log_arg = &sink;
	}
	err = vdpamgmt_dpu_migrate_local(c->vm, &p, &result);
	if (!err && sink.out && !result.logged) {
		/* no log to take a bitmap from: no file either */
		output_file_abort(sink.out);
		sink.out = NULL;
		fprintf(stderr, "vdpa-mgmt: dev migrate: %s was not logging: no bitmap written\n",
			argv[0]);
	}
	if (finish_bitmap(c, object, &sink, err))
		return EXIT_FAILED;
	if (c->format == OUT_HUMAN)
		return EXIT_OK;		/* the progress lines said it all */
	root = out_new();
	obj = out_object(out_object(root, "migrate"), argv[0]);
	out_string(obj, "to", argv[2]);
	out_uint(obj, "state_len", result.state_len);
	out_uint(obj, "num_queues", result.num_queues);
	if (result.logged)
		out_log_summary(out_object(obj, "log"), &result.log);
	return cli_emit(c, root);
}
