#!/bin/bash
# The driver and its uapi header pass checkpatch --strict (scripts/checkpatch,
# Debian's linux-source-6.12 checkpatch.pl), one result per file (sparse is
# .ci/run's build check).  A negative control checks that
# checkpatch does report a finding, so "clean" means something.
. "$(dirname "$0")/../lib-host.sh"
cd "$PROJECT"
for f in $(git ls-files 'drivers/vdpa/dpu/*.[ch]' 'include/uapi/linux/*.h'); do
	t_ok "checkpatch --strict: $f" -- scripts/checkpatch "$f"
done
bad=$(mktemp -d)/bad.c
printf 'int f(void)\n{\n\tint x;\n\tif (x==1) return 1;\n\treturn 0;\n}\n' >"$bad"
# a finding by name: a checkpatch that cannot run at all fails too
t_err "negative control: checkpatch reports a bad file" 'SPACING' -- scripts/checkpatch "$bad"
rm -rf "$(dirname "$bad")"
t_done
