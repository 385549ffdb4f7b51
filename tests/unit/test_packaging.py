"""Packaging: the Pythons it installs on, its licence, and the dependencies it declares."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def runtime() -> dict[str, Requirement]:
    return {Requirement(r).name.lower(): Requirement(r) for r in PROJECT["dependencies"]}


def test_it_installs_on_python_3_11_to_3_13() -> None:
    allowed = SpecifierSet(PROJECT["requires-python"])
    for version in ("3.11.7", "3.12.0", "3.13.0", "3.13.5"):
        assert version in allowed, version
    assert "3.10.12" not in allowed
    listed = {c.rsplit(" :: ", 1)[-1] for c in PROJECT.get("classifiers", []) if "Python :: 3." in c}
    assert listed == {"3.11", "3.12", "3.13"}


def test_the_apache_licence_is_at_the_root() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text


def test_tzdata_is_declared_and_numpy_is_only_where_it_is_used() -> None:
    deps = runtime()
    assert "tzdata" in deps  # zoneinfo needs it where the system has no zone database
    assert "numpy" not in deps
    used = [p for p in (ROOT / "src").rglob("*.py") if re.search(r"^\s*(import|from) numpy", p.read_text(), re.M)]
    assert used == []
    extras = PROJECT["optional-dependencies"]
    assert any(Requirement(r).name == "numpy" for r in extras["bench"])


def test_the_lock_file_has_hashes_and_no_download_addresses() -> None:
    lock = (ROOT / "requirements.lock").read_text()
    pins = [line for line in lock.splitlines() if re.match(r"^[A-Za-z0-9_.-]+==", line)]
    assert len(pins) > 20
    assert lock.count("--hash=sha256:") >= len(pins)
    assert not re.search(r"https?://", lock)
    for name in runtime():
        assert re.search(rf"^{re.escape(name)}==", lock, re.M | re.I), name
