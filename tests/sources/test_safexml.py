"""XML attack corpus (goal G8): refused in < 1 s, no file read, no connection made."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from carnet.errors import RejectedFile
from carnet.sources.safexml import iter_xml, parse_xml


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A loopback TCP listener recording every connection an XML parser might make."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.05)
    hits: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(0.2)
                try:
                    hits.append(conn.recv(1024))
                except OSError:
                    hits.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join(1)
    server.close()


@pytest.fixture
def fast() -> Iterator[None]:
    start = time.perf_counter()
    yield
    assert time.perf_counter() - start < 1.0


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<lolz>&lol9;</lolz>"""


def refused(data: bytes) -> RejectedFile:
    with pytest.raises(RejectedFile) as err:
        parse_xml(data, "export.xml")
    with pytest.raises(RejectedFile):
        list(iter_xml(data, "export.xml"))
    assert err.value.file == "export.xml"
    return err.value


def test_billion_laughs(fast: None) -> None:
    assert "entity declarations are not allowed (entity 'lol'" in refused(BILLION_LAUGHS).reason


def test_quadratic_blowup(fast: None) -> None:
    big = b"A" * 100_000
    data = b'<!DOCTYPE q [<!ENTITY a "' + big + b'">]><q>' + b"&a;" * 10_000 + b"</q>"
    assert "entity declarations are not allowed" in refused(data).reason


def test_xxe_file(fast: None) -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    err = refused(data)
    assert "not allowed" in err.reason
    assert "root:" not in err.reason


def test_xxe_http_and_parameter_entities_make_no_connection(fast: None, listener: tuple[int, list[bytes]]) -> None:
    port, hits = listener
    url = f"http://127.0.0.1:{port}/evil".encode()
    refused(b'<!DOCTYPE r [<!ENTITY x SYSTEM "' + url + b'">]><r>&x;</r>')
    refused(b'<!DOCTYPE r [<!ENTITY % p SYSTEM "' + url + b'"> %p;]><r/>')
    external_dtd = b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "' + url + b'.dtd">'
    assert parse_xml(external_dtd + b"<r/>", "x.xml").tag == "r"  # never fetched
    assert refused(external_dtd + b"<r>&from-the-dtd;</r>").reason == "invalid XML: undefined entity &from-the-dtd;"
    # XInclude is never processed: the element stays an element
    root = parse_xml(b'<r xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="' + url + b'"/></r>', "x.xml")
    assert root[0].tag == "{http://www.w3.org/2001/XInclude}include"
    time.sleep(0.1)
    assert hits == []


def test_apple_health_style_internal_dtd_is_accepted() -> None:
    data = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,Record*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
<!ELEMENT Record EMPTY>
<!ATTLIST Record type CDATA #REQUIRED value CDATA #IMPLIED>
]>
<HealthData locale="fr_FR"><ExportDate value="2024-01-01"/><Me/>
<Record type="HKQuantityTypeIdentifierStepCount" value="1200"/></HealthData>"""
    root = parse_xml(data, "export.xml")
    assert root.tag == "HealthData" and root[2].get("value") == "1200"
    assert [e.tag for _, e in iter_xml(data, "export.xml")] == ["ExportDate", "Me", "Record", "HealthData"]


def test_malformed_xml_names_its_position(fast: None) -> None:
    err = refused(b"<a>\n  <b></a>")
    assert err.position == "line 2, column 8"
    assert err.reason.startswith("invalid XML: mismatched tag")
