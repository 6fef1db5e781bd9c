"""The time a request acts at: the server's, or an audit's simulated clock passed as `?now=`.

Every route an audit drives takes `now: clock.Now = None` and reads
`clock.client_time(request, now)`. The client's time counts only on servers
started for audits (`client_clock`, SAFEFEED_CLIENT_CLOCK=true); everywhere else
it is ignored, so no user can move their own screen time or quiet hours.
A plain function rather than a dependency: the feed's hot path pays nothing for it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import fastapi

Now = Annotated[
    dt.datetime | None,
    fastapi.Query(
        description="A simulated clock (ISO 8601 with a time zone), honoured only on servers started for audits "
        "(SAFEFEED_CLIENT_CLOCK=true); other servers ignore it and use their own."
    ),
]


# Simulated time stays where calendars, time zones and "a week later" all work (year 1 or 9999 overflow them).
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


def client_time(request: fastapi.Request, now: dt.datetime | None) -> dt.datetime | None:
    """`now` where the server honours a client's clock, else None (the service then reads its own clock)."""
    if now is None or not request.app.state.settings.client_clock:
        return None
    if now.tzinfo is None or now.utcoffset() is None:
        raise fastapi.HTTPException(422, "now: give the time zone, e.g. 2026-11-23T18:00:00Z")
    if not EARLIEST <= now < LATEST:
        raise fastapi.HTTPException(422, f"now: {now.isoformat()} is out of range; give a time in 1970-2199")
    return now
