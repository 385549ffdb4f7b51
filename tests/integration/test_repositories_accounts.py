"""Repository contract, accounts: agencies, people, tokens and sign-in state, on SQLite and PostGIS."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from commonground.domain.geometry import Box
from commonground.domain.model import Role
from commonground.domain.policy import Level, NoticeTiming, Policy, Purpose
from commonground.domain.scopes import Scope
from commonground.service.ports import Store, Transaction, UserFilter
from commonground.service.signin_ports import Credential
from tests.integration.repository_kit import (
    CHICAGO,
    covers,
    every_page,
    is_utc,
    person,
    postgres_template,
    seed,
    session,
    store,
    token,
)
from tests.unit import factories
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest

MINNEAPOLIS = (((-93.3, 44.9), (-93.2, 44.9), (-93.2, 45.0), (-93.3, 45.0), (-93.3, 44.9)),)
WIDE = Policy(
    disclose={
        "federal": Level.FULL,
        "state": Level.OPERATIONAL,
        "local": Level.SAFETY,
        "tribal": Level.SAFETY,
        "watch": Level.FULL,
    },
    restricted_purposes=frozenset({Purpose.CIVIL_IMMIGRATION}),
    receive_notices=False,
    default_notice=NoticeTiming.AT_START,
    proximity_m=800,
    time_buffer_min=90,
    allow_withheld=True,
    version=3,
)


@covers("agencies.add", "agencies.get", "agencies.by_ori")
def test_an_agency_comes_back_field_for_field(store: Store) -> None:
    """Every field, the policy and the rings survive the store; the time comes back in UTC."""
    agency = factories.agency("federal", policy=WIDE, jurisdiction=MINNEAPOLIS, created_at=T0.astimezone(CHICAGO))
    seed(store, agency)
    with store.read() as tx:
        got = tx.agencies.get(agency.id)
        assert got == agency and got is not None and is_utc(got.created_at)
        assert tx.agencies.by_ori(agency.ori) == agency
        assert tx.agencies.get("no-such-agency") is None
        assert tx.agencies.by_ori("NOSUCHORI") is None


@covers("agencies.get_many")
def test_agencies_come_back_at_once_and_a_missing_one_is_left_out(store: Store) -> None:
    """Those read before in the unit and those read now are the same; an unknown id is simply absent."""
    agencies = [factories.agency(policy=WIDE, jurisdiction=MINNEAPOLIS, created_at=T0) for _ in range(3)]
    seed(store, *agencies)
    with store.read() as tx:
        assert tx.agencies.get(agencies[0].id) == agencies[0]  # now in the unit's memo
        got = tx.agencies.get_many([a.id for a in agencies] + ["no-such-agency"])
        assert got == {a.id: a for a in agencies}
        assert all(is_utc(a.created_at) for a in got.values())
        assert tx.agencies.get_many([]) == {}
    with store.write() as tx:
        tx.agencies.set_policy(agencies[1].id, Policy(proximity_m=900))
        assert tx.agencies.get_many([agencies[1].id])[agencies[1].id].policy.proximity_m == 900


@covers("agencies.page")
def test_agency_pages_follow_the_cursor_in_id_order(store: Store) -> None:
    """Pages of two cover every agency once, in id order, and the last has no cursor."""
    agencies = [factories.agency(created_at=T0) for _ in range(5)]
    seed(store, *reversed(agencies))
    with store.read() as tx:
        pages = every_page(lambda after: tx.agencies.page(2, after))
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [a.id for p in pages for a in p] == sorted(a.id for a in agencies)


@covers("agencies.set_policy", "agencies.reach")
def test_a_new_policy_is_seen_at_once_in_the_same_unit(store: Store) -> None:
    """The unit's memo forgets a changed agency: the next read, and the reach, are the new ones."""
    narrow = factories.agency(policy=Policy(proximity_m=300, time_buffer_min=30), created_at=T0)
    other = factories.agency(policy=Policy(proximity_m=500, time_buffer_min=20), created_at=T0)
    with store.read() as tx:
        assert tx.agencies.reach() == (0, 0)
    seed(store, narrow, other)
    with store.write() as tx:
        assert tx.agencies.reach() == (500, 30)
        before = tx.agencies.get(narrow.id)
        assert before is not None and before.policy.proximity_m == 300
        tx.agencies.set_policy(narrow.id, WIDE)
        after = tx.agencies.get(narrow.id)
        assert after is not None and after.policy == WIDE
        assert tx.agencies.reach() == (800, 90)
    with store.read() as tx:
        stored = tx.agencies.get(narrow.id)
        assert stored is not None and stored.policy == WIDE and tx.agencies.reach() == (800, 90)


