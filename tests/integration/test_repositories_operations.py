"""Repository contract, operations: round trips, pages, the candidate index and the subject index."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from commonground.domain.conflicts import SearchReach
from commonground.domain.geometry import Area
from commonground.domain.model import Agency, Attire, Contact, OperationStatus, Team, TeamMember, TeamVehicle
from commonground.domain.timewindow import TimeWindow
from commonground.service.ports import OperationFilter, Store
from tests.integration.repository_kit import CHICAGO, covers, every_page, is_utc, postgres_template, seed, store
from tests.unit import factories
from tests.unit.factories import T0

__all__ = ["postgres_template", "store"]  # fixtures, imported for pytest

REACH = SearchReach(margin_m=500.0, time_pad=timedelta(hours=1))
WINDOW = TimeWindow(T0, T0 + timedelta(hours=2))
LIVE, CANCELLED, COMPLETED = OperationStatus.PLANNED, OperationStatus.CANCELLED, OperationStatus.COMPLETED


def point(lon: float, lat: float, radius: float = 10.0) -> Area:
    return Area("Point", ((lon, lat),), radius)


def found(store: Store, area: Area, exclude: str | None = None, window: TimeWindow = WINDOW) -> set[str]:
    """Ids of the candidates a writer's search returns."""
    with store.write() as tx:
        return {op.id for op in tx.operations.candidates(area, window, REACH, exclude)}


@pytest.fixture
def owner(store: Store) -> Agency:
    agency = factories.agency(created_at=T0)
    seed(store, agency)
    return agency


@covers("operations.add", "operations.get", "operations.count")
def test_operations_come_back_field_for_field(store: Store, owner: Agency) -> None:
    """A polygon with everything, a line and a bare point all survive; times come back in UTC."""
    full = factories.operation(
        owner,
        area=Area("Polygon", ((-93.27, 44.97), (-93.26, 44.97), (-93.26, 44.98), (-93.27, 44.97)), 25.0),
        team=Team(4, Attire.TACTICAL, "one van"),
        subjects=({"kind": "person", "last_name": "Doe", "first_name": "Jan"}, {"kind": "vehicle", "plate": "ABC1"}),
        created_at=T0.astimezone(CHICAGO),
        window=TimeWindow(T0.astimezone(CHICAGO), T0 + timedelta(days=3)),
    )
    line = factories.operation(owner, area=Area("LineString", ((-93.2, 44.9), (-93.1, 44.95)), 50.0))
    bare = factories.operation(
        owner,
        case_number=None,
        address=None,
        contact=Contact("Lt. Bare", "+1 612 555 0199"),
        team=Team(),
        notice=None,
        notes=None,
        subjects=(),
        status=OperationStatus.ACTIVE,
    )
    with store.read() as tx:
        assert tx.operations.count() == 0
    seed(store, full, line, bare)
    with store.read() as tx:
        assert [tx.operations.get(op.id) for op in (full, line, bare)] == [full, line, bare]
        got = tx.operations.get(full.id)
        assert got is not None and all(map(is_utc, (got.created_at, got.window.starts_at, got.updated_at)))
        assert tx.operations.get("no-such-operation") is None
        assert tx.operations.count() == 3


@covers("operations.update")
def test_an_update_is_stored_and_moves_the_operation_in_the_index(store: Store, owner: Agency) -> None:
    """The new version replaces the old, and the index finds it where it went, not where it was."""
    op = factories.operation(owner)
    seed(store, op)
    moved = replace(
        op,
        area=point(-90.07, 29.95, 40.0),
        window=TimeWindow(T0 + timedelta(days=1), T0 + timedelta(days=1, hours=4)),
        title="Moved to New Orleans",
        status=OperationStatus.ACTIVE,
        version=2,
        updated_at=T0.astimezone(CHICAGO) + timedelta(hours=1),
    )
    with store.write() as tx:
        tx.operations.update(moved)
        assert tx.operations.get(op.id) == moved
    with store.read() as tx:
        assert tx.operations.get(op.id) == moved and tx.operations.count() == 1
    assert found(store, op.area) == set()
    assert found(store, point(-90.07, 29.95), window=moved.window) == {op.id}


