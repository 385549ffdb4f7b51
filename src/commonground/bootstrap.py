"""The one place where the parts are wired together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from pathlib import Path

from commonground.audit.checkpoints import SignatureCheck
from commonground.config import Settings, normalise_url
from commonground.domain.retention import RetentionRule
from commonground.federation.keys import load_or_create
from commonground.federation.link import Ed25519Link
from commonground.federation.notary import Ed25519Notary, check_signature
from commonground.notify.email import SmtpEmailSender
from commonground.notify.push import PushViews
from commonground.notify.render import ChannelViews
from commonground.notify.senders import (
    NullEmailSender,
    NullTakSender,
    NullWebhookSender,
    RecordingEmailSender,
    RecordingTakSender,
    RecordingWebhookSender,
)
from commonground.notify.tak import SocketTakSender
from commonground.notify.webhook import HttpWebhookSender, parse_networks
from commonground.service.accounts import Accounts
from commonground.service.audit import AuditLog
from commonground.service.audit_proof import Ledger
from commonground.service.cad_feed import CadAlerts
from commonground.service.channels import Channels
from commonground.service.clock import SystemClock
from commonground.service.conflicts import Conflicts
from commonground.service.delivery import Deliveries, RetryPolicy
from commonground.service.escalation import Escalator
from commonground.service.exports import Exports
from commonground.service.failed_deliveries import FailedDeliveries
from commonground.service.federation import Federation
from commonground.service.federation_lookups import FederatedLookups
from commonground.service.federation_notices import FederatedNotices
from commonground.service.federation_reprobe import Reprobe
from commonground.service.federation_workflow import ConflictWorkflow
from commonground.service.incidents import Incidents
from commonground.service.intake import Intake
from commonground.service.lifecycle import Lifecycle
from commonground.service.lookup_sweeps import SweepRule
from commonground.service.lookups import Lookups
from commonground.service.metrics import Figures
from commonground.service.missions import Missions
from commonground.service.near_misses import NearMisses
from commonground.service.notice_responses import NoticeResponses
from commonground.service.notices import Notices
from commonground.service.operations import Operations
from commonground.service.participation import Participation
from commonground.service.ports import (
    AuditPruner,
    Clock,
    EmailSender,
    FederationLink,
    PeerSender,
    Store,
    TakSender,
    WebhookSender,
)
from commonground.service.readiness import Heartbeat, Readiness
from commonground.service.retention import NoAuditPruning, Retention
from commonground.service.retries import Retries
from commonground.service.sensitive_places import SensitivePlaces
from commonground.service.signin import SignIn
from commonground.service.signin_limits import HoldBack, SignInLimits, SourceLimit, bad_token_limit
from commonground.service.subjects import normalise_subject
from commonground.service.sweep import Sweep
from commonground.service.targets import Targets
from commonground.service.verification import Verifications
from commonground.store import backup as backups
from commonground.store import migrate
from commonground.store.audit_key import load_or_create_file
from commonground.store.sql import SqlStore


@dataclass
class Services:
    """Everything a process uses, wired once; ``close`` releases what it holds."""

    settings: Settings
    store: Store
    clock: Clock
    accounts: Accounts
    missions: Missions
    lifecycle: Lifecycle
    operations: Operations
    conflicts: Conflicts
    audit: AuditLog
    notices: Notices
    lookups: Lookups
    signin: SignIn
    channels: Channels
    sweep: Sweep
    webhooks: WebhookSender
    email: EmailSender
    escalator: Escalator
    deliveries: Deliveries
    federation: Federation
    retention: Retention
    failed_deliveries: FailedDeliveries
    heartbeat: Heartbeat = field(default_factory=Heartbeat)  # the delivery worker's passes (runtime)

    @cached_property
    def figures(self) -> Figures:
        """What ``/metrics`` reads of the store at each scrape (holds nothing of its own)."""
        return Figures(self.store, self.clock)

    @cached_property
    def readiness(self) -> Readiness:
        """``/readyz``: the database, its migrations and this process's delivery worker."""
        if not isinstance(self.store, SqlStore):
            raise TypeError("readiness needs an SQL store")
        return Readiness(migrate.MigrationProbe(self.store.engine), self.heartbeat)

    @cached_property
    def retries(self) -> Retries:
        """Kept first answers to keyed requests (holds nothing but the store and clock)."""
        return Retries(self.store, self.clock)

    @cached_property
    def sensitive_places(self) -> SensitivePlaces:
        """Agencies' sensitive places (holds nothing of its own)."""
        return SensitivePlaces(self.store, self.clock, self.settings.max_area_vertices)

    @cached_property
    def participation(self) -> Participation:
        """The participation reports (holds nothing of its own)."""
        return Participation(self.store, self.clock, self.settings.public_reports)

    @cached_property
    def verifications(self) -> Verifications:
        """On-scene verification: the look-ups' guarded path, budget and audit (holds nothing of its own)."""
        return Verifications(self.lookups)

    @cached_property
    def federated_lookups(self) -> FederatedLookups:
        """Look-ups here and at every peer (holds nothing of its own: built from the parts above)."""
        return FederatedLookups(self.lookups, self.federation, self.settings.federation_lookup_limit_per_hour)

    @cached_property
    def reprobe(self) -> Reprobe:
        """Unchecked peers asked again (the loop, ``commonground sweep``); built from the parts above."""
        return Reprobe(self.store, self.clock, self.federation, self.settings.federation_reprobe_seconds)

    @cached_property
    def federated_notices(self) -> FederatedNotices:
        """Jurisdiction notices to and from peers (holds nothing of its own)."""
        return FederatedNotices(self.federation)

    @cached_property
    def conflict_workflow(self) -> ConflictWorkflow:
        """A remote conflict's steps to and from peers (holds nothing of its own)."""
        return ConflictWorkflow(self.federation)

    @cached_property
    def intake(self) -> Intake:
        """Operations entered and checked here and at the peers: the API's and the CSV import's one way in."""
        return Intake(self.operations, self.federation, self.conflict_workflow, self.federated_notices)

    @cached_property
    def exports(self) -> Exports:
        """CSV exports through the API's own lists (holds nothing of its own)."""
        return Exports(self.store, self.clock, self.operations, self.conflicts, self.audit)

    @cached_property
    def notice_responses(self) -> NoticeResponses:
        """Host agencies' answers to notices (holds nothing of its own)."""
        return NoticeResponses(self.store, self.clock)

    @cached_property
    def cad_alerts(self) -> CadAlerts:
        """The CAD premise-alert feed (holds nothing of its own)."""
        return CadAlerts(self.store, self.clock, self.settings.federation_name, self.settings.sensitive_place_m)

    @cached_property
    def near_misses(self) -> NearMisses:
        """Near-misses reported by the teams involved (holds nothing of its own)."""
        return NearMisses(self.store, self.clock)

    @cached_property
    def targets(self) -> Targets:
        """Case targets, checked by subject as operations are (holds nothing of its own)."""
        return Targets(self.store, self.clock, self.operations.parse_subject)

    @cached_property
    def incidents(self) -> Incidents:
        """Critical incidents (holds nothing of its own)."""
        return Incidents(self.store, self.clock)

    def close(self) -> None:
        self.federation.close()  # its probe threads and kept connections
        self.deliveries.close()
        self.webhooks.close()
        self.email.close()
        self.store.close()


