"""A fake Immich: queue dynamics in simulated time, and its HTTP API per version.

Independent of the integration on purpose: it models Immich, not our idea of it.
"""
