"""Prometheus metrics of one app instance (its own registry: no process-global state)."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["ServiceMetrics"]


class ServiceMetrics:
    """Screenings, their latency, failures by kind, HTTP requests and the batch queue depth.

    Implements ``screener.service.ScreeningObserver``.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.screenings = Counter(
            "screener_screenings", "CVs screened.", ["source", "reused"], registry=self.registry
        )
        self.latency = Histogram(
            "screener_screening_seconds",
            "Time to screen one CV (parse, embed, score, store).",
            ["source"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64),
            registry=self.registry,
        )
        self.steps = Histogram(
            "screener_screening_step_seconds",
            "Time of each step of screening one CV: parse, profile, embed, score, store.",
            ["source", "step"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16),
            registry=self.registry,
        )
        self.failures = Counter(
            "screener_screening_failures", "CVs that could not be screened, by error kind.",
            ["source", "kind"], registry=self.registry,
        )  # fmt: skip
        self.requests = Histogram(
            "screener_http_request_seconds", "HTTP request latency by route.",
            ["method", "route", "status"], registry=self.registry,
        )  # fmt: skip
        self.queue_depth = Gauge(
            "screener_batch_queue_depth", "Batch files waiting or being screened.",
            registry=self.registry,
        )  # fmt: skip

    def screened(
        self,
        *,
        source: str,
        seconds: float,
        reused: bool,
        steps: Sequence[tuple[str, float]] = (),
    ) -> None:
        self.screenings.labels(source, str(reused).lower()).inc()
        if not reused:
            self.latency.labels(source).observe(seconds)
        for step, step_seconds in steps:
            self.steps.labels(source, step).observe(step_seconds)

    def failed(self, *, source: str, kind: str) -> None:
        self.failures.labels(source, kind).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
