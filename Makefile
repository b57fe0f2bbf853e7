# dpu-vdpa: out-of-tree kernel module + userspace tool.
#
#   make                 build drivers/vdpa/dpu/dpu_vdpa.ko, tools/vdpa-mgmt/vdpa-mgmt and
#                        the test tool tests/vhost-client/vhost-client
#   make C=1             the same, with sparse on the driver
#   make install         install the module for $(KVER) and run depmod, and the
#                        tool (PREFIX=/usr/local DESTDIR=, see tools/vdpa-mgmt)
#   make deb             the Debian packages (debian/) into build/deb:
#                        dpu-vdpa-dkms, vdpa-mgmt, libvdpamgmt1, libvdpamgmt-dev
#   make check           install deps if missing, build, run every test but
#                        those of tests/full.list, those marked in
#                        tests/debug.list on the debug kernel (KASAN,
#                        lockdep, kmemleak, UBSAN): "instead" of the stock one
#                        or as well ("check"), and those marked "check" in
#                        tests/kernels.list on Debian's 6.1 and the newest
#                        trixie-backports kernel
#   make check TESTS="tests/vm/net-virtio.sh"   a subset
#   make check-debug     every test (tests/full.list's too) on the stock
#                        kernel, tests/kernels.list on its kernels, then all
#                        of tests/debug.list at full length on the debug kernel
#   make check-kernels   all of tests/kernels.list on the other Debian
#                        kernels it names (6.1: Debian 12's default; newest:
#                        trixie-backports', built in a trixie root), each
#                        fetched and cached by scripts/fetch-kernel
#   make demo            a walk-through in the test VM
#   make migrate-demo    live migration of a VM between two vDPA devices
#                        with stock QEMU, in the test VM (scripts/migrate-demo)
#   make bench           the driver stacks side by side (plain virtio, upstream
#                        vp_vdpa, ours direct, shadow, shadow with the dirty log)
#                        in the test VM: build/bench/results.md and plots
#                        (scripts/bench; not part of make check)

# The newest installed Debian 6.12 kernel, whatever the build host runs.
KVER ?= $(shell ls -d /lib/modules/6.12.*/build 2>/dev/null | sort -V | tail -n1 | \
		cut -d/ -f4)
KDIR ?= /lib/modules/$(KVER)/build
TESTS ?=

.PHONY: all modules tools install install-modules install-tools check check-debug check-kernels unit demo migrate-demo bench clean deps deb

all: modules tools

deps:
	@scripts/install-deps

modules:
	@test -d "$(KDIR)" || { echo "no kernel build tree for '$(KVER)' (run scripts/install-deps)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

tools:
	$(MAKE) -C tools/vdpa-mgmt
	$(MAKE) -C tests/vhost-client

install: install-modules install-tools

install-modules: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(KVER)

install-tools: tools
	$(MAKE) -C tools/vdpa-mgmt install

# built from a copy of the tree (scripts/build-deb): the checkout stays clean
deb:
	scripts/build-deb

check: deps
	$(MAKE) all
	tests/run $(TESTS)

# the suite, then all of tests/debug.list again on the debug kernel (KASAN,
# lockdep, kmemleak, UBSAN) with the driver's line coverage; TESTS=... names others
check-debug: deps
	$(MAKE) all
	$(if $(TESTS),tests/run $(addprefix debug:,$(TESTS)),DEBUG_PASS=1 tests/run)

check-kernels: deps
	$(MAKE) all
	tests/run kernels

demo: deps
	$(MAKE) all
	scripts/demo

migrate-demo: deps
	$(MAKE) all
	scripts/migrate-demo

bench: deps
	$(MAKE) all
	scripts/bench

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C tools/vdpa-mgmt clean
	$(MAKE) -C tests/vhost-client clean
	rm -rf build
