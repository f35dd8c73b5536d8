"""Replay: a scenario run through the real pipeline on a virtual clock.

Scenario events (``scenario``, ``scenarios/``), the run itself (``run``), the JSON summary it
writes (``summary``) and generated traffic for tests and benchmarks (``traffic``).
"""
