"""Tests for the Immich simulator (model, HTTP server, fidelity to recorded samples)."""
