from __future__ import annotations

import datetime as dt
import threading

import pytest

from safefeed.store import repository
from safefeed.wellbeing import errors, prompts, schedule, service
from tests.wellbeing.conftest import add_account, make_service, scroll

K = prompts.PromptKind
NOON = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)  # Monday 12:00 in Nairobi (+03:00)
MINUTE = dt.timedelta(minutes=1)


def keep_going(wellbeing: service.Wellbeing, account_id: str, now: dt.datetime) -> None:
    wellbeing.acknowledge(wellbeing.accounts.account(account_id), K.SESSION, now)


# -- daily limit and passcode ---------------------------------------------------


def test_the_60_minute_default_blocks_until_the_passcode_extends_it(
    wellbeing: service.Wellbeing, store: repository.Store
) -> None:
    teen = add_account(store, "teen")
    # 121 moments 30 s apart: 120 gaps of 30 s = exactly 60 minutes.
    last = scroll(wellbeing, teen, NOON, 60)
    assert wellbeing.dashboard(teen, last).today_minutes == pytest.approx(60.0)
    gate = wellbeing.gate(teen, last)
    assert gate is not None and gate.kind is K.DAILY_LIMIT and gate.blocking
    assert gate.actions == (prompts.SET_PASSCODE,)  # no passcode yet, no guardian
    # The limit lifts at the next local midnight: 5 May 00:00 +03:00 = 4 May 21:00 UTC.
    assert gate.until == dt.datetime(2026, 5, 4, 21, tzinfo=dt.UTC)

    with pytest.raises(errors.NoPasscode, match="set one first"):
        wellbeing.unlock(teen, "2468", last)
    wellbeing.set_passcode(teen, "2468", last)
    assert wellbeing.gate(teen, last).actions == (prompts.ENTER_PASSCODE,)  # type: ignore[union-attr]
    with pytest.raises(errors.WrongPasscode) as wrong:
        wellbeing.unlock(teen, "1357", last)
    assert wrong.value.attempts_left == 4
    assert wellbeing.unlock(teen, "2468", last) == dt.timedelta(minutes=15)
    keep_going(wellbeing, "teen", last)
    assert wellbeing.gate(teen, last) is None
    # 60 + 15 minutes: 14 more minutes are fine, the 15th is not.
    last = scroll(wellbeing, teen, last, 14)
    keep_going(wellbeing, "teen", last)
    assert wellbeing.gate(teen, last) is None
    last = scroll(wellbeing, teen, last, 1)
    assert wellbeing.gate(teen, last).kind is K.DAILY_LIMIT  # type: ignore[union-attr]


def test_the_limit_resets_at_local_midnight_not_utc_midnight(
    wellbeing: service.Wellbeing, store: repository.Store
) -> None:
    teen = add_account(store, "teen")
    # 20:00-21:00 UTC is 23:00-00:00 in Nairobi: 60 minutes on Monday, local.
    start = dt.datetime(2026, 5, 4, 20, tzinfo=dt.UTC)
    last = scroll(wellbeing, teen, start, 60)
    board = wellbeing.dashboard(teen, last - dt.timedelta(seconds=1), days=2)
    assert [round(day.minutes) for day in board.days] == [0, 60]  # Sunday, Monday
    assert board.days[-1].by_hour[23] == pytest.approx(60.0)
    # At 00:00:00 on Tuesday, local, the new day has nothing used yet (the wind-down screen shows instead).
    gate = wellbeing.gate(teen, last)
    assert gate is not None and gate.kind is K.WIND_DOWN


def test_wrong_passcodes_lock_every_instance_out(store: repository.Store) -> None:
    one, two = make_service(store), make_service(store)  # two API instances, one database
    teen = add_account(store, "teen")
    one.set_passcode(teen, "2468", NOON)
    for attempt in range(4):
        with pytest.raises(errors.WrongPasscode):
            (one if attempt % 2 else two).unlock(teen, "0000", NOON)
    with pytest.raises(errors.PasscodeLocked) as locked:
        one.unlock(teen, "0000", NOON)
    assert locked.value.until == NOON + dt.timedelta(minutes=15)
    with pytest.raises(errors.PasscodeLocked):
        two.unlock(teen, "2468", NOON + 14 * MINUTE)  # even the right one waits
    assert two.unlock(teen, "2468", NOON + 15 * MINUTE) == dt.timedelta(minutes=15)


