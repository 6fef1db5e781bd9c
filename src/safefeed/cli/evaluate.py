"""`safefeed eval ...`: offline evaluation on real data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safefeed import config
from safefeed.cli import common
from safefeed.recommend import relevance

app = typer.Typer(help="Offline evaluation on real data sets.", no_args_is_help=True)


@app.command("relevance")
def relevance_(
    data: Annotated[Path | None, typer.Option(help="MovieLens folder (default: SAFEFEED_DATA's).")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    seed: int = 0,
) -> None:
    """Recall@20 and NDCG@10 of SafeFeed's engine, implicit ALS and popularity on a time-ordered split."""
    folder = data or config.load().data_dir / "movielens-latest-small"
    if not folder.exists():
        raise common.UsageError(f"no MovieLens data at {folder}; pass --data PATH to movielens-latest-small")
    with common.console.status("training and evaluating three recommenders on the same split"):
        results = relevance.evaluate(folder, seed=seed)
    if json:
        common.print_json(results)
        return
    for system, figures in results.items():
        print(f"{system:>14}: Recall@20 {figures['recall_at_20']:.4f}  NDCG@10 {figures['ndcg_at_10']:.4f}")
