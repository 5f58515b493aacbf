"""The house's holds: conditions, arriving uploads, never-together groups (pure)."""