def test_opting_out_brings_the_set_your_own_limit_prompt_after_100_minutes(
    wellbeing: service.Wellbeing, store: repository.Store
) -> None:
    teen = add_account(store, "teen")
    wellbeing.set_daily_limit(teen, None, NOON)
    teen = store.account("teen")
    wellbeing.set_session_prompt(teen, None)
    teen = store.account("teen")
    last = scroll(wellbeing, teen, NOON, 99)
    assert wellbeing.gate(teen, last) is None
    last = scroll(wellbeing, teen, last, 1)
    gate = wellbeing.gate(teen, last)
    assert gate is not None and gate.kind is K.SET_OWN_LIMIT and not gate.blocking
    assert "100 minutes" in gate.message
    wellbeing.acknowledge(teen, K.SET_OWN_LIMIT, last)
    assert wellbeing.gate(teen, last + MINUTE) is None


def test_own_limit_is_stored_on_the_account_and_checked(wellbeing: service.Wellbeing, store: repository.Store) -> None:
    teen = add_account(store, "teen")
    wellbeing.set_daily_limit(teen, 40, NOON)
    assert store.account("teen").settings.daily_limit_minutes == 40
    with pytest.raises(errors.InvalidSetting, match="got 0"):
        wellbeing.set_daily_limit(teen, 0, NOON)
    last = scroll(wellbeing, store.account("teen"), NOON, 40)
    assert wellbeing.gate(store.account("teen"), last).kind is K.DAILY_LIMIT  # type: ignore[union-attr]


# -- session prompts --------------------------------------------------------------


def test_session_prompt_every_30_minutes_until_a_break(wellbeing: service.Wellbeing, store: repository.Store) -> None:
    teen = add_account(store, "teen", birth_year=2009)  # 16-17: 30-minute prompts, no wind-down
    wellbeing.set_daily_limit(teen, 120, NOON)  # so that 60 minutes are not the daily limit too
    teen = store.account("teen")
    last = scroll(wellbeing, teen, NOON, 29)
    assert wellbeing.gate(teen, last) is None
    # The 30th minute is pending (not yet closed by a later moment) and still counts.
    gate = wellbeing.gate(teen, last + MINUTE)
    assert gate is not None and gate.kind is K.SESSION and gate.blocking
    assert "30 minutes" in gate.message
    keep_going(wellbeing, "teen", last + MINUTE)
    last = scroll(wellbeing, teen, last + MINUTE, 29)
    assert wellbeing.gate(teen, last) is None
    last = scroll(wellbeing, teen, last, 1)
    assert wellbeing.gate(teen, last).kind is K.SESSION  # type: ignore[union-attr]
    # After 10 minutes away the session is over; a new one starts with no prompt.
    assert wellbeing.gate(teen, last + 11 * MINUTE) is None


def test_only_dismissible_prompts_can_be_acknowledged(wellbeing: service.Wellbeing, store: repository.Store) -> None:
    teen = add_account(store, "teen")
    with pytest.raises(errors.NotDismissible, match="passcode"):
        wellbeing.acknowledge(teen, K.DAILY_LIMIT, NOON)
    with pytest.raises(errors.NotDismissible, match="confirm_wind_down"):
        wellbeing.acknowledge(teen, K.WIND_DOWN_CONFIRM, NOON)


# -- wind-down ---------------------------------------------------------------------


