"""The Dask side of the fleet: a client with workers, or an error that says what to start; where a unit ran."""

from __future__ import annotations

import os
import sys
from typing import Any


class FleetError(RuntimeError):
    """The cluster cannot run the audit as given (no scheduler, no workers, no shared folder)."""


def connect(address: str, *, wait_s: float) -> Any:
    """A client of the cluster at `address` with at least one worker, or a `FleetError` saying what to start.

    Asked before the world is built, so a wrong address fails in seconds, not after the embedding.
    """
    import distributed

    try:
        client: Any = distributed.Client(address, timeout=wait_s)  # type: ignore[no-untyped-call]
    except OSError as refused:
        raise FleetError(
            f"no Dask scheduler answers at {address} ({refused}); fix --dask or start one, e.g. on this "
            "machine only: `dask scheduler --host 127.0.0.1 --dashboard-address 127.0.0.1:8787`"
        ) from None
    try:
        client.wait_for_workers(1, timeout=wait_s)
    except TimeoutError:
        client.close()
        raise FleetError(
            f"the Dask scheduler at {address} has no workers after {wait_s:g} s; "
            f"start some with `dask worker {address} --nthreads 1` (on this machine only, add "
            "`--host 127.0.0.1 --dashboard-address 127.0.0.1:0`)"
        ) from None
    return client


def where() -> str:
    """This Dask worker's address, else this process; `distributed` is only looked up, never imported here."""
    cluster = sys.modules.get("distributed")
    if cluster is not None:
        try:
            return str(cluster.get_worker().address)
        except ValueError:  # imported, but this is not a worker (the client, or a local process)
            pass
    return f"pid:{os.getpid()}"