@covers("operations.page")
def test_operation_pages_filter_and_follow_the_cursor(store: Store, owner: Agency) -> None:
    """One agency's operations page in id order; status, creator, time and box narrow them."""
    later = T0 + timedelta(days=3)
    here = factories.operation(owner, created_by="u1")
    active = factories.operation(owner, created_by="u2", status=OperationStatus.ACTIVE, start=later)
    gone = factories.operation(owner, lon=170.0, lat=-40.0, created_by="u1", status=CANCELLED)
    seam = factories.operation(owner, lon=179.9999, lat=0.0, created_by="u2", start=later)
    elsewhere = factories.agency(created_at=T0)
    seed(store, elsewhere, here, active, gone, seam, factories.operation(elsewhere))

    def ids(limit: int = 100, **where: Any) -> list[str]:
        with store.read() as tx:
            pages = every_page(lambda after: tx.operations.page(OperationFilter(owner.id, **where), limit, after))
        return [op.id for p in pages for op in p]

    assert ids(limit=2) == [here.id, active.id, gone.id, seam.id]
    assert ids(status=OperationStatus.ACTIVE) == [active.id]
    assert ids(created_by="u1") == [here.id, gone.id]
    assert ids(active_at=T0 + timedelta(minutes=30)) == [here.id, gone.id]
    assert ids(active_at=T0 + timedelta(hours=2)) == []  # the end is not inside the window
    assert ids(bbox=(-94.0, 44.0, -93.0, 45.0)) == [here.id, active.id]
    assert ids(bbox=(179.0, -1.0, -179.0, 1.0)) == [seam.id]  # a box across the antimeridian
    assert ids(bbox=(10.0, 10.0, 11.0, 11.0), status=LIVE) == []
    # Live and overlapping a span (the CAD feed's "now until 2 h ahead"): not cancelled, not ended before it.
    assert ids(live_between=(T0 + timedelta(minutes=30), T0 + timedelta(hours=1))) == [here.id]
    assert ids(live_between=(T0 + timedelta(hours=2), later)) == []  # here ended; active and seam start at later
    assert ids(live_between=(later, later + timedelta(minutes=1))) == [active.id, seam.id]


@covers("operations.candidates")
def test_candidates_are_near_in_space_and_time_and_live(store: Store, owner: Agency) -> None:
    """Near and concurrent live operations are found; far, later, finished and excluded ones are not."""
    here = factories.operation(owner)
    near = factories.operation(owner, lat=44.9805)  # about 300 m north
    far = factories.operation(owner, lat=45.03)  # about 6 km north
    later = factories.operation(owner, start=T0 + timedelta(days=1))
    cancelled = factories.operation(owner, status=CANCELLED)
    completed = factories.operation(owner, status=COMPLETED)
    seed(store, here, near, far, later, cancelled, completed)
    probe = point(-93.265, 44.9778)
    assert found(store, probe) == {here.id, near.id}
    assert found(store, probe, exclude=here.id) == {near.id}
    assert found(store, probe, exclude="no-such-operation") == {here.id, near.id}
    with store.read() as tx:  # readers may search too (the look-up does, under no lock)
        assert {op.id for op in tx.operations.candidates(probe, WINDOW, REACH, None)} == {here.id, near.id}
    with store.write() as tx:
        listed = tx.operations.candidates(probe, WINDOW, REACH, near.id)
        assert listed == [here]  # whole operations, as stored


@pytest.mark.parametrize(
    ("there", "probe", "away"),
    [
        ((179.9995, 10.0), (-179.9995, 10.0), (-179.9995, 11.0)),
        ((-179.9995, -10.0), (179.9995, -10.0), (179.9995, -11.0)),
        ((0.0, 89.999), (180.0, 89.999), (90.0, 89.0)),
        ((45.0, -89.999), (-135.0, -89.999), (-135.0, -89.0)),
    ],
    ids=["antimeridian-east", "antimeridian-west", "north-pole", "south-pole"],
)
@covers("operations.candidates")
def test_candidates_are_found_across_the_antimeridian_and_near_a_pole(
    store: Store,
    owner: Agency,
    there: tuple[float, float],
    probe: tuple[float, float],
    away: tuple[float, float],
) -> None:
    """Two places a few hundred metres apart across the seam or the pole meet; a degree away does not."""
    op = factories.operation(owner, lon=there[0], lat=there[1], radius=10)
    seed(store, op)
    assert found(store, point(*probe)) == {op.id}
    assert found(store, point(*away)) == set()


@covers("subjects.set_keys", "subjects.operations_with_keys")
def test_live_operations_are_found_by_their_blocking_keys(store: Store, owner: Agency) -> None:
    """Keys find live operations other than the excluded one; setting keys replaces the old ones."""
    one, two, done = (
        factories.operation(owner),
        factories.operation(owner),
        factories.operation(owner, status=COMPLETED),
    )
    seed(store, one, two, done)
    with store.write() as tx:
        tx.subjects.set_keys(one.id, ["name:doe", "plate:abc1", "name:doe"])
        tx.subjects.set_keys(two.id, {"plate:abc1"})
        tx.subjects.set_keys(done.id, {"name:doe"})
    with store.write() as tx:
        assert tx.subjects.operations_with_keys({"name:doe"}, exclude="") == [one]
        assert {op.id for op in tx.subjects.operations_with_keys(["plate:abc1", "name:doe"], exclude="")} == {
            one.id,
            two.id,
        }
        assert tx.subjects.operations_with_keys({"plate:abc1"}, exclude=one.id) == [two]
        assert tx.subjects.operations_with_keys(set(), exclude="") == []
        tx.subjects.set_keys(one.id, {"phone:5550100"})
    with store.write() as tx:
        assert tx.subjects.operations_with_keys({"name:doe"}, exclude="") == []
        assert tx.subjects.operations_with_keys({"phone:5550100"}, exclude="") == [one]
        tx.subjects.set_keys(one.id, [])
    with store.read() as tx:
        assert tx.subjects.operations_with_keys({"phone:5550100", "plate:abc1"}, exclude="") == [two]


