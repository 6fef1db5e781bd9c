"""The health router's act: what this process serves (for load balancers and scripts)."""

from __future__ import annotations

from safefeed.services import parts as parts_module


class Health:
    def __init__(self, parts: parts_module.Parts) -> None:
        self.parts = parts

    def status(self) -> dict[str, object]:
        """`catalog`: the newest catalog change this process serves (processes of one server follow each other)."""
        engine = self.parts.engine
        return {
            "status": "ok",
            "videos": len(engine.items),
            "policy": engine.policy.name,
            "catalog": self.parts.catalog_seen,
        }
