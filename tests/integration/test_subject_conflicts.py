"""Subject deconfliction through the service, in clear and blinded, on both stores."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from commonground.domain.blinding import blind_record
from commonground.domain.errors import InvalidInput
from tests.conftest import World, operation_data, wire

SECRET = b"shared among participating agencies; never sent to the server"
PERSON = {"kind": "person", "first_name": "Thomas", "last_name": "Okonkwo-Hale", "dob": "1979-10-23"}


def test_the_same_person_in_two_agencies_operations_far_apart_is_a_subject_conflict(world: World) -> None:
    one, two = world.person(world.agency("state")), world.person(world.agency("local"))
    ops = world.services.operations
    first, _ = wire(ops.submit(one, operation_data(44.9, -93.2, subjects=[PERSON])))
    typo = dict(PERSON, first_name="Tom", last_name="Okonkwo Hale", dob="1979-10-23")
    _, found = wire(ops.submit(two, operation_data(46.8, -92.1, subjects=[typo])))
    [conflict] = found
    assert conflict["kind"] == "subject" and conflict["matched"] == "person"
    assert conflict["counterpart"]["id"] == first["id"] and conflict["distance_m"] > 100_000
    assert "Okonkwo" not in json.dumps(conflict) and "1979" not in json.dumps(conflict)
    [seen_by_first] = wire(world.services.conflicts.list(one, None, 10, None)).items
    assert seen_by_first["kind"] == "subject" and seen_by_first["counterpart"]["agency"]["name"] == two.agency.name


def test_father_and_son_with_one_name_are_two_people(world: World) -> None:
    one, two = world.person(world.agency()), world.person(world.agency())
    world.services.operations.submit(one, operation_data(44.9, -93.2, subjects=[PERSON]))
    son = dict(PERSON, dob="2004-03-02")
    assert wire(world.services.operations.submit(two, operation_data(46.8, -92.1, subjects=[son])))[1] == []


@pytest.mark.parametrize(
    ("subject", "other"),
    [
        ({"kind": "vehicle", "plate": "B0B 123", "state": "MN"}, {"kind": "vehicle", "plate": "808123", "state": "MN"}),
        ({"kind": "phone", "number": "(612) 555-0188"}, {"kind": "phone", "number": "+1 612 555 0188"}),
        ({"kind": "email", "email": "Target@Example.org"}, {"kind": "email", "email": "target@example.org"}),
    ],
)
def test_identifiers_match_after_normalisation(world: World, subject: dict[str, str], other: dict[str, str]) -> None:
    one, two = world.person(world.agency()), world.person(world.agency())
    world.services.operations.submit(one, operation_data(44.9, -93.2, subjects=[subject]))
    [conflict] = wire(world.services.operations.submit(two, operation_data(46.8, -92.1, subjects=[other])))[1]
    assert conflict["matched"] == subject["kind"]


def test_invalid_subjects_name_the_field(world: World) -> None:
    who = world.person(world.agency())
    with pytest.raises(InvalidInput) as caught:
        wire(
            world.services.operations.submit(who, operation_data(subjects=[PERSON, {"kind": "phone", "number": "12"}]))
        )
    assert caught.value.field.startswith("subjects.1")


def test_blinded_subjects_match_without_the_server_ever_holding_clear_values(
    world: World, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    one, two = world.person(world.agency("federal")), world.person(world.agency("tribal"))
    # Each agency blinds locally with the shared secret; only encodings are submitted.
    mine = blind_record(PERSON, SECRET)
    theirs = blind_record(dict(PERSON, first_name="Tomas"), SECRET)
    plate = blind_record({"kind": "vehicle", "plate": "XKD4471", "state": "WI"}, SECRET)
    world.services.operations.submit(one, operation_data(44.9, -93.2, subjects=[mine, plate]))
    [conflict] = wire(world.services.operations.submit(two, operation_data(46.8, -92.1, subjects=[theirs])))[1]
    assert conflict["matched"] == "blinded_person"
    other_secret = blind_record(PERSON, b"another agency group secret")
    assert wire(world.services.operations.submit(two, operation_data(46.0, -92.0, subjects=[other_secret])))[1] == []

    clear_values = ["Thomas", "THOMAS", "Okonkwo", "OKONKWO", "1979-10-23", "19791023", "XKD4471"]
    url = str(world.services.store.engine.url)  # type: ignore[attr-defined]
    if url.startswith("sqlite"):
        stored = Path(url.split("///", 1)[1]).read_bytes()
        for wal in Path(url.split("///", 1)[1]).parent.glob("*-wal"):
            stored += wal.read_bytes()
    else:
        from sqlalchemy import text

        with world.services.store.read() as tx:
            stored = " ".join(
                str(row)
                for table in ("operations", "subject_keys", "audit_log", "conflicts", "events")
                for row in tx.conn.execute(text(f"SELECT * FROM {table}"))  # type: ignore[attr-defined]
            ).encode()
    logged = caplog.text.encode()
    assert b"Warrant service, 4th floor" in stored  # the scan sees what the store holds
    assert [v for v in clear_values if v.encode() in stored or v.encode() in logged] == []


def test_name_counts_follow_every_change_of_an_operations_subjects(world: World) -> None:
    """The store's term counts are what term-frequency matching reads; they must stay current."""
    store = world.services.store
    with store.write() as tx:
        tx.subjects.set_terms("op-1", {"#p": 2, "f:smith": 2, "g:john": 1, "g:peter": 1})
        tx.subjects.set_terms("op-2", {"#p": 1, "f:smith": 1, "g:john": 1})
    with store.read() as tx:
        assert tx.subjects.count_terms(["#p", "f:smith", "g:john", "g:peter", "f:nobody"]) == {
            "#p": 3,
            "f:smith": 3,
            "g:john": 2,
            "g:peter": 1,
        }
    with store.write() as tx:  # op-1 now names one person, op-2 none
        tx.subjects.set_terms("op-1", {"#p": 1, "f:okonkwohale": 1, "g:peter": 1})
        tx.subjects.set_terms("op-2", {})
        tx.subjects.set_terms("op-2", {})
    with store.read() as tx:
        counts = tx.subjects.count_terms(["#p", "f:smith", "g:john", "g:peter", "f:okonkwohale"])
    assert {t: n for t, n in counts.items() if n} == {"#p": 1, "g:peter": 1, "f:okonkwohale": 1}
    assert store_rows(world, "subject_terms") == 3


