"""The accounts' learned states in memory: an LRU cache over snapshots and the shared event log.

A state is derived data (`recommend.state`): loading one reads the account's
snapshot and replays every event logged after it, by any instance; a cached
one catches up with what other instances logged since it last looked. What an
event teaches is not decided here: `teach` (the engine's learning step) is.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from safefeed import model
from safefeed.recommend import state as account_state
from safefeed.recommend import vectors
from safefeed.store import repository

Teach = Callable[[account_state.AccountState, model.Event, model.Account], None]  # one logged event into a state


@dataclasses.dataclass(slots=True)
class LogPosition:
    """How far an account's cached state has read the shared event log (other instances append to it too)."""

    seq: int = 0  # every event of the account up to this one is applied
    snapshot: int | None = None  # the seq of the snapshot the state was built on (None: none)
    ahead: set[int] = dataclasses.field(default_factory=set)  # this instance's own events, applied, after `seq`
    impression: int = 0  # the account's newest impression known here: where its next page starts


def empty() -> account_state.AccountState:
    return account_state.AccountState.empty(vectors.DIMENSIONS)


class Accounts:
    """Account states held in memory, least recently used dropped first: they reload from snapshot + log."""

    def __init__(
        self,
        store: repository.Store,
        *,
        account: Callable[[str], model.Account],
        teach: Teach,
        cached: int,
        lock: threading.RLock,
    ) -> None:
        """`account`: the account as the feed serves it; `cached`: how many states to hold; `lock` guards
        the cache (the engine's own lock, so a page and an event never interleave on one instance)."""
        self.store = store
        self.account = account
        self.teach = teach
        self.cached = cached
        self.lock = lock
        self.states: OrderedDict[str, account_state.AccountState] = OrderedDict()  # least recently used first
        self.log: dict[str, LogPosition] = {}

    def state(self, account_id: str, *, catch_up: bool) -> account_state.AccountState:
        """The cached state, loaded if absent; `catch_up`: first apply what other processes logged since."""
        with self.lock:
            current = self.states.get(account_id)
            if current is None:
                return self._load(account_id)
            self.states.move_to_end(account_id)
            if catch_up and self.store.shared:
                return self._catch_up(account_id, current)
            return current

    def position(self, account_id: str) -> LogPosition:
        """How far the cached state of the account has read the log (the state must be loaded)."""
        return self.log[account_id]

    def _load(self, account_id: str) -> account_state.AccountState:
        account = self.account(account_id)
        snapshot = self.store.snapshot(account_id)
        if snapshot is None:
            current, position = empty(), LogPosition()
        else:
            # A snapshot this version cannot read (an older encoding) is rebuilt from the log after it, on an
            # empty state, never from the start: it may be a refresh or an edited profile, which replaying
            # the events before it would undo.
            current = account_state.AccountState.loads(snapshot[1]) or empty()
            position = LogPosition(seq=snapshot[0], snapshot=snapshot[0], impression=snapshot[0])
        self._replay(current, position, self.store.events(account_id=account_id, after_seq=position.seq), account)
        self.keep(account_id, current, position)
        return current

    def keep(self, account_id: str, current: account_state.AccountState, position: LogPosition) -> None:
        """Hold the account's state in memory, dropping the least recently used beyond `cached`."""
        self.states[account_id], self.log[account_id] = current, position
        self.states.move_to_end(account_id)
        while len(self.states) > self.cached:
            dropped, _ = self.states.popitem(last=False)
            del self.log[dropped]

    def _replay(
        self,
        current: account_state.AccountState,
        position: LogPosition,
        logged: Sequence[tuple[int, model.Event]],
        account: model.Account,
    ) -> None:
        """Apply logged events this instance has not applied yet, and move the position past them all."""
        for seq, event in logged:
            if seq not in position.ahead:
                self.teach(current, event, account)
                if event.kind is model.EventKind.IMPRESSION:
                    position.impression = max(position.impression, seq)
            position.seq = max(position.seq, seq)
        position.ahead.clear()

    def _catch_up(self, account_id: str, current: account_state.AccountState) -> account_state.AccountState:
        """Apply what other instances logged for the account since this one last looked: one indexed query
        when nothing is new. Their events are applied after this instance's own later ones (the decay
        of interests between them is the only difference that order makes); the seen set is exact."""
        position = self.log[account_id]
        count, newest, snapshot = self.store.account_log(account_id, position.seq)
        if snapshot != position.snapshot:  # refreshed or edited elsewhere: start again from the snapshot
            return self._load(account_id)
        if count == len(position.ahead):  # only this instance's own events: nothing to apply
            position.seq = max(position.seq, newest)
            position.ahead.clear()
            return current
        logged = self.store.events(account_id=account_id, after_seq=position.seq)
        self._replay(current, position, logged, self.account(account_id))
        return current

    def applied(self, position: LogPosition, seqs: Sequence[int]) -> None:
        """Note this instance's own events as applied (alone on the log, the position simply moves on)."""
        if self.store.shared:
            position.ahead.update(seqs)
        elif seqs:
            position.seq = max(position.seq, *seqs)

    def account_lock(self, account_id: str) -> contextlib.AbstractContextManager[None]:
        """Other instances wait while this one serves and logs a page for the account (outside `lock`)."""
        return self.store.account_lock(account_id) if self.store.shared else contextlib.nullcontext()

    def replace(
        self, account_id: str, edit: Callable[[account_state.AccountState], account_state.AccountState]
    ) -> None:
        """Make `edit` of the account's current state its state from now on, here and everywhere (a snapshot),
        while other instances wait. Raises UnknownAccount (and changes nothing) for an account not stored."""
        self.store.account(account_id)
        with self.account_lock(account_id), self.lock:
            self.put_snapshot(account_id, edit(self.state(account_id, catch_up=True)))

    def put_snapshot(self, account_id: str, current: account_state.AccountState) -> None:
        """Make `current` the account's state from now on, here and (through its snapshot) everywhere.

        The snapshot is taken at the newest seq of the whole log, so other
        instances see a new snapshot seq and reload (unless no event at all was
        logged since the previous snapshot: then they keep their state until one is).
        """
        seq = self.store.last_seq()
        self.store.put_snapshot(account_id, seq, current.dumps())
        known = self.log.get(account_id, LogPosition())
        self.keep(account_id, current, LogPosition(seq=seq, snapshot=seq, impression=max(known.impression, seq)))

    def drop(self, account_id: str) -> None:
        """Forget the account's state here (it reloads from snapshot + log if asked for again)."""
        with self.lock:
            self.states.pop(account_id, None)
            self.log.pop(account_id, None)
