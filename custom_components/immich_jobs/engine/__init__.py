"""The pure core: queues, the scheduler and its cycle, durations, time left, reasons.

No Home Assistant and no I/O here: the same code runs in the coordinator, the simulator,
the benchmarks and the tests. It imports the standard library, const and immich.models only.
"""
