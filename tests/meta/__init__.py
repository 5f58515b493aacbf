"""Checks of the repository files themselves."""
