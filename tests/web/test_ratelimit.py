"""Per-client token buckets on the public SMART Health Links endpoints."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from carnet.store import Vault
from carnet.web import create_app
from carnet.web.ratelimit import ClientLimiter

UNKNOWN_LINK = "/shl/" + "A" * 43


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_one_request_per_refill_interval() -> None:
    clock = Clock()
    limiter = ClientLimiter(per_minute=30, burst=5, clock=clock)
    assert [limiter.retry_after("a") for _ in range(5)] == [None] * 5
    assert limiter.retry_after("a") == 2  # 30 a minute: one token every 2 s
    clock.now += 1.0
    assert limiter.retry_after("a") == 1  # half a token by now (the refused ask took none)
    clock.now += 1.0
    assert limiter.retry_after("a") is None
    assert limiter.retry_after("a") == 2


def test_clients_have_their_own_buckets_and_refill_stops_at_the_burst() -> None:
    clock = Clock()
    limiter = ClientLimiter(per_minute=60, burst=3, clock=clock)
    for _ in range(3):
        assert limiter.retry_after("a") is None
    assert limiter.retry_after("a") is not None
    assert limiter.retry_after("b") is None
    clock.now += 3600  # an hour idle: back to the burst, not to 3,600 requests
    assert [limiter.retry_after("a") for _ in range(4)] == [None, None, None, 1]


def test_memory_is_bounded_by_evicting_the_longest_idle_client() -> None:
    limiter = ClientLimiter(per_minute=60, burst=1, max_clients=3, clock=Clock())
    for client in ("a", "b", "c"):
        assert limiter.retry_after(client) is None
    assert limiter.retry_after("a") is not None  # "a" is now the most recent
    assert limiter.retry_after("d") is None  # evicts "b", the longest idle
    assert len(limiter) == 3
    assert limiter.retry_after("b") is None  # a fresh bucket
    assert limiter.retry_after("a") is not None  # still known, still empty


@pytest.mark.parametrize("bad", [{"per_minute": 0}, {"burst": 0}, {"max_clients": 0}])
def test_nonsense_settings_are_refused(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="positive"):
        ClientLimiter(**bad)


def test_the_endpoints_answer_429_with_retry_after_and_cors(vault: Vault) -> None:
    app = create_app(vault, shl_limiter=ClientLimiter(per_minute=6, burst=4))
    body = {"recipient": "Dr Martin"}
    with TestClient(app, base_url="http://127.0.0.1", client=("198.51.100.4", 5000)) as c:
        answers = [c.post(UNKNOWN_LINK, json=body) for _ in range(4)]
        assert [a.status_code for a in answers] == [404] * 4
        for limited in (c.post(UNKNOWN_LINK, json=body), c.get(UNKNOWN_LINK, params={"recipient": "x"}),
                        c.get(UNKNOWN_LINK + "/file/abc")):
            assert limited.status_code == 429
            assert limited.headers["retry-after"] == "10"
            assert limited.headers["access-control-allow-origin"] == "*"
            assert limited.json() == {"error": "Too many requests; try again later."}
        assert c.get("/shl/view").status_code == 200  # the viewer page itself is not counted
    with TestClient(app, base_url="http://127.0.0.1", client=("198.51.100.5", 5000)) as other:
        assert other.post(UNKNOWN_LINK, json=body).status_code == 404  # another address is served


def test_at_twice_the_rate_the_excess_is_refused(vault: Vault) -> None:
    """60 s at twice the allowed rate, on a simulated clock: the excess gets 429 and nothing else fails."""
    clock = Clock()
    per_minute, burst = 30, 20
    app = create_app(vault, shl_limiter=ClientLimiter(per_minute=per_minute, burst=burst, clock=clock))
    statuses = []
    with TestClient(app, base_url="http://127.0.0.1", client=("198.51.100.9", 5000)) as c:
        for _ in range(2 * per_minute):  # one request a second for 60 s = twice the rate
            statuses.append(c.post(UNKNOWN_LINK, json={"recipient": "bot"}).status_code)
            clock.now += 1.0
    allowed = burst + per_minute - 1  # the burst, then what refills over the minute
    assert set(statuses) == {404, 429}
    assert statuses.count(404) <= allowed + 1
    assert statuses.count(429) >= 2 * per_minute - allowed - 1
