"""clk-v1 blinding: matches under one secret only, hides clear values, tolerates typos."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from commonground.domain.blinding import blind, blind_record, match_blinded
from commonground.domain.errors import InvalidInput
from commonground.domain.matching import blocking_keys, match
from commonground.domain.subjects import BlindedSubject, PersonSubject, parse_subject
from commonground.domain.subjects.container import BlindName, decode_container, encode_container

SECRET = b"agency-secret-0123456789abcdef"
OTHER = b"another-agency-secret-987654321"


def person(first: str, last: str, dob: str | None = "1980-04-17") -> PersonSubject:
    p = parse_subject({"kind": "person", "first_name": first, "last_name": last, "dob": dob}, "s")
    assert isinstance(p, PersonSubject)
    return p


def test_same_subject_same_secret_matches() -> None:
    a, b = blind(person("Maria", "Garcia"), SECRET), blind(person("Maria", "Garcia"), SECRET)
    assert a == b
    m = match(a, b)
    assert m is not None and m.kind == "blinded_person"
    assert blocking_keys(a) & blocking_keys(b)


def test_different_secret_does_not_match() -> None:
    a, b = blind(person("Maria", "Garcia"), SECRET), blind(person("Maria", "Garcia"), OTHER)
    assert match(a, b) is None
    assert not blocking_keys(a) & blocking_keys(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (person("Katherine", "Smith"), person("Katherine", "Smiht")),
        (person("Maria", "Garcia"), person("Garcia", "Maria")),
        (person("Bill", "Turner"), person("William", "Turner")),
        (person("Maria", "Garcia", "1980-04-17"), person("Maria", "Garcia", "1980-04-18")),
        (person("Maria", "Garcia", "1980-04-07"), person("Maria", "Garcia", "1980-07-04")),
        (person("Ana", "Garcia-Lopez"), person("Ana", "Garcia")),
    ],
)
def test_blinded_tolerates_what_clear_matching_tolerates(a: PersonSubject, b: PersonSubject) -> None:
    ba, bb = blind(a, SECRET), blind(b, SECRET)
    assert match(ba, bb) is not None
    assert blocking_keys(ba) & blocking_keys(bb)


def test_dice_on_typo_names_is_high_and_on_other_names_low() -> None:
    def last_filter(name: str) -> int:
        enc = decode_container(blind(person("Ann", name), SECRET).value)
        return enc.names[0].last

    probe = BlindName(0, 0, b"")
    typo = probe.dice(last_filter("Richardson"), last_filter("Richadson"))
    other = probe.dice(last_filter("Richardson"), last_filter("Novak"))
    assert typo is not None and other is not None
    assert typo > 0.8 > 0.3 > other


def test_father_and_son_do_not_match_blinded() -> None:
    a = blind(person("John", "Smith", "1955-03-02"), SECRET)
    b = blind(person("John", "Smith", "1982-11-20"), SECRET)
    assert match_blinded(a, b) is None


def test_encoding_contains_no_clear_values() -> None:
    record = {"kind": "person", "first_name": "Maria", "last_name": "Garcia", "dob": "1980-04-17"}
    out = blind_record(record, SECRET)
    assert set(out) == {"kind", "scheme", "value"}
    assert out["kind"] == "blinded" and out["scheme"] == "clk-v1"
    assert isinstance(out["value"], str)
    raw = base64.b64decode(out["value"])
    for clear in (b"maria", b"Maria", b"garcia", b"Garcia", b"1980", b"19800417", b"0417"):
        assert clear not in raw
    phone = blind_record({"kind": "phone", "number": "(202) 555-0143"}, SECRET)
    assert isinstance(phone["value"], str)
    assert b"2025550143" not in base64.b64decode(phone["value"])


def test_identifiers_match_on_keyed_hashes() -> None:
    a = parse_subject(blind_record({"kind": "vehicle", "plate": "AB0123", "state": "TX"}, SECRET), "s")
    b = parse_subject(blind_record({"kind": "vehicle", "plate": "ABO123", "state": "TX"}, SECRET), "s")
    c = parse_subject(blind_record({"kind": "vehicle", "plate": "AB0123", "state": "OK"}, SECRET), "s")
    assert isinstance(a, BlindedSubject) and isinstance(b, BlindedSubject)
    m = match(a, b)
    assert m is not None and m.kind == "blinded_vehicle"
    assert match(a, c) is None
    assert blocking_keys(a) & blocking_keys(b)


def test_container_round_trips_and_refuses_damage() -> None:
    value = blind(person("Maria", "Garcia"), SECRET).value
    assert encode_container(decode_container(value)) == value
    raw = base64.b64decode(value)
    with pytest.raises(ValueError, match=r"truncated|length"):
        decode_container(base64.b64encode(raw[:-3]).decode())
    with pytest.raises(ValueError, match="version"):
        decode_container(base64.b64encode(b"\x09" + raw[1:]).decode())


def test_short_secret_and_double_blinding_are_refused() -> None:
    with pytest.raises(InvalidInput) as info:
        blind(person("A", "B"), b"short")
    assert info.value.field == "secret"
    with pytest.raises(InvalidInput):
        blind(blind(person("A", "B"), SECRET), SECRET)
    with pytest.raises(InvalidInput) as info:
        blind_record({"kind": "phone", "number": "nope"}, SECRET, field="subjects.0")
    assert info.value.field == "subjects.0.number"


def test_cli_blinds_csv_and_json_without_leaking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import typer
    from typer.testing import CliRunner

    from commonground.cli.blind import register

    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # a second command keeps "blind" a named sub-command
    secret = "cli-secret-0123456789abcdef"
    monkeypatch.setenv("COMMONGROUND_BLIND_SECRET", secret)
    src = tmp_path / "in.csv"
    src.write_text(
        "ref,kind,first_name,last_name,dob,number\nr1,person,Maria,Garcia,1980-04-17,\nr2,phone,,,,(202) 555-0143\n"
    )
    result = CliRunner().invoke(app, ["blind", str(src), str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out.csv").read_text()
    assert text.splitlines()[0] == "ref,kind,scheme,value"
    assert "Garcia" not in text and "1980" not in text and secret not in result.output
    src_json = tmp_path / "in.json"
    src_json.write_text('[{"kind": "person", "first_name": "Maria", "last_name": "Garcia", "dob": "1980-04-17"}]')
    result = CliRunner().invoke(app, ["blind", str(src_json), str(tmp_path / "out.json")])
    assert result.exit_code == 0, result.output
    encoded = json.loads((tmp_path / "out.json").read_text())
    row_one = text.splitlines()[1].split(",")
    assert encoded[0]["value"] == row_one[3]  # same secret, same subject, same encoding
    src_json.write_text('[{"kind": "phone", "number": "nope"}]')
    result = CliRunner().invoke(app, ["blind", str(src_json), str(tmp_path / "bad.json")])
    assert result.exit_code == 2 and "records.0.number" in result.output
    assert not (tmp_path / "bad.json").exists()
    monkeypatch.delenv("COMMONGROUND_BLIND_SECRET")
    result = CliRunner().invoke(app, ["blind", str(src), str(tmp_path / "x.csv")])
    assert result.exit_code != 0
