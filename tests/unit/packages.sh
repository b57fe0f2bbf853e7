#!/bin/bash
# The Debian packages as a user gets them: "make deb", lintian over them,
# "apt-get install ./build/deb/*.deb", then what each package promises:
# DKMS built dpu_vdpa for the newest installed 6.12 kernel and modprobe
# would load that file; vdpa-mgmt, its man page and bash completion are in
# place; a program builds with "pkg-config libvdpamgmt" alone and runs; the
# shared library exports its API only; in the test VM (the host's root)
# modprobe loads the DKMS module and the installed vdpa-mgmt makes devices
# that ping.  Then "apt-get purge" and nothing of it is left.
#
# It installs into the system: root only (CI is root on a throwaway
# machine), and skipped where one of the packages is installed already
# (not this test's to remove).  Whatever fails, the packages are purged.
. "$(dirname "$0")/../lib-host.sh"

PKGS=(dpu-vdpa-dkms vdpa-mgmt libvdpamgmt1 libvdpamgmt-dev)
OUT=$PROJECT/build/deb
# the kernel "make modules" builds for (top-level Makefile)
KVER=$(ls -d /lib/modules/6.12.*/build 2>/dev/null | sort -V | tail -n1 | cut -d/ -f4)
VERSION=$(dpkg-parsechangelog -l "$PROJECT/debian/changelog" -S Version)
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
SHLIB=/usr/lib/$MULTIARCH/libvdpamgmt.so.1
export DEBIAN_FRONTEND=noninteractive

installed() {	# PACKAGE: 0 if dpkg has it (in any state but purged)
	dpkg-query -W -f '${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^.[^n]'
}

if [ "$(id -u)" != 0 ]; then
	t_skip "Debian packages: build, install, purge" "not root (apt-get install)"
	t_done; exit
fi
for p in "${PKGS[@]}"; do
	if installed "$p"; then
		t_skip "Debian packages: build, install, purge" "$p is installed already"
		t_done; exit
	fi
done
[ -n "$KVER" ] || t_bail "no 6.12 kernel with headers in /lib/modules (scripts/install-deps)"
for tool in dpkg-buildpackage lintian dkms apt-get; do
	command -v "$tool" >/dev/null || t_bail "no $tool (scripts/install-deps)"
done

