"""The options flow's steps (the config flow itself is config_flow.py at the root)."""
