"""Tests of the Immich API client."""
