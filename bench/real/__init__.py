"""The real-server bench: the workload, the probe and the controllers against a real Immich."""
