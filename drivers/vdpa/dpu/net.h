/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The net device type, private to its four files: net.c (the type's
 * hooks), net_cvq.c (the control-queue relay), net_state.c (the control
 * state the consumer set) and net_blob.c (its sections of the state blob).
 */
#ifndef _DPU_VDPA_NET_H_
#define _DPU_VDPA_NET_H_

#include <linux/if_vlan.h>

#include "dpu_vdpa.h"

/**
 * struct dpu_vdpa_cvq - software control queue of a net device
 *
 * The consumer's control queue is never handed to the function.  Its
 * commands are read by a worker, relayed through a small ring owned by
 * the driver on the function's own control queue, and completed back.
 * This lets the driver program the MAC given to "vdpa dev add" before the
 * consumer's first command, and sees every command for later replay.
 *
 * @lock protects everything below it; it nests inside dpu_vdpa_dev.lock.
 */
struct dpu_vdpa_cvq {
	struct work_struct work;
	struct mutex lock;	/* the fields below */
	bool running;		/* consumer ring is being served */
	bool paused;		/* running, but held by a suspend */
	/* consumer ring malformed, or the function failed a command: needs reset */
	bool broken;
	/*
	 * DRIVER_OK failed, or the function failed a command: every command
	 * is answered VIRTIO_NET_ERR and none reaches the function, so that a
	 * driver that waits for each answer (virtio_net does, without a
	 * timeout) fails instead of hanging
	 */
	bool refusing;
	/* consumer ring, snapshot taken at DRIVER_OK */
	u16 index;
	u64 desc_addr;
	u64 driver_addr;
	u64 device_addr;
	u32 num;
	bool event_idx;
	u16 last_avail_idx;	/* consumer ring: next avail entry to read */
	u16 used_idx;		/* consumer ring: next used entry to write */
	/* the driver's ring on the function's control queue */
	u16 fn_index;
	void __iomem *fn_notify;
	struct dpu_vdpa_fn_buf ring;	/* desc table, avail and used rings */
	struct dpu_vdpa_fn_buf buf;	/* command bounce buffer */
	u16 fn_avail_idx;
	u16 fn_used_idx;
	/*
	 * a command timed out and may still be answered: a later answer would
	 * be taken for the next command's, so none is sent until DRIVER_OK
	 * starts the function's queue afresh
	 */
	bool fn_hung;
	u64 commands;		/* relayed commands, for debugging */
	u64 errors;		/* malformed or failed commands */
};

/* entries of a MAC table (unicast and multicast together) that are tracked */
#define DPU_VDPA_NET_MACS_MAX	256

/**
 * struct dpu_vdpa_net_state - what the consumer set through the control queue
 *
 * Tracked from the commands the function acknowledged (net_state.c), saved
 * in the NET_* sections of the device-state blob and replayed at load.
 * After a reset: the config MAC, promiscuous mode on (what virtio-net
 * devices start with), no MAC table, no VLAN, one queue pair.
 */
struct dpu_vdpa_net_state {
	u8 mac[ETH_ALEN];	/* VIRTIO_NET_CTRL_MAC_ADDR_SET */
	u32 rx_flags;		/* DPU_VDPA_STATE_RX_*: bit n is VIRTIO_NET_CTRL_RX cmd n */
	u32 uc, mc;		/* MAC table: uc unicast entries, then mc multicast */
	/* the last MAC_TABLE_SET had more than DPU_VDPA_NET_MACS_MAX entries */
	bool macs_overflow;
	u8 macs[DPU_VDPA_NET_MACS_MAX][ETH_ALEN];
	DECLARE_BITMAP(vlans, VLAN_N_VID);
	u16 pairs;		/* VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET */
	u32 untracked;		/* bit n: an accepted command of class n that is not saved */
};

/* Net attributes from "vdpa dev add" (or the function's own values). */
struct dpu_vdpa_net {
	struct dpu_vdpa_dev *dev;
	u8 mac[ETH_ALEN];
	bool mac_set;		/* program mac into the function at DRIVER_OK */
	u16 mtu;
	bool mtu_set;
	u16 max_vqp;		/* queue pairs presented to the consumer */
	struct dpu_vdpa_cvq cvq;
	/* the consumer's control-queue state, under cvq.lock */
	struct dpu_vdpa_net_state cur;
	/* from a state load, replayed at DRIVER_OK; under dpu_vdpa_dev.lock */
	struct dpu_vdpa_net_state staged;
	/*
	 * What a parked function still holds (cur when it was parked), undone
	 * when a consumer takes it over; under dpu_vdpa_dev.lock
	 */
	struct dpu_vdpa_net_state held;
	bool held_valid;
};

