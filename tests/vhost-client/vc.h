/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vhost-client: a userspace vhost-vdpa driver for tests (see main.c).
 */
#ifndef VC_H
#define VC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vhost.h>
#include <linux/vhost_types.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

/* Newer than Debian 12's linux-libc-dev (6.1): values from 6.12's uapi. */
#ifndef VHOST_BACKEND_F_RESUME
#define VHOST_BACKEND_F_RESUME			0x5
#endif
#ifndef VHOST_BACKEND_F_ENABLE_AFTER_DRIVER_OK
#define VHOST_BACKEND_F_ENABLE_AFTER_DRIVER_OK	0x6
#endif
#ifndef VHOST_BACKEND_F_DESC_ASID
#define VHOST_BACKEND_F_DESC_ASID		0x7
#endif
#ifndef VHOST_BACKEND_F_IOTLB_PERSIST
#define VHOST_BACKEND_F_IOTLB_PERSIST		0x8
#endif
#ifndef VHOST_VDPA_RESUME
#define VHOST_VDPA_RESUME		_IO(VHOST_VIRTIO, 0x7E)
#endif
#ifndef VHOST_VDPA_GET_VRING_DESC_GROUP
#define VHOST_VDPA_GET_VRING_DESC_GROUP	_IOWR(VHOST_VIRTIO, 0x7F, struct vhost_vring_state)
#endif
#ifndef VHOST_VDPA_GET_VRING_SIZE
#define VHOST_VDPA_GET_VRING_SIZE	_IOWR(VHOST_VIRTIO, 0x82, struct vhost_vring_state)
#endif
#ifndef VIRTIO_F_ACCESS_PLATFORM
#define VIRTIO_F_ACCESS_PLATFORM	33
#endif

/* Exit statuses (documented in main.c and the usage text). */
enum {
	VC_EXIT_OK	= 0,
	VC_EXIT_ERR	= 1,	/* a system call or ioctl failed, bad device state */
	VC_EXIT_USAGE	= 2,
	VC_EXIT_CHECK	= 3,	/* data check failed: lost, duplicated, corrupt, I/O error */
	VC_EXIT_TIMEOUT	= 4,	/* the device did not complete buffers in time */
	VC_EXIT_UNSUPP	= 77,	/* the device does not offer what the mode needs */
};

#define VC_MAX_VQS	16

/* Options shared by every subcommand; filled by main.c. */
struct vc_opts {
	const char *dev;		/* /dev/vhost-vdpa-N or interface name */
	bool json;
	int verbose;
	uint64_t mem_size;
	uint64_t iova;
	bool iova_set;
	unsigned int qsize;		/* 0: min(device max, 256) */
	double timeout;			/* seconds, every wait */
	uint64_t features_mask;		/* ANDed with what we would negotiate */
	bool features_set;
	int group_asid[2];		/* --group-asid G:A, -1 unset */
	bool doorbell_mmap;		/* kick by writing the mapped doorbell page */

	/* net */
	uint64_t count;
	unsigned int size;		/* frame size, no virtio header */
	uint8_t dst_mac[6], src_mac[6];
	bool dst_set, src_set;
	uint32_t stream;
	bool bench;
	bool allow_loss;
	bool mrg_rxbuf;
	double linger;			/* seconds to keep receiving after the last frame */
	double rate;			/* frames/s, 0 unlimited (pkt-send) */
	unsigned int window;
	uint64_t suspend_every;
	bool reset;
	bool no_suspend;

	/* blk */
	uint64_t sector;
	uint64_t seed;
	bool seed_set;
	unsigned int req_sectors;
	unsigned int depth;
	bool force;
	bool expect_zero;

	/* dirty-check, net-migrate */
	const char *dev_b;		/* second DEV */
	const char *name, *name_b;	/* vDPA device names (dpu_vdpa netlink) */
	unsigned int pairs;		/* net: 0 no control queue, else queue pairs */
	unsigned int rounds;
	double round_secs;
	bool ignore_log;
	bool quiesce;			/* net-migrate: wait for every frame back first */
	bool no_load;			/* net-migrate negative controls: skip the load, */
	unsigned int tx_rewind;		/* start B's TX this many entries early */

	/* net-ctrl */
	struct vc_ctrl_cmd {
		uint8_t class, cmd;
		uint16_t len;
		uint8_t data[64];
	} ctrl[16];
	unsigned int nctrl;
	int ctrl_ack;			/* expected: VIRTIO_NET_OK, _ERR, -1 no answer */
	int cvq_index;			/* use this vq as control queue, not negotiated */
	unsigned int cvq_base;		/* its ring indexes start here, the device untold */
	int enable_late;		/* enable this vq after DRIVER_OK; -1 none */
	bool wait_stdin;		/* after the commands, hold the device until EOF */
	/* ring-fuzz, unmap-attack, asid-attack */
	uint64_t iterations;
	uint64_t start;			/* first iteration (replay) */
	const char *mode;		/* direct, shadow, translated */
	uint64_t region;		/* unmap-attack's fresh region */
	/* seq-fuzz */
	double secs;			/* stop after this long, 0 never */
};