@covers("agencies.set_missions")
def test_missions_are_replaced_seen_at_once_and_read_by_the_token_look_up(store: Store) -> None:
    """Missions round-trip on every read path (get, by ORI, page, the token's principal) and can be cleared."""
    office = factories.agency("federal", created_at=T0)
    other = factories.agency(created_at=T0)
    seed(store, office, other)
    user = person(office)
    with store.write() as tx:
        tx.people.add(user, None)
        tx.tokens.add(token(user, token_hash="hash-missions"))
        assert tx.agencies.get(office.id) is not None  # in the unit's memo now
        tx.agencies.set_missions(office.id, frozenset({Purpose.CIVIL_IMMIGRATION, Purpose.PROTECTIVE}))
        seen = tx.agencies.get(office.id)
        assert seen is not None and seen.missions == {Purpose.CIVIL_IMMIGRATION, Purpose.PROTECTIVE}
    with store.read() as tx:
        by_ori = tx.agencies.by_ori(office.ori)
        assert by_ori is not None and by_ori.missions == {Purpose.CIVIL_IMMIGRATION, Purpose.PROTECTIVE}
        assert {a.id: a.missions for a in tx.agencies.page(10, None).items} == {
            office.id: {Purpose.CIVIL_IMMIGRATION, Purpose.PROTECTIVE},
            other.id: frozenset(),
        }
        found = tx.tokens.principal("hash-missions")
        assert found is not None and found[2].missions == {Purpose.CIVIL_IMMIGRATION, Purpose.PROTECTIVE}
    with store.write() as tx:
        tx.agencies.set_missions(office.id, frozenset())
    with store.read() as tx:
        cleared = tx.agencies.get(office.id)
        assert cleared is not None and cleared.missions == frozenset()


@covers("agencies.set_jurisdiction")
def test_a_jurisdiction_is_replaced_and_cleared(store: Store) -> None:
    """New rings are read back in the same unit and after it; ``None`` clears them."""
    agency = factories.agency(created_at=T0)
    seed(store, agency)
    with store.write() as tx:
        assert tx.agencies.get(agency.id) == agency  # the memo now holds the old value
        tx.agencies.set_jurisdiction(agency.id, MINNEAPOLIS)
        assert tx.agencies.get(agency.id) == replace(agency, jurisdiction=MINNEAPOLIS)
    with store.write() as tx:
        assert tx.agencies.get(agency.id) == replace(agency, jurisdiction=MINNEAPOLIS)
        tx.agencies.set_jurisdiction(agency.id, None)
    with store.read() as tx:
        assert tx.agencies.get(agency.id) == agency


