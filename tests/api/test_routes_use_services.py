"""Routes call the service's acts for their own resource and nothing deeper (issue 19: one service layer
that mirrors the routers one to one)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

from safefeed import services
from safefeed.api import routes

ROUTERS = sorted(module.name for module in pkgutil.iter_modules(routes.__path__))


def uses_of_the_service(source: str) -> set[str]:
    """`X` of every `safefeed.X` (the ServiceDep parameter is named `safefeed` in every route)."""
    return {
        node.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "safefeed"
    }


def test_the_checker_sees_a_route_reaching_past_the_service() -> None:
    assert uses_of_the_service("def f(safefeed):\n    return safefeed.parts.store.account('a')\n") == {"parts"}


@pytest.mark.parametrize("router", ROUTERS)
def test_each_router_has_its_service_and_calls_only_it(router: str) -> None:
    assert importlib.util.find_spec(f"safefeed.services.{router}") is not None, f"no safefeed/services/{router}.py"
    source = Path(importlib.import_module(f"safefeed.api.routes.{router}").__file__ or "").read_text("utf-8")
    used = uses_of_the_service(source)
    assert used, f"routes/{router}.py never calls the service"
    assert used <= {router, "now"}, f"routes/{router}.py reaches {sorted(used - {router, 'now'})}"


def test_the_service_has_a_resource_per_router(safefeed: services.SafeFeed) -> None:
    missing = [router for router in ROUTERS if not hasattr(safefeed, router)]
    assert missing == []