def signin_limits(settings: Settings) -> SignInLimits:
    """The sign-in hold-back, attempt limit and optional account lock the settings ask for."""
    hold_back = HoldBack(
        settings.signin_hold_back_after,
        timedelta(seconds=settings.signin_hold_back_seconds),
        timedelta(seconds=settings.signin_hold_back_max_seconds),
        timedelta(minutes=settings.signin_failure_window_minutes),
    )
    attempts = SourceLimit(settings.signin_attempts_per_minute, "sign-in attempts")
    return SignInLimits(hold_back, attempts, settings.signin_account_lock_after)


def open_store(url: str, *, upgrade: bool = True, settings: Settings | None = None) -> Store:
    """Open the store a URL names, bringing an empty database up to date first."""
    url = normalise_url(url)
    settings = settings or Settings()
    store: SqlStore
    if url.startswith("sqlite"):
        from commonground.store.sqlite import SQLiteStore

        store = SQLiteStore(url)
    elif url.startswith("postgresql"):
        from commonground.store.postgres import PostgresStore, Timeouts

        timeouts = Timeouts(settings.pg_connect_timeout, settings.pg_statement_timeout_ms, settings.pg_lock_timeout_ms)
        store = PostgresStore(url, timeouts)
    else:
        raise ValueError(f"unsupported database URL: {url.split(':', 1)[0]}")
    if upgrade:
        migrate.upgrade(store.engine)
    return store