@covers("subjects.set_terms", "subjects.count_terms")
def test_term_counts_move_with_set_terms(store: Store) -> None:
    """Counts add up over operations (whatever count row each uses) and move by each change."""
    ids = [f"op-terms-{i}" for i in range(6)]

    def counts(*terms: str) -> list[int]:
        with store.read() as tx:
            got = tx.subjects.count_terms(terms)
        return [got.get(t, 0) for t in terms]

    with store.write() as tx:
        for op_id in ids:
            tx.subjects.set_terms(op_id, {"smith": 1})
        tx.subjects.set_terms(ids[0], {"smith": 2, "jones": 1, "ghost": 0})
    assert counts("smith", "jones", "ghost", "nobody") == [7, 1, 0, 0]
    with store.write() as tx:
        tx.subjects.set_terms(ids[0], {"jones": 3})
        assert tx.subjects.count_terms(["smith", "jones"]) == {"smith": 5, "jones": 3}
        tx.subjects.set_terms(ids[1], {})
    assert counts("smith", "jones") == [4, 3]
    with store.read() as tx:
        assert tx.subjects.count_terms([]) == {}


@covers("operations.restrict")
def test_a_restriction_is_kept_for_good(store: Store, owner: Agency) -> None:
    """``restrict`` adds an agency once; an update from a copy that lacks it does not clear it."""
    op = factories.operation(owner)
    seed(store, op)
    with store.write() as tx:
        assert tx.operations.restrict(op.id, "city") is True
        assert tx.operations.restrict(op.id, "city") is False
        assert tx.operations.restrict(op.id, "county") is True
        assert tx.operations.restrict("no-such-operation", "city") is False
        tx.operations.update(replace(op, title="stale copy", version=2))
    with store.read() as tx:
        got = tx.operations.get(op.id)
        assert got is not None and got.title == "stale copy"
        assert got.restricted_by == {"city", "county"}
        assert [c.restricted_by for c in tx.operations.candidates(op.area, op.window, REACH, None)] == [
            frozenset({"city", "county"})
        ]


def _driving(owner: Agency, *plates: tuple[str, str | None], **kw: Any) -> Any:
    vehicles = tuple(TeamVehicle(f"car {plate}", plate, state, False) for plate, state in plates)
    return factories.operation(owner, team=Team(2, Attire.PLAIN_CLOTHES, "cars", vehicles_detail=vehicles), **kw)


@covers("operations.with_team_plate")
def test_a_team_plate_finds_live_operations_in_the_window_and_follows_updates(store: Store, owner: Agency) -> None:
    """By plate and state (a plate kept without a state matches any); live, ending after, starting by; updates
    and a purge's empty team move the plates with the operation."""
    hour = timedelta(hours=1)
    now = T0.astimezone(CHICAGO)
    mn = _driving(owner, ("ABC123", "MN"), ("ZZZ9", None))
    wi = _driving(owner, ("ABC123", "WI"))
    later = _driving(owner, ("ABC123", "MN"), start=T0 + 3 * hour)
    ended = _driving(owner, ("ABC123", "MN"), start=T0 - 3 * hour)
    done = _driving(owner, ("ABC123", "MN"), status=COMPLETED)
    seed(store, mn, wi, later, ended, done)

    def ids(plate: str, state: str | None) -> list[str]:
        with store.read() as tx:
            return [op.id for op in tx.operations.with_team_plate(plate, state, now, now + 2 * hour)]

    assert sorted(ids("ABC123", None)) == sorted([mn.id, wi.id])
    assert ids("ABC123", "MN") == [mn.id]
    assert ids("ZZZ9", "IA") == [mn.id]  # declared without a state
    assert ids("NOPE1", None) == []
    with store.read() as tx:
        [got] = tx.operations.with_team_plate("ABC123", "WI", now, now + 2 * hour)
        assert got == wi  # the whole operation, identity and all
    with store.write() as tx:
        tx.operations.update(replace(mn, team=Team(), version=2))
        van = (TeamVehicle("van", "NEW1", "WI"),)
        tx.operations.update(replace(wi, team=replace(wi.team, vehicles_detail=van), version=2))
    assert ids("ABC123", None) == [] and ids("ZZZ9", None) == []
    assert ids("NEW1", "WI") == [wi.id]


@covers("operations.add", "operations.get")
def test_a_team_s_declared_identity_comes_back_field_for_field(store: Store, owner: Agency) -> None:
    team = Team(
        3,
        Attire.PLAIN_CLOTHES,
        "two cars",
        members=(TeamMember("SA J. Rivera", "4471", "team leader"), TeamMember(badge_number="88")),
        vehicles_detail=(TeamVehicle("grey Explorer", "ABC123", "MN", False), TeamVehicle("marked van", marked=True)),
        talkgroup="MN STAT 2",
        recognition="blue ball cap",
        visible_identification=False,
    )
    op = factories.operation(owner, team=team)
    seed(store, op)
    with store.read() as tx:
        assert tx.operations.get(op.id) == op