@covers("agencies.set_jurisdiction_box", "agencies.with_jurisdiction_in")
def test_jurisdiction_boxes_find_the_agencies_they_meet(store: Store) -> None:
    """A box meets the boxes it overlaps, on either side of the antimeridian; a new box replaces the old."""
    city, texas, east, west = (factories.agency(created_at=T0) for _ in range(4))
    seed(store, city, texas, east, west)
    with store.write() as tx:
        tx.agencies.set_jurisdiction_box(city.id, Box(-93.3, -93.2, 44.9, 45.0))
        tx.agencies.set_jurisdiction_box(texas.id, Box(-98.0, -97.0, 30.0, 31.0))
        tx.agencies.set_jurisdiction_box(east.id, Box(179.0, 180.0, -18.0, -17.0))
        tx.agencies.set_jurisdiction_box(west.id, Box(-180.0, -179.0, -18.0, -17.0))
    with store.write() as tx:
        assert tx.agencies.with_jurisdiction_in([Box(-93.26, -93.25, 44.97, 44.98)]) == [city]
        seam = [Box(179.9, 180.0, -17.6, -17.5), Box(-180.0, -179.9, -17.6, -17.5)]
        assert sorted(a.id for a in tx.agencies.with_jurisdiction_in(seam)) == sorted([east.id, west.id])
        assert tx.agencies.with_jurisdiction_in([Box(10.0, 11.0, 10.0, 11.0)]) == []
        tx.agencies.set_jurisdiction_box(city.id, Box(-97.5, -97.4, 30.4, 30.5))
        tx.agencies.set_jurisdiction_box(east.id, None)
    with store.read() as tx:
        assert tx.agencies.with_jurisdiction_in([Box(-93.26, -93.25, 44.97, 44.98)]) == []
        assert sorted(a.id for a in tx.agencies.with_jurisdiction_in([Box(-97.5, -97.45, 30.4, 30.45)])) == sorted(
            [city.id, texas.id]
        )
        assert tx.agencies.with_jurisdiction_in(seam) == [west]


@covers("people.add", "people.get", "people.by_username")
def test_a_person_comes_back_with_their_password_hash(store: Store) -> None:
    """Every field of a person survives, and the hash (or its absence) comes with them by name."""
    agency = factories.agency(created_at=T0)
    full = person(agency, Role.SUPERVISOR, Role.WATCH, phone="+1 612 555 0101", email="s@example.org", disabled=True)
    bare = person(agency)
    seed(store, agency)
    with store.write() as tx:
        tx.people.add(full, "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA")
        tx.people.add(bare, None)
    with store.read() as tx:
        assert tx.people.get(full.id) == full
        assert tx.people.by_username(full.username) == (full, "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA")
        assert tx.people.by_username(bare.username) == (bare, None)
        assert tx.people.get("no-one") is None and tx.people.by_username("no-one") is None


@covers("people.count_with_role")
def test_people_are_counted_by_role(store: Store) -> None:
    """A person with several roles counts once for each."""
    agency = factories.agency(created_at=T0)
    seed(store, agency, person(agency, Role.ADMIN), person(agency, Role.ADMIN, Role.AUDITOR), person(agency))
    with store.read() as tx:
        assert [tx.people.count_with_role(r) for r in ("admin", "auditor", "officer", "watch")] == [2, 1, 1, 0]


@covers("tokens.add", "tokens.principal")
def test_a_token_resolves_to_its_person_and_agency(store: Store) -> None:
    """The hash finds the record, its holder and the holder's agency in one look-up."""
    agency = factories.agency(policy=WIDE, created_at=T0)
    holder = person(agency, Role.DISPATCHER)
    record, forever = token(holder), token(holder, expires_at=None)
    seed(store, agency, holder, record, forever)
    with store.read() as tx:
        found = tx.tokens.principal(record.token_hash)
        assert found == (record, holder, agency)
        assert found is not None and is_utc(found[0].created_at) and is_utc(found[0].expires_at)
        assert tx.tokens.principal(forever.token_hash) == (forever, holder, agency)
        assert tx.tokens.principal("0" * 64) is None


