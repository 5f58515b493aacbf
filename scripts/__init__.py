"""Development scripts (importable by the tests)."""
