"""The tables, as SQLAlchemy Core metadata shared by both stores and Alembic."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out; a naive value is a programming error."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime reached the store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        instant: datetime = value
        if instant.tzinfo is None:
            return instant.replace(tzinfo=UTC)
        return instant.astimezone(UTC)


def _id(name: str = "id") -> Column[str]:
    return Column(name, String(36), primary_key=True)


agencies = Table(
    "agencies",
    metadata,
    _id(),
    Column("ori", String(9), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("level", String(10), nullable=False),
    Column("duty_phone", String(40), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("jurisdiction", JSON, nullable=True),
    # The holes of each jurisdiction polygon, in the order of its rings (migration 0026).
    Column("jurisdiction_holes", JSON, nullable=True),
    Column("policy", JSON, nullable=False),
    Column("policy_version", Integer, nullable=False),
    Column("proximity_m", Integer, nullable=False),
    Column("time_buffer_min", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("missions", JSON, nullable=True),  # purposes, set by the installation admin only (agencies.set_missions)
)

users = Table(
    "users",
    metadata,
    _id(),
    Column("agency_id", String(36), ForeignKey("agencies.id"), nullable=False, index=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("password_hash", String(200), nullable=True),
    Column("phone", String(40), nullable=True),
    Column("email", String(200), nullable=True),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("last_active_at", UTCDateTime, nullable=True),
)

tokens = Table(
    "tokens",
    metadata,
    _id(),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("name", String(120), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("scopes", JSON, nullable=True),  # migration 0016: a sorted list of scope names; null reaches all
    Column("lookup_limit_per_hour", Integer, nullable=True),  # migration 0035: null, the installation's
)

# A one-time set-password token an administrator issued; only its SHA-256 is kept.
password_resets = Table(
    "password_resets",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
)

operations = Table(
    "operations",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("agency_id", String(36), ForeignKey("agencies.id"), nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("type", String(40), nullable=False),
    Column("purpose", String(20), nullable=False),
    Column("title", String(200), nullable=False),
    Column("case_number", String(60), nullable=True),
    Column("area", JSON, nullable=False),
    Column("address", String(300), nullable=True),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("contact", JSON, nullable=False),
    Column("team", JSON, nullable=False),
    Column("risk", String(10), nullable=False),
    Column("notice", String(12), nullable=True),
    Column("notes", Text, nullable=True),
    Column("subjects", JSON, nullable=False),
    Column("status", String(12), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("restricted_by", JSON, nullable=True),  # agency ids, only ever added to (operations.restrict)
    Column("purged_at", UTCDateTime, nullable=True),  # details removed by retention; the row stays a shell
    Column("exigent_reason", Text, nullable=True),  # entered after the fact, and why (docs/watch.md)
    Column("phone_in", JSON, nullable=True),  # entered by the watch for a caller: who called, from where
    Column("after_action", JSON, nullable=True),  # how it ended and whom it met (docs/after-action.md)
    Index("ix_operations_agency_window", "agency_id", "starts_at"),
    # An agency's pages come in id order: read from here, not sorted whole for every page.
    Index("ix_operations_agency_id", "agency_id", "id"),
    Index("ix_operations_ends_at", "ends_at"),
)

# Each plate an operation's team declared (team.vehicles_detail), normalised: what GET /verify/plate finds.
team_plates = Table(
    "team_plates",
    metadata,
    Column("operation_id", String(36), ForeignKey("operations.id"), nullable=False),
    Column("plate", String(8), nullable=False),
    Column("state", String(2), nullable=True),
    Index("ix_team_plates_plate", "plate"),
    Index("ix_team_plates_operation", "operation_id"),
)

conflicts = Table(
    "conflicts",
    metadata,
    _id(),
    Column("kind", String(12), nullable=False),
    Column("operation_a", String(36), nullable=False, index=True),
    Column("operation_b", String(36), nullable=False, index=True),
    Column("agency_a", String(36), nullable=False),
    Column("agency_b", String(36), nullable=False),
    Column("status", String(14), nullable=False),
    Column("detected_at", UTCDateTime, nullable=False),
    Column("distance_m", Float, nullable=True),
    Column("overlap_start", UTCDateTime, nullable=True),
    Column("overlap_end", UTCDateTime, nullable=True),
    Column("match_kind", String(40), nullable=True),
    Column("ack_a_at", UTCDateTime, nullable=True),
    Column("ack_a_by", String(36), nullable=True),
    Column("ack_a_behalf", Boolean, nullable=True),
    Column("ack_b_at", UTCDateTime, nullable=True),
    Column("ack_b_by", String(36), nullable=True),
    Column("ack_b_behalf", Boolean, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("closed_by", String(36), nullable=True),
    Column("note", Text, nullable=True),
    Column("owner_user_id", String(36), nullable=True),  # the watch officer handling it
    Column("owner_name", String(200), nullable=True),  # their display name when assigned, as both sides see it
    Column("owner_at", UTCDateTime, nullable=True),
    Column("outcome", String(20), nullable=True),  # how a resolved conflict ended
    # A side that is a case target: its operation_ column holds the target's id (migration 0037).
    Column("target_a", Boolean, nullable=True),
    Column("target_b", Boolean, nullable=True),
    UniqueConstraint("kind", "operation_a", "operation_b", name="uq_conflicts_pair"),
    # Each side's conflicts in id order: an agency's page reads the first of each (store/conflicts.py).
    Index("ix_conflicts_agency_a_id", "agency_a", "id"),
    Index("ix_conflicts_agency_b_id", "agency_b", "id"),
)

# Case targets (docs/targets.md): a case's subjects, matched until expires_at unless deleted. Their
# blocking keys and name terms sit in subject_keys and subject_terms under the target's id.
targets = Table(
    "targets",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("agency_id", String(36), ForeignKey("agencies.id"), nullable=False),
    Column("case_number", String(60), nullable=False),
    Column("purpose", String(20), nullable=False),
    Column("subjects", JSON, nullable=False),
    Column("contact", JSON, nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("deleted_at", UTCDateTime, nullable=True),
    Column("purged_at", UTCDateTime, nullable=True),  # its details went (retention, migration 0043)
    Index("ix_targets_agency", "agency_id", "seq"),
)

# Schools, hospitals and the like an operation nearby is told of (docs/sensitive-places.md); the box
# columns are the index: a place spans at most MAX_PLACE_SPAN_DEG, so a few bands of latitude, each
# a range of min_lon, find it (store/sensitive.py).
sensitive_places = Table(
    "sensitive_places",
    metadata,
    _id(),
    Column("agency_id", String(36), nullable=False),
    Column("category", String(20), nullable=False),
    Column("name", String(200), nullable=True),
    Column("area", JSON, nullable=False),
    Column("window_start", UTCDateTime, nullable=True),
    Column("window_end", UTCDateTime, nullable=True),
    Column("min_lon", Float, nullable=False),
    Column("max_lon", Float, nullable=False),
    Column("min_lat", Float, nullable=False),
    Column("max_lat", Float, nullable=False),
    Column("lat_cell", Integer, nullable=False),  # floor(min_lat / 0.01): the index's band of latitude
    Index("ix_sensitive_places_cell", "lat_cell", "min_lon"),
    Index("ix_sensitive_places_agency", "agency_id"),
)

# The watch center's attempts to reach a side of a conflict (docs/watch.md).
conflict_contacts = Table(
    "conflict_contacts",
    metadata,
    _id(),
    Column("conflict_id", String(36), nullable=False),
    Column("side", String(1), nullable=False),
    Column("method", String(10), nullable=False),
    Column("reached", Boolean, nullable=False),
    Column("note", Text, nullable=True),
    Column("by_user_id", String(36), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_conflict_contacts_conflict", "conflict_id", "at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_user_id", String(36), nullable=True),
    Column("actor_agency_id", String(36), nullable=True),
    Column("action", String(60), nullable=False, index=True),
    Column("object_type", String(30), nullable=True),
    Column("object_id", String(36), nullable=True),
    Column("outcome", String(20), nullable=False),
    Column("details", JSON, nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# Signed tree heads of the audit log (docs/audit.md); the frontier lets the tree grow and survive pruning.
audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("tree_size", Integer, primary_key=True, autoincrement=False),
    Column("root_hash", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("last_hash", String(64), nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("signature", String(128), nullable=False),
    Column("frontier", JSON, nullable=False),
)

# Jurisdiction bounding boxes let a submission find the agencies it may concern by index.
jurisdictions = Table(
    "jurisdictions",
    metadata,
    Column("agency_id", String(36), ForeignKey("agencies.id"), primary_key=True),
    Column("min_lon", Float, nullable=False),
    Column("max_lon", Float, nullable=False),
    Column("min_lat", Float, nullable=False),
    Column("max_lat", Float, nullable=False),
    Index("ix_jurisdictions_box", "min_lat", "max_lat", "min_lon", "max_lon"),
)

notices = Table(
    "notices",
    metadata,
    _id(),
    Column("operation_id", String(36), nullable=False, index=True),
    Column("agency_id", String(36), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("status", String(10), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    # An agency's sent notices come newest first from here, not sorted whole for every page.
    Index("ix_notices_agency_status_id", "agency_id", "status", "id"),
    Index("ix_notices_status_due", "status", "due_at"),
)

# The outbox: one row per thing someone must hear of, written with the change itself.
# Payloads are rendered per recipient at delivery, through the disclosure function.
events = Table(
    "events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),
    Column("object_id", String(36), nullable=False),
    Column("agency_id", String(36), nullable=True, index=True),
    Column("for_watch", Boolean, nullable=False),
    Column("details", JSON, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

lookups = Table(
    "lookups",
    metadata,
    _id(),
    Column("user_id", String(36), nullable=False),
    Column("agency_id", String(36), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("lat", Float, nullable=True),  # null for a question with no place (a plate verification)
    Column("lon", Float, nullable=True),
    Column("radius_m", Float, nullable=False),
    Column("results", Integer, nullable=False),
    Index("ix_lookups_user_at", "user_id", "at"),
    Index("ix_lookups_agency_at", "agency_id", "at"),
    Index("ix_lookups_at", "at"),
)

# How many look-ups each counted scope (``u:`` a user, ``a:`` an agency, ``*`` everyone) made in
# each minute since the epoch: the hourly limits sum at most an hour of these rows instead of
# counting an hour of look-ups. Shards spread one busy scope's minute over several rows, so
# PostgreSQL writers do not queue on one row lock.
lookup_counts = Table(
    "lookup_counts",
    metadata,
    Column("scope", String(40), primary_key=True),
    Column("minute", Integer, primary_key=True),
    Column("shard", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
)
LOOKUP_COUNT_SHARDS = 4

# The grid cells each swept scope (a user's or an agency's look-ups, at one cell size) asked
# about, and when last: the sweep rule counts a window's distinct cells here, not in its look-ups.
lookup_cells = Table(
    "lookup_cells",
    metadata,
    Column("scope", String(60), primary_key=True),
    Column("cell", String(40), primary_key=True),
    Column("last_at", UTCDateTime, nullable=False),
    Index("ix_lookup_cells_scope_at", "scope", "last_at"),
)

# Blocking keys of each operation's subjects: the candidate index for subject matching.
subject_keys = Table(
    "subject_keys",
    metadata,
    Column("key", String(200), nullable=False),
    Column("operation_id", String(36), nullable=False, index=True),
    Index("ix_subject_keys_key", "key"),
)

# Name terms each operation's persons carry (domain.matching.frequency_terms), so that a
# change can take the operation's old terms out of the counts.
subject_terms = Table(
    "subject_terms",
    metadata,
    Column("operation_id", String(36), primary_key=True),
    Column("term", String(200), primary_key=True),
    Column("n", Integer, nullable=False),
)
# How many stored persons carry each term: the frequencies of term-frequency matching. Each
# term's count is split over SUBJECT_TERM_SHARDS rows (by operation) so that concurrent
# writers do not all queue on the one row of a common name or of the population term.
subject_term_counts = Table(
    "subject_term_counts",
    metadata,
    Column("term", String(200), primary_key=True),
    Column("shard", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
)
SUBJECT_TERM_SHARDS = 16

# --- console sign-in: TOTP enrolment, lockout, browser sessions -------------
console_credentials = Table(
    "console_credentials",
    metadata,
    Column("user_id", String(36), ForeignKey("users.id"), primary_key=True),
    Column("totp_secret", String(64), nullable=True),
    Column("enrolled_at", UTCDateTime, nullable=True),
    Column("last_otp_step", Integer, nullable=True),  # refuses a code's replay
    Column("locked_at", UTCDateTime, nullable=True),
)

signin_failures = Table(
    "signin_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(36), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("source", String(64), nullable=False, server_default=""),  # the client address the failure came from
    Index("ix_signin_failures_user_at", "user_id", "at"),
    Index("ix_signin_failures_user_source_at", "user_id", "source", "at"),
)

# Only the SHA-256 of the cookie is stored, as with bearer tokens.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", String(36), nullable=True, index=True),
    Column("stage", String(10), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
)

# --- notifications (migration 0005) -----------------------------------------
# Where an agency (or, with agency_id NULL, the watch center) wants to hear of events.
channels = Table(
    "channels",
    metadata,
    _id(),
    Column("agency_id", String(36), nullable=True, index=True),
    Column("kind", String(10), nullable=False),
    Column("target", String(500), nullable=False),
    Column("events", JSON, nullable=False),
    Column("secret", String(128), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("previous_secret", String(128), nullable=True),  # migration 0036: a rotated-out secret, signing until
    Column("previous_until", UTCDateTime, nullable=True),
)

# One row per (event, channel, recipient): the idempotency key is unique, so fan-out and
# stream receipts can be repeated without telling anyone twice in the log.
deliveries = Table(
    "deliveries",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("event_seq", Integer, nullable=False),
    Column("object_id", String(36), nullable=False, index=True),
    Column("agency_id", String(36), nullable=True),
    Column("channel", String(10), nullable=False),
    Column("channel_id", String(36), nullable=True),
    Column("target", String(500), nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=True),
    Column("last_error", String(500), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("failing_at", UTCDateTime, nullable=True),  # raised as delivery.failing (migration 0027)
    Column("retry_from", UTCDateTime, nullable=True),  # redelivered: failing is measured from here
    Index("ix_deliveries_status_next", "status", "next_attempt_at"),
    Index("ix_deliveries_agency_status", "agency_id", "status", "seq"),
    Index("ix_deliveries_failing", "failing_at", "status"),
)

# How far each fan-out has read the events table; read and moved under a row lock.
delivery_cursors = Table(
    "delivery_cursors",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("seq", Integer, nullable=False),
)

# Escalations already raised, so each (conflict, side, kind) alerts once.
escalations = Table(
    "escalations",
    metadata,
    Column("conflict_id", String(36), primary_key=True),
    Column("side", String(36), primary_key=True),
    Column("kind", String(10), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
)

# --- federation (migration 0009) ---------------------------------------------
# The installation's own Ed25519 key (one row, unless COMMONGROUND_FEDERATION_KEY_FILE holds it).
federation_keys = Table(
    "federation_keys",
    metadata,
    Column("name", String(20), primary_key=True),
    Column("private_key", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

federation_peers = Table(
    "federation_peers",
    metadata,
    _id(),
    Column("name", String(100), nullable=False, unique=True),
    Column("url", String(500), nullable=False),
    Column("public_key", String(64), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("last_contact_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

# Nonces of signed requests already accepted, kept for the signature's maximum age.
federation_nonces = Table(
    "federation_nonces",
    metadata,
    Column("nonce", String(100), primary_key=True),
    Column("at", UTCDateTime, nullable=False, index=True),
)

# --- retention (migration 0018) ---------------------------------------------
# The installation's audit key (one row, unless COMMONGROUND_AUDIT_KEY_FILE holds it): the
# HMAC key under which audit records keep typed values (audit/keyed.py).
audit_keys = Table(
    "audit_keys",
    metadata,
    Column("name", String(20), primary_key=True),
    Column("secret", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# --- remote conflicts (migration 0019) ----------------------------------------
# A pair of an operation here and one of a peer installation, kept once per side whichever probe
# found it: (operation_id, peer_id, remote_operation_id) is unique.
remote_conflicts = Table(
    "remote_conflicts",
    metadata,
    _id(),
    Column("operation_id", String(36), nullable=False),
    Column("agency_id", String(36), nullable=False, index=True),
    Column("peer_id", String(36), nullable=False),
    Column("installation", String(100), nullable=False),
    Column("remote_operation_id", String(100), nullable=False),
    Column("counterpart", JSON, nullable=False),
    Column("distance_m", Float, nullable=False),
    Column("overlap_starts_at", UTCDateTime, nullable=True),  # null: a subject pair whose windows do not meet
    Column("overlap_ends_at", UTCDateTime, nullable=True),
    Column("found_by", String(10), nullable=False),
    Column("status", String(20), nullable=False),
    Column("detected_at", UTCDateTime, nullable=False),
    Column("ack_at", UTCDateTime, nullable=True),
    Column("ack_by", String(36), nullable=True),
    Column("ack_on_behalf", Boolean, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("closed_by", String(36), nullable=True),
    Column("note", Text, nullable=True),
    Column("kind", String(12), nullable=False, server_default="proximity"),  # migration 0021
    Column("matched", String(40), nullable=True),
    Column("their_ack_at", UTCDateTime, nullable=True),  # the peer's side acknowledged (0023)
    UniqueConstraint("operation_id", "peer_id", "remote_operation_id", "kind", name="uq_remote_conflicts_pair"),
)

# --- federation unchecked (migration 0020) -------------------------------------
# An operation here that a peer has not yet answered a probe about: re-probed at ``next_at``
# until it answers, then the row goes. One row per (operation, peer).
federation_unchecked = Table(
    "federation_unchecked",
    metadata,
    Column("operation_id", String(36), primary_key=True),
    Column("peer_id", String(36), primary_key=True),
    Column("agency_id", String(36), nullable=False),
    Column("since", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_at", UTCDateTime, nullable=False, index=True),
)

# --- jurisdiction notices across installations (migration 0022) ----------------
# A peer's operation as one agency here hears of it: the view is the peer's own ``safety`` view.
remote_notices = Table(
    "remote_notices",
    metadata,
    _id(),
    Column("peer_id", String(36), nullable=False),
    Column("installation", String(100), nullable=False),
    Column("remote_operation_id", String(100), nullable=False),
    Column("agency_id", String(36), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("status", String(10), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("operation", JSON, nullable=False),
    # When the peer's operation ends (its window's, as it sent it; else when it arrived) and when
    # its details here were purged: the purge's index (migration 0042).
    Column("ends_at", UTCDateTime, nullable=True),
    Column("purged_at", UTCDateTime, nullable=True),
    Index("ix_remote_notices_operation", "peer_id", "remote_operation_id"),
    Index("ix_remote_notices_retention", "purged_at", "ends_at"),
    Index("ix_remote_notices_agency_status", "agency_id", "status"),
    Index("ix_remote_notices_status_due", "status", "due_at"),
)

# The peers told of an operation here (asked side's ``jurisdictions`` > 0): they hear its exit.
notice_peers = Table(
    "notice_peers",
    metadata,
    Column("operation_id", String(36), primary_key=True),
    Column("peer_id", String(36), primary_key=True),
    Column("told_at", UTCDateTime, nullable=False),
)

# A notice to a peer that did not take it (migration 0023): sent again by the re-probe loop and
# the sweep until the peer has it; the kind is worked out again when it goes. One row per pair.
notice_owed = Table(
    "notice_owed",
    metadata,
    Column("operation_id", String(36), primary_key=True),
    Column("peer_id", String(36), primary_key=True),
    Column("leaving", Boolean, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_at", UTCDateTime, nullable=False, index=True),
)

# --- host agencies' responses to notices (migration 0024) ----------------------
# One row per (operation, host agency): the current answer; each change is in the audit log.
notice_responses = Table(
    "notice_responses",
    metadata,
    Column("operation_id", String(36), primary_key=True),
    Column("agency_id", String(36), primary_key=True),
    Column("notice_id", String(36), nullable=False),
    Column("response", String(40), nullable=False),
    Column("note", Text, nullable=True),
    Column("responded_by", String(36), nullable=False),
    Column("responded_at", UTCDateTime, nullable=False),
)

# --- safe retries (migration 0026) --------------------------------------------
# The first answer to a request made with an ``Idempotency-Key``, by the caller's credential hash.
replays = Table(
    "replays",
    metadata,
    Column("owner", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer, nullable=True),
    Column("body", LargeBinary, nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# --- near-misses (migration 0033) ---------------------------------------------
# Teams that met without knowing; one row per near-miss, and one per operation it names.
near_misses = Table(
    "near_misses",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("description", Text, nullable=False),
    Column("reported_by", String(36), nullable=False),
    Column("reported_by_agency", String(36), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)
near_miss_operations = Table(
    "near_miss_operations",
    metadata,
    Column("near_miss_id", String(36), primary_key=True),
    Column("operation_id", String(36), primary_key=True),
    Column("agency_id", String(36), nullable=False, index=True),
)

# --- critical incidents (migration 0032) --------------------------------------
# One row per incident an operating agency reported; the place is a point.
incidents = Table(
    "incidents",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("operation_id", String(36), nullable=False, index=True),
    Column("agency_id", String(36), nullable=False, index=True),
    Column("kind", String(30), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("summary", Text, nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("assistance_requested", Boolean, nullable=False),
    Column("reported_by", String(36), nullable=False),
    Column("reported_at", UTCDateTime, nullable=False),
    Column("acknowledged_at", UTCDateTime, nullable=True),
    Column("acknowledged_by", String(36), nullable=True),
    Column("escalated_at", UTCDateTime, nullable=True),
    Index("ix_incidents_unacknowledged", "acknowledged_at", "escalated_at", "reported_at"),
)

# The agencies told of an incident, and why (host jurisdiction or open conflict).
incident_recipients = Table(
    "incident_recipients",
    metadata,
    Column("incident_id", String(36), primary_key=True),
    Column("agency_id", String(36), primary_key=True, index=True),
    Column("reason", String(10), nullable=False),
)
