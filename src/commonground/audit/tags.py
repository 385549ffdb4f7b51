"""Audit actions as ``source:subject:action`` tags; documented in docs/audit.md."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    AUTH_LOGIN = "auth:session:login"
    AUTH_TOKEN_CREATE = "auth:token:create"  # noqa: S105 - a tag, not a secret
    AUTH_TOKEN_REVOKE = "auth:token:revoke"  # noqa: S105 - a tag, not a secret
    AGENCY_CREATE = "admin:agency:create"
    AGENCY_POLICY_UPDATE = "admin:policy:update"
    AGENCY_MISSIONS_UPDATE = "admin:missions:update"
    USER_CREATE = "admin:user:create"
    USER_UPDATE = "admin:user:update"
    USER_DISABLE = "admin:user:disable"
    USER_ENABLE = "admin:user:enable"
    USER_PASSWORD_RESET = "admin:user:reset-password"  # noqa: S105 - a tag, not a secret
    USER_MFA_RESET = "admin:user:reset-mfa"
    AUTH_PASSWORD_SET = "auth:password:set"  # noqa: S105 - a tag, not a secret
    OPERATION_CREATE = "ops:operation:create"
    OPERATION_UPDATE = "ops:operation:update"
    OPERATION_CANCEL = "ops:operation:cancel"
    OPERATION_COMPLETE = "ops:operation:complete"
    OPERATION_READ_OTHER = "ops:operation:read-other"
    OPERATION_PURPOSE_CHANGE = "ops:operation:purpose-change"
    OPERATION_OVERDUE_READ = "watch:operation:overdue-read"
    CONFLICT_CREATE = "ops:conflict:create"
    CONFLICT_CLOSE = "ops:conflict:close"
    CONFLICT_ACK = "ops:conflict:ack"
    CONFLICT_RESOLVE = "ops:conflict:resolve"
    CONFLICT_READ = "ops:conflict:read"
    CONFLICT_ASSIGN = "watch:conflict:assign"
    CONFLICT_CONTACT = "watch:conflict:contact"
    NEAR_MISS_REPORT = "ops:near-miss:report"
    NEAR_MISS_READ = "ops:near-miss:read"  # a page showing another agency's report
    TARGET_CREATE = "ops:target:create"
    TARGET_DELETE = "ops:target:delete"
    AUDIT_READ = "audit:log:read"
    AUDIT_PRUNE = "audit:log:prune"
    DATA_EXPORT = "data:export:csv"
    AGENCY_JURISDICTION_UPDATE = "admin:jurisdiction:update"
    SENSITIVE_PLACES_UPDATE = "admin:sensitive-places:update"
    INSTALLATION_PLACES_UPDATE = "watch:sensitive-places:update"  # the installation-wide set
    LOOKUP = "dispatch:lookup:query"
    LOOKUP_SWEEP = "dispatch:lookup:sweep"
    CAD_FEED = "dispatch:cad:feed"  # a CAD's read of its premise alerts, with the alerts it carried
    VERIFY = "field:verify:query"  # an officer on scene asked which registered teams are near
    VERIFY_PLATE = "field:verify:plate"  # an officer asked whether a plate belongs to a registered team
    NOTICE_RESPOND = "host:notice:respond"
    INCIDENT_REPORT = "ops:incident:report"  # a critical incident, and whom it was sent to
    INCIDENT_ACKNOWLEDGE = "host:incident:acknowledge"
    SUBJECT_MATCH_SUPPRESSED = "policy:subject-match:suppressed"
    REPORT_READ = "audit:report:read"
    # notifications
    CONFLICT_ESCALATE = "notify:conflict:escalate"
    INCIDENT_ESCALATE = "notify:incident:escalate"  # not acknowledged in 5 minutes: the watch center
    CHANNELS_UPDATE = "admin:channels:update"
    DELIVERY_FAILING = "notify:delivery:failing"  # out of retries, or failing longer than the setting
    DELIVERY_REDELIVER = "admin:delivery:redeliver"
    CHANNELS_TEST = "admin:channels:test"
    # console sign-in
    AUTH_BANNER_ACCEPT = "auth:banner:accept"
    AUTH_OTP_ENROL = "auth:otp:enrol"
    AUTH_LOCKOUT = "auth:account:lock"
    AUTH_LOCKOUT_RELEASE = "admin:lockout:release"
    AUTH_LOGOUT = "auth:session:logout"
    AUTH_SESSION_EXPIRE = "auth:session:expire"
    # federation
    PEER_ADD = "admin:peer:add"
    PEER_REMOVE = "admin:peer:remove"
    FEDERATION_REFUSE = "federation:request:refuse"
    FEDERATION_PROBE_SEND = "federation:probe:send"
    FEDERATION_PROBE_ANSWER = "federation:probe:answer"
    FEDERATION_REPROBE = "federation:probe:retry"  # a round of re-probes of unchecked peers, with counts
    FEDERATION_LOOKUP_SEND = "federation:lookup:send"
    FEDERATION_LOOKUP_ANSWER = "federation:lookup:answer"
    FEDERATION_NOTICE_SEND = "federation:notice:send"
    FEDERATION_NOTICE_ANSWER = "federation:notice:answer"
    FEDERATION_STATUS_SEND = "federation:status:send"
    FEDERATION_STATUS_ANSWER = "federation:status:answer"
    # retention
    RETENTION_PURGE = "retention:data:purge"


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"