def build_webhook_sender(settings: Settings) -> WebhookSender:
    """The webhook sender ``COMMONGROUND_WEBHOOK_SENDER`` names."""
    if settings.webhook_sender == "null":
        return NullWebhookSender()
    if settings.webhook_sender == "recording":
        return RecordingWebhookSender()
    return HttpWebhookSender(settings.webhook_timeout_seconds, parse_networks(settings.webhook_allowed_networks))


def build_tak_sender(settings: Settings) -> TakSender:
    """The TAK sender: the same choice, timeout and allowed networks as webhooks (``COMMONGROUND_WEBHOOK_*``)."""
    stand_ins: dict[str, Callable[[], TakSender]] = {"null": NullTakSender, "recording": RecordingTakSender}
    if settings.webhook_sender in stand_ins:
        return stand_ins[settings.webhook_sender]()
    return SocketTakSender(settings.webhook_timeout_seconds, parse_networks(settings.webhook_allowed_networks))


def build_email_sender(settings: Settings) -> EmailSender:
    """The e-mail sender ``COMMONGROUND_EMAIL_SENDER`` names."""
    if settings.email_sender == "null":
        return NullEmailSender()
    if settings.email_sender == "recording":
        return RecordingEmailSender()
    s = settings
    return SmtpEmailSender(
        s.smtp_host, s.smtp_port, s.smtp_security, s.smtp_username, s.smtp_password, s.smtp_from, s.smtp_timeout_seconds
    )


def build_escalator(settings: Settings, store: Store, clock: Clock) -> Escalator:
    """The escalation use-case with the waits ``COMMONGROUND_ESCALATE_*`` set."""
    return Escalator(
        store,
        clock,
        timedelta(minutes=settings.escalate_ack_minutes),
        timedelta(minutes=settings.escalate_start_minutes),
    )


def build_deliveries(
    settings: Settings,
    store: Store,
    clock: Clock,
    *,
    webhooks: WebhookSender | None = None,
    email: EmailSender | None = None,
    escalator: Escalator | None = None,
    peers: PeerSender | None = None,
    tak: TakSender | None = None,
) -> Deliveries:
    """The delivery use-case; what is not given is built from ``settings`` as they are now."""
    retry = RetryPolicy(
        settings.delivery_max_attempts,
        settings.delivery_backoff_seconds,
        settings.delivery_backoff_max_seconds,
        settings.delivery_failing_seconds,
    )
    return Deliveries(
        store,
        clock,
        build_webhook_sender(settings) if webhooks is None else webhooks,
        build_email_sender(settings) if email is None else email,
        ChannelViews(settings.sensitive_place_m),
        build_escalator(settings, store, clock) if escalator is None else escalator,
        retry,
        peers,
        build_tak_sender(settings) if tak is None else tak,
        PushViews(settings.federation_name, settings.sensitive_place_m),
    )


def build_federation(settings: Settings, store: Store, clock: Clock, link: FederationLink | None = None) -> Federation:
    """This installation's identity and signed link to its peers, from ``COMMONGROUND_FEDERATION_*``."""
    link = link or Ed25519Link()
    key = load_or_create(settings.federation_key_file, link) if settings.federation_key_file else None
    url = settings.public_url or f"http://{settings.host}:{settings.port}"
    return Federation(
        store,
        clock,
        link,
        settings.federation_name,
        url.rstrip("/"),
        settings.federation_max_age_seconds,
        settings.federation_timeout_seconds,
        key,
        settings.federation_reprobe_seconds,
    )


def build_ledger(settings: Settings, store: Store, clock: Clock, federation: Federation) -> Ledger:
    """The audit log's checkpoints, signed with the federation key, at ``COMMONGROUND_AUDIT_*``."""
    return Ledger(
        store,
        clock,
        Ed25519Notary(federation.private_key),
        settings.audit_checkpoint_records,
        settings.audit_checkpoint_minutes,
        settings.audit_retention_days,
    )


def signature_check() -> SignatureCheck:
    """Check an Ed25519 signature without a database: what an outside party's verifier runs."""
    return check_signature


def build_retention(settings: Settings, store: Store, clock: Clock, pruner: AuditPruner | None = None) -> Retention:
    """The purge with the periods ``COMMONGROUND_*_RETENTION_DAYS`` set; audit pruning is the pruner's."""
    rule = RetentionRule(
        settings.operation_retention_days, settings.subject_retention_days, settings.audit_retention_days
    )
    return Retention(store, clock, rule, pruner or NoAuditPruning())


