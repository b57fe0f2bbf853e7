#!/bin/bash
# scripts/vm --root: the guest runs another release's userspace.  With
# --kernel newest (trixie-backports') the guest's root is trixie's
# (scripts/make-root), the release that kernel is built for; --root /
# keeps the host's under the same kernel, so the check can fail; --root
# trixie under the host's kernel gets that kernel's modules over 9p.
# A bad --root is refused before anything boots.
. "$(dirname "$0")/../lib-host.sh"
cd "$PROJECT"
release() {
	scripts/vm --nets 0 --timeout 300 "$@" -- sh -c 'cat /etc/debian_version; uname -r; modprobe vhost_vdpa && echo modules-ok' 2>&1 | tr -d '\r'
}
# seen ERE...: every ERE matches a line of what the guest printed ($guest;
# not $out, which t_ok keeps for itself)
seen() {
	local p
	for p in "$@"; do grep -Eq -- "$p" <<<"$guest" || return 1; done
}

guest=$(release --kernel newest)
echo "$guest" | sed 's/^/# newest: /'
t_ok "--kernel newest boots trixie's root (Debian 13)" -- seen '^13\.'
t_ok "... and trixie-backports' kernel, its modules loaded" -- seen '\+deb13' '^modules-ok$'
host=$(cut -d. -f1 /etc/debian_version)
guest=$(release --kernel newest --root /)
echo "$guest" | sed 's/^/# newest, --root \/: /'
t_ok "--root / keeps the host's root (Debian $host) under that kernel" -- seen "^$host\."
guest=$(release --root trixie)
echo "$guest" | sed 's/^/# 6.12, --root trixie: /'
t_ok "--root trixie under the host's kernel: trixie's userspace, that kernel's modules" -- \
	seen '^13\.' '^modules-ok$'
t_err "--root of a directory that is no root file system is refused" "not a root file system" -- \
	scripts/vm --root "$PROJECT/tests" -- true
t_done
