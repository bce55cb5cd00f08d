"""A real HTTP server for the browser and SHL tests: uvicorn in a thread on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

#: the address in-process test clients come from: this machine (Starlette's default, "testclient", is no address)
LOCAL_CLIENT = ("127.0.0.1", 50000)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(app: Any, port: int | None = None, log_level: str = "warning") -> Iterator[str]:
    """``app`` served by uvicorn in a thread on 127.0.0.1; yields its base URL, stops it on exit."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port or free_port(), log_level=log_level,
                            server_header=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
