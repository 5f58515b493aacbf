"""Tests of the house features: conditions, the upload quiet period, never-together groups."""