def use_audit_key(settings: Settings, store: Store) -> None:
    """Seal audit values under the key in ``COMMONGROUND_AUDIT_KEY_FILE``, or else the database's (made now)."""
    if not isinstance(store, SqlStore):
        return
    if settings.audit_key_file:
        store.keyring.use(load_or_create_file(settings.audit_key_file))
    else:
        store.keyring.load(store.engine)


def build_services(
    settings: Settings | None = None, *, store: Store | None = None, clock: Clock | None = None
) -> Services:
    """Wire every part from ``settings``; a test may pass its own store or clock."""
    settings = settings or Settings()
    store = store or open_store(settings.database_url, settings=settings)
    clock = clock or SystemClock()
    use_audit_key(settings, store)
    webhooks, email = build_webhook_sender(settings), build_email_sender(settings)
    escalator = build_escalator(settings, store, clock)
    federation = build_federation(settings, store, clock)
    ledger = build_ledger(settings, store, clock, federation)
    return Services(
        settings=settings,
        store=store,
        clock=clock,
        accounts=Accounts(
            store,
            clock,
            settings.max_jurisdiction_vertices,
            bad_token_limit(settings.bad_tokens_per_minute),
            settings.max_jurisdiction_km2,
        ),
        missions=Missions(store, clock),
        lifecycle=Lifecycle(store, clock, settings.account_inactive_days, settings.temporary_account_max_hours),
        operations=Operations(
            store,
            clock,
            normalise_subject,
            settings.max_area_vertices,
            settings.max_area_km2,
            settings.sensitive_place_m,
        ),
        conflicts=Conflicts(store, clock),
        audit=AuditLog(store, clock, ledger),
        notices=Notices(store, clock, settings.sensitive_place_m),
        lookups=Lookups(
            store,
            clock,
            settings.lookup_limit_per_hour,
            settings.lookup_agency_limit_per_hour,
            settings.lookup_installation_limit_per_hour,
            timedelta(minutes=settings.lookup_at_window_minutes),
            SweepRule(
                settings.lookup_sweep_user_cells,
                settings.lookup_sweep_agency_cells,
                timedelta(minutes=settings.lookup_sweep_minutes),
                settings.lookup_sweep_cell_m,
            ),
        ),
        signin=SignIn(store, clock, signin_limits(settings), settings.require_mfa),
        channels=Channels(store, clock),
        sweep=Sweep(store, clock),
        webhooks=webhooks,
        email=email,
        escalator=escalator,
        deliveries=build_deliveries(
            settings,
            store,
            clock,
            webhooks=webhooks,
            email=email,
            escalator=escalator,
            peers=ConflictWorkflow(federation),
        ),
        federation=federation,
        retention=build_retention(settings, store, clock, ledger),
        failed_deliveries=FailedDeliveries(store, clock),
    )


RestoreRefused = backups.NotEmpty  # the restore target holds audit records and --force was not given


def backup_database(settings: Settings, dest: Path) -> backups.Head:
    """``commonground backup``: an online copy of the configured database, its audit head beside it."""
    store = open_store(settings.database_url, upgrade=False, settings=settings)
    try:
        assert isinstance(store, SqlStore)
        return backups.backup(store.engine, dest)
    finally:
        store.close()


def restore_database(settings: Settings, source: Path, *, force: bool = False) -> backups.Head | None:
    """``commonground restore``: the copy into the configured database (refused over records unless forced)."""
    store = open_store(settings.database_url, upgrade=False, settings=settings)
    try:
        assert isinstance(store, SqlStore)
        return backups.restore(store.engine, source, force=force)
    finally:
        store.close()


def database_facts(services: Services) -> dict[str, str]:
    """What ``commonground doctor`` asks the database: its PostGIS version and its clock (UTC ISO)."""
    facts: dict[str, str] = {}
    if not isinstance(services.store, SqlStore):
        return facts
    from sqlalchemy import text

    engine = services.store.engine
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            facts["postgis"] = str(conn.execute(text("SELECT postgis_lib_version()")).scalar_one())
            facts["now"] = str(
                conn.execute(
                    text("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')")
                ).scalar_one()
            )
        facts["dialect"] = engine.dialect.name
    return facts
