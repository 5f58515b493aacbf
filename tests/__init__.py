"""Tests of the Immich Jobs integration."""
