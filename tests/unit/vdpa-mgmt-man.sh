#!/bin/bash
# vdpa-mgmt(8) renders without warnings, and its COMMANDS section has
# each command as "vdpa-mgmt help" spells it (words, keywords, spacing;
# a run of optional attributes may be "[attributes]", described below it).
. "$(dirname "$0")/../lib-host.sh"
V=$VDPA_MGMT/vdpa-mgmt
MAN=$VDPA_MGMT/vdpa-mgmt.8
[ -x "$V" ] || t_bail "$V not built (make tools)"
if ! command -v man >/dev/null; then
	t_skip "vdpa-mgmt(8) renders" "man is not installed"
	t_done
	exit
fi

warnings=$(MANWIDTH=80 man --warnings -l "$MAN" 2>&1 >/dev/null)
t_eq "man --warnings: none" "" "$warnings"

# wide enough that no heading wraps; blanks squeezed
commands=$(MANWIDTH=250 man -l "$MAN" 2>/dev/null | col -b | tr -s ' \t' ' ' |
	sed -n '/^COMMANDS/,/^EXIT STATUS/p')
while IFS= read -r usage; do
	usage=${usage//[\{\}]/}
	t_ok "man COMMANDS: $usage" -- grep -qxF -e " $usage" -e " ${usage%% [[]*} [attributes]" \
		<<<"$commands"
done < <("$V" help | sed -n 's/^  vdpa-mgmt //p')
t_done
