#!/bin/bash
# The dpu-vdpa-dkms package on a Debian release newer than the host, as an
# operator there installs it: "apt-get install ./dpu-vdpa-dkms_*.deb" in
# that release's root (scripts/make-root, the root scripts/fetch-kernel
# installed the kernel's headers in), DKMS builds the module for that
# kernel with the release's own dkms and gcc, and the test VM boots the
# kernel with that very file and runs net-virtio.sh on it.  Then "apt-get
# purge" and nothing of it is left in the root.
#
# tests/kernels.list names it with the series (tests/run passes it as
# DPU_VDPA_KERNEL): make check-kernels runs it.  Root only (chroot, apt).
. "$(dirname "$0")/../lib-host.sh"

SERIES=${DPU_VDPA_KERNEL:-newest}
VERSION=$(dpkg-parsechangelog -l "$PROJECT/debian/changelog" -S Version)
[ "$(id -u)" = 0 ] || { t_skip "DKMS in the $SERIES kernel's root" "not root (chroot, apt-get)"; t_done; exit; }

KDIR_OTHER=$("$PROJECT/scripts/fetch-kernel" "$SERIES" | tail -n1) || t_bail "scripts/fetch-kernel $SERIES failed"
[ -s "$KDIR_OTHER/build-root" ] || t_bail "the $SERIES kernel builds on the host: no release root to install into"
ROOT=$(cat "$KDIR_OTHER/build-root")
KVER=$(basename "$(ls "$KDIR_OTHER"/boot/vmlinuz-* | head -n1)"); KVER=${KVER#vmlinuz-}
echo "# $SERIES: $KVER, root $ROOT"

# in the root, with a /proc of its own (dkms and objtool read it)
in_root() {
	unshare --mount --propagation private sh -c \
		'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$ROOT" \
		env DEBIAN_FRONTEND=noninteractive "$@"
}
purge() { in_root apt-get purge -y -qq dpu-vdpa-dkms >/dev/null 2>&1 || true; rm -rf "$ROOT/tmp/dkms-test"; }
trap purge EXIT
purge

t_ok "make deb" -- make -s -C "$PROJECT" deb
deb=$(ls "$PROJECT"/build/deb/dpu-vdpa-dkms_"$VERSION"_all.deb 2>/dev/null)
t_ok "build/deb has dpu-vdpa-dkms $VERSION" -- test -n "$deb"
mkdir -p "$ROOT/tmp/dkms-test" && cp "$deb" "$ROOT/tmp/dkms-test/"
start=$(date +%s)
t_ok "apt-get install ./dpu-vdpa-dkms_${VERSION}_all.deb in the root (dkms from its release)" -- \
	in_root sh -c "cd /tmp/dkms-test && apt-get install -y -qq --no-install-recommends -o APT::Sandbox::User=root ./$(basename "$deb")"
echo "# install (DKMS build included): $(($(date +%s) - start)) s"
t_eq "dkms status: dpu-vdpa $VERSION installed for $KVER" "installed" \
	"$(in_root dkms status -m dpu-vdpa -v "$VERSION" -k "$KVER" 2>/dev/null | sed -n 's/.*: //p')"
ko=$(ls "$ROOT/lib/modules/$KVER/updates/dkms/"dpu_vdpa.ko* 2>/dev/null | head -n1)
t_ok "the module is in /lib/modules/$KVER/updates/dkms" -- test -n "$ko"
t_eq "... its version is the package's" "$VERSION" "$(modinfo -F version "$ko" 2>/dev/null)"
t_eq "... and its vermagic the kernel's" "$KVER" "$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)"

# the VM stages modules uncompressed
staged=$ROOT/tmp/dkms-test/dpu_vdpa.ko
case "$ko" in
*.xz) xz -dc "$ko" >"$staged" ;;
*.zst) zstd -dqc "$ko" >"$staged" ;;
*) cp "$ko" "$staged" ;;
esac
t_ok "in the test VM on $KVER, the DKMS-built module: net-virtio.sh" -- \
	sh -c "VM_MODULES='$staged' '$PROJECT/scripts/vm' --kernel '$SERIES' -- \
		bash '$PROJECT/tests/vm/net-virtio.sh' >'$ROOT/tmp/dkms-test/vm.log' 2>&1;
	rc=\$?; sed 's/^/# vm: /' '$ROOT/tmp/dkms-test/vm.log';
	[ \$rc = 0 ] && grep -q '^# [0-9]* tests, 0 failed, 0 skipped' '$ROOT/tmp/dkms-test/vm.log'"

t_ok "apt-get purge dpu-vdpa-dkms in the root" -- in_root apt-get purge -y -qq dpu-vdpa-dkms
t_eq "dkms status: no dpu-vdpa" "" "$(in_root dkms status -m dpu-vdpa 2>/dev/null)"
t_eq "no dpu_vdpa module left for $KVER" "" "$(ls "$ROOT/lib/modules/$KVER/updates/dkms/" 2>/dev/null)"
t_done
