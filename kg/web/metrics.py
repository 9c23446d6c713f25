"""Request metrics (count, latency, errors) at ``/metrics``, and the health check's status.

Metrics are kept in process, per route and status class, and written in the Prometheus text
format, which monitoring systems scrape as is.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask import Blueprint, Flask, Response, current_app, g, request

import kg
from kg.web.state import current_state

bp = Blueprint("metrics", __name__)

# Upper bounds of the latency histogram, in seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class Metrics:
    """Counters of the requests one app has answered."""

    started: float = field(default_factory=time.time)
    requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    buckets: Counter[tuple[str, float]] = field(default_factory=Counter)
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    stopped: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, route: str, status: int, elapsed: float) -> None:
        """Count one answered request."""
        with self.lock:
            self.requests[(route, f"{status // 100}xx")] += 1
            self.seconds[route] += elapsed
            for bound in BUCKETS:
                if elapsed <= bound:
                    self.buckets[(route, bound)] += 1

    def stop(self, limit: str) -> None:
        """Count a query stopped by a limit (``"time"`` or ``"size"``)."""
        with self.lock:
            self.stopped[limit] += 1

    def prometheus(self) -> str:
        """The counters in the Prometheus text format."""
        with self.lock:
            lines = [
                "# HELP kg_requests_total HTTP requests answered, by route and status class.",
                "# TYPE kg_requests_total counter",
                *(
                    f'kg_requests_total{{route="{route}",status="{status}"}} {count}'
                    for (route, status), count in sorted(self.requests.items())
                ),
                "# HELP kg_request_seconds Time to answer a request.",
                "# TYPE kg_request_seconds histogram",
            ]
            routes = sorted({route for route, _ in self.requests})
            for route in routes:
                total = sum(n for (r, _), n in self.requests.items() if r == route)
                lines += [
                    f'kg_request_seconds_bucket{{route="{route}",le="{bound}"}} '
                    f"{self.buckets[(route, bound)]}"
                    for bound in BUCKETS
                ]
                lines += [
                    f'kg_request_seconds_bucket{{route="{route}",le="+Inf"}} {total}',
                    f'kg_request_seconds_sum{{route="{route}"}} {self.seconds[route]:.6f}',
                    f'kg_request_seconds_count{{route="{route}"}} {total}',
                ]
            lines += [
                "# HELP kg_queries_stopped_total Queries stopped by the time or size limit.",
                "# TYPE kg_queries_stopped_total counter",
                *(
                    f'kg_queries_stopped_total{{limit="{limit}"}} {self.stopped[limit]}'
                    for limit in ("time", "size")
                ),
                "# HELP kg_uptime_seconds Seconds since the app started.",
                "# TYPE kg_uptime_seconds gauge",
                f"kg_uptime_seconds {time.time() - self.started:.0f}",
            ]
        return "\n".join(lines) + "\n"


def install(app: Flask) -> Metrics:
    """Count every request ``app`` answers."""
    metrics = Metrics()
    app.extensions["strike_kg_metrics"] = metrics

    @app.before_request
    def _start_clock() -> None:
        g.kg_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.get("kg_started")
        if started is not None:
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            metrics.record(route, response.status_code, time.perf_counter() - started)
        return response

    return metrics


def current_metrics() -> Metrics:
    """The metrics of the app handling the current request."""
    metrics = current_app.extensions["strike_kg_metrics"]
    assert isinstance(metrics, Metrics)
    return metrics


@bp.get("/metrics")
def prometheus() -> Response:
    """Request counts, latency histograms and stopped queries, for Prometheus."""
    return Response(current_metrics().prometheus(), content_type=PROMETHEUS_TYPE)


def health_status() -> dict[str, object]:
    """Up, the version, and where queries are answered from."""
    state = current_state()
    status: dict[str, object] = {"status": "ok", "version": kg.__version__}
    status.update(state.engine.describe())
    return status
