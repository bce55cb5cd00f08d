"""Export everything from the web app: zips built in memory, the same files as ``carnet export``."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carnet.export import export_csv, export_fhir, export_originals
from carnet.export.originals import file_name
from carnet.store import Vault, reader

from .conftest import fhir_bundle, upload
from .test_pages import assert_secured

FILES = {"marie.json": fhir_bundle(), "dossier/marie (2).json": fhir_bundle(given="Marie", value=70.1)}


@pytest.fixture
def imported(vault: Vault, client: TestClient) -> Vault:
    for name, data in FILES.items():
        assert upload(client, [(name, data)]).status_code == 200
    return vault


def _zip(client: TestClient, fmt: str) -> dict[str, bytes]:
    response = client.get(f"/export/{fmt}.zip")
    assert response.status_code == 200
    assert_secured(response)
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith(f'attachment; filename="carnet-{fmt}-')
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _folder(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in path.iterdir()}


@pytest.mark.parametrize(("fmt", "export"), [("fhir", export_fhir), ("csv", export_csv),
                                             ("originals", export_originals)])
def test_each_zip_holds_what_the_cli_writes(imported: Vault, client: TestClient, tmp_path: Path,
                                            fmt: str, export: object) -> None:
    export(imported, tmp_path / fmt)  # type: ignore[operator]
    assert _zip(client, fmt) == _folder(tmp_path / fmt)


def test_the_originals_are_the_uploaded_bytes(imported: Vault, client: TestClient) -> None:
    files = _zip(client, "originals")
    assert files["marie.json"] == FILES["marie.json"]
    assert files["marie_2_.json"] == FILES["dossier/marie (2).json"]  # last path part, made safe
    manifest = files["originals.csv"].decode()
    for data in FILES.values():
        assert hashlib.sha256(data).hexdigest() in manifest


def test_one_import_downloads_as_it_came(imported: Vault, client: TestClient) -> None:
    with imported.reading() as conn:
        ids = [i.id for i in reversed(reader.last_imports(conn))]
    household = client.get("/").text
    for import_id, data in zip(ids, FILES.values(), strict=True):
        assert f'href="/imports/{import_id}/original"' in household
        response = client.get(f"/imports/{import_id}/original")
        assert response.status_code == 200 and response.content == data
        assert_secured(response)
        assert response.headers["content-disposition"].startswith("attachment;")
    assert client.get("/imports/999/original").status_code == 404
    assert client.get("/export/pdf.zip").status_code == 404


def test_the_export_page_is_french_first(client: TestClient) -> None:
    html = client.get("/export").text
    assert "Tout exporter" in html and 'href="/export/originals.zip"' in html
    client.cookies.set("lang", "en")
    assert "Export everything" in client.get("/export").text


@pytest.mark.parametrize(("imported_as", "expected"), [
    ("a.json", "a.json"),
    ("../../etc/passwd", "passwd"),
    ("bundle.zip!inner/Patient.ndjson", "Patient.ndjson"),
    ("C:\\\\Users\\\\me\\\\export.json", "export.json"),
    ("..", "0123456789ab"),
    (".hidden", "hidden"),
    ("résumé médical.json", "résumé_médical.json"),
])
def test_file_names_are_plain_and_safe(imported_as: str, expected: str) -> None:
    assert file_name(imported_as, "0123456789ab" + "0" * 52) == expected
