"""The scope rule: scopes only take away from what roles allow, and every permission has a row."""

from __future__ import annotations

import pytest

from commonground.domain.errors import InvalidInput
from commonground.domain.model import Role
from commonground.domain.permissions import Permission
from commonground.domain.scopes import NEEDS, Scope, beyond_roles, hears, parse, reaches


def test_an_unscoped_token_reaches_every_permission_and_a_scoped_one_only_its_own() -> None:
    assert all(reaches(None, p) for p in Permission)
    lookup_only = frozenset({Scope.LOOKUP})
    assert [p for p in Permission if reaches(lookup_only, p)] == [
        Permission.PUBLIC,
        Permission.AUTHENTICATED,
        Permission.LOOKUP,
        Permission.VERIFY,  # on-scene verification is a look-up: the same scope, the same budget
    ]
    assert not reaches(frozenset({Scope.OPERATIONS}), Permission.RESOLVE_CONFLICTS)
    assert reaches(frozenset({Scope.CONFLICTS}), Permission.RESOLVE_CONFLICTS)


def test_every_scope_covers_a_permission_some_role_holds() -> None:
    every_role = frozenset(Role)
    assert beyond_roles(every_role, Scope) == []
    assert set(NEEDS.values()) - {None} == set(Scope)


def test_a_scope_the_roles_give_nothing_under_is_named() -> None:
    assert beyond_roles(frozenset({Role.DISPATCHER}), [Scope.LOOKUP, Scope.NOTICES]) == []
    assert beyond_roles(frozenset({Role.DISPATCHER}), [Scope.OPERATIONS, Scope.LOOKUP, Scope.AUDIT]) == [
        Scope.OPERATIONS,
        Scope.AUDIT,
    ]
    assert beyond_roles(frozenset({Role.AGENCY_ADMIN}), [Scope.ADMIN, Scope.OPERATIONS, Scope.NOTICES]) == []


def test_names_parse_to_a_set_and_an_unknown_one_is_refused_by_field() -> None:
    assert parse(["lookup", "notices", "lookup"]) == {Scope.LOOKUP, Scope.NOTICES}
    with pytest.raises(InvalidInput) as refused:
        parse(["lookup", "cad"], "scope")
    assert refused.value.field == "scope" and "'cad'" in refused.value.message


def test_the_stream_carries_conflict_events_only_to_a_token_with_the_conflicts_scope() -> None:
    assert hears(None, "conflict.created")
    assert not hears(frozenset({Scope.NOTICES}), "conflict.updated")
    assert hears(frozenset({Scope.NOTICES}), "notice.created") and hears(frozenset({Scope.NOTICES}), "lookup.nearby")
    assert hears(frozenset({Scope.NOTICES, Scope.CONFLICTS}), "conflict.created")
