#!/bin/bash
# libvdpamgmt as a VMM would take it: "make install" into a staging root,
# then a C program and a C++ one built against nothing but what was
# installed (the public header must bring the attribute numbers its
# results are read with), linked with -lmnl, and run.
. "$(dirname "$0")/../lib-host.sh"
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
INC=$ROOT/usr/local/include LIB=$ROOT/usr/local/lib

t_ok "make install DESTDIR=<staging root>" -- \
	make -s -C "$VDPA_MGMT" install DESTDIR="$ROOT" PREFIX=/usr/local
t_ok "installed: tool, man page, completion, library, header, uapi headers" -- \
	test -x "$ROOT/usr/local/sbin/vdpa-mgmt" -a -f "$LIB/libvdpamgmt.a" -a \
	-f "$INC/libvdpamgmt.h" -a -f "$INC/linux/dpu_vdpa.h" -a -f "$INC/linux/dpu_vdpa_state.h"

cat >"$ROOT/user.c" <<'C'
#include <libvdpamgmt.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	struct vdpa_mgmt *vm = vdpa_mgmt_new();
	struct vdpa_dpu_dev d;
	struct vdpa_dev v;
	uint8_t mac[6];

	memset(&d, 0, sizeof(d));
	memset(&v, 0, sizeof(v));
	d.present = 1ULL << DPU_VDPA_A_LOGGING;
	v.present = 1ULL << VDPA_ATTR_DEV_MAX_VQS;

	if (!vm || vdpa_mac_parse("02:00:00:00:00:01", mac) || mac[5] != 1 ||
	    !VDPA_HAS(&d, DPU_VDPA_A_LOGGING) || !VDPA_HAS(&v, VDPA_ATTR_DEV_MAX_VQS) ||
	    vdpa_mac_parse("02:00", mac) != -EINVAL_CHECK)
		return 1;
	vdpa_mgmt_free(vm);
	puts("linked and ran");
	return 0;
}
C
# -EINVAL without <errno.h> in user code: the header must not need it
sed -i 's/-EINVAL_CHECK/-22/' "$ROOT/user.c"
t_ok "a C11 program built with only the installed header and library" -- \
	gcc -std=c11 -Wall -Wextra -Werror -I"$INC" -o "$ROOT/user" "$ROOT/user.c" \
	-L"$LIB" -lvdpamgmt -lmnl
t_eq "... runs" "linked and ran" "$("$ROOT/user")"
cp "$ROOT/user.c" "$ROOT/user.cc"
t_ok "the same as C++ (extern \"C\" linkage)" -- \
	g++ -Wall -Wextra -Werror -I"$INC" -o "$ROOT/user++" "$ROOT/user.cc" \
	-L"$LIB" -lvdpamgmt -lmnl
t_eq "... runs" "linked and ran" "$("$ROOT/user++")"
t_ok "make uninstall leaves no file behind" -- sh -c \
	"make -s -C '$VDPA_MGMT' uninstall DESTDIR='$ROOT' PREFIX=/usr/local &&
	 test -z \"\$(find '$ROOT/usr' -type f)\""
t_done
