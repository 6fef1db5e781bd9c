from __future__ import annotations

import argon2
import pytest

from safefeed.wellbeing import errors, passcodes

FAST = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def test_a_passcode_is_stored_only_as_an_argon2_hash() -> None:
    digest = FAST.hash(passcodes.check("4821"))
    assert digest.startswith("$argon2id$")
    assert "4821" not in digest
    assert passcodes.matches(FAST, digest, "4821")
    assert not passcodes.matches(FAST, digest, "4822")
    assert not passcodes.matches(FAST, "not a hash", "4821")


@pytest.mark.parametrize("bad", ["123", " 1234", "x" * 65])
def test_bad_passcodes_are_refused_without_echoing_them(bad: str) -> None:
    with pytest.raises(errors.InvalidSetting, match="4-64 characters") as caught:
        passcodes.check(bad)
    assert bad.strip() not in str(caught.value)
