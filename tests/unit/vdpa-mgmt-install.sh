#!/bin/bash
# libvdpamgmt as a VMM would take it: "make install" into a staging root,
# then a C program and a C++ one built against nothing but what was
# installed (the public header must bring the attribute numbers its
# results are read with), with the flags of the installed pkg-config file,
# and run: against the shared library, then the static one.
. "$(dirname "$0")/../lib-host.sh"
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
INC=$ROOT/usr/local/include LIB=$ROOT/usr/local/lib
# the staged .pc, its paths under ROOT
export PKG_CONFIG_PATH=$LIB/pkgconfig PKG_CONFIG_SYSROOT_DIR=$ROOT

t_ok "make install DESTDIR=<staging root>" -- \
	make -s -C "$VDPA_MGMT" install DESTDIR="$ROOT" PREFIX=/usr/local
t_ok "installed: tool, man page, completion, libraries, pkg-config file, header" -- \
	test -x "$ROOT/usr/local/sbin/vdpa-mgmt" -a -f "$LIB/libvdpamgmt.a" -a \
	-f "$LIB/libvdpamgmt.so.1" -a -L "$LIB/libvdpamgmt.so" -a \
	-f "$LIB/pkgconfig/libvdpamgmt.pc" -a -f "$INC/libvdpamgmt.h"
# apply at boot and on hot-plug: the unit runs the installed tool
t_eq "installed: apply's systemd unit, running the tool of this install" \
	"ExecStart=/usr/local/sbin/vdpa-mgmt apply /etc/vdpa-mgmt/devices.conf" \
	"$(grep '^ExecStart=' "$ROOT/usr/local/lib/systemd/system/vdpa-mgmt-apply.service")"
t_ok "installed: the udev rule and the example devices file" -- \
	test -f "$ROOT/usr/local/lib/udev/rules.d/90-vdpa-mgmt.rules" -a \
	-f "$ROOT/usr/local/share/doc/vdpa-mgmt/examples/devices.conf.example"
# <linux/...> in the system include path is linux-libc-dev's
t_ok "uapi headers under include/dpu-vdpa/linux, none in include/linux" -- \
	test -f "$INC/dpu-vdpa/linux/dpu_vdpa.h" -a -f "$INC/dpu-vdpa/linux/dpu_vdpa_state.h" \
	-a ! -e "$INC/linux"
# (its first -I: libmnl's own, a system directory, follows under ROOT)
t_eq "pkg-config: the uapi directory" "-I$INC/dpu-vdpa" \
	"$(pkg-config --cflags libvdpamgmt | cut -d' ' -f1)"
t_eq "pkg-config: the library" "-L$LIB -lvdpamgmt" "$(pkg-config --libs libvdpamgmt | xargs)"
t_eq "pkg-config: the version is debian/changelog's" \
	"$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$PROJECT/debian/changelog")" \
	"$(pkg-config --modversion libvdpamgmt)"
# the ABI is what the header declares: every exported function is declared
# there, every declared one is exported, all at version LIBVDPAMGMT_1 (the
# version's own symbol aside)
exported=$(nm -D --defined-only "$LIB/libvdpamgmt.so.1" | awk '{print $3}' |
	grep -vx LIBVDPAMGMT_1 | sort)
declared=$(grep -oE '\bvdpamgmt_[a-z0-9_]+\(' "$INC/libvdpamgmt.h" | tr -d '(' | sort -u |
	sed 's/$/@@LIBVDPAMGMT_1/')
t_eq "libvdpamgmt.so exports exactly the functions of libvdpamgmt.h" "$declared" "$exported"
# one prefix, clear of the kernel's vdpa_ names: nothing else is exported,
# and the only vdpa_/VDPA_ names in the header are the uapi's it refers to
t_eq "... all named vdpamgmt_*" "" "$(grep -v '^vdpamgmt_' <<<"$exported")"
t_eq "libvdpamgmt.h names no vdpa_* of its own (the uapi's enum vdpa_attr, VDPA_ATTR_*, VDPA_CMD_* aside)" \
	"" "$(grep -oE '\b(vdpa|VDPA)_[A-Za-z0-9_]+' "$INC/libvdpamgmt.h" |
		grep -vE '^(vdpa_attr|VDPA_ATTR_[A-Z0-9_]*|VDPA_CMD_[A-Z0-9_]*)$' | sort -u | xargs)"

cat >"$ROOT/user.c" <<'C'
#include <libvdpamgmt.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	struct vdpamgmt *vm = vdpamgmt_new();
	struct vdpamgmt_dpu_dev d;
	struct vdpamgmt_dev v;
	uint8_t mac[6];

	memset(&d, 0, sizeof(d));
	memset(&v, 0, sizeof(v));
	d.present = 1ULL << DPU_VDPA_A_LOGGING;
	v.present = 1ULL << VDPA_ATTR_DEV_MAX_VQS;

	if (!vm || vdpamgmt_mac_parse("02:00:00:00:00:01", mac) || mac[5] != 1 ||
	    !VDPAMGMT_HAS(&d, DPU_VDPA_A_LOGGING) || !VDPAMGMT_HAS(&v, VDPA_ATTR_DEV_MAX_VQS) ||
	    vdpamgmt_mac_parse("02:00", mac) != -EINVAL_CHECK)
		return 1;
	vdpamgmt_free(vm);
	puts("linked and ran");
	return 0;
}
C
# -EINVAL without <errno.h> in user code: the header must not need it
sed -i 's/-EINVAL_CHECK/-22/' "$ROOT/user.c"
# word splitting wanted: the flags are several words
# shellcheck disable=SC2046
t_ok "a C11 program built with only the installed header and libvdpamgmt.so" -- \
	gcc -std=c11 -Wall -Wextra -Werror -I"$INC" -o "$ROOT/user" "$ROOT/user.c" \
	$(pkg-config --cflags --libs libvdpamgmt)
t_eq "... runs" "linked and ran" "$(LD_LIBRARY_PATH=$LIB "$ROOT/user")"
t_eq "... with the shared library" "libvdpamgmt.so.1" \
	"$(readelf -d "$ROOT/user" | sed -n 's/.*NEEDED.*\[\(libvdpamgmt[^]]*\)\]/\1/p')"
# shellcheck disable=SC2046
t_ok "the same, static (pkg-config --static brings -lmnl)" -- \
	gcc -std=c11 -Wall -Wextra -Werror -I"$INC" -o "$ROOT/user-static" "$ROOT/user.c" \
	$(pkg-config --cflags libvdpamgmt) "$LIB/libvdpamgmt.a" \
	$(pkg-config --static --libs-only-l libvdpamgmt | sed 's/-lvdpamgmt//')
t_eq "... runs" "linked and ran" "$("$ROOT/user-static")"
cp "$ROOT/user.c" "$ROOT/user.cc"
# shellcheck disable=SC2046
t_ok "the same as C++ (extern \"C\" linkage)" -- \
	g++ -Wall -Wextra -Werror -I"$INC" -o "$ROOT/user++" "$ROOT/user.cc" \
	$(pkg-config --cflags --libs libvdpamgmt)
t_eq "... runs" "linked and ran" "$(LD_LIBRARY_PATH=$LIB "$ROOT/user++")"
t_ok "make uninstall leaves no file behind" -- sh -c \
	"make -s -C '$VDPA_MGMT' uninstall DESTDIR='$ROOT' PREFIX=/usr/local &&
	 test -z \"\$(find '$ROOT/usr' ! -type d)\""
t_done