@covers("tokens.add", "tokens.principal", "tokens.of_agency")
def test_a_token_keeps_its_scopes_and_an_unscoped_one_stays_unscoped(store: Store) -> None:
    """Scopes survive every read path as the same set; no scopes stays None (all the roles allow), not empty."""
    agency = factories.agency(created_at=T0)
    holder = person(agency, Role.DISPATCHER, Role.OFFICER)
    cad = token(holder, scopes=frozenset({Scope.LOOKUP, Scope.NOTICES}), lookup_limit_per_hour=5000)
    plain = token(holder)
    seed(store, agency, holder, cad, plain)
    with store.read() as tx:
        found = tx.tokens.principal(cad.token_hash)
        assert found is not None and found[0].scopes == frozenset({Scope.LOOKUP, Scope.NOTICES})
        assert found[0].lookup_limit_per_hour == 5000  # a CAD link's own quota
        unscoped = tx.tokens.principal(plain.token_hash)
        assert unscoped is not None and unscoped[0].scopes is None and unscoped[0].lookup_limit_per_hour is None
        listed = {record.id: record.scopes for record, _, _ in tx.tokens.of_agency(agency.id)}
        assert listed == {cad.id: {Scope.LOOKUP, Scope.NOTICES}, plain.id: None}


@covers("tokens.principal", "people.update", "agencies.set_policy", "agencies.set_missions", "tokens.revoke")
def test_a_token_resolves_to_what_is_stored_now_after_every_change(store: Store) -> None:
    """Resolved again after each change to the holder, their agency or the token, the answer is the new
    one at once: a decoded principal is reused only for the very same stored row (SQLite keeps them)."""
    agency = factories.agency(created_at=T0)
    holder = person(agency, Role.DISPATCHER)
    record = token(holder)
    seed(store, agency, holder, record)

    def resolved() -> tuple[object, ...] | None:
        with store.read() as tx:
            return tx.tokens.principal(record.token_hash)

    first = resolved()
    assert first == (record, holder, agency) and resolved() == first
    changes: list[tuple[Callable[[Transaction], None], int, str]] = [
        (lambda tx: tx.people.update(replace(holder, roles=frozenset({Role.OFFICER}))), 1, "roles"),
        (lambda tx: tx.people.update(replace(holder, roles=frozenset({Role.OFFICER}), disabled=True)), 1, "disabled"),
        (lambda tx: tx.agencies.set_policy(agency.id, WIDE), 2, "policy"),
        (lambda tx: tx.agencies.set_missions(agency.id, frozenset({Purpose.PROTECTIVE})), 2, "missions"),
    ]
    for change, part, name in changes:
        before = resolved()
        with store.write() as tx:
            change(tx)
        after = resolved()
        assert before is not None and after is not None and after[part] != before[part], name
        with store.read() as tx:
            stored = tx.people.get(holder.id) if part == 1 else tx.agencies.get(agency.id)
        assert after[part] == stored, name
    with store.write() as tx:
        tx.tokens.revoke(record.id, T0 + timedelta(hours=1))
    assert resolved() is None


@covers("tokens.of_agency", "tokens.revoke")
def test_a_revoked_token_no_longer_resolves(store: Store) -> None:
    """Revoking is once only; the token stops resolving and is listed with its revocation time."""
    one, two = factories.agency(created_at=T0), factories.agency(created_at=T0)
    mine, theirs = person(one), person(two)
    first, second = token(mine), token(theirs)
    seed(store, one, two, mine, theirs, first, second)
    with store.write() as tx:
        assert tx.tokens.of_agency(one.id) == [(first, mine, None)]
        assert tx.tokens.revoke(first.id, T0.astimezone(CHICAGO) + timedelta(hours=1))
        assert not tx.tokens.revoke(first.id, T0 + timedelta(hours=2))
        assert not tx.tokens.revoke("no-such-token", T0)
    with store.read() as tx:
        assert tx.tokens.principal(first.token_hash) is None
        assert tx.tokens.principal(second.token_hash) == (second, theirs, two)
        listed = tx.tokens.of_agency(one.id)
        assert listed == [(first, mine, T0 + timedelta(hours=1))] and is_utc(listed[0][2])
        assert tx.tokens.of_agency(None) == [(first, mine, T0 + timedelta(hours=1)), (second, theirs, None)]


