/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What differs between the kernels the driver builds for, in one place.
 *
 * The driver is written against the newest interfaces it uses.  What a
 * target kernel lacks is found by probing it, never by its version:
 * conftest.sh, run by Kbuild, compiles probes against its headers and looks
 * in its exports, and writes HAVE_* into dpu_vdpa_conftest.h of the build
 * tree; macros and uapi constants are tested right here with #ifdef.
 */
#ifndef _DPU_VDPA_COMPAT_H_
#define _DPU_VDPA_COMPAT_H_

#include "dpu_vdpa_conftest.h"

#endif /* _DPU_VDPA_COMPAT_H_ */
