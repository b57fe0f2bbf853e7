#!/bin/bash
# Where do the seconds of the outside outage go?  qemu-migrate.sh's steps
# (no tap baseline), with kprobes on the driver's entry points and on
# vhost_vdpa's callback (ftrace.txt: mono clock, with a REALTIME marker to
# line it up with QEMU's trace and the captures) and QEMU's virtio traces
# on the destination (dst.trace.log).  This found the 1.07 s pin of the
# destination's RAM (now -mem-prealloc) and that the rest is the guest:
# nothing reaches the device from it until it answers the announce.
# vm-options: --nets 4 --mem 3G --timeout 1800
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../nested/migrate.sh"
set -- $VM_NETS
A=$1 PA=$2 B=$3 PB=$4
MIG_DIR=$(mktemp -d -p "$PROJECT/build" otrace.XXXXXX)
echo "# MIG_DIR=$MIG_DIR"
mig_modules >/dev/null 2>&1 || t_bail "modprobe"
ulimit -l unlimited
DEV_A=$(mig_dev_add migA "$A") DEV_B=$(mig_dev_add migB "$B")
mig_features migA >/dev/null
mig_peers "$PA" "$PB" >/dev/null 2>&1
INITRD=$(mig_initrd)
T=/sys/kernel/tracing
mount -t tracefs none $T 2>/dev/null
echo 0 >$T/tracing_on
echo mono >$T/trace_clock
echo 65536 >$T/buffer_size_kb
: >$T/kprobe_events
for p in 'p:dpu/kick dpu_vdpa_kick_vq vdpa=%di idx=%si:u16' \
	'p:dpu/ready dpu_vdpa_set_vq_ready vdpa=%di idx=%si:u16 rdy=%dx:u8' \
	'p:dpu/status dpu_vdpa_set_status vdpa=%di st=%si:u8' \
	'p:dpu/vqstate dpu_vdpa_set_vq_state vdpa=%di idx=%si:u16' \
	'p:dpu/svqwork dpu_vdpa_svq_work w=%di' \
	'p:dpu/vqirq dpu_vdpa_hw_vq_irq irq=%di arg=%si' \
	'p:dpu/shirq dpu_vdpa_hw_shadow_irq irq=%di arg=%si' \
	'p:dpu/cvqwork dpu_vdpa_cvq_work w=%di' \
	'p:dpu/modework dpu_vdpa_mode_work w=%di' \
	'p:dpu/svqrun dpu_vdpa_svq_run vq=%di' \
	'p:dpu/dbpoll dpu_vdpa_doorbell_poll w=%di' \
	'p:dpu/suspend dpu_vdpa_suspend_op vdpa=%di' \
	'p:dpu/resume dpu_vdpa_resume_op vdpa=%di' \
	'r:dpu/compl svq_complete ret=$retval:s32' \
	'p:dpu/vhcb vhost_vdpa_virtqueue_cb vq=%di' \
	'p:dpu/map dpu_vdpa_dma_map vdpa=%di asid=%si:u32 iova=%dx size=%cx' \
	'r:dpu/mapret dpu_vdpa_dma_map ret=$retval:s32'; do
	echo "$p" >>$T/kprobe_events || echo "# kprobe failed: $p"
done
echo 1 >$T/events/dpu/enable
mig_qemu dst "$DEV_B" "$INITRD" -incoming "tcp:127.0.0.1:$MIG_PORT" "${MIG_DST_TRACE[@]}" \
	-trace virtio_queue_notify -trace 'virtio_notify*' -trace vhost_vdpa_set_vring_enable_one \
	-trace vhost_vdpa_dev_start -trace vhost_vdpa_set_dev_vring_base -trace vhost_vdpa_set_vring_kick \
	-trace vhost_vdpa_set_vring_call -trace vhost_vdpa_dma_map -trace 'virtio_net_*' \
	-trace vhost_vdpa_set_vring_addr -trace vhost_vdpa_listener_commit >/dev/null 2>&1
mig_qemu src "$DEV_A" "$INITRD" >/dev/null 2>&1
t_ok "source guest ready" -- mig_wait 400 grep -q 'guest: ready' "$MIG_DIR/src.console"
t_ok "source replies" -- mig_wait 60 sh -c "[ \$(grep -c 'bytes from' $MIG_DIR/src.console) -ge 30 ]"
echo "# vdpa devs: A=$(ls -d /sys/bus/vdpa/devices/migA) B=$(ls -d /sys/bus/vdpa/devices/migB)"
for d in migA migB; do echo "# $d mode: $($PROJECT/tools/vdpa-mgmt/vdpa-mgmt dev show $d 2>&1 | tr '\n' ' ' | cut -c1-400)"; done
mig_outside_start
mig_capture_start
mig_sample_start
echo 1 >$T/tracing_on
echo "REALTIME $(date +%s.%N)" >$T/trace_marker
t_ok "migrate" -- mig_migrate src
t_ok "replies on B" -- mig_wait 120 sh -c "[ \$(grep -c 'bytes from' $MIG_DIR/dst.console) -ge 30 ]"
sleep 10
echo "REALTIME $(date +%s.%N)" >$T/trace_marker
echo 0 >$T/tracing_on
mig_outside_stop; mig_sample_stop; mig_capture_stop
echo "# $(mig_outside_outage) $(mig_switch_breakdown)"
cat $T/trace >"$MIG_DIR/ftrace.txt"
cp "$MIG_DIR/dst.log" "$MIG_DIR/dst.trace.log"
for d in migA migB; do echo "# $d after: $($PROJECT/tools/vdpa-mgmt/vdpa-mgmt dev show $d 2>&1 | tr '\n' ' ' | cut -c1-600)"; done
mig_stop src; mig_stop dst
vdpa dev del migA; vdpa dev del migB
echo 0 >$T/events/dpu/enable; : >$T/kprobe_events
t_done
