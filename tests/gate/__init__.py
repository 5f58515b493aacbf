"""Command gating and rival detection, without Home Assistant."""