WORK=$(mktemp -d)
purge_all() {
	local p left=()
	for p in "${PKGS[@]}"; do installed "$p" && left+=("$p"); done
	[ ${#left[@]} = 0 ] || apt-get purge -y -qq "${left[@]}" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap purge_all EXIT

# --- build and lint
start=$(date +%s)
t_ok "make deb" -- make -s -C "$PROJECT" deb
echo "# make deb: $(($(date +%s) - start)) s"
t_eq "build/deb holds the four packages, version $VERSION" \
	"dpu-vdpa-dkms_${VERSION}_all.deb libvdpamgmt-dev_${VERSION}_amd64.deb libvdpamgmt1_${VERSION}_amd64.deb vdpa-mgmt_${VERSION}_amd64.deb" \
	"$(cd "$OUT" 2>/dev/null && ls -1 ./*.deb | sed 's|^\./||' | sort | xargs)"
[ -e "$OUT/dpu-vdpa_${VERSION}_amd64.changes" ] || t_bail "no packages to check (see build/deb/build.log)"

# the .changes names the source package and the four binary ones
rc=0
lintian --info --display-experimental "$OUT/dpu-vdpa_${VERSION}_amd64.changes" \
	>"$WORK/lintian" 2>&1 || rc=$?
grep -v '^running with root privileges' "$WORK/lintian" | sed 's/^/# lintian: /'
t_eq "lintian ran on the .changes (exit status 0)" 0 "$rc"
t_eq "lintian: no error" "" "$(grep '^E: ' "$WORK/lintian")"
# a justified warning is overridden in debian/*.lintian-overrides
t_eq "lintian: no warning" "" "$(grep '^W: ' "$WORK/lintian")"

# --- install
start=$(date +%s)
t_ok "apt-get install ./build/deb/*.deb" -- \
	apt-get install -y --no-install-recommends "$OUT"/*.deb
echo "# install (DKMS build included): $(($(date +%s) - start)) s"
for p in "${PKGS[@]}"; do
	t_eq "$p $VERSION installed" "ii |$VERSION" \
		"$(dpkg-query -W -f '${db:Status-Abbrev}|${Version}' "$p" 2>/dev/null)"
done

# --- the module, through DKMS
t_ok "module source in /usr/src/dpu-vdpa-$VERSION with its dkms.conf" -- \
	grep -qx "PACKAGE_VERSION=\"$VERSION\"" "/usr/src/dpu-vdpa-$VERSION/dkms.conf"
t_eq "dkms status: dpu-vdpa $VERSION installed for $KVER" "installed" \
	"$(dkms status -m dpu-vdpa -v "$VERSION" -k "$KVER" 2>/dev/null | sed -n 's/.*: //p')"
modfile=$(modinfo -k "$KVER" -n dpu_vdpa 2>/dev/null)
t_ok "modinfo -k $KVER dpu_vdpa: the DKMS-built file in updates/dkms ($modfile)" -- \
	sh -c "case '$modfile' in /lib/modules/$KVER/updates/dkms/dpu_vdpa.ko*) ;; *) exit 1;; esac &&
		test -f '$modfile'"
t_eq "... the very file DKMS built and installed" \
	"$(ls "/var/lib/dkms/dpu-vdpa/$VERSION/$KVER/$(uname -m)/module/"dpu_vdpa.ko* 2>/dev/null |
		xargs -r -n1 basename)" "$(basename "$modfile")"
t_eq "... its version is the package's" "$VERSION" "$(modinfo -k "$KVER" -F version dpu_vdpa 2>/dev/null)"
# the running kernel is not necessarily $KVER: what modprobe would insert there
t_ok "modprobe -S $KVER dpu_vdpa would load that file (after vdpa, vhost_iotlb)" -- \
	sh -c "modprobe -S '$KVER' --show-depends dpu_vdpa >'$WORK/deps' &&
		tail -n1 '$WORK/deps' | grep -q '^insmod $modfile' &&
		grep -q '/vdpa.ko' '$WORK/deps' && grep -q '/vhost_iotlb.ko' '$WORK/deps'"

# --- vdpa-mgmt
t_eq "vdpa-mgmt is /usr/sbin/vdpa-mgmt" "/usr/sbin/vdpa-mgmt" "$(dpkg -L vdpa-mgmt | grep '/vdpa-mgmt$' | grep bin/)"
t_ok "vdpa-mgmt --help" -- sh -c "/usr/sbin/vdpa-mgmt --help | grep -q '^usage: vdpa-mgmt'"
t_ok "vdpa-mgmt help" -- sh -c "/usr/sbin/vdpa-mgmt help | grep -q '^usage: vdpa-mgmt'"
t_eq "vdpa-mgmt -V: the package's version" "vdpa-mgmt $VERSION" "$(/usr/sbin/vdpa-mgmt -V 2>&1)"
t_eq "vdpa-mgmt runs on the installed libvdpamgmt.so.1" "$(readlink -f "$SHLIB")" \
	"$(ldd /usr/sbin/vdpa-mgmt | sed -n 's/^.*libvdpamgmt\.so\.1 => \([^ ]*\).*/\1/p' | xargs -r readlink -f)"
t_eq "man page: man -w vdpa-mgmt" "/usr/share/man/man8/vdpa-mgmt.8.gz" "$(man -w vdpa-mgmt 2>/dev/null)"
t_ok "man page renders with no groff warning" -- sh -c \
	"out=\$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l /usr/share/man/man8/vdpa-mgmt.8.gz 2>&1 >/dev/null);
	 [ -z \"\$out\" ] || { echo \"\$out\"; exit 1; }"
# the installed file, with bash-completion's helpers (stubbed as in
# vdpa-mgmt-completion.sh where bash-completion is not installed)
t_eq "bash completion: completes vdpa-mgmt's objects" "mgmtdev dev pci apply help" "$(bash -c '
	if [ -r /usr/share/bash-completion/bash_completion ]; then
		. /usr/share/bash-completion/bash_completion
	else
		_init_completion() {
			cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
			words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
		}
	fi
	. /usr/share/bash-completion/completions/vdpa-mgmt || exit
	fn=$(complete -p vdpa-mgmt | sed -n "s/.*-F \([^ ]*\).*/\1/p")
	COMP_WORDS=(vdpa-mgmt ""); COMP_CWORD=1; COMP_LINE="vdpa-mgmt "; COMP_POINT=${#COMP_LINE}
	"$fn" vdpa-mgmt "" vdpa-mgmt; echo "${COMPREPLY[*]}"' 2>&1)"

# --- libvdpamgmt-dev: a program built from what was installed
cat >"$WORK/user.c" <<'C'
#include <libvdpamgmt.h>
#include <stdio.h>

int main(void)
{
	struct vdpamgmt *vm = vdpamgmt_new();
	struct vdpamgmt_dpu_dev d = { .present = 1ULL << DPU_VDPA_A_LOGGING };
	uint8_t mac[6];

	if (!vm || vdpamgmt_mac_parse("02:00:00:00:00:07", mac) || mac[5] != 7 ||
	    !VDPAMGMT_HAS(&d, DPU_VDPA_A_LOGGING))
		return 1;
	printf("%s\n", vdpamgmt_class_name(1));
	vdpamgmt_free(vm);
	return 0;
}
C
# shellcheck disable=SC2046  # the flags are several words
t_ok "cc \$(pkg-config --cflags --libs libvdpamgmt): a program builds" -- \
	gcc -std=c11 -Wall -Wextra -Werror -o "$WORK/user" "$WORK/user.c" \
	$(pkg-config --cflags --libs libvdpamgmt)
t_eq "... and runs on the installed library" "net" "$("$WORK/user" 2>&1)"
t_ok "uapi headers in /usr/include/dpu-vdpa/linux, none in linux-libc-dev's /usr/include/linux" -- \
	sh -c "test -f /usr/include/dpu-vdpa/linux/dpu_vdpa.h &&
		test -f /usr/include/dpu-vdpa/linux/dpu_vdpa_state.h &&
		! dpkg -L libvdpamgmt-dev | grep -q '^/usr/include/linux/'"
nm -D --defined-only "$SHLIB" 2>/dev/null | awk '{print $3}' | sed 's/@.*//' |
	grep -vx LIBVDPAMGMT_1 >"$WORK/exported"
t_ok "libvdpamgmt.so.1 exports the API ($(wc -l <"$WORK/exported") functions)" -- \
	test "$(wc -l <"$WORK/exported")" -ge 50
# vdpamgmt_, not the kernel's vdpa_ (drivers/vdpa, other vdpa libraries)
t_eq "... and only vdpamgmt_* names" "" "$(grep -v '^vdpamgmt_' "$WORK/exported")"

# --- the test VM, whose root is this host's: modprobe takes the DKMS
# module, and the installed tool makes devices that carry traffic
# (tests/packages/installed-vm.sh; its own lines shown as comments)
t_ok "in the test VM: the DKMS module and the installed vdpa-mgmt at work" -- \
	sh -c "VM_MODULES= '$PROJECT/scripts/vm' --nets 2 --timeout 300 -- \
		bash '$PROJECT/tests/packages/installed-vm.sh' '$VERSION' >'$WORK/vm.log' 2>&1;
	rc=\$?; sed 's/^/# vm: /' '$WORK/vm.log';
	[ \$rc = 0 ] && grep -q '^# [0-9]* tests, 0 failed, 0 skipped' '$WORK/vm.log'"

# --- purge: nothing left
t_ok "apt-get purge ${PKGS[*]}" -- apt-get purge -y "${PKGS[@]}"
t_eq "dpkg knows none of them" "" \
	"$(for p in "${PKGS[@]}"; do installed "$p" && echo "$p"; done)"
t_eq "dkms status: no dpu-vdpa" "" "$(dkms status -m dpu-vdpa 2>/dev/null)"
t_eq "no dpu_vdpa module left in /lib/modules/$KVER" "" \
	"$(find "/lib/modules/$KVER" -name 'dpu_vdpa.ko*' 2>/dev/null)"
t_ok "modinfo -k $KVER dpu_vdpa finds nothing (depmod ran)" -- \
	sh -c "! modinfo -k '$KVER' dpu_vdpa >/dev/null 2>&1"
t_eq "no file of theirs left" "" \
	"$(ls -d /usr/src/dpu-vdpa-* /var/lib/dkms/dpu-vdpa /usr/sbin/vdpa-mgmt \
		/usr/lib/"$MULTIARCH"/libvdpamgmt* /usr/include/libvdpamgmt.h /usr/include/dpu-vdpa \
		/usr/share/man/man8/vdpa-mgmt.8.gz /usr/share/bash-completion/completions/vdpa-mgmt \
		2>/dev/null)"
t_done
