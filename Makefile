# tsmc-xen top level. `make lab` runs the main job (the Xen lab demo),
# `make check` runs every test; both install their Debian packages first.
LAB_KERNEL ?= 6.1
export LAB_KERNEL

# Host-side test suites, fastest first; the lab runs last.
HOST_CHECKS := tests/unit/module tests/unit/ring tests/tools tests/model tests/fuzz \
	tests/bench/ring tests/unit/bpf \
	tests/unit/xenctl tests/unit/tsmc-ss xenstore-schema
LAB_CHECK := tests/lab

all: deps
	$(MAKE) -C bpf
	$(MAKE) -C dom0-tools

deps:
	tests/install-deps.sh

check: deps
	tests/run-checks.sh $(HOST_CHECKS) $(LAB_CHECK)

check-host: deps
	tests/run-checks.sh $(HOST_CHECKS)

lab: deps
	$(MAKE) -C tests/lab lab

lab-clean:
	$(MAKE) -C tests/lab lab-clean

bench: deps
	$(MAKE) -C tests/bench/ring bench
	$(MAKE) -C tests/bench/bpf bench
	$(MAKE) -C tests/lab bench

fuzz: deps
	$(MAKE) -C tests/fuzz fuzz

.PHONY: all deps check check-host lab lab-clean bench fuzz
