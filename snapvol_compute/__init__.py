"""The Nova-like compute service (libvirt-driven assisted snapshots)."""
