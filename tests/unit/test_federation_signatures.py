"""RFC 9421 over federation messages: what a signature must cover to be taken, whoever made it."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from http_message_signatures import HTTPMessageSigner, algorithms

from commonground.domain.errors import SignatureRefused
from commonground.federation.link import (
    LABEL,
    REQUEST_COMPONENTS,
    RESPONSE_COMPONENTS,
    TAG,
    Ed25519Link,
    _Keys,
    _message,
    _signing,
)

URL = "https://cg.city.example.gov/federation/v1/probe"
BODY = b'{"ref":"op-1"}'
LINK = Ed25519Link()
KEY = LINK.new_private_key()
PUBLIC = LINK.public_key(KEY)


def signed(components: Sequence[str], status: int | None = None, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Headers as another implementation might sign them, covering ``components`` (and the digest)."""
    key, key_id = _signing(KEY)
    message = _message("POST", URL, {"Content-Type": "application/json", **(extra or {})}, status)
    HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=_Keys(private=key)).sign(
        message,
        key_id=key_id,
        created=datetime.now(UTC),
        nonce=secrets.token_urlsafe(18),
        label=LABEL,
        tag=TAG,
        covered_component_ids=components,
        body=BODY,
    )
    return dict(message.headers.items())


@pytest.mark.parametrize("left_out", ["@method", "@authority", "@path", "content-type"])
def test_a_request_whose_signature_leaves_out_a_component_is_refused(left_out: str) -> None:
    components = [c for c in ("@method", "@authority", "@path", "content-type") if c != left_out]
    with pytest.raises(SignatureRefused, match=left_out):
        LINK.verify(PUBLIC, "POST", URL, signed(components), BODY, 60)


@pytest.mark.parametrize("left_out", ['"@method";req', '"@path";req', "@status", "content-type"])
def test_an_answer_whose_signature_leaves_out_a_component_is_refused(left_out: str) -> None:
    components = [c for c in ('"@method";req', '"@path";req', "@status", "content-type") if c != left_out]
    with pytest.raises(SignatureRefused, match=left_out.split(";")[0].strip('"')):
        LINK.verify(PUBLIC, "POST", URL, signed(components, 200), BODY, 60, 200)


def test_a_request_signed_as_an_answer_is_refused() -> None:
    """An answer's signature covers the request's method and path, not this side's authority."""
    answer = signed(['"@method";req', '"@path";req', "@status", "content-type"], 200)
    with pytest.raises(SignatureRefused):
        LINK.verify(PUBLIC, "POST", URL, answer, BODY, 60)


def test_a_signature_covering_more_than_asked_is_taken() -> None:
    """Another implementation may also sign, say, its ``date``: that costs it nothing here."""
    headers = signed(
        ["@method", "@authority", "@path", "content-type", "date"],
        extra={"Date": "Tue, 08 Dec 2026 04:00:00 GMT"},
    )
    assert LINK.verify(PUBLIC, "POST", URL, headers, BODY, 60).key == PUBLIC
    mine = LINK.sign(KEY, "POST", URL, {"Content-Type": "application/json"}, BODY)
    assert LINK.verify(PUBLIC, "POST", URL, mine, BODY, 60).key == PUBLIC


@pytest.mark.parametrize("status", [None, 200])
def test_the_headers_written_are_those_the_library_s_own_signing_writes(status: int | None) -> None:
    """Ed25519 is deterministic: with the same time and nonce, the same bytes."""
    at, nonce = datetime(2026, 12, 8, 4, 0, tzinfo=UTC), secrets.token_urlsafe(18)
    key, key_id = _signing(KEY)
    message = _message("POST", URL, {"Content-Type": "application/json"}, status)
    HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=_Keys(private=key)).sign(
        message,
        key_id=key_id,
        created=at,
        nonce=nonce,
        label=LABEL,
        tag=TAG,
        covered_component_ids=REQUEST_COMPONENTS if status is None else RESPONSE_COMPONENTS,
        body=BODY,
    )
    ours = LINK.sign(KEY, "POST", URL, {"Content-Type": "application/json"}, BODY, status, created=at, nonce=nonce)
    assert ours == dict(message.headers.items())