def test_wind_down_then_a_harder_second_screen(wellbeing: service.Wellbeing, store: repository.Store) -> None:
    teen = add_account(store, "teen")  # 13-15
    late = dt.datetime(2026, 5, 4, 19, 30, tzinfo=dt.UTC)  # 22:30 in Nairobi
    wellbeing.observe(teen, [late])
    first = wellbeing.gate(teen, late)
    assert first is not None and first.kind is K.WIND_DOWN and first.blocking
    assert first.until == dt.datetime(2026, 5, 5, 3, tzinfo=dt.UTC)  # 06:00 local
    with pytest.raises(errors.TooEarly, match="not been shown"):
        wellbeing.confirm_wind_down(teen, late)
    wellbeing.acknowledge(teen, K.WIND_DOWN, late)
    assert wellbeing.gate(teen, late + 9 * MINUTE) is None
    second = wellbeing.gate(teen, late + 10 * MINUTE)
    assert second is not None and second.kind is K.WIND_DOWN_CONFIRM
    assert second.confirm_after == late + 10 * MINUTE + dt.timedelta(seconds=10)
    # Asking again does not move the confirm button further away.
    assert wellbeing.gate(teen, late + 10 * MINUTE + dt.timedelta(seconds=5)) == second
    with pytest.raises(errors.TooEarly) as early:
        wellbeing.confirm_wind_down(teen, late + 10 * MINUTE + dt.timedelta(seconds=9))
    assert early.value.confirm_after == second.confirm_after
    wellbeing.confirm_wind_down(teen, late + 11 * MINUTE)
    assert wellbeing.gate(teen, late + 12 * MINUTE) is None
    # The next night starts again with the first screen.
    assert wellbeing.gate(teen, late + clock_day()).kind is K.WIND_DOWN  # type: ignore[union-attr]


def clock_day() -> dt.timedelta:
    return dt.timedelta(days=1)


def test_no_wind_down_for_16_17s_or_under_the_engagement_policy(store: repository.Store) -> None:
    late = dt.datetime(2026, 5, 4, 19, 30, tzinfo=dt.UTC)
    assert make_service(store).gate(add_account(store, "older", birth_year=2009), late) is None
    engagement = make_service(store, "engagement")
    teen = add_account(store, "teen")
    last = scroll(engagement, teen, late, 120)
    assert engagement.gate(teen, last) is None  # the audit baseline: no limit, no wind-down, no prompt
    assert make_service(store).gate(teen, last) is not None


# -- notifications -----------------------------------------------------------------


def test_weekly_recap_queued_once_and_held_by_quiet_hours(store: repository.Store) -> None:
    one, two = make_service(store), make_service(store)
    teen = add_account(store, "teen")
    scroll(one, teen, dt.datetime(2026, 4, 21, 9, tzinfo=dt.UTC), 20)  # Tuesday, two weeks back
    scroll(one, teen, dt.datetime(2026, 4, 28, 9, tzinfo=dt.UTC), 30)  # Tuesday of last week
    scroll(one, teen, dt.datetime(2026, 4, 20, 9, tzinfo=dt.UTC), 99)  # reported late: never counted
    monday_night = dt.datetime(2026, 5, 4, 20, tzinfo=dt.UTC)  # 23:00 local: quiet hours
    assert one.notifications(teen, monday_night) == []
    assert two.notifications(teen, monday_night + MINUTE) == []
    morning = dt.datetime(2026, 5, 5, 4, tzinfo=dt.UTC)  # 07:00 local: quiet hours are over
    inbox = two.notifications(teen, morning)
    assert [n.kind.value for n in inbox] == ["weekly_recap"]
    assert inbox[0].body.startswith("From 27 Apr to 3 May you spent 0h 30m here")
    # Two weeks back: 20 minutes plus the 5-minute idle cut-off after its last moment, closed
    # by the next moment a week later = 25; last week 30 (its tail is still open): 5 more.
    assert "5 minutes more than the week before" in inbox[0].body
    assert inbox[0].delivered_at == morning
    assert len(one.notifications(teen, morning + clock_day())) == 1  # still one recap that week


# -- Family Pairing ----------------------------------------------------------------


def pair(wellbeing: service.Wellbeing, guardian: str, teen_id: str, now: dt.datetime = NOON) -> None:
    code = wellbeing.pairing_code(guardian, now)
    wellbeing.accept_pairing(wellbeing.accounts.account(teen_id), code, now + MINUTE)


