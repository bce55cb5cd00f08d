"""Hostile JSON (goals G6, G10): every case is a clear RejectedFile in less than a second."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import orjson
import pytest

from carnet.errors import RejectedFile
from carnet.sources import safejson
from carnet.sources.base import InputFile
from carnet.sources.fhir.references import MAX_RESOURCE_DEPTH

from .fhirdata import bundle, extract_file, observation, patient, rejected


@pytest.fixture
def fast() -> Iterator[None]:
    start = time.perf_counter()
    yield
    assert time.perf_counter() - start < 1.0


def refused(data: bytes, name: str = "hostile.json") -> RejectedFile:
    with pytest.raises(RejectedFile) as err:
        extract_file(InputFile(name, data))
    assert err.value.file == name
    return err.value


def test_100000_deep_json_is_refused_without_recursion_error(fast: None) -> None:
    data = b'{"resourceType": "Observation", "id": "x", "note": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    err = refused(data)
    assert "nested too deeply" in err.reason
    assert err.position.startswith("line 1, column")


def _deep_json(doc: object) -> bytes:
    """The standard library writes what orjson would not (more than 254 levels)."""
    return json.dumps(doc).encode()


def _nested(levels: int) -> object:
    """Exactly ``levels`` nested arrays and objects around a leaf."""
    deep: object = "leaf"
    for i in range(levels):
        deep = [deep] if i % 2 == 0 else {"extension": deep}
    return deep


def test_deep_but_parseable_json_is_refused_by_our_limit(fast: None) -> None:
    # orjson reads up to 1024 levels; a resource deeper than it writes back is refused
    deep = _nested(2 * MAX_RESOURCE_DEPTH)
    err = refused(_deep_json(bundle("collection", [observation(subject="Patient/1", extension=[deep])])))
    assert err.reason == f"JSON nested too deeply (a resource more than {MAX_RESOURCE_DEPTH} levels deep)"
    assert err.position == "/entry/0/resource"


def test_deep_resource_without_id_is_refused_not_crashed(fast: None) -> None:
    # its key would come from its content: the canonical JSON it cannot have
    res = observation(subject="Patient/1", extension=[_nested(2 * MAX_RESOURCE_DEPTH)])
    del res["id"]
    err = refused(_deep_json(bundle("collection", [res])))
    assert "nested too deeply" in err.reason
    assert err.position == "/entry/0/resource"


def test_a_resource_at_the_depth_limit_is_read_one_deeper_is_not(fast: None) -> None:
    # the observation, its extension array, then the nesting: exactly MAX_RESOURCE_DEPTH levels
    at_limit = observation(subject="Patient/1", extension=[_nested(MAX_RESOURCE_DEPTH - 2)])
    ex = extract_file(InputFile("deep.json", _deep_json(bundle("collection", [patient("1"), at_limit]))))
    assert not rejected(ex) and len(list(ex.records)) == 2
    over = observation(subject="Patient/1", extension=[_nested(MAX_RESOURCE_DEPTH - 1)])
    err = refused(_deep_json(bundle("collection", [patient("1"), over])))
    assert err.reason == f"JSON nested too deeply (a resource more than {MAX_RESOURCE_DEPTH} levels deep)"
    assert err.position == "/entry/1/resource"


def test_a_string_over_the_limit_is_refused(fast: None) -> None:
    doc = observation(subject="Patient/1", note=[{"text": "a" * (safejson.MAX_STRING + 1)}])
    err = refused(orjson.dumps(doc))
    assert "longer than" in err.reason


def test_a_huge_array_is_refused(fast: None) -> None:
    data = b'{"resourceType": "Observation", "id": "x", "note": [' + b",".join([b"1"] * 1_000_000) + b"]}"
    err = refused(data)
    assert "more than" in err.reason and "items" in err.reason


def test_utf16_is_refused_naming_the_encoding(fast: None) -> None:
    err = refused(orjson.dumps(observation()).decode().encode("utf-16"))
    assert err.reason == "the file is UTF-16 encoded; Carnet reads UTF-8 JSON"
    no_bom = orjson.dumps(observation()).decode().encode("utf-16-le")
    assert "NUL bytes" in refused(no_bom).reason


def test_latin1_bytes_are_refused_with_their_offset(fast: None) -> None:
    data = '{"resourceType": "Patient", "id": "p",\n "name": [{"family": "Lefèvre"}]}'.encode("latin-1")
    err = refused(data)
    offset = data.index(b"\xe8")
    column = offset - data.index(b"\n")
    assert err.position == f"byte offset {offset} (line 2, column {column})"
    assert "not valid UTF-8 (bytes e8" in err.reason and "Latin-1" in err.reason


def test_invalid_json_names_line_and_column(fast: None) -> None:
    err = refused(b'{\n  "resourceType": "Patient",\n  "id": "p",,\n}')
    assert err.position == "line 3, column 13"
    assert err.reason.startswith("invalid JSON: ")


def test_truncated_file(fast: None) -> None:
    data = orjson.dumps(bundle("collection", [observation()]))
    assert refused(data[: len(data) // 2]).reason.startswith("invalid JSON")


def test_utf8_bom_is_accepted() -> None:
    ex = extract_file(InputFile("bom.json", b"\xef\xbb\xbf" + orjson.dumps(observation(subject="Patient/1"))))
    assert ex.read == 1


def test_check_tree_for_other_importers(fast: None) -> None:
    deep: object = 1
    for _ in range(70):
        deep = [deep]
    with pytest.raises(RejectedFile, match="nested too deeply"):
        safejson.check_tree(deep, "x.json")
    safejson.check_tree({"a": [{"b": "c"}]}, "x.json")
    with pytest.raises(RejectedFile, match="longer than"):
        safejson.check_tree({"a": "x" * (safejson.MAX_STRING + 1)}, "x.json")


def test_ndjson_line_errors_name_the_line() -> None:
    with pytest.raises(RejectedFile) as err:
        safejson.loads_line(b'{"a": 1,}', "x.ndjson", 41)
    assert err.value.position == "line 41, column 8"  # the trailing comma
    with pytest.raises(RejectedFile) as err:
        safejson.loads_line('{"a": "é"}'.encode("latin-1"), "x.ndjson", 7)
    assert err.value.position == "line 7, byte offset 7 in the line"
