"""Reliability: the integration under injected faults, bad inputs and a simulated week."""