@covers("signin.credential", "signin.put_credential")
def test_a_credential_is_inserted_then_replaced(store: Store) -> None:
    """The first put inserts, the next replaces every field."""
    agency = factories.agency(created_at=T0)
    holder = person(agency)
    seed(store, agency, holder)
    enrolling = Credential(holder.id, totp_secret="JBSWY3DPEHPK3PXP")
    enrolled = Credential(holder.id, "JBSWY3DPEHPK3PXP", T0.astimezone(CHICAGO), 59_000_000, T0 + timedelta(1))
    with store.write() as tx:
        assert tx.signin.credential(holder.id) is None
        tx.signin.put_credential(enrolling)
        assert tx.signin.credential(holder.id) == enrolling
        tx.signin.put_credential(enrolled)
    with store.read() as tx:
        got = tx.signin.credential(holder.id)
        assert got == enrolled and got is not None and is_utc(got.enrolled_at) and is_utc(got.locked_at)


@covers("signin.add_failure", "signin.failures_since", "signin.clear_failures")
def test_failures_are_counted_after_a_moment_and_cleared_per_person(store: Store) -> None:
    """Failures count strictly after ``since``, per person; clearing is per person too."""
    with store.write() as tx:
        for minutes in (0, 5, 10):
            tx.signin.add_failure("u-a", T0 + timedelta(minutes=minutes))
        tx.signin.add_failure("u-b", T0)
    with store.write() as tx:
        assert tx.signin.failures_since("u-a", T0 - timedelta(seconds=1)) == 3
        assert tx.signin.failures_since("u-a", T0.astimezone(CHICAGO)) == 2
        assert tx.signin.failures_since("u-a", T0 + timedelta(minutes=10)) == 0
        tx.signin.clear_failures("u-a")
    with store.read() as tx:
        assert tx.signin.failures_since("u-a", T0 - timedelta(days=1)) == 0
        assert tx.signin.failures_since("u-b", T0 - timedelta(days=1)) == 1


@covers("signin.add_failure", "signin.failures_from", "signin.clear_failures_from")
def test_failures_are_counted_per_source_with_the_latest_and_cleared_per_source(store: Store) -> None:
    """One source's failures are its own: counted and cleared apart, and ``failures_since`` sees them all."""
    with store.write() as tx:
        for minutes in (0, 5, 10):
            tx.signin.add_failure("u-a", T0 + timedelta(minutes=minutes), "10.0.0.1")
        tx.signin.add_failure("u-a", T0, "10.0.0.2")
        tx.signin.add_failure("u-b", T0, "10.0.0.1")
    with store.write() as tx:
        count, last = tx.signin.failures_from("u-a", "10.0.0.1", T0.astimezone(CHICAGO))
        assert (count, last) == (2, T0 + timedelta(minutes=10)) and is_utc(last)
        assert tx.signin.failures_from("u-a", "10.0.0.3", T0 - timedelta(days=1)) == (0, None)
        assert tx.signin.failures_since("u-a", T0 - timedelta(seconds=1)) == 4
        tx.signin.clear_failures_from("u-a", "10.0.0.1")
    with store.read() as tx:
        assert tx.signin.failures_from("u-a", "10.0.0.1", T0 - timedelta(days=1)) == (0, None)
        assert tx.signin.failures_from("u-a", "10.0.0.2", T0 - timedelta(days=1)) == (1, T0)
        assert tx.signin.failures_from("u-b", "10.0.0.1", T0 - timedelta(days=1)) == (1, T0)


