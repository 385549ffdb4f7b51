"""Settings, read from the environment with the ``COMMONGROUND_`` prefix (docs/settings.md)."""

from __future__ import annotations

import socket
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./commonground.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMMONGROUND_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    page_size: int = 100
    max_page_size: int = 1000
    lookup_limit_per_hour: int = 600
    sensitive_place_m: float = Field(default=300.0, gt=0)  # an operation this near a sensitive place is told so
    public_reports: bool = True  # GET /api/v1/reports/public answers anyone; false: 404 (docs/reports.md)
    account_inactive_days: int = 90  # the sweep disables accounts unused this long; 0 never
    temporary_account_max_hours: int = 72  # the longest expires_at an administrator may give
    lookup_agency_limit_per_hour: int = 3000
    lookup_installation_limit_per_hour: int = 20_000
    lookup_at_window_minutes: int = 120
    # A look-up sweep: more than this many distinct grid cells within the minutes below raises an alert
    lookup_sweep_user_cells: int = 12  # by one user; 0 never
    lookup_sweep_agency_cells: int = 60  # by one agency's people together; 0 never
    lookup_sweep_minutes: int = 15
    lookup_sweep_cell_m: int = 500  # the grid's cell size, metres
    max_area_vertices: int = 10_000  # positions in one operation area, in all
    max_jurisdiction_vertices: int = 50_000  # positions in one agency's jurisdiction, holes included
    max_body_bytes: int = 1024 * 1024  # a request body; larger is a 413 before parsing
    max_jurisdiction_body_bytes: int = 4 * 1024 * 1024  # PUT .../jurisdiction only: 50,000 positions fit
    max_area_km2: float = 10_000.0  # an operation's area with its buffer, geodesic
    max_jurisdiction_km2: float = 2_500_000.0  # an agency's jurisdiction, all its polygons together
    pg_connect_timeout: int = 5
    pg_statement_timeout_ms: int = 15_000
    pg_lock_timeout_ms: int = 10_000
    notice_poll_seconds: float = 15.0
    # logs: docs/operations.md
    log_format: Literal["json", "text"] = "json"  # text: for a developer's terminal
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_requests: bool = True  # one line per request, with its request id
    metrics_enabled: bool = True  # GET /metrics (Prometheus text)
    metrics_token: str = ""  # set: a scrape sends it as a bearer token; empty: loopback clients only
    # notifications: docs/notifications.md
    notify_worker: bool = True  # deliver webhooks and e-mail from this process
    background: bool = True  # false (serve --no-worker): no delivery, notices, checkpoints or re-probes here
    worker_sweep_seconds: float = 300.0  # commonground worker: the sweep's period; 0 never
    notify_poll_seconds: float = 1.0
    stream_poll_seconds: float = 0.05
    stream_keepalive_seconds: float = 15.0
    delivery_max_attempts: int = 12
    delivery_backoff_seconds: float = 2.0
    delivery_backoff_max_seconds: float = 900.0
    delivery_failing_seconds: float = 300.0  # erring this long (or out of retries): raised as delivery.failing
    webhook_sender: Literal["http", "null", "recording"] = "http"  # null drops with a log line; recording keeps
    webhook_timeout_seconds: float = 10.0
    webhook_allowed_networks: str = ""  # e.g. "127.0.0.0/8,::1/128": private targets allowed anyway
    email_sender: Literal["smtp", "null", "recording"] = "smtp"
    smtp_host: str = ""  # empty: e-mail channels wait until it is set
    smtp_port: int = 587
    smtp_security: str = "starttls"  # starttls | tls | none
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = "commonground@localhost"
    smtp_timeout_seconds: float = 10.0
    escalate_ack_minutes: float = 5.0
    escalate_start_minutes: float = 30.0
    escalate_poll_seconds: float = 15.0
    # federation: docs/federation.md
    federation_name: str = Field(default_factory=socket.gethostname)
    public_url: str = ""  # the base URL peers reach this installation at
    federation_key_file: str = ""  # empty: the key is kept in the database
    federation_max_age_seconds: float = 60.0  # older signatures are refused
    federation_timeout_seconds: float = 2.0  # a peer slower than this is listed as unchecked
    federation_reprobe_seconds: float = Field(default=10.0, ge=0)  # first wait before re-probing one; 0: no loop
    federation_lookup_limit_per_hour: int = 600  # dispatcher look-ups answered for one peer an hour
    # audit: docs/audit.md
    audit_checkpoint_records: int = Field(default=1000, ge=1)  # sign a checkpoint after this many records
    audit_checkpoint_minutes: float = Field(default=60.0, gt=0)  # or after this long, when any record is new
    audit_retention_days: int = Field(default=365, ge=365)  # records are kept at least this long
    require_mfa: bool = True  # API password sign-in needs a TOTP code; unenrolled people enrol in the console
    # retention and purge: docs/retention.md
    audit_key_file: str = ""  # empty: the audit HMAC key is kept in the database, made on first use
    operation_retention_days: int = Field(default=90, ge=1)  # details purged this long after an operation ends
    subject_retention_days: int = Field(default=1826, ge=1, le=1826)  # subjects never kept past 5 years
    # sign-in: docs/security.md, "Sign-in that cannot be gamed"; the per-minute limits are counted in each process
    signin_hold_back_after: int = 5  # failures from one source to one account before that source waits; 0 never
    signin_hold_back_seconds: float = 1.0  # the first wait, doubling with each further failure
    signin_hold_back_max_seconds: float = 300.0
    signin_failure_window_minutes: float = 15.0  # failures older than this are forgotten
    signin_attempts_per_minute: int = 30  # sign-in attempts per source; 0 no limit
    bad_tokens_per_minute: int = 30  # requests with an unknown or expired bearer token, per source; 0 no limit
    signin_account_lock_after: int = 0  # failures from anywhere that lock the account; 0 never (anyone could)
    # console: cookies are Secure unless turned off for plain local HTTP
    console_cookie_secure: bool = True
    console_tile_url: str = ""  # e.g. https://tiles.example.gov/{z}/{x}/{y}.png; empty = boundaries only
    console_tile_attribution: str = ""
    # An address search for the console's maps, Nominatim- or Pelias-compatible, with {q} where the
    # typed address goes: https://nominatim.example.gov/search?format=jsonv2&limit=5&q={q}
    # or https://pelias.example.gov/v1/search?size=5&text={q}. Empty: no address search.
    console_geocoder_url: str = ""
    console_banner: str = (
        "You are accessing a restricted criminal justice information system. Use is limited to authorised "
        "law-enforcement purposes and is monitored and recorded. Unauthorised use is prohibited and may be "
        "subject to criminal and civil penalties. By continuing you consent to this monitoring."
    )


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and pick the psycopg 3 driver for it."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url
