"""RFC 9421 signatures with Ed25519 over federation messages, and the signed POST to a peer.

A request's signature covers ``@method``, ``@path``, ``@authority``, ``content-type`` and
``content-digest`` (SHA-256 of the body), with the tag ``commonground-federation-v1``,
``created``, ``keyid`` (the signer's public key, base64) and a random ``nonce``.
An answer's covers ``@status``, ``content-type``,
``content-digest`` and the request's ``@method`` and ``@path`` (``;req``), so it cannot be
replayed as the answer to another request.
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from http_message_signatures import HTTPMessageSigner, HTTPMessageVerifier, HTTPSignatureKeyResolver, algorithms
from http_message_signatures.exceptions import HTTPMessageSignaturesException
from http_message_signatures.structures import CaseInsensitiveDict as _UntypedHeaders

from commonground.domain.errors import SignatureRefused
from commonground.domain.federation import decode_key, encode_key
from commonground.federation.connections import PeerConnections
from commonground.service.ports import SignedBy, WireReply

CaseInsensitiveDict = cast(Any, _UntypedHeaders)
LABEL = "cg"
TAG = "commonground-federation-v1"
REQUEST_COMPONENTS = ("@method", "@authority", "@path", "content-type")
RESPONSE_COMPONENTS = ('"@method";req', '"@path";req', "@status", "content-type")
# Every signature must cover these (as serialised in Signature-Input); another signer may cover more.
MUST_COVER = {
    status: frozenset(c if c.startswith('"') else f'"{c}"' for c in (*components, "content-digest"))
    for status, components in ((False, REQUEST_COMPONENTS), (True, RESPONSE_COMPONENTS))
}
# Idle connections to a peer are kept this long: under the 5 s after which a peer's server
# (uvicorn's default) closes them, so a probe never goes out on a connection being closed.
KEEPALIVE_S = 4.0


@dataclass
class _Request:
    method: str
    url: str
    headers: Any


@dataclass
class _Response:
    status_code: int
    headers: Any
    request: _Request


class _Keys(HTTPSignatureKeyResolver):
    def __init__(self, private: Ed25519PrivateKey | None = None, public: Ed25519PublicKey | None = None) -> None:
        self.private, self.public = private, public

    def resolve_public_key(self, key_id: str) -> Ed25519PublicKey | None:
        return self.public

    def resolve_private_key(self, key_id: str) -> Ed25519PrivateKey:
        assert self.private is not None
        return self.private


def _private(text: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text))


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@lru_cache(maxsize=8)
def _signing(private_key: str) -> tuple[Ed25519PrivateKey, str]:
    """The key object and its ``keyid``, parsed once: every probe and answer is signed with the same key."""
    key = _private(private_key)
    return key, encode_key(_raw_public(key))


@lru_cache(maxsize=256)
def _checking(public_key: str) -> Ed25519PublicKey:
    """A peer's key object, parsed once per key rather than once per message."""
    return Ed25519PublicKey.from_public_bytes(decode_key(public_key))


def _message(method: str, url: str, headers: Mapping[str, str], status: int | None) -> _Request | _Response:
    request = _Request(method.upper(), url, CaseInsensitiveDict(dict(headers) if status is None else {}))
    if status is None:
        return request
    return _Response(status, CaseInsensitiveDict(dict(headers)), request)


@dataclass
class Ed25519Link:
    """The real ``FederationLink``: keys from ``cryptography``, signatures from ``http-message-signatures``.

    The pool of connections to peers is made on the first POST and kept until ``close``: one
    connection per peer and thread, so no probe pays a new TCP (or TLS) handshake."""

    _connections: PeerConnections | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def connections(self) -> PeerConnections:
        if self._connections is None:
            with self._lock:
                if self._connections is None:
                    self._connections = PeerConnections(KEEPALIVE_S)
        return self._connections

    def new_private_key(self) -> str:
        raw = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return base64.b64encode(raw).decode("ascii")

    def public_key(self, private_key: str) -> str:
        return encode_key(_raw_public(_private(private_key)))

    def signer_key(self, headers: Mapping[str, str]) -> str:
        """Return the ``keyid`` the signature names, unverified."""
        try:
            verifier: Any = HTTPMessageVerifier(signature_algorithm=algorithms.ED25519, key_resolver=_Keys())
            inputs = verifier._parse_dict_header("Signature-Input", CaseInsensitiveDict(dict(headers)))
            if list(inputs.keys()) != [LABEL]:
                raise SignatureRefused("malformed: expected one signature labelled cg")
            keyid = inputs[LABEL].params.get("keyid")
        except HTTPMessageSignaturesException as exc:
            raise SignatureRefused(f"malformed: {exc}") from exc
        if not isinstance(keyid, str):
            raise SignatureRefused("malformed: the signature names no keyid")
        return keyid

    def sign(
        self,
        private_key: str,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes,
        status: int | None = None,
        *,
        created: datetime | None = None,
        nonce: str | None = None,
    ) -> dict[str, str]:
        key, key_id = _signing(private_key)
        message = _message(method, url, headers, status)
        # The library builds the signature base (and adds Content-Digest); the two headers for
        # one label are written here. Its ``sign`` would build the base a second time, to check
        # that a message signed elsewhere did not change meanwhile: half of signing's cost.
        prepared = HTTPMessageSigner(signature_algorithm=algorithms.ED25519).prepare(
            message,
            key_id=key_id,
            created=created or datetime.now(UTC),
            nonce=nonce or secrets.token_urlsafe(18),
            label=LABEL,
            tag=TAG,
            covered_component_ids=REQUEST_COMPONENTS if status is None else RESPONSE_COMPONENTS,
            body=body,
        )
        signature = base64.b64encode(key.sign(prepared.signature_base)).decode("ascii")
        return {
            **dict(message.headers.items()),
            "Signature-Input": f"{prepared.label}={prepared.signature_params}",
            "Signature": f"{prepared.label}=:{signature}:",
        }

    def verify(
        self,
        public_key: str,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        max_age_seconds: float,
        status: int | None = None,
    ) -> SignedBy:
        public = _checking(public_key)
        message = _message(method, url, headers, status)
        verifier = HTTPMessageVerifier(signature_algorithm=algorithms.ED25519, key_resolver=_Keys(public=public))
        try:
            # The covered components are checked below, on the serialised names the verifier
            # returns: its own ``require_components`` parses both lists again, a quarter of a verify.
            results = verifier.verify(message, max_age=timedelta(seconds=max_age_seconds), expect_tag=TAG, body=body)
        except HTTPMessageSignaturesException as exc:
            text = str(exc)
            if "igest" in text:
                raise SignatureRefused(f"digest: {text}") from exc
            if "maximum allowable age" in text or '"created"' in text:
                raise SignatureRefused(f"too-old: {text}") from exc
            raise SignatureRefused(f"signature: {text}") from exc
        missing = MUST_COVER[status is not None] - results[0].covered_components.keys()
        if missing:
            raise SignatureRefused(f"signature: required components {sorted(missing)} were not covered")
        params: dict[str, Any] = results[0].parameters
        nonce = params.get("nonce")
        if not isinstance(nonce, str) or len(nonce) < 16 or len(nonce) > 100:
            raise SignatureRefused("malformed: the signature carries no usable nonce")
        created = datetime.fromtimestamp(int(params["created"]), UTC)
        return SignedBy(str(params.get("keyid")), nonce, created)

    def post(self, url: str, headers: dict[str, str], body: bytes, timeout: float) -> WireReply:
        return self.connections.post(url, headers, body, timeout)

    def close(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, None
        if connections is not None:
            connections.close()
