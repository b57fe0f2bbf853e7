#!/bin/bash
# The bash completion of vdpa-mgmt offers the objects, commands and
# keywords (bash-completion's own helpers stubbed: it may not be installed).
. "$(dirname "$0")/../lib-host.sh"

_init_completion() {
	cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
}
__ltrim_colon_completions() { :; }
_filedir() { COMPREPLY=(FILES); }
. "$VDPA_MGMT/vdpa-mgmt.bash-completion" || t_bail "cannot source the completion"

complete_line() {	# WORDS...: the completions for the last word
	COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMPREPLY=()
	_vdpa_mgmt
	echo "${COMPREPLY[*]}"
}

t_eq "objects" "mgmtdev dev pci apply help" "$(complete_line vdpa-mgmt '')"
t_eq "options" "-j -p -V -h --json --pretty --version --help" "$(complete_line vdpa-mgmt -)"
t_eq "dev commands after options" \
	"show add del set config attach detach status suspend resume log state migrate help" \
	"$(complete_line vdpa-mgmt -j dev '')"
t_eq "pci commands" "show bind unbind help" "$(complete_line vdpa-mgmt pci '')"
t_eq "apply: a file" "FILES" "$(complete_line vdpa-mgmt apply '')"
t_eq "apply -: --dry-run" "--dry-run" "$(complete_line vdpa-mgmt apply -)"
t_eq "apply --dry-run: then a file" "FILES" "$(complete_line vdpa-mgmt -j apply --dry-run '')"
t_eq "apply FILE -: --dry-run once, no second file" "--dry-run " \
	"$(complete_line vdpa-mgmt apply f.conf -) $(complete_line vdpa-mgmt apply f.conf '')"
t_eq "apply --dry-run FILE: nothing more" "" \
	"$(complete_line vdpa-mgmt apply --dry-run f.conf -)$(complete_line vdpa-mgmt apply --dry-run f.conf '')"
t_eq "dev add: keywords not given yet" "mac mtu max_vqp device_features" \
	"$(complete_line vdpa-mgmt dev add name x mgmtdev pci/0000:00:08.0 '')"
# the mgmtdev's features, as mgmtdev show prints them (wrapped)
vdpa-mgmt() {
	[ "$*" = "mgmtdev show pci/0000:00:08.0" ] || return 1
	printf 'pci/0000:00:08.0:\n  supported_classes net\n  dev_features CSUM GUEST_ANNOUNCE\n'
	printf '               HOST_USO VERSION_1\n  max_supported_vqs 9\n'
}
t_eq "dev add device_features: the mgmtdev's feature names, and the profile" \
	"CSUM GUEST_ANNOUNCE HOST_USO VERSION_1 profile=qemu-svq" \
	"$(complete_line vdpa-mgmt dev add name x mgmtdev pci/0000:00:08.0 device_features '')"
t_eq "dev add device_features -G: the names with the sign" "-GUEST_ANNOUNCE" \
	"$(complete_line vdpa-mgmt dev add name x mgmtdev pci/0000:00:08.0 device_features -G)"
t_eq "dev add device_features: the next term of a list, no profile there" \
	"-GUEST_ANNOUNCE,-CSUM -GUEST_ANNOUNCE,-GUEST_ANNOUNCE -GUEST_ANNOUNCE,-HOST_USO -GUEST_ANNOUNCE,-VERSION_1" \
	"$(complete_line vdpa-mgmt dev add name x mgmtdev pci/0000:00:08.0 device_features -GUEST_ANNOUNCE,-)"
t_eq "dev add device_features before a mgmtdev: the profile alone" "profile=qemu-svq" \
	"$(complete_line vdpa-mgmt dev add name x device_features '')"
unset -f vdpa-mgmt
t_eq "dev add: a keyword typed whole is still offered (bash adds the space)" "mac" \
	"$(complete_line vdpa-mgmt dev add name x mgmtdev pci/0000:00:08.0 mac)"
t_eq "dev log start: the same" "len" "$(complete_line vdpa-mgmt dev log start vdpa0 len)"
t_eq "dev migrate: the same" "bitmap" "$(complete_line vdpa-mgmt dev migrate vdpa0 to vdpa1 bitmap)"
t_eq "dev attach NAME: the drivers" "vhost virtio" "$(complete_line vdpa-mgmt dev attach vdpa0 '')"
t_eq "dev config: show" "show" "$(complete_line vdpa-mgmt dev config s)"
t_eq "dev log: its commands" "start sync stop help" "$(complete_line vdpa-mgmt dev log '')"
t_eq "dev log start NAME: keywords" "iova len page_size" \
	"$(complete_line vdpa-mgmt dev log start vdpa0 '')"
t_eq "dev log start: keywords not given yet" "iova page_size" \
	"$(complete_line vdpa-mgmt dev log start vdpa0 len 1G '')"
t_eq "dev log start len: no word offered for a number" "" \
	"$(complete_line vdpa-mgmt dev log start vdpa0 len '')"
t_eq "dev log sync NAME: a file" "FILES" "$(complete_line vdpa-mgmt dev log sync vdpa0 '')"
t_eq "dev state: its commands" "save load show help" "$(complete_line vdpa-mgmt dev state '')"
t_eq "dev state show: a file" "FILES" "$(complete_line vdpa-mgmt dev state show '')"
t_eq "dev state save NAME: a file" "FILES" "$(complete_line vdpa-mgmt dev state save vdpa0 '')"
t_eq "dev migrate NAME: to" "to" "$(complete_line vdpa-mgmt dev migrate vdpa0 '')"
t_eq "dev migrate NAME to NAME2: keywords" "mgmtdev iova len page_size bitmap" \
	"$(complete_line vdpa-mgmt dev migrate vdpa0 to vdpa1 '')"
t_eq "dev migrate bitmap: a file" "FILES" \
	"$(complete_line vdpa-mgmt dev migrate vdpa0 to vdpa1 len 1G bitmap '')"
t_done
