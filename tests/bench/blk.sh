#!/bin/bash
# make bench, disk figures (scripts/bench runs this in the test VM and
# turns its "# BENCH" lines into build/bench/results.*).
#
# One blk function under each driver stack in turn, the host's virtio_blk
# on top, in a different order each round:
#   plain       virtio-pci and virtio_blk (no vDPA)
#   vp_vdpa     upstream's vp_vdpa (scripts/build-vp-vdpa), virtio_vdpa
#   direct      dpu_vdpa, the function runs the rings itself, virtio_vdpa
#   shadow      dpu_vdpa with shadow=1: the relay runs shadow rings
#   shadow_log  dpu_vdpa with the dirty log on (shadow by necessity)
# Each round runs fio on the raw disk (O_DIRECT, libaio, SECS seconds
# each): 4 KiB random reads at queue depth 1 and 32 (IOPS), 1 MiB
# sequential reads and writes at depth 8 (MB/s).  The function's backing
# file lives in the host's page cache (scripts/vm, cache=unsafe), so the
# figures are of the data path, not of a medium.
#
# Parameters come from build/bench/params (written by scripts/bench):
# ROUNDS, SECS, STACKS.
# vm-options: --nets 0 --blks 1 --mem 2G --timeout 3600
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2034 # ROUNDS and STACKS are read by bench_rounds (lib.sh)
ROUNDS=5 SECS=3 STACKS="plain vp_vdpa direct shadow shadow_log"
[ -r "$PROJECT/build/bench/params" ] && . "$PROJECT/build/bench/params"
MGMT=$PROJECT/tools/vdpa-mgmt/vdpa-mgmt
VP_KO=$(ls "$PROJECT"/build/vp_vdpa/"$(uname -r)"/vp_vdpa.ko 2>/dev/null)
F=${VM_BLKS%% *}
[ -n "$F" ] || t_bail "needs a blk function"
command -v fio >/dev/null || t_bail "no fio (scripts/install-deps)"
load_modules || t_bail "modprobe"
if [[ " $STACKS " = *" vp_vdpa "* ]]; then
	[ -n "$VP_KO" ] || t_bail "no vp_vdpa.ko for $(uname -r) (scripts/build-vp-vdpa)"
	t_ok "vp_vdpa loads ($VP_KO)" -- insmod "$VP_KO"
fi

# disk_of: the block device virtio_blk made of F, directly or through a
# vDPA device below it
disk_of() {
	local d
	d=$(ls -d /sys/bus/pci/devices/"$F"/virtio*/block/* \
		/sys/bus/pci/devices/"$F"/*/virtio*/block/* 2>/dev/null | head -n1)
	[ -n "$d" ] && echo "/dev/${d##*/}"
}

stack_up() {
	local s=$1
	case $s in
	plain)
		bind_fn "$F" virtio-pci || return 1 ;;
	vp_vdpa)
		bind_fn "$F" vp-vdpa && "$MGMT" dev add name bench0 mgmtdev "pci/$F" &&
			attach_vdpa bench0 virtio_vdpa || return 1 ;;
	direct|shadow|shadow_log)
		echo "$([ "$s" = shadow ] && echo Y || echo N)" >/sys/module/dpu_vdpa/parameters/shadow
		bind_fn "$F" dpu_vdpa && vdpa dev add name bench0 mgmtdev "pci/$F" &&
			attach_vdpa bench0 virtio_vdpa || return 1 ;;
	esac
	wait_for disk_of || return 1
	if [ "$s" = shadow_log ]; then
		"$MGMT" dev log start bench0 len 0x100000000 || return 1
	fi
}

stack_down() {
	[ -e /sys/bus/vdpa/devices/bench0 ] && vdpa dev del bench0
	echo N >/sys/module/dpu_vdpa/parameters/shadow
	bind_fn "$F" virtio-pci
}

# fio_run RW BS DEPTH FIELD: one fio job on the disk; prints FIELD of its
# result (iops, or bw_mb: MB/s)
fio_run() {
	local rw=$1 bs=$2 depth=$3 field=$4 dir
	case $rw in *write) dir="write" ;; *) dir="read" ;; esac
	fio --name=b --filename="$(disk_of)" --direct=1 --ioengine=libaio --rw="$rw" \
		--bs="$bs" --iodepth="$depth" --size=512M --time_based --runtime="$SECS" \
		--ramp_time=1 --output-format=json 2>/dev/null |
		jq -e --arg d "$dir" --arg f "$field" '.jobs[0][$d] |
			if $f == "iops" then .iops | floor else .bw_bytes / 1e6 end'
}

measure_stack() {
	local r=$1 s=$2
	measure "$r" "$s" blk_rr4k_qd1_iops fio_run randread 4k 1 iops
	measure "$r" "$s" blk_rr4k_qd32_iops fio_run randread 4k 32 iops
	measure "$r" "$s" blk_sr1m_mbps fio_run read 1m 8 bw_mb
	measure "$r" "$s" blk_sw1m_mbps fio_run write 1m 8 bw_mb
}

bench_rounds "the disk"
t_done
