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


def client_time(request: fastapi.Request, now: dt.datetime | None) -> dt.datetime | None:
    """`now` where the server honours a client's clock, else None (the service then reads its own clock)."""
    if now is None or not request.app.state.settings.client_clock:
        return None
    if now.tzinfo is None:
        raise fastapi.HTTPException(422, "now: give the time zone, e.g. 2026-11-23T18:00:00Z")
    return now