extern struct vc_opts opt;
extern const char *prog;

/* util.c */
__attribute__((noreturn, format(printf, 2, 3)))
void vc_die(int status, const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void vc_log(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void vc_warn(const char *fmt, ...);
double vc_now(void);
uint64_t vc_splitmix64(uint64_t *state);
int vc_parse_mac(const char *s, uint8_t mac[6]);
const char *vc_fmt_mac(const uint8_t mac[6], char buf[18]);
const char *vc_feature_name(uint32_t device_id, unsigned int bit);

/*
 * Pages the client writes with the CPU (mig.c): set at each write site
 * into guest memory while bits is not NULL; the dirty-page checks copy
 * these besides what the device's log reports.
 */
struct vc_track {
	const uint8_t *base;
	uint64_t size;
	uint64_t *bits;			/* one per 4-KiB page */
};

extern struct vc_track vc_track;

static inline void vc_track_write(const void *p, size_t len)
{
	uint64_t off, end;

	if (!vc_track.bits || !len || (const uint8_t *)p < vc_track.base ||
	    (const uint8_t *)p >= vc_track.base + vc_track.size)
		return;
	off = (uint64_t)((const uint8_t *)p - vc_track.base) >> 12;
	end = ((uint64_t)((const uint8_t *)p - vc_track.base) + len - 1) >> 12;
	for (; off <= end && off < (vc_track.size >> 12); off++)
		vc_track.bits[off / 64] |= 1ull << (off % 64);
}

/* One guest-memory region: a memfd mapped here and in the device. */
struct vc_mem {
	int fd;
	uint8_t *base;
	uint64_t size;
	uint64_t iova;
	uint64_t next;			/* bump allocator offset */
	bool mapped;
};

/* A split virtqueue in the region, with one buffer per descriptor. */
struct vc_vq {
	unsigned int idx;
	unsigned int num;
	bool active;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	int kickfd, callfd;
	volatile uint16_t *doorbell;	/* mapped notify page, or NULL */
	uint16_t avail_idx;		/* next avail ring entry we publish */
	uint16_t used_idx;		/* next used ring entry we consume */
	uint16_t *free_ids;
	unsigned int nfree;
	uint8_t *bufs;			/* num * buf_size bytes */
	uint32_t buf_size;
	uint64_t kicks, calls;
};

struct vc_dev {
	const char *path;
	int fd;
	uint64_t backend_offered, backend;
	uint32_t device_id;
	uint64_t dev_features, features;
	uint16_t vring_num;
	uint32_t nvqs;
	struct vhost_vdpa_iova_range range;
	uint32_t config_size;
	uint8_t config[256];
	uint32_t ngroups, nas;
	struct vc_mem mem;
	struct vc_vq vqs[VC_MAX_VQS];
	unsigned int nactive;
};

/* dev.c */
void vc_open(struct vc_dev *d, const char *path);
void vc_close(struct vc_dev *d);
void vc_read_config(struct vc_dev *d);
bool vc_has_backend(const struct vc_dev *d, unsigned int bit);
uint8_t vc_get_status(struct vc_dev *d);
void vc_set_status(struct vc_dev *d, uint8_t status);
void vc_negotiate(struct vc_dev *d, uint64_t want);
void vc_mem_setup(struct vc_dev *d);
int vc_iotlb(struct vc_dev *d, uint32_t asid, uint8_t type, uint64_t iova, uint64_t size,
	     const void *uaddr);
void vc_mem_adopt(struct vc_dev *d, int fd, uint8_t *base, uint64_t size, uint64_t iova);
void *vc_alloc(struct vc_dev *d, uint64_t size, uint64_t align);
uint64_t vc_iova(const struct vc_dev *d, const void *p);
void vc_vq_alloc(struct vc_dev *d, unsigned int idx, unsigned int num, uint32_t buf_size);
void vc_vq_program(struct vc_dev *d, struct vc_vq *vq, uint16_t base);
void vc_driver_ok(struct vc_dev *d);
void vc_start(struct vc_dev *d, uint64_t want, const unsigned int *vqs, unsigned int nvqs,
	      const uint32_t *buf_sizes);
unsigned int vc_qsize(const struct vc_dev *d);
uint16_t vc_get_vring_base(struct vc_dev *d, unsigned int idx);
void vc_suspend(struct vc_dev *d);
void vc_resume(struct vc_dev *d);
void vc_restart(struct vc_dev *d, const uint16_t *bases);

/* vring handling */
void vc_vq_add(struct vc_vq *vq, uint16_t id, uint32_t len, bool write);
void vc_vq_add_chain(struct vc_vq *vq, const uint16_t *ids, unsigned int n);
void vc_vq_kick(struct vc_vq *vq);
bool vc_vq_used(struct vc_vq *vq, uint16_t *id, uint32_t *len);
int vc_vq_wait(struct vc_dev *d, double deadline);
uint8_t *vc_vq_buf(const struct vc_vq *vq, uint16_t id);
uint16_t vc_vq_get_id(struct vc_vq *vq);
void vc_vq_put_id(struct vc_vq *vq, uint16_t id);

/* info.c */
int cmd_info(void);

/* frame.c: the numbered test frames shared by the vhost and packet sides */
#define VC_ETHERTYPE	0x88B5
#define VC_MAGIC	0x44505556u	/* "DPUV" */
#define VC_FRAME_MIN	60
#define VC_HDR_LEN	14
#define VC_PAYLOAD_LEN	32

struct vc_rx_stats {
	uint64_t expect;
	uint64_t unique, dup, ooo, corrupt, other, out_of_range;
	uint64_t max_seq;
	bool any;
	uint8_t *seen;			/* bitmap of expect bits */
	uint64_t bytes;
};

void vc_frame_build(uint8_t *f, unsigned int len, const uint8_t dst[6], const uint8_t src[6],
		    uint32_t stream, uint64_t seq, uint64_t total);
/* Returns true when the frame was one of ours (of any verdict). */
bool vc_frame_check(struct vc_rx_stats *st, const uint8_t *f, unsigned int len,
		    uint32_t stream, uint64_t *seq);
void vc_rx_stats_init(struct vc_rx_stats *st, uint64_t expect);
void vc_rx_stats_free(struct vc_rx_stats *st);
int vc_rx_stats_report(const char *who, const struct vc_rx_stats *st, double secs,
		       bool allow_loss);

/* net.c: the first queue pair of a net device (vq 0 receive, vq 1 transmit) */
#define NET_HDR_LEN	12	/* struct virtio_net_hdr_v1 */
#define RXQ		0
#define TXQ		1

#define VC_NET_MAX_PAIRS	4

struct vc_net {
	struct vc_dev d;
	struct vc_vq *rx, *tx;		/* pair 0 */
	unsigned int pairs;
	struct vc_vq *rxq[VC_NET_MAX_PAIRS], *txq[VC_NET_MAX_PAIRS], *cvq;
	unsigned int tx_pending;	/* bit p: frames added to txq[p], not kicked */
	uint8_t *ctrl_out, *ctrl_in;	/* control command, ack */
	uint64_t ctrl_cmds;
	unsigned int mtu;
	uint32_t rx_buf, tx_buf;
	uint8_t src[6], dst[6];
	bool mrg;
	uint64_t rx_multi;	/* frames the device spread over several buffers */
};

void vc_net_open(struct vc_net *n);
void vc_net_close(struct vc_net *n);
void vc_net_post_rx(struct vc_net *n);
void vc_net_bind(struct vc_net *n);
int vc_net_ctrl_ack(struct vc_net *n, uint8_t class, uint8_t cmd, const void *data, size_t len);
void vc_net_ctrl(struct vc_net *n, uint8_t class, uint8_t cmd, const void *data, size_t len);
void vc_net_tx_frame_len(struct vc_net *n, uint64_t seq, uint64_t total, unsigned int size);
void vc_net_kick_tx(struct vc_net *n);
bool vc_net_tx_room(const struct vc_net *n, uint64_t seq);
uint64_t vc_net_reap_tx(struct vc_net *n);
uint64_t vc_net_reap_rx(struct vc_net *n, struct vc_rx_stats *st);

/* blk.c: the 512-byte pattern of SECTOR for SEED */
void vc_blk_pattern(uint8_t *buf, uint64_t sector, uint64_t seed);
/* --req-sectors, cut to the device's size_max once features are negotiated */
unsigned int vc_blk_req_sectors(const struct vc_dev *d);
/* in sectors, from the config space */
uint64_t vc_blk_capacity(const struct vc_dev *d);
uint64_t vc_blk_open(struct vc_dev *d);
struct virtio_blk_outhdr;
void vc_blk_queue_req(struct vc_dev *d, struct vc_vq *vq, unsigned int slot,
		      struct virtio_blk_outhdr *hdr, uint32_t type, uint64_t sector, uint8_t *data,
		      uint32_t len, uint8_t *status);

/* mig.c */
int cmd_dirty_check(void);
int cmd_net_migrate(void);
int cmd_blk_migrate(void);

/* fuzz.c, attack.c */
int cmd_ring_fuzz(void);
int cmd_unmap_attack(void);
int cmd_asid_attack(void);

/* net.c, blk.c, pkt.c */
int cmd_net_tx(void);
int cmd_net_rx(void);
int cmd_net_stream(void);
int cmd_net_ctrl(void);
int cmd_blk(int type);
int cmd_pkt_send(void);
int cmd_pkt_recv(void);
int cmd_pkt_reflect(void);

/* seq-fuzz.c */
int cmd_seq_fuzz(void);

#endif