def test_pairing_codes_are_one_time_and_expire(wellbeing: service.Wellbeing, store: repository.Store) -> None:
    teen = add_account(store, "teen")
    code = wellbeing.pairing_code("mum", NOON)
    assert len(code) == 9 and code[4] == "-"
    with pytest.raises(errors.CodeExpired, match="expired"):
        wellbeing.accept_pairing(teen, code, NOON + 15 * MINUTE)
    with pytest.raises(errors.UnknownCode, match="'NOPE-NOPE'"):
        wellbeing.accept_pairing(teen, "NOPE-NOPE", NOON)
    code = wellbeing.pairing_code("mum", NOON)
    wellbeing.accept_pairing(teen, code.lower().replace("-", " "), NOON + MINUTE)
    assert wellbeing.is_guardian("mum", "teen")
    assert not wellbeing.is_guardian("dad", "teen")
    assert wellbeing.teens_of("mum") == ["teen"]
    with pytest.raises(errors.UnknownCode, match="already used"):
        wellbeing.accept_pairing(add_account(store, "sibling"), code, NOON + 2 * MINUTE)
    adult = add_account(store, "adult", birth_year=1980)
    with pytest.raises(errors.CannotPair, match="adult"):
        wellbeing.accept_pairing(adult, wellbeing.pairing_code("mum", NOON), NOON)
    assert [n.kind.value for n in wellbeing.guardian_notifications("mum", NOON + MINUTE)] == ["family_pairing"]


def test_a_guardian_limit_needs_the_guardians_passcode(wellbeing: service.Wellbeing, store: repository.Store) -> None:
    teen = add_account(store, "teen")
    pair(wellbeing, "mum", "teen")
    with pytest.raises(errors.NotGuardian, match="'dad'"):
        wellbeing.guardian_set_limit("dad", teen, 30, NOON)
    wellbeing.guardian_set_limit("mum", teen, 30, NOON)
    with pytest.raises(errors.SetByGuardian, match="30 minutes was set by 'mum'"):
        wellbeing.set_daily_limit(teen, 120, NOON)
    wellbeing.set_passcode(teen, "1111", NOON)
    last = scroll(wellbeing, teen, NOON, 30)
    gate = wellbeing.gate(teen, last)
    assert gate is not None and gate.kind is K.DAILY_LIMIT
    assert gate.actions == (prompts.ENTER_PASSCODE, prompts.REQUEST_MORE_TIME)
    assert "your family set" in gate.message
    with pytest.raises(errors.NoPasscode, match="guardian has not set"):
        wellbeing.unlock(teen, "1111", last)  # the teen's own passcode does not lift a guardian's limit
    wellbeing.guardian_set_passcode("mum", teen, "9090", NOON)
    with pytest.raises(errors.WrongPasscode):
        wellbeing.unlock(teen, "1111", last)
    assert wellbeing.unlock(teen, "9090", last) == dt.timedelta(minutes=15)
    assert wellbeing.family_controls(teen).limit_set_by == "mum"


def test_requests_for_more_time_are_decided_once_by_a_guardian(
    wellbeing: service.Wellbeing, store: repository.Store
) -> None:
    teen = add_account(store, "teen")
    with pytest.raises(errors.NoGuardian):
        wellbeing.request_more_time(teen, 20, NOON)
    pair(wellbeing, "mum", "teen")
    pair(wellbeing, "dad", "teen")
    last = scroll(wellbeing, teen, NOON, 60)
    request = wellbeing.request_more_time(teen, 20, last)
    assert request.status.value == "pending"
    assert wellbeing.requests(guardian_id="dad", pending_only=True) == [request]
    with pytest.raises(errors.NotGuardian):
        wellbeing.decide("stranger", request.id, True, last)
    decided = wellbeing.decide("dad", request.id, True, last + MINUTE)
    assert (decided.status.value, decided.decided_by) == ("approved", "dad")
    with pytest.raises(errors.AlreadyDecided, match="approved"):
        wellbeing.decide("mum", request.id, False, last + MINUTE)
    with pytest.raises(errors.UnknownRequest):
        wellbeing.decide("mum", 999_999, False, last)
    keep_going(wellbeing, "teen", last + MINUTE)
    assert wellbeing.gate(teen, last + MINUTE) is None  # 60 + 20 minutes today
    inbox = wellbeing.notifications(teen, last + MINUTE)
    decisions = [n.body for n in inbox if n.kind.value == "time_decision"]
    assert decisions == ["Your request for 20 more minutes was approved."]
    assert wellbeing.requests(teen_id="teen", pending_only=True) == []


