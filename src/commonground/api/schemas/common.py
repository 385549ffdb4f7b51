"""Pieces every resource's schemas share: the error envelope, instants, pages, ``dump``."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from commonground.domain.errors import InvalidInput
from commonground.domain.strings import plain

# Any one string in a request; fields have their own, smaller limits (a title 200, notes 4,000).
MAX_TEXT_CHARS = 10_000


def _checked(value: object, field: str) -> None:
    if isinstance(value, str):
        if len(value) > MAX_TEXT_CHARS:
            raise ValueError(f"{field}must be at most {MAX_TEXT_CHARS} characters")
        try:
            plain(value, field, multiline=True)
        except InvalidInput as exc:
            raise ValueError(f"{field}{exc.details[0]['message']}") from None
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                _checked(item, f"item {i}: ")


class Strict(BaseModel):
    """A request body: an unknown field is refused, not ignored; no string holds a control character."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _text(cls, value: Any) -> Any:
        # The net under every text field; one-line rules and field limits are the domain's (drafts.text).
        _checked(value, "")
        return value


class Public(BaseModel):
    """A response: built from a domain view; a key the schema does not know is a bug, not data."""

    model_config = ConfigDict(extra="forbid")


def described(description: str, example: object, **kwargs: Any) -> Any:
    """Return a ``Field`` with its description and one example, for the OpenAPI document."""
    return Field(description=description, examples=[example], **kwargs)


def next_cursor() -> Any:
    return described("Cursor of the next page (pass as `?cursor=`), or null on the last page.", None)


# Instants are sent as the server renders them (UTC, milliseconds, `Z`), never re-rendered here.
Instant = Annotated[str, Field(json_schema_extra={"format": "date-time"})]

ID_EXAMPLE = "01936c3e-5b1a-7cc2-9f0e-3d7b2a1c4e5f"
TIME_EXAMPLE = "2026-12-01T12:00:00.000Z"


class FieldError(Public):
    field: str = described("The offending field, dotted (`location.lat`), or `body`.", "location.lat")
    message: str = described("What is wrong with it.", "must be between -90 and 90")


class ErrorBody(Public):
    code: str = described(
        "Machine-readable reason: `invalid_input`, `not_authenticated`, `forbidden`, `not_found`, "
        "`stale_version`, `state_conflict`, `rate_limited`, `deconfliction_unavailable`, …",
        "invalid_input",
    )
    message: str = described("A sentence for a person.", "location.lat: must be between -90 and 90")
    details: list[FieldError] | dict[str, Any] | None = described(
        'For 422 the refused fields; for a stale version `{"version": n}`; otherwise null.',
        [{"field": "location.lat", "message": "must be between -90 and 90"}],
    )


class ErrorEnvelope(Public):
    """Every 4xx and 5xx body."""

    error: ErrorBody = described(
        "What went wrong.", {"code": "not_found", "message": "no such operation", "details": None}
    )


class HealthPublic(Public):
    status: str = described("Always `ok` while the process serves.", "ok")


class ReadinessCheckPublic(Public):
    name: str = described("`database`, `migrations` or `worker` (only where this process runs it).", "database")
    ok: bool = described("Whether the check passed.", True)
    detail: str = described("Why, in a few words; never a secret.", "answers")


class ReadinessPublic(Public):
    status: str = described("`ready` (HTTP 200) or `unready` (HTTP 503).", "ready")
    checks: list[ReadinessCheckPublic] = described("Each check, in the order they ran.", [])


def dump(model: BaseModel) -> dict[str, Any]:
    """Return only what the client sent, as JSON-ready values for the domain to parse."""
    return model.model_dump(mode="json", exclude_unset=True)
