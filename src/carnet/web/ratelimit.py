"""Requests per client address on the public endpoints: a token bucket each, 429 beyond.

The SMART Health Links endpoints are public (the link id is the capability),
so one client could poll them without end or try link ids in a loop. Each
client address has a bucket of ``burst`` requests refilled at
``per_minute``; an empty bucket answers 429 with ``Retry-After`` (the
seconds until the next request would be accepted). The passcode limit of a
link (``carnet.emergency.links``) holds regardless; this one protects the
server and the other clients.

Buckets live in memory (a restart empties them) and at most ``max_clients``
are kept: the one idle the longest goes first. Behind a reverse proxy on this
machine, uvicorn gives the address from ``X-Forwarded-For`` (its default
``forwarded_allow_ips`` trusts the loopback).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

SHL_PER_MINUTE = 30
SHL_BURST = 20  # above a link's ten passcode attempts, so that its own lock is what a guesser meets first
MAX_CLIENTS = 10_000


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class ClientLimiter:
    """A token bucket per client address."""

    def __init__(
        self,
        per_minute: int = SHL_PER_MINUTE,
        burst: int = SHL_BURST,
        *,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute <= 0 or burst <= 0 or max_clients <= 0:
            raise ValueError("per_minute, burst and max_clients must be positive")
        self.rate = per_minute / 60.0  # tokens a second
        self.burst = burst
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int | None:
        """Take one request of ``client``'s bucket: None when accepted, else the whole seconds to wait."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.pop(client, None)
            if bucket is None:
                bucket = _Bucket(float(self.burst), now)
            else:
                bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
                bucket.at = now
            self._buckets[client] = bucket  # most recently seen last
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))

    def __len__(self) -> int:
        return len(self._buckets)
