"""FHIR narratives are shown sanitised: no script, no event handler, no way out."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from carnet.store import Vault
from carnet.web.narrative import narrative_of, sanitize

from .conftest import observation, seed

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    '<img src="https://evil.example/track.png" alt="tracker">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="  javascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<a href="/import" onclick="alert(1)">relative</a>',
    '<p onmouseover="alert(1)">hover</p>',
    '<body onload="alert(1)">',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example"><input name="q"><button>go</button></form>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<style>@import url(https://evil.example/x.css); body{background:url(//evil.example/p.png)}</style>",
    '<p style="background-image:url(https://evil.example/p.png)">styled</p>',
    '<div class="skip" id="main">clobber</div>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<img src=x onerror="alert(1)"//',
    '<a href="&#106;avascript:alert(1)">entity</a>',
    "<!-- <script>alert(1)</script> -->",
    '<video src="https://evil.example/v.mp4"></video><audio src=x onerror=alert(1)>',
    '<table background="https://evil.example/bg.png"><tr><td>cell</td></tr></table>',
]


def dangerous(html: str) -> list[str]:
    checks = {
        "script": r"<\s*script",
        "event handler": r"\son[a-z]+\s*=",
        "javascript url": r"javascript:",
        "data url": r"data:",
        "src": r"\ssrc\s*=",
        "style": r"<\s*style|\sstyle\s*=",
        "frame or object": r"<\s*(iframe|object|embed|form|input|link|meta|base|svg|math|video|audio)",
        "id or class": r"\s(id|class)\s*=",
        "background": r"\sbackground\s*=",
    }
    return [name for name, pattern in checks.items() if re.search(pattern, html, re.I)]


@pytest.mark.parametrize("payload", XSS)
def test_sanitize_removes_active_and_external_content(payload: str) -> None:
    cleaned = str(sanitize(f'<div xmlns="http://www.w3.org/1999/xhtml">{payload}</div>'))
    assert dangerous(cleaned) == [], cleaned


def test_sanitize_keeps_the_narrative_itself() -> None:
    xhtml = (
        '<div xmlns="http://www.w3.org/1999/xhtml"><p><b>Glucose</b> 5.4 mmol/L</p>'
        '<table><tr><th scope="col">Date</th></tr><tr><td colspan="2">2024-01-02</td></tr></table>'
        '<a href="https://loinc.org/2345-7">LOINC</a><img src="x.png" alt="chart"></div>'
    )
    cleaned = str(sanitize(xhtml))
    assert "<b>Glucose</b>" in cleaned and '<td colspan="2">' in cleaned and '<th scope="col">' in cleaned
    assert '<a href="https://loinc.org/2345-7" rel="noopener noreferrer nofollow">LOINC</a>' in cleaned
    assert '<img alt="chart">' in cleaned


def test_narrative_of_a_resource_without_text_is_none() -> None:
    assert narrative_of({"resourceType": "Observation"}) is None
    assert narrative_of({"text": {"status": "empty", "div": "  "}}) is None
    assert narrative_of({"text": "not a narrative"}) is None
    assert narrative_of(None) is None


def test_record_page_shows_the_sanitised_narrative(vault: Vault, client: TestClient) -> None:
    div = '<div xmlns="http://www.w3.org/1999/xhtml"><p>Weight <b>72.5 kg</b></p>' + "".join(XSS) + "</div>"
    resource = {"resourceType": "Observation", "id": "o1", "text": {"status": "generated", "div": div}}
    seed(vault, [observation(1, date="2023-01-01", resource=resource)])
    html = client.get("/records/1").text
    narrative = html.split('<div class="narrative">', 1)[1].split("</section>", 1)[0]
    assert "Weight <b>72.5 kg</b>" in narrative
    assert dangerous(narrative) == [], narrative
    # The raw JSON shows the payload as text only: no live tag anywhere in the page.
    assert "<script" not in html.lower() and "<iframe" not in html.lower() and "<svg" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
