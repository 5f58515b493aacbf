"""Scheduler benchmarks in simulated time (run by scripts/bench, never by the test suite).

Each controller drives the same simulated Immich (simulator/model.py) on the same workloads,
polling when it chooses: every read and every command counts as one API request.
"""
