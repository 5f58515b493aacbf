"""The demo: a simulated (or real) Immich and a real Home Assistant running Immich Jobs."""
