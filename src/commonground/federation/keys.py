"""The installation's private key in ``COMMONGROUND_FEDERATION_KEY_FILE``, made on first start."""

from __future__ import annotations

import os
from pathlib import Path

from commonground.service.ports import FederationLink


def load_or_create(path: str, link: FederationLink) -> str:
    """Return the base64 private key the file holds, writing a new one (mode 0600) when it is absent."""
    file = Path(path)
    if file.exists():
        return file.read_text().strip()
    file.parent.mkdir(parents=True, exist_ok=True)
    key = link.new_private_key()
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(key + "\n")
    return key
