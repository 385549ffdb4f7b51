"""Ed25519 signatures over the audit log's checkpoints, with the installation's federation key."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class Ed25519Notary:
    """Implements ``Notary``; the private key is asked for when first needed (it may live in the database)."""

    def __init__(self, private_key: Callable[[], str]) -> None:
        self._source = private_key
        self._key: Ed25519PrivateKey | None = None

    def _private(self) -> Ed25519PrivateKey:
        if self._key is None:
            self._key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(self._source()))
        return self._key

    def public_key(self) -> str:
        raw = self._private().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self._private().sign(message)).decode()

    def check(self, public_key: str, message: bytes, signature: str) -> bool:
        return check_signature(public_key, message, signature)


def check_signature(public_key: str, message: bytes, signature: str) -> bool:
    """True when ``signature`` (base64) is ``public_key``'s (base64, raw Ed25519) over ``message``."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
