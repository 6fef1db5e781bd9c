"""`make demo` end to end at a small size, as bench/first_run.py drives it: the server answers, the demo
teen's first page has videos, the whole catalog is embedded and served, and Ctrl-C stops it all.

Not a timing test: the figures are the bench's; this checks the order things happen in.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import first_run  # bench/ holds scripts, not a package


def test_make_demo_serves_a_first_page_then_the_whole_catalog() -> None:
    if shutil.which("make") is None:
        pytest.skip("no `make` on this machine")
    result = first_run.measure(videos=600, venv=Path(sys.prefix), timeout_s=420)
    assert not result.get("error"), result
    assert result["first_page_items"] > 0
    assert result["catalog_generated_s"] <= result["server_up_s"] <= result["first_page_s"] <= result["embedded_s"]
    assert result["recommendable"] == 600