@covers(
    "signin.add_session",
    "signin.get_session",
    "signin.put_session",
    "signin.delete_session",
    "signin.delete_sessions_of",
)
def test_sessions_move_through_their_stages_and_end(store: Store) -> None:
    """A session is read back, replaced, and deleted alone or with all of its person's."""
    anonymous, first, second, other = session(None), session("u-a"), session("u-a"), session("u-b")
    with store.write() as tx:
        for record in (anonymous, first, second, other):
            tx.signin.add_session(record)
    active = replace(first, stage="active", last_seen_at=T0 + timedelta(minutes=3))
    with store.write() as tx:
        got = tx.signin.get_session(anonymous.id_hash)
        assert got == anonymous and got is not None and is_utc(got.last_seen_at)
        tx.signin.put_session(active)
        assert tx.signin.get_session(first.id_hash) == active
        tx.signin.delete_session(anonymous.id_hash)
    with store.write() as tx:
        assert tx.signin.get_session(anonymous.id_hash) is None
        assert tx.signin.get_session(first.id_hash) == active
        tx.signin.delete_sessions_of("u-a")
    with store.read() as tx:
        assert [tx.signin.get_session(s.id_hash) for s in (first, second, other)] == [None, None, other]


@covers("signin.agency_users")
def test_agency_users_come_with_their_credentials_by_username(store: Store) -> None:
    """Everyone of the agency, by username, with a credential or ``None``; no one else's."""
    agency, elsewhere = factories.agency(created_at=T0), factories.agency(created_at=T0)
    enrolled, fresh = person(agency, username="b-enrolled"), person(agency, username="a-fresh")
    seed(store, agency, elsewhere, enrolled, fresh, person(elsewhere))
    credential = Credential(enrolled.id, "JBSWY3DPEHPK3PXP", T0, 7, None)
    with store.write() as tx:
        tx.signin.put_credential(credential)
    with store.read() as tx:
        assert tx.signin.agency_users(agency.id) == [(fresh, None), (enrolled, credential)]
        assert tx.signin.agency_users("no-such-agency") == []


@covers("people.page")
def test_people_are_listed_by_username_with_filters_and_a_cursor(store: Store) -> None:
    """Per agency or all, by role, by disabled flag and by username prefix; pages follow the username."""
    one, two = factories.agency(created_at=T0), factories.agency(created_at=T0)
    a, b, c = person(one, Role.OFFICER), person(one, Role.DISPATCHER, disabled=True), person(one, Role.OFFICER)
    d = person(two, Role.OFFICER)
    seed(store, one, two, a, b, c, d)
    with store.read() as tx:
        assert every_page(lambda after: tx.people.page(UserFilter(agency_id=one.id), 2, after)) == [[a, b], [c]]
        assert list(tx.people.page(UserFilter(), 10, None).items) == [a, b, c, d]
        assert list(tx.people.page(UserFilter(agency_id=one.id, role="officer"), 10, None).items) == [a, c]
        assert every_page(lambda after: tx.people.page(UserFilter(role="officer"), 2, after)) == [[a, c], [d]]
        assert list(tx.people.page(UserFilter(disabled=True), 10, None).items) == [b]
        assert list(tx.people.page(UserFilter(disabled=False, agency_id=two.id), 10, None).items) == [d]
        prefix = UserFilter(username_prefix=c.username[:-1] + "%")
        assert list(tx.people.page(prefix, 10, None).items) == []  # a wildcard is a plain character


@covers("people.update", "people.set_password")
def test_a_person_is_changed_and_the_password_replaced(store: Store) -> None:
    """Display name, roles, phone, e-mail and the disabled flag are stored; the hash apart."""
    agency = factories.agency(created_at=T0)
    who = person(agency, Role.OFFICER)
    seed(store, agency, who)
    changed = replace(
        who, display_name="Sgt. Moore", roles=frozenset({Role.SUPERVISOR}), phone="+1 612 555 0102", disabled=True
    )
    with store.write() as tx:
        tx.people.update(changed)
        tx.people.set_password(who.id, "$argon2id$new")
    with store.read() as tx:
        assert tx.people.by_username(who.username) == (changed, "$argon2id$new")


