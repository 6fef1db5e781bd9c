"""Hypothesis strategies over the clock shared by the well-being tests."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

# Zones with the awkward cases: DST both ways, 30- and 45-minute offsets, a 30-minute
# DST shift (Lord Howe), southern-hemisphere DST, the date line; then any IANA zone.
AWKWARD_ZONES = (
    "America/New_York",
    "Europe/Berlin",
    "Europe/London",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Africa/Nairobi",
    "Asia/Manila",
    "America/St_Johns",
)
zones = st.sampled_from(AWKWARD_ZONES) | st.timezone_keys(allow_prefix=False).filter(
    lambda key: "/" in key and not key.startswith(("SystemV", "posix", "right"))
)

# Instants near 2026 DST changes (UTC), where the bugs live.
DST_CHANGES = (
    dt.datetime(2026, 3, 8, 7, tzinfo=dt.UTC),  # New York springs forward
    dt.datetime(2026, 11, 1, 6, tzinfo=dt.UTC),  # New York falls back
    dt.datetime(2026, 3, 29, 1, tzinfo=dt.UTC),  # Europe springs forward
    dt.datetime(2026, 10, 25, 1, tzinfo=dt.UTC),  # Europe falls back
    dt.datetime(2026, 4, 4, 15, tzinfo=dt.UTC),  # Lord Howe: back 30 minutes
    dt.datetime(2026, 10, 3, 16, tzinfo=dt.UTC),  # Lord Howe: forward 30 minutes
    dt.datetime(2026, 4, 5, 3, tzinfo=dt.UTC),  # Santiago falls back at local midnight
)

near_dst = st.builds(
    lambda base, seconds: base + dt.timedelta(seconds=seconds),
    st.sampled_from(DST_CHANGES),
    st.integers(-6 * 3600, 6 * 3600),
)
any_instant = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2037, 12, 31), timezones=st.just(dt.UTC)
)
instants = near_dst | any_instant