/* The net type's state of @dev (net.c allocates it in dev_setup). */
static inline struct dpu_vdpa_net *dpu_vdpa_to_net(struct dpu_vdpa_dev *dev)
{
	return dev->type_priv;
}

/* net_cvq.c */
int dpu_vdpa_cvq_init(struct dpu_vdpa_dev *dev);
void dpu_vdpa_cvq_cleanup(struct dpu_vdpa_dev *dev);
int dpu_vdpa_cvq_start(struct dpu_vdpa_dev *dev, u16 fn_index);
void dpu_vdpa_cvq_stop(struct dpu_vdpa_dev *dev);
void dpu_vdpa_cvq_release(struct dpu_vdpa_dev *dev);
int dpu_vdpa_cvq_send(struct dpu_vdpa_dev *dev, u8 class, u8 cmd,
		      const void *data, size_t len);
void dpu_vdpa_cvq_kick(struct dpu_vdpa_dev *dev);
void dpu_vdpa_cvq_pause(struct dpu_vdpa_dev *dev);
void dpu_vdpa_cvq_resume(struct dpu_vdpa_dev *dev);
/* the features control command @class/@cmd needs; 0: no such command */
u64 dpu_vdpa_net_ctrl_features(u8 class, u8 cmd);

/* net_blob.c: the net sections of the device state (the net type's state_* ops) */
struct dpu_vdpa_net_blob {
	struct dpu_vdpa_net_state ns;
	bool have_config;		/* a NET_CONFIG section was read */
	struct dpu_vdpa_state_net_config config;
};

int dpu_vdpa_net_blob_get(struct dpu_vdpa_dev *dev, void *priv, size_t *len,
			  struct netlink_ext_ack *extack);
void dpu_vdpa_net_blob_put(struct dpu_vdpa_dev *dev, struct dpu_vdpa_state_writer *w,
			   const void *priv, const u8 *cfg, size_t cfg_len);
void dpu_vdpa_net_blob_init(struct dpu_vdpa_dev *dev, void *priv);
size_t dpu_vdpa_net_blob_min_len(u16 type);
int dpu_vdpa_net_blob_parse(struct dpu_vdpa_dev *dev, void *priv, u16 type, const void *payload,
			    u32 len, struct netlink_ext_ack *extack);
int dpu_vdpa_net_blob_check(struct dpu_vdpa_dev *dev, const void *priv, u64 f,
			    struct netlink_ext_ack *extack);
void dpu_vdpa_net_blob_apply(struct dpu_vdpa_dev *dev, const void *priv);
bool dpu_vdpa_net_blob_vq_soft(struct dpu_vdpa_dev *dev, u16 i, u64 features);
int dpu_vdpa_net_blob_report(struct dpu_vdpa_dev *dev, struct sk_buff *msg);

/* net_state.c: control-queue state of net devices */
/* @ns as a freshly reset function has it; no lock */
void dpu_vdpa_net_state_init(struct dpu_vdpa_dev *dev, struct dpu_vdpa_net_state *ns);
/* an acknowledged consumer command; cvq.lock held */
void dpu_vdpa_net_state_record(struct dpu_vdpa_dev *dev, const void *cmd, size_t len);
/* dev->lock held; these take cvq.lock */
void dpu_vdpa_net_state_reset(struct dpu_vdpa_dev *dev);
void dpu_vdpa_net_state_mac(struct dpu_vdpa_dev *dev, u8 *mac);
void dpu_vdpa_net_state_get(struct dpu_vdpa_dev *dev, struct dpu_vdpa_net_state *ns);
int dpu_vdpa_net_state_replay(struct dpu_vdpa_dev *dev);
bool dpu_vdpa_net_state_undoable(struct dpu_vdpa_dev *dev);
int dpu_vdpa_net_state_undo(struct dpu_vdpa_dev *dev, const struct dpu_vdpa_net_state *held);

#endif /* _DPU_VDPA_NET_H_ */
