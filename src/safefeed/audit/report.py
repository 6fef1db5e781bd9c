"""The audit's outputs: metrics.json, an HTML report and PNG plots, all from the logs.

`SUMMARY_KEYS` says what each flat per-target figure means; the HTML repeats
it beside the numbers so a reader needs nothing else.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from safefeed.audit import metrics, runner
from safefeed.audit import scenario as scenario_module

METRICS_FILE = "metrics.json"
REPORT_FILE = "report.html"
PLOTS_DIR = "plots"

SUMMARY_KEYS: Mapping[str, str] = {
    "mh_share_hour_6": "mental-health share in the 6th hour (last sixth of the automated session), interested personas",
    "mh_share_control_hour_6": "the same for control personas",
    "ratio_to_control": "interested / control share, 6th hour (a control with none counts half an item)",
    "arm_test_p": "permutation test, per-session 6th-hour shares, interested vs control",
    "minutes_to_half_rewatch": "median minutes until >50% of the last 10 items are mental-health, "
    "manual (rewatch) personas",
    "minutes_to_half_automated": "the same for the automated interested personas",
    "minutes_to_first_mh": "median minutes to the first mental-health item, interested personas",
    "max_mh_share_window_20": "highest mental-health share in any 20 consecutive items served to a minor",
    "longest_mh_run": "longest run of consecutive mental-health items",
    "harmful_items_minors": "potentially harmful or violative items served to under-18 personas",
    "share_exposed_mh": "share of sessions that saw any mental-health item",
    "share_exposed_harmful": "share of sessions that saw any potentially harmful item",
    "topic_entropy_bits": "mean per-session entropy of served topics",
    "creator_diversity": "mean distinct creators per served item",
    "control_watch_minutes": "mean minutes per control session spent watching (not skipping)",
    "control_watch_time_vs_engagement": "control watch minutes / the same under the engagement baseline",
    "impressions_per_s_core": "simulated impressions per second of worker CPU time in the step loop",
}


def compute(scenario: scenario_module.Scenario, logs: Sequence[runner.Log]) -> dict[str, Any]:
    durations = {p.id: p.schedule.session_minutes * p.schedule.sessions for p in scenario.personas}
    targets = metrics.summarise(
        logs, durations, baseline=scenario.baseline, window=scenario.window_minutes, seed=scenario.seed
    )
    order = [t.name for t in scenario.targets if t.name in targets]
    return {
        "scenario": scenario.name,
        "seed": scenario.seed,
        "repetitions": scenario.repetitions,
        "catalog_videos": scenario.catalog.videos,
        "targets": {name: targets[name] for name in order},
        "definitions": dict(SUMMARY_KEYS),
    }


def flat(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One flat object per target: what `safefeed audit summary --json` prints."""
    rows = []
    for name, target in result["targets"].items():
        row = {"target": name}
        for key, value in target["summary"].items():
            if isinstance(value, list):
                row[f"{key}_low"], row[f"{key}_high"] = value
            else:
                row[key] = value
        rows.append(row)
    return rows


def _plot(result: Mapping[str, Any], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    (out / PLOTS_DIR).mkdir(parents=True, exist_ok=True)
    for name, target in result["targets"].items():
        figure, axis = plt.subplots(figsize=(7, 4), dpi=100)
        for group, line in target["series"].items():
            x = line["minutes"]
            share = [float("nan") if v is None else v for v in line["share"]]
            low = [float("nan") if v is None else v for v in line["low"]]
            high = [float("nan") if v is None else v for v in line["high"]]
            axis.plot(x, share, marker=".", label=group)
            axis.fill_between(x, low, high, alpha=0.2)
        axis.set_title(f"{result['scenario']}: mental-health share of the feed, target {name}")
        axis.set_xlabel("minutes scrolled (simulated)")
        axis.set_ylabel("share of served videos")
        axis.set_ylim(0, 1)
        axis.axhline(0.5, color="grey", linewidth=0.5, linestyle="--")
        axis.legend(fontsize="small")
        figure.tight_layout()
        path = out / PLOTS_DIR / f"mh_share_{name}.png"
        figure.savefig(path)
        plt.close(figure)
        paths.append(path)
    figure, axis = plt.subplots(figsize=(7, 4), dpi=100)
    for name, target in result["targets"].items():
        line = target["series"].get("interested-automated")
        if line:
            axis.plot(
                line["minutes"],
                [float("nan") if v is None else v for v in line["share"]],
                marker=".",
                label=name,
            )
            axis.fill_between(
                line["minutes"],
                [float("nan") if v is None else v for v in line["low"]],
                [float("nan") if v is None else v for v in line["high"]],
                alpha=0.2,
            )
    axis.set_title("interested personas (automated): mental-health share by target")
    axis.set_xlabel("minutes scrolled (simulated)")
    axis.set_ylabel("share of served videos")
    axis.set_ylim(0, 1)
    axis.legend(fontsize="small")
    figure.tight_layout()
    path = out / PLOTS_DIR / "mh_share_by_target.png"
    figure.savefig(path)
    plt.close(figure)
    paths.append(path)
    return paths


def _html(result: Mapping[str, Any], plots: Sequence[Path], out: Path) -> str:
    rows = flat(result)
    keys = [key for key in SUMMARY_KEYS if any(key in row for row in rows)]
    head = "".join(f"<th>{html.escape(row['target'])}</th>" for row in rows)
    body = "".join(
        f"<tr><td title='{html.escape(SUMMARY_KEYS[key])}'>{key}</td>"
        + "".join(f"<td>{html.escape(json.dumps(row.get(key)))}</td>" for row in rows)
        + f"<td>{html.escape(SUMMARY_KEYS[key])}</td></tr>"
        for key in keys
    )
    notes = "".join(
        f"<li><b>{html.escape(name)}</b>: {html.escape(note)}</li>"
        for name, target in result["targets"].items()
        for note in target["notes"]
    )
    images = "".join(f"<p><img src='{html.escape(str(p.relative_to(out)))}' alt='{p.stem}'></p>" for p in plots)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>SafeFeed audit: {html.escape(result['scenario'])}</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "td,th{border:1px solid #ccc;padding:4px 8px}table{border-collapse:collapse}</style></head><body>"
        f"<h1>Audit: {html.escape(result['scenario'])}</h1>"
        f"<p>seed {result['seed']}, {result['repetitions']} repetitions, "
        f"catalog of {result['catalog_videos']} videos. "
        "Labels of served items: the catalog's ground truth, else the classifier. "
        "Intervals: 95% session bootstrap.</p>"
        + (f"<h2>Caveats</h2><ul>{notes}</ul>" if notes else "")
        + f"<h2>Summary</h2><table><tr><th>metric</th>{head}<th>meaning</th></tr>{body}</table>"
        + f"<h2>Share of mental-health content over time</h2>{images}</body></html>"
    )


def write(scenario: scenario_module.Scenario, logs: Sequence[runner.Log], out: Path) -> dict[str, Any]:
    """Compute the metrics and write metrics.json, report.html and plots/ under `out`."""
    result = compute(scenario, logs)
    (out / METRICS_FILE).write_text(json.dumps(result, indent=1, sort_keys=False), encoding="utf-8")
    plots = _plot(result, out)
    (out / REPORT_FILE).write_text(_html(result, plots, out), encoding="utf-8")
    return result


def read(out: Path) -> dict[str, Any]:
    path = Path(out) / METRICS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no {METRICS_FILE} in {out}: run `safefeed audit run SCENARIO --out {out}` first")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data
