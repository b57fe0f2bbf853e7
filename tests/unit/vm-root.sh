#!/bin/bash
# scripts/vm --root: the guest runs another release's userspace.  With
# --kernel newest (trixie-backports') the guest's root is trixie's
# (scripts/make-root), the release that kernel is built for; --root /
# keeps the host's (bookworm) under the same kernel, so the check can fail.
# A bad --root is refused before anything boots.
. "$(dirname "$0")/../lib-host.sh"
cd "$PROJECT"
release() { scripts/vm --nets 0 --timeout 300 "$@" -- sh -c 'cat /etc/debian_version; uname -r' 2>&1 | tr -d '\r'; }

out=$(release --kernel newest)
echo "$out" | sed 's/^/# newest: /'
t_ok "--kernel newest boots trixie's root (Debian 13)" -- grep -q '^13\.' <<<"$out"
t_ok "... and trixie-backports' kernel" -- grep -q '+deb13' <<<"$out"
out=$(release --kernel newest --root /)
echo "$out" | sed 's/^/# newest, --root \/: /'
t_ok "--root / keeps the host's root (Debian 12) under that kernel" -- grep -q '^12\.' <<<"$out"
t_err "--root of a directory that is no root file system is refused" "not a root file system" -- \
	scripts/vm --root "$PROJECT/tests" -- true
t_done