def test_time_away_blocks_until_its_end_or_an_approved_break(
    wellbeing: service.Wellbeing, store: repository.Store
) -> None:
    teen = add_account(store, "teen")
    pair(wellbeing, "mum", "teen")
    school = schedule.Window(frozenset({1, 2, 3, 4, 5}), dt.time(13), dt.time(15))  # weekdays 13-15 local
    wellbeing.set_time_away("mum", teen, [school], NOON)
    assert wellbeing.gate(teen, NOON) is None  # 12:00 local
    inside = NOON + 90 * MINUTE  # 13:30 local
    gate = wellbeing.gate(teen, inside)
    assert gate is not None and gate.kind is K.TIME_AWAY and gate.blocking
    assert gate.until == dt.datetime(2026, 5, 4, 12, tzinfo=dt.UTC)  # 15:00 local
    request = wellbeing.request_more_time(teen, 10, inside)
    wellbeing.decide("mum", request.id, True, inside)
    assert wellbeing.gate(teen, inside + 9 * MINUTE) is None
    assert wellbeing.gate(teen, inside + 10 * MINUTE).kind is K.TIME_AWAY  # type: ignore[union-attr]
    assert wellbeing.family_controls(teen).time_away == (school,)


def test_tighten_overlays_the_teens_settings_and_goes_with_unlink(
    wellbeing: service.Wellbeing, store: repository.Store
) -> None:
    teen = add_account(store, "teen")
    pair(wellbeing, "mum", "teen")
    controls = wellbeing.tighten("mum", teen, keyword_filters=["diet"], personalised=False, autoplay=False, now=NOON)
    assert controls.keyword_filters == ("diet",)
    effective = wellbeing.effective_account(teen)
    assert effective.settings.keyword_filters == ("diet",)
    assert effective.settings.personalised is False
    with pytest.raises(errors.SetByGuardian, match="autoplay"):
        wellbeing.set_features(teen, autoplay=True)
    assert wellbeing.features(teen, NOON).autoplay is False
    # Lifting personalised hands it back to the teen; the filter stays.
    wellbeing.tighten("mum", teen, personalised=True, now=NOON)
    assert wellbeing.effective_account(teen).settings.personalised is None
    wellbeing.unlink("mum", "teen", NOON)
    assert not wellbeing.is_guardian("mum", "teen")
    assert wellbeing.effective_account(teen) == teen
    with pytest.raises(errors.NotGuardian):
        wellbeing.unlink("mum", "teen", NOON)


def test_the_guardian_summary_is_time_only(wellbeing: service.Wellbeing, store: repository.Store) -> None:
    teen = add_account(store, "teen")
    pair(wellbeing, "mum", "teen")
    last = scroll(wellbeing, teen, NOON, 25)
    summary = wellbeing.guardian_summary("mum", teen, last)
    assert summary.today_minutes == pytest.approx(25.0)
    assert summary.daily_limit_minutes == 60 and summary.limit_source == "policy"
    assert len(summary.days) == 7
    fields = {name for name in summary.__dataclass_fields__}
    assert fields == {
        "teen_id",
        "today_minutes",
        "daily_limit_minutes",
        "limit_source",
        "days",
        "week_minutes",
        "pending_requests",
    }
    with pytest.raises(errors.NotGuardian):
        wellbeing.guardian_summary("dad", teen, last)


# -- shared state --------------------------------------------------------------------


def test_instances_observing_the_same_moments_count_them_once(store: repository.Store) -> None:
    teen = add_account(store, "teen")
    moments = [NOON + dt.timedelta(seconds=20 * n) for n in range(91)]  # 90 gaps of 20 s = 30 minutes
    instances = [make_service(store) for _ in range(4)]
    threads = [threading.Thread(target=instance.observe, args=(teen, moments)) for instance in instances]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert instances[0].dashboard(teen, moments[-1]).today_minutes == pytest.approx(30.0)
