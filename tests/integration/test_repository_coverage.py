"""The contract suite is complete: a repository method without a contract test fails here."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
from types import ModuleType

import tests.integration
from commonground.service.ports import Transaction

SUITE_PREFIX = "test_repositories_"


def protocol_methods() -> set[str]:
    """Every public method of every repository a unit of work offers, as ``repository.method``."""
    names = {name for name, value in vars(Transaction).items() if callable(value) and not name.startswith("_")}
    repositories = {
        name: typing.get_type_hints(value.fget)["return"]
        for name, value in vars(Transaction).items()
        if isinstance(value, property) and value.fget is not None
    }
    for attribute, protocol in repositories.items():
        names |= {
            f"{attribute}.{name}"
            for name, value in vars(protocol).items()
            if callable(value) and not name.startswith("_")
        }
    return names


def suite_modules() -> list[ModuleType]:
    found = [
        importlib.import_module(f"tests.integration.{info.name}")
        for info in pkgutil.iter_modules(tests.integration.__path__)
        if info.name.startswith(SUITE_PREFIX)
    ]
    assert len(found) >= 5
    return found


def covered() -> dict[str, list[str]]:
    """Each method named by a ``covers`` mark, with the tests that name it."""
    by_method: dict[str, list[str]] = {}
    for module in suite_modules():
        for name, test in inspect.getmembers(module, inspect.isfunction):
            for method in test.__dict__.get("covers", ()):
                by_method.setdefault(method, []).append(f"{module.__name__}.{name}")
    return by_method


def test_the_protocols_are_introspected() -> None:
    """Guard the guard: the introspection sees the repositories it must."""
    methods = protocol_methods()
    assert {"operations.candidates", "signin.agency_users", "outbox.claim_cursor", "flush"} <= methods
    assert len(methods) > 70


def test_every_repository_method_has_a_contract_test() -> None:
    """A new method on a repository Protocol needs a test marked ``@covers("repository.method")``."""
    assert sorted(protocol_methods() - covered().keys()) == []


def test_every_covers_mark_names_a_real_method() -> None:
    """A renamed or removed method leaves no stale mark behind."""
    assert sorted(covered().keys() - protocol_methods()) == []


def test_every_covering_test_runs_on_both_stores() -> None:
    """Marked tests take the store fixture, which is parametrised over SQLite and PostgreSQL."""
    tests = {t for names in covered().values() for t in names}
    modules = {m.__name__: m for m in suite_modules()}
    lacking = [
        t
        for t in sorted(tests)
        if "store" not in inspect.signature(getattr(modules[t.rsplit(".", 1)[0]], t.rsplit(".", 1)[1])).parameters
    ]
    assert lacking == []
