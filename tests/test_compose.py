"""The composition root: one policy for the engine and well-being, however often the engine is rebuilt."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from safefeed import compose
from tests import serving


def test_an_edited_policy_file_cannot_split_the_engine_from_wellbeing(tmp_path: Path, world_template: Path) -> None:
    policy_file = tmp_path / "policy.toml"
    default = importlib.resources.files("safefeed.policy").joinpath("data/default.toml").read_text("utf-8")
    policy_file.write_text(default.replace('name = "default"', 'name = "before"'), "utf-8")
    store = serving.world_store(tmp_path, template=world_template)
    safefeed = compose.assemble(
        store, serving.settings_for(tmp_path, policy=str(policy_file)), clock=serving.ManualClock()
    )
    policy_file.write_text(default.replace('name = "default"', 'name = "edited"'), "utf-8")
    safefeed.parts.reload()  # what a catalog import makes every serving process do
    assert safefeed.parts.engine.policy.name == safefeed.parts.wellbeing.policy.name == "before"
    store.close()
