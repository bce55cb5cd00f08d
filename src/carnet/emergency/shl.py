"""The SMART Health Links format (HL7 SMART Health Cards and Links IG, STU1).

- the **manifest URL** ends with a link id of 32 random bytes, base64url (43
  characters, 256 bits), and is at most 128 characters long;
- the **payload** ``{url, key, exp, flag, label, v}`` is minified JSON,
  base64url-encoded and prefixed with ``shlink:/``; a viewer URL ending in
  ``#`` may come before it, so that browsers never send it to a server;
- the **key** is 32 random bytes, base64url (43 characters); it is only in the
  link, never stored by Carnet;
- **flags**, concatenated in alphabetical order: ``L`` long-term, ``P``
  passcode, ``U`` the url is the single encrypted file (GET, no manifest),
  never with ``P``;
- **files** are JWE compact serialisations, ``alg: dir``, ``enc: A256GCM``,
  with ``cty`` the content type; every encryption draws a new nonce.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass

import orjson
from joserfc import jwe
from joserfc.jwk import OctKey

from carnet.errors import CarnetError

KEY_BYTES = 32
ID_BYTES = 32
MAX_URL_CHARS = 128
MAX_LABEL_CHARS = 80
FLAGS = "LPU"
FHIR_JSON = "application/fhir+json"
PREFIX = "shlink:/"
VIEWER_PATH = "/shl/view"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def new_link_id() -> str:
    """A manifest id: 256 random bits, 43 base64url characters."""
    return secrets.token_urlsafe(ID_BYTES)


def normalise_flags(flags: str) -> str:
    """The flags in alphabetical order, each once; ``U`` with ``P`` is refused (the spec forbids it)."""
    found = {f for f in flags.upper() if not f.isspace() and f != ","}
    unknown = found - set(FLAGS)
    if unknown:
        raise CarnetError(f"unknown SMART Health Link flag(s) {''.join(sorted(unknown))}: use L, P or U")
    if {"P", "U"} <= found:
        raise CarnetError("the U flag (direct file) cannot be combined with P (passcode)")
    return "".join(sorted(found))


@dataclass(frozen=True)
class Payload:
    """A SMART Health Link payload."""

    url: str
    key: str
    exp: int | None = None
    flag: str = ""
    label: str | None = None
    v: int | None = None

    def as_json(self) -> bytes:
        fields = {
            "url": self.url,
            "key": self.key,
            "exp": self.exp,
            "flag": self.flag or None,
            "label": self.label,
            "v": self.v,
        }
        return orjson.dumps({k: v for k, v in fields.items() if v is not None})

    @property
    def link(self) -> str:
        """``shlink:/…``"""
        return PREFIX + b64url(self.as_json())


def manifest_url(base_url: str, link_id: str) -> str:
    url = f"{base_url.rstrip('/')}/shl/{link_id}"
    if len(url) > MAX_URL_CHARS:
        raise CarnetError(f"the public address is too long for a SMART Health Link ({len(url)} > {MAX_URL_CHARS})")
    return url


def viewer_url(base_url: str, link: str) -> str:
    """The address a phone opens: Carnet's viewer, the link after ``#`` (never sent to the server)."""
    return f"{base_url.rstrip('/')}{VIEWER_PATH}#{link}"


def parse_link(text: str) -> Payload:
    """A payload from ``shlink:/…`` or ``https://viewer…#shlink:/…``."""
    start = text.find(PREFIX)
    if start < 0:
        raise CarnetError("not a SMART Health Link (no shlink:/)")
    try:
        data = orjson.loads(unb64url(text[start + len(PREFIX) :].strip()))
    except (ValueError, binascii.Error, orjson.JSONDecodeError):
        raise CarnetError("not a SMART Health Link (the payload does not decode)") from None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str) or not isinstance(data.get("key"), str):
        raise CarnetError("not a SMART Health Link (url and key are required)")
    exp, flag, label, v = data.get("exp"), data.get("flag"), data.get("label"), data.get("v")
    return Payload(
        url=data["url"],
        key=data["key"],
        exp=exp if isinstance(exp, int) else None,
        flag=flag if isinstance(flag, str) else "",
        label=label if isinstance(label, str) else None,
        v=v if isinstance(v, int) else None,
    )


def encrypt(plaintext: bytes, key: bytes, content_type: str = FHIR_JSON) -> str:
    """JWE compact, ``dir`` + ``A256GCM``; joserfc draws a fresh 96-bit nonce each time."""
    if len(key) != KEY_BYTES:
        raise ValueError("a SMART Health Link key is 32 bytes")
    header = {"alg": "dir", "enc": "A256GCM", "cty": content_type}
    return jwe.encrypt_compact(header, plaintext, OctKey.import_key(key))


def decrypt(token: str, key: bytes) -> bytes:
    """The plaintext of a JWE made by :func:`encrypt` (for ``carnet`` itself; receivers use their own)."""
    result = jwe.decrypt_compact(token, OctKey.import_key(key), algorithms=["dir", "A256GCM"])
    plaintext: bytes = result.plaintext or b""
    return plaintext
