"""The Hypothesis settings the generated tests share: the same examples on every run (derandomized, no example
database), no deadline (an example may build a store or start an app), and function-scoped fixtures allowed (each
test uses its examples with the fixtures it was given, on purpose)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

REPEATABLE = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
