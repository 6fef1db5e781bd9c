"""The rate limiter: a moving window per key, deciding as the `limits` library's moving window does."""

from __future__ import annotations

import datetime as dt

import limits as limits_library
import pytest
from hypothesis import given
from hypothesis import strategies as st

from safefeed.api import limits


class Clock:
    """A clock the test moves by hand (seconds, as time.monotonic counts them)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def allowed(limiter: limits.Limiter, key: str) -> bool:
    try:
        limiter.check(key)
    except limits.RateLimited:
        return False
    return True


steps = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), st.floats(min_value=0.0, max_value=0.7, allow_nan=False)),
    max_size=120,
)


@given(amount=st.integers(min_value=0, max_value=6), steps=steps)
def test_a_hit_is_refused_exactly_when_the_window_holds_amount_accepted_hits(
    amount: int, steps: list[tuple[str, float]]
) -> None:
    """The specification, kept naively: all accepted hits per key; one more is allowed while fewer than
    `amount` of them are at most a window (1 s) old. A refusal says how long until the oldest leaves."""
    clock = Clock()
    limiter = limits.Limiter(f"{amount}/second", clock=clock)
    accepted: dict[str, list[float]] = {}
    for key, pause in steps:
        clock.now += pause
        recent = [at for at in accepted.get(key, []) if at >= clock.now - 1.0]
        expected = len(recent) < amount
        if expected:
            limiter.check(key)
            accepted.setdefault(key, []).append(clock.now)
            continue
        with pytest.raises(limits.RateLimited) as refused:
            limiter.check(key)
        oldest = min(recent, default=clock.now)
        assert refused.value.retry_after == dt.timedelta(seconds=oldest + 1.0 - clock.now)


def test_waiting_retry_after_allows_the_next_hit() -> None:
    clock = Clock()
    limiter = limits.Limiter("3/minute", clock=clock)
    for _ in range(3):
        limiter.check("caller")
        clock.now += 10
    with pytest.raises(limits.RateLimited) as refused:
        limiter.check("caller")
    assert refused.value.retry_after == dt.timedelta(seconds=30)
    clock.now += 29.9
    assert not allowed(limiter, "caller")
    clock.now += 0.2
    assert allowed(limiter, "caller")
    assert allowed(limiter, "someone else"), "keys are counted apart"


def test_idle_keys_are_forgotten_and_start_a_fresh_window() -> None:
    clock = Clock()
    limiter = limits.Limiter("2/second", clock=clock)
    for number in range(100):
        limiter.check(f"visitor-{number}")
    clock.now += 5
    assert allowed(limiter, "visitor-0")
    assert list(limiter._hits) == ["visitor-0"], "the keys idle for a window were swept"
    assert allowed(limiter, "visitor-0") and not allowed(limiter, "visitor-0")


def test_a_burst_is_decided_as_the_limits_library_decides() -> None:
    """Both limiters on the real clock, one quick burst per key: the same answers hit for hit."""
    library = limits_library.strategies.MovingWindowRateLimiter(limits_library.storage.MemoryStorage())
    item = limits_library.parse("5/minute")
    ours = limits.Limiter("5/minute")
    for key in ("principal:a", "principal:b"):
        theirs = [library.hit(item, key) for _ in range(8)]
        assert [allowed(ours, key) for _ in range(8)] == theirs == [True] * 5 + [False] * 3
