#!/bin/bash
# tests/unit/vm-group.sh's fixture: leaves everything a test can leave
# behind: a device on vhost_vdpa held open by a process, the modules
# loaded, a function on dpu_vdpa, a network namespace.
. "$(dirname "$0")/../../lib.sh"
two_nets
mess() {
	bind_fn "$A" && vdpa dev add name mess0 mgmtdev "pci/$A" &&
		attach_vdpa mess0 vhost_vdpa && wait_for vhost_dev mess0 >/dev/null &&
		{ (exec 3<>"$(vhost_dev mess0)"; sleep 600) >/dev/null 2>&1 & } && ip netns add mess
}
t_ok "a device held open on vhost_vdpa, a namespace" -- mess
t_done