def store_rows(world: World, table: str) -> int:
    from sqlalchemy import text

    with world.services.store.read() as tx:
        return int(tx.conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # type: ignore[attr-defined]


def test_submitting_and_changing_operations_counts_their_persons(world: World) -> None:
    who = world.person(world.agency())
    ops = world.services.operations
    first, _ = wire(ops.submit(who, operation_data(subjects=[PERSON, {"kind": "phone", "number": "+1 612 555 0188"}])))
    wire(
        ops.submit(
            who, operation_data(44.0, -92.0, subjects=[dict(PERSON, first_name="Ngozi"), blind_record(PERSON, SECRET)])
        )
    )
    with world.services.store.read() as tx:
        counts = tx.subjects.count_terms(["#p", "#b", "f:okonkwohale", "g:thomas", "g:ngozi"])
    assert counts == {"#p": 2, "#b": 1, "f:okonkwohale": 2, "g:thomas": 1, "g:ngozi": 1}
    ops.update(who, first["id"], {"subjects": [dict(PERSON, last_name="Adeyemi")]}, if_match=first["version"])
    with world.services.store.read() as tx:
        counts = tx.subjects.count_terms(["#p", "f:okonkwohale", "f:adeyemi", "g:thomas"])
    assert counts == {"#p": 2, "f:okonkwohale": 1, "f:adeyemi": 1, "g:thomas": 1}


def test_a_namesake_with_a_common_name_in_a_big_store_is_not_reported(world: World) -> None:
    """Counts come from the store: seed them as a store of a million persons would hold them."""
    one, two = world.person(world.agency()), world.person(world.agency())
    ops = world.services.operations
    john = {"kind": "person", "first_name": "John", "last_name": "Smith", "dob": "1979-10-23"}
    peter = dict(john, first_name="Peter")
    with world.services.store.write() as tx:
        tx.subjects.set_terms("elsewhere", {"#p": 1_000_000, "f:smith": 10_000, "g:john": 30_000, "g:peter": 12_000})
    ops.submit(one, operation_data(44.9, -93.2, subjects=[john]))
    assert wire(ops.submit(two, operation_data(46.8, -92.1, subjects=[peter])))[1] == []
    [conflict] = wire(ops.submit(two, operation_data(40.0, -90.0, subjects=[john])))[1]
    assert conflict["kind"] == "subject" and conflict["matched"] == "person"


def test_migration_0007_counts_and_reindexes_what_is_already_stored(world: World) -> None:
    """Upgrading a store that holds subjects gives the counts and keys the check would give."""
    from alembic import command

    from commonground.store import migrate

    who = world.person(world.agency())
    undated = {"kind": "person", "first_name": "Ngozi", "last_name": "Adeyemi"}
    wire(
        world.services.operations.submit(who, operation_data(subjects=[PERSON, undated, blind_record(PERSON, SECRET)]))
    )
    terms = ["#p", "#b", "f:okonkwohale", "g:thomas", "g:ngozi", "f:adeyemi"]
    with world.services.store.read() as tx:
        before = tx.subjects.count_terms(terms)
    keys_before = store_rows(world, "subject_keys")
    engine = world.services.store.engine  # type: ignore[attr-defined]
    config = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn, conn.begin():
        config.attributes["connection"] = conn.execution_options(cg_write=True)
        command.downgrade(config, "0006")
        conn.exec_driver_sql("DELETE FROM subject_keys")
    migrate.upgrade(engine)
    with world.services.store.read() as tx:
        assert tx.subjects.count_terms(terms) == before == {t: 2 if t == "#p" else 1 for t in terms}
    # Every subject is re-keyed as the check keys it (the undated person under 200 birth years).
    assert store_rows(world, "subject_keys") == keys_before > 200
