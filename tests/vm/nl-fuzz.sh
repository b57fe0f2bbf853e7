#!/bin/bash
# Netlink fuzzing (tests/nl-fuzz.py): random attributes, types and lengths
# for every command of the dpu_vdpa family and for the vdpa family's dev
# add / dev set / dev del and queries on our management devices, with the
# devices moved between bus drivers now and then.  Every request must be
# answered, the kernel must not splat, and afterwards fresh devices on the
# same functions still pass traffic and I/O.
#
# FUZZ_SEED=N replays a run (the seed is printed); FUZZ_SECS (default 100)
# sets how long the fuzzer runs.
. "$(dirname "$0")/../lib.sh"
two_nets_one_blk
T=/tmp/nlfuzz; mkdir -p $T
SEED=$(fuzz_seed 3782839146)	# found the empty-name dev add
echo "# seed $SEED (replay: FUZZ_SEED=$SEED tests/run tests/vm/nl-fuzz.sh)"

bind3() { bind_fn "$A" && bind_fn "$B" && bind_fn "$F"; }
t_ok "bind $A, $B, $F to dpu_vdpa" -- bind3
t_ok "dev add vdpa0 (virtio_vdpa), vdpa1 (vhost_vdpa), blk0 (virtio_vdpa)" -- sh -c "
	vdpa dev add name vdpa0 mgmtdev pci/$A mac 02:00:00:00:f0:01 max_vqp 2 &&
	vdpa dev add name vdpa1 mgmtdev pci/$B &&
	vdpa dev add name blk0 mgmtdev pci/$F"
attach_vdpa vdpa1 vhost_vdpa
wait_for netdev_of "$A"; wait_for blkdev_of "$F"
# real blobs, so STATE_LOAD requests get past the header now and then
t_ok "a net and a blk blob saved" -- sh -c "
	$G suspend vdpa0 && $G state-save vdpa0 $T/net.bin && $G resume vdpa0 &&
	$G suspend blk0 && $G state-save blk0 $T/blk.bin && $G resume blk0"

fuzz_run "nl-fuzz: every request answered, no splat (seed $SEED)" $((${FUZZ_SECS:-100} + 60)) -- \
	python3 tests/nl-fuzz.py --seed "$SEED" \
	--secs "${FUZZ_SECS:-100}" --dev vdpa0 --dev vdpa1 --dev blk0 \
	--mgmtdev "pci/$A" --mgmtdev "pci/$B" --mgmtdev "pci/$F" --blob $T/net.bin --blob $T/blk.bin

echo "# devices after the fuzzing: $(vdpa dev show | awk '{print $1, $3, $5}' | paste -sd';')"
t_ok "dev del of every device the fuzzer left" -- sh -c '
	for d in $(vdpa -j dev show | jq -r ".dev | keys[]"); do vdpa dev del "$d" || exit 1; done
	[ "$(vdpa -j dev show | jq ".dev | length")" = 0 ]'
t_eq "the three functions are still management devices" "3" \
	"$(vdpa -j mgmtdev show | jq '.mgmtdev | length')"
t_ok "fresh devices on $A and $B: ping, multiqueue, ping" -- net_pair_works "$A" "$B"
t_ok "fresh device on $F: 1 MiB written and read back" -- blk_works "$F"
t_done
