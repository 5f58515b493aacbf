"""Tests of the integration inside Home Assistant."""
