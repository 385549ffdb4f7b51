"""How deep a JSON body nests, counted without parsing it (http/limits.py)."""

from __future__ import annotations

import json

from commonground.http.limits import MAX_JSON_DEPTH, json_depth_exceeds


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_depth_up_to_the_limit_passes_and_one_more_does_not() -> None:
    assert not json_depth_exceeds(nested(MAX_JSON_DEPTH))
    assert json_depth_exceeds(nested(MAX_JSON_DEPTH + 1))
    assert json_depth_exceeds(b'{"a":' * 10_000 + b"1" + b"}" * 10_000)


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"notes": "[" * 1_000 + "{" * 1_000, "title": 'say \\"[[[[" and \\\\'}).encode()
    assert not json_depth_exceeds(text)
    escaped_quote = json.dumps({"a": '"' + "[" * 100}).encode()  # \" does not end the string
    assert not json_depth_exceeds(escaped_quote)
    after_backslash = json.dumps({"a": "\\"}).encode() + b"," + nested(MAX_JSON_DEPTH + 1)
    assert json_depth_exceeds(after_backslash)  # an escaped backslash does end it


def test_a_multipolygon_jurisdiction_is_far_from_the_limit() -> None:
    body = {"type": "MultiPolygon", "coordinates": [[[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]] * 40}
    assert not json_depth_exceeds(json.dumps({"jurisdiction": body}).encode())
