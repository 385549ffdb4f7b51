"""``GET /metrics`` in Prometheus text (``prometheus-client``): requests by route and status, and the
store's figures read at each scrape (``service/metrics.py``).

Off with ``COMMONGROUND_METRICS_ENABLED=false``. With ``COMMONGROUND_METRICS_TOKEN`` set, a scrape must
send it as a bearer token; without one, only loopback clients are answered (a scraper on the host,
or through the proxy's own allow-list)."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from commonground.api.deps import Permission, get_services, requires
from commonground.bootstrap import Services
from commonground.config import Settings

PREFIX = "commonground"


class StoreFigures(Collector):
    """Read the store's figures when scraped (every process reports the same, shared store)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[Any]:
        services: Services | None = self.app.state.services
        if services is None:
            return
        r = services.figures.read()
        for name, value in r.counts.items():
            family = CounterMetricFamily(f"{PREFIX}_{name}", f"{name.replace('_', ' ')} recorded in the audit log")
            family.add_metric([], value)
            yield family
        notices = CounterMetricFamily(f"{PREFIX}_notices", "notices to host agencies held")
        notices.add_metric([], r.notices)
        yield notices
        sent = GaugeMetricFamily(
            f"{PREFIX}_deliveries", "deliveries by channel kind and outcome", labels=["channel", "status"]
        )
        for (channel, status), n in sorted(r.deliveries.items()):
            sent.add_metric([channel, status], n)
        yield sent
        yield GaugeMetricFamily(
            f"{PREFIX}_outbox_lag_seconds", "age of the oldest undelivered event", value=r.outbox_lag_s
        )
        yield GaugeMetricFamily(f"{PREFIX}_audit_chain_length", "records in the audit chain", value=r.audit_length)
        if r.checkpoint_age_s is not None:
            yield GaugeMetricFamily(
                f"{PREFIX}_audit_checkpoint_age_seconds", "age of the last signed checkpoint", value=r.checkpoint_age_s
            )


class Meter:
    """The app's own registry: requests counted and timed by method, route template and status."""

    def __init__(self, app: FastAPI) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        labels = ["method", "route", "status"]
        self.requests = Counter(f"{PREFIX}_http_requests", "HTTP requests", labels, registry=self.registry)
        self.duration = Histogram(
            f"{PREFIX}_http_request_duration_seconds", "HTTP request duration", labels, registry=self.registry
        )
        self.registry.register(StoreFigures(app))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.duration.labels(method, route, str(status)).observe(seconds)


def allowed(request: Request, settings: Settings) -> bool:
    """A scrape is answered with the right token, or, when no token is set, from loopback only."""
    if settings.metrics_token:
        sent = request.headers.get("authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {settings.metrics_token}".encode())
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def install(app: FastAPI) -> Meter:
    """Add ``GET /metrics`` (outside the API document) and return the meter the request log feeds."""
    meter = Meter(app)

    @app.get("/metrics", include_in_schema=False, dependencies=[requires(Permission.PUBLIC)])
    def metrics(request: Request) -> Response:
        settings = get_services(request).settings
        if not settings.metrics_enabled:
            return Response(status_code=404)
        if not allowed(request, settings):
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return Response(generate_latest(meter.registry), media_type=CONTENT_TYPE_LATEST)

    return meter
