#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Feature probes of the kernel the driver is built for.  Kbuild runs this
# once per kernel release (drivers/vdpa/dpu/Kbuild):
#
#   conftest.sh OUT MODULE_SYMVERS CC [CFLAGS...]
#
# Each probe compiles a few lines against the target kernel's headers with
# the flags Kbuild builds the driver with, or looks for a symbol among the
# kernel's exports (MODULE_SYMVERS); OUT gets "#define HAVE_x 1" for each
# that finds what it looks for.  compat.h is the one reader: it says what each
# capability is for and what the driver does without it.  A probe tests the
# interface the driver uses, never a version number.  Probes that fail are
# expected to and say nothing: the compiler's words are kept in OUT.log.
set -euo pipefail

out=$1
symvers=$2
shift 2
# what Kbuild adds per object, which headers' inline functions use
cc=("$@" -DKBUILD_MODNAME='"dpu_vdpa"' -DKBUILD_BASENAME='"conftest"')
mkdir -p "$(dirname "$out")"
# beside OUT: it appears whole, by rename, or not at all
tmp=$(mktemp -d "$(dirname "$out")/.conftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/log"
: >"$tmp/defines"

# compiles NAME.c, the C source on stdin.  Only a failed compile says
# "not there"; the mismatches the probes look for are made failures here,
# whatever the kernel's own flags make of them.
compiles() {
	cat >"$tmp/$1.c"
	printf '=== %s\n' "$1" >>"$tmp/log"
	"${cc[@]}" -Werror=implicit-function-declaration -Werror=incompatible-pointer-types \
		-Werror=int-conversion -c "$tmp/$1.c" -o "$tmp/$1.o" >>"$tmp/log" 2>&1
}

# probe NAME, the C source on stdin
probe() {
	if compiles "$1"; then
		printf '#define %s 1\n' "$1" >>"$tmp/defines"
	else
		printf '/* #undef %s */\n' "$1" >>"$tmp/defines"
	fi
}

# exported NAME SYMBOL: does the kernel export SYMBOL to modules?  A
# header may declare a function the kernel keeps to itself.
exported() {
	if awk -v sym="$2" '$2 == sym { found = 1 } END { exit !found }' "$symvers"; then
		printf '#define %s 1\n' "$1" >>"$tmp/defines"
	else
		printf '/* #undef %s */\n' "$1" >>"$tmp/defines"
	fi
}

if [ ! -r "$symvers" ]; then
	echo "conftest.sh: no $symvers: the kernel's exports are not known" >&2
	exit 1
fi

# The headers every probe includes, used as the driver does, must compile:
# else every probe would fail and quietly take a capability away.
if ! compiles baseline <<'EOF'
#include <linux/iommu.h>
#include <linux/vdpa.h>
#include <net/genetlink.h>
int conftest(struct vdpa_device *vdpa, struct netlink_ext_ack *extack);
int conftest(struct vdpa_device *vdpa, struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_MOD(extack, "conftest");
	return vdpa->config->reset(vdpa);
}
EOF
then
	cat "$tmp/log" >&2
	echo "conftest.sh: the target kernel's headers do not compile with these flags" >&2
	exit 1
fi

# linux/unaligned.h, which was asm/unaligned.h
probe HAVE_LINUX_UNALIGNED_H <<'EOF'
#include <linux/unaligned.h>
u16 conftest(const void *p);
u16 conftest(const void *p) { return get_unaligned_le16(p); }
EOF

# vdpa_config_ops members, each with the signature the driver implements
probe HAVE_VDPA_OP_SUSPEND <<'EOF'
#include <linux/vdpa.h>
static int op(struct vdpa_device *vdpa) { return 0; }
const struct vdpa_config_ops conftest_ops = { .suspend = op };
EOF

probe HAVE_VDPA_OP_RESUME <<'EOF'
#include <linux/vdpa.h>
static int op(struct vdpa_device *vdpa) { return 0; }
const struct vdpa_config_ops conftest_ops = { .resume = op };
EOF

probe HAVE_VDPA_OP_GET_VQ_SIZE <<'EOF'
#include <linux/vdpa.h>
static u16 op(struct vdpa_device *vdpa, u16 idx) { return 0; }
const struct vdpa_config_ops conftest_ops = { .get_vq_size = op };
EOF

probe HAVE_VDPA_OP_GET_VQ_DMA_DEV <<'EOF'
#include <linux/vdpa.h>
static struct device *op(struct vdpa_device *vdpa, u16 idx) { return NULL; }
const struct vdpa_config_ops conftest_ops = { .get_vq_dma_dev = op };
EOF

# since 6.18 the per-queue DMA device is a map token (union virtio_map)
probe HAVE_VDPA_OP_GET_VQ_MAP <<'EOF'
#include <linux/vdpa.h>
static union virtio_map op(struct vdpa_device *vdpa, u16 idx)
{
	union virtio_map map = { .dma_dev = vdpa->vmap.dma_dev };

	return map;
}
const struct vdpa_config_ops conftest_ops = { .get_vq_map = op };
EOF

# the same series: the device's map token in vdpa_device.vmap, and
# vdpa_alloc_device taking the device's map ops (NULL: the DMA API)
probe HAVE_VDPA_DEV_VMAP <<'EOF'
#include <linux/vdpa.h>
struct conftest_dev { struct vdpa_device vdpa; };
struct conftest_dev *conftest(struct device *parent, const struct vdpa_config_ops *ops);
struct conftest_dev *conftest(struct device *parent, const struct vdpa_config_ops *ops)
{
	struct conftest_dev *d = vdpa_alloc_device(struct conftest_dev, vdpa, parent, ops,
						   NULL, 1, 1, NULL, false);

	if (!IS_ERR(d))
		d->vdpa.vmap.dma_dev = parent;
	return d;
}
EOF

# the op and the bits the driver returns from it
probe HAVE_VDPA_OP_GET_BACKEND_FEATURES <<'EOF'
#include <linux/vdpa.h>
#include <uapi/linux/vhost_types.h>
static u64 op(const struct vdpa_device *vdpa)
{
	return BIT_ULL(VHOST_BACKEND_F_IOTLB_PERSIST) |
	       BIT_ULL(VHOST_BACKEND_F_ENABLE_AFTER_DRIVER_OK);
}
const struct vdpa_config_ops conftest_ops = { .get_backend_features = op };
EOF

probe HAVE_VDPA_OP_RESET_MAP <<'EOF'
#include <linux/vdpa.h>
static int op(struct vdpa_device *vdpa, unsigned int asid) { return 0; }
const struct vdpa_config_ops conftest_ops = { .reset_map = op };
EOF

# "vdpa dev set"
probe HAVE_VDPA_MGMT_OP_DEV_SET_ATTR <<'EOF'
#include <linux/vdpa.h>
static int op(struct vdpa_mgmt_dev *mgmt, struct vdpa_device *vdpa,
	      const struct vdpa_dev_set_config *config) { return 0; }
const struct vdpa_mgmtdev_ops conftest_ops = { .dev_set_attr = op };
EOF

# a paging domain for a device, which was iommu_domain_alloc(bus)
probe HAVE_IOMMU_PAGING_DOMAIN_ALLOC <<'EOF'
#include <linux/iommu.h>
struct iommu_domain *conftest(struct device *dev);
struct iommu_domain *conftest(struct device *dev) { return iommu_paging_domain_alloc(dev); }
EOF

# iommu_map with the caller's gfp_t
probe HAVE_IOMMU_MAP_GFP <<'EOF'
#include <linux/iommu.h>
int conftest(struct iommu_domain *d);
int conftest(struct iommu_domain *d) { return iommu_map(d, 0, 0, PAGE_SIZE, IOMMU_READ, GFP_KERNEL); }
EOF

# the reserved regions of one device, not only of its IOMMU group
exported HAVE_IOMMU_GET_RESV_REGIONS iommu_get_resv_regions

{
	printf '/* Generated by %s: what the target kernel has.  Do not edit. */\n' \
		"${0##*/}"
	printf '#ifndef _DPU_VDPA_CONFTEST_H_\n#define _DPU_VDPA_CONFTEST_H_\n\n'
	cat "$tmp/defines"
	# every probe's answer in one string, for modinfo (main.c): a user
	# sees what the driver was built without, "-vdpa_op_resume" and such
	printf '\n#define DPU_VDPA_CONFTEST_RESULTS "%s"\n' "$(awk '
		/^#define HAVE_/ { n = $2; s = "+" }
		/^\/\* #undef HAVE_/ { n = $3; s = "-" }
		n != "" { sub(/^HAVE_/, "", n); printf "%s%s%s", sep, s, tolower(n); sep = " "; n = "" }
	' "$tmp/defines")"
	printf '\n#endif /* _DPU_VDPA_CONFTEST_H_ */\n'
} >"$tmp/out.h"
mv "$tmp/log" "$out.log"
mv "$tmp/out.h" "$out"
