"""Settings the person chooses, per household or per person, by service area.

Values are JSON documents (canonical text). ``scope`` is ``"household"`` or
``person_scope(id)``; ``area`` names the service (budget, emergency…).
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, delete, select

from carnet.store import schema as s
from carnet.store.canonical import dumps
from carnet.store.vault import utcnow

HOUSEHOLD = "household"


def person_scope(person_id: int) -> str:
    return f"person:{person_id}"


def get_setting(conn: Connection, scope: str, area: str, key: str, default: Any = None) -> Any:
    t = s.settings.c
    row = conn.execute(select(t.value).where(t.scope == scope, t.area == area, t.key == key)).first()
    return default if row is None else orjson.loads(row[0])


def area_settings(conn: Connection, scope: str, area: str) -> dict[str, Any]:
    t = s.settings.c
    rows = conn.execute(select(t.key, t.value).where(t.scope == scope, t.area == area).order_by(t.key))
    return {str(k): orjson.loads(v) for k, v in rows}


def set_setting(conn: Connection, scope: str, area: str, key: str, value: Any) -> None:
    """Insert or replace; call inside ``vault.writing()``."""
    t = s.settings.c
    conn.execute(delete(s.settings).where(t.scope == scope, t.area == area, t.key == key))
    text = dumps(value).decode() if isinstance(value, dict | list) else orjson.dumps(value).decode()
    conn.execute(s.settings.insert().values(scope=scope, area=area, key=key, value=text, updated_at=utcnow()))


def delete_setting(conn: Connection, scope: str, area: str, key: str) -> None:
    t = s.settings.c
    conn.execute(delete(s.settings).where(t.scope == scope, t.area == area, t.key == key))