@covers("people.add_reset", "people.take_reset")
def test_a_set_password_token_is_used_once_before_it_expires(store: Store) -> None:
    """Once only, never after expiry, and a newer one for the same person ends the older."""
    agency = factories.agency(created_at=T0)
    who = person(agency)
    seed(store, agency, who)
    with store.write() as tx:
        tx.people.add_reset("a" * 64, who.id, T0, T0 + timedelta(hours=24))
        tx.people.add_reset("b" * 64, who.id, T0 + timedelta(minutes=1), T0 + timedelta(hours=24))
    with store.write() as tx:
        assert tx.people.take_reset("a" * 64, T0 + timedelta(minutes=2)) is None  # replaced by the newer
        assert tx.people.take_reset("0" * 64, T0) is None
        assert tx.people.take_reset("b" * 64, T0 + timedelta(hours=25)) is None  # expired
        assert tx.people.take_reset("b" * 64, T0.astimezone(CHICAGO) + timedelta(hours=2)) == who.id
        assert tx.people.take_reset("b" * 64, T0 + timedelta(hours=3)) is None  # used up


@covers("tokens.revoke_of_user")
def test_every_token_of_one_person_is_revoked_at_once(store: Store) -> None:
    """Only that person's live tokens; one revoked already is not counted again."""
    agency = factories.agency(created_at=T0)
    mine, theirs = person(agency), person(agency)
    first, second, other = token(mine), token(mine), token(theirs)
    seed(store, agency, mine, theirs, first, second, other)
    with store.write() as tx:
        assert tx.tokens.revoke(first.id, T0)
        assert tx.tokens.revoke_of_user(mine.id, T0 + timedelta(hours=1)) == 1
        assert tx.tokens.revoke_of_user(mine.id, T0 + timedelta(hours=2)) == 0
    with store.read() as tx:
        assert tx.tokens.principal(second.token_hash) is None
        assert tx.tokens.principal(other.token_hash) == (other, theirs, agency)


@covers("signin.delete_credential")
def test_a_second_factor_is_forgotten(store: Store) -> None:
    agency = factories.agency(created_at=T0)
    holder, other = person(agency), person(agency)
    seed(store, agency, holder, other)
    with store.write() as tx:
        tx.signin.put_credential(Credential(holder.id, "JBSWY3DPEHPK3PXP", T0, 1, None))
        tx.signin.put_credential(Credential(other.id, "JBSWY3DPEHPK3PXQ", T0, 1, None))
        tx.signin.delete_credential(holder.id)
        tx.signin.delete_credential("no-one")
    with store.read() as tx:
        assert tx.signin.credential(holder.id) is None
        assert tx.signin.credential(other.id) is not None


@covers("people.touch", "people.stale", "people.expired")
def test_stale_and_expired_accounts_are_found(store: Store) -> None:
    """Stale: enabled, no sign-in since the cut (creation counts), no live token. Expired: past expires_at."""
    agency = factories.agency(created_at=T0)
    idle, active, machine, old_token, gone, temporary = (person(agency) for _ in range(6))
    gone = replace(gone, disabled=True)
    temporary = replace(temporary, expires_at=T0 + timedelta(hours=2))
    seed(store, agency, idle, active, machine, old_token, gone, temporary)
    later = T0 + timedelta(days=400)  # people.add stamps the real time of creation
    with store.write() as tx:
        tx.people.touch(active.id, later)
        tx.tokens.add(token(machine, expires_at=None))
        tx.tokens.add(token(old_token, expires_at=T0))
    with store.read() as tx:
        assert {u.id for u in tx.people.stale(later - timedelta(days=1), later)} == {
            idle.id,
            old_token.id,
            temporary.id,
        }
        assert tx.people.stale(T0 - timedelta(days=1), later) == []
        assert tx.people.expired(T0 + timedelta(hours=1)) == []
        assert tx.people.expired(T0.astimezone(CHICAGO) + timedelta(hours=2)) == [temporary]
        assert tx.people.get(temporary.id) == temporary
