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

from safefeed.audit import runner, summary
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
    "engine_labels": "which labels the target acted on: 'classifier' (at import, with probability), 'reviewed', "
    "or a noisy oracle the auditor derived from the answer key at the given recall and false-positive rate",
    "scored_by": "which labels scored the served items: the answer key (the truth) or SafeFeed's classifier",
    "minor_impressions": "items served to under-18 personas",
    "harmful_per_10k_minor_impressions": "potentially harmful or violative items per 10,000 items served to minors",
    "harmful_per_10k_minor_impressions_upper95": "its exact one-sided 95% upper bound (Clopper-Pearson; "
    "a zero count is never a bare 0)",
    "mh_share_interested_corrected": "interested personas' mental-health share, corrected for the scorer's error "
    "(Rogan-Gladen with the classifier's sensitivity/specificity on real captions; the share itself when the "
    "answer key scored it), with a 95% interval carrying session, sensitivity and specificity uncertainty",
    "mh_share_control_corrected": "the same for control personas",
    "mh_share_hour_6_corrected": "the 6th-hour share of interested automated personas, corrected the same way",
    "scorer_sensitivity": "the classifier's sensitivity on the real labelled captions (grouped cross-validation)",
    "scorer_specificity": "its specificity on their random stratum",
}

SWEEP_FILE = "sweep.json"
SWEEP_REPORT = "sweep.html"


def compute(scenario: scenario_module.Scenario, logs: Sequence[runner.Log]) -> dict[str, Any]:
    durations = {p.id: p.schedule.session_minutes * p.schedule.sessions for p in scenario.personas}
    targets = summary.summarise(
        logs, durations, baseline=scenario.baseline, window=scenario.window_minutes, seed=scenario.seed
    )
    order = [t.name for t in scenario.targets if t.name in targets]
    return {
        "scenario": scenario.name,
        "seed": scenario.seed,
        "repetitions": scenario.repetitions,
        "catalog_videos": scenario.catalog.videos,
        "engine_labels": scenario.engine_labels,
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
        f"SafeFeed's engine acted on <b>{html.escape(str(result.get('engine_labels', 'classifier')))}</b> labels; "
        "served items are scored by the world's answer key (which the engine never reads), else by the "
        "classifier, corrected for its measured error. Intervals: 95% session bootstrap; counts of zero carry "
        "their exact 95% upper bound.</p>"
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


def _sweep_rows(runs: Sequence[tuple[float, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    rows = []
    for recall, result in runs:
        for row in flat(result):
            rows.append({"label_recall": recall, **row})
    return rows


def write_sweep(runs: Sequence[tuple[float, Mapping[str, Any]]], out: Path) -> dict[str, Any]:
    """The same scenario at several label recalls: sweep.json, sweep.html and plots/label_sweep.png.

    The plot: harmful items per 10,000 minor impressions (with the 95% upper bound) and the highest
    mental-health share in any 20-item window, against the recall of the labels the engine saw, one line
    per target (the engagement baseline and SafeFeed), so it shows where each protection gives way.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = _sweep_rows(runs)
    result = {"runs": rows, "definitions": dict(SUMMARY_KEYS)}
    out.mkdir(parents=True, exist_ok=True)
    (out / SWEEP_FILE).write_text(json.dumps(result, indent=1), encoding="utf-8")
    (out / PLOTS_DIR).mkdir(parents=True, exist_ok=True)
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4), dpi=100)
    for target in sorted({row["target"] for row in rows}):
        mine = sorted((row for row in rows if row["target"] == target), key=lambda row: row["label_recall"])
        recalls = [row["label_recall"] for row in mine]
        rate = [row.get("harmful_per_10k_minor_impressions") or 0.0 for row in mine]
        upper = [row.get("harmful_per_10k_minor_impressions_upper95") or 0.0 for row in mine]
        line = left.plot(recalls, rate, marker="o", label=target)[0]
        left.plot(recalls, upper, linestyle="--", color=line.get_color(), linewidth=0.8)
        right.plot(recalls, [row.get("max_mh_share_window_20") or 0.0 for row in mine], marker="o", label=target)
    left.set_title("harmful items per 10,000 minor impressions\n(dashed: 95% upper bound)")
    left.set_xlabel("recall of the labels the engine saw")
    left.set_yscale("symlog", linthresh=1.0)
    left.axhline(1.0, color="grey", linewidth=0.5)
    right.set_title("highest mental-health share in any 20 items (minors)")
    right.set_xlabel("recall of the labels the engine saw")
    right.set_ylim(0, 1)
    right.axhline(0.15, color="grey", linewidth=0.5)
    right.legend(fontsize="small")
    figure.tight_layout()
    path = out / PLOTS_DIR / "label_sweep.png"
    figure.savefig(path)
    plt.close(figure)
    keys = ["engine_labels", "harmful_per_10k_minor_impressions", "harmful_per_10k_minor_impressions_upper95",
            "max_mh_share_window_20", "ratio_to_control", "mh_share_hour_6"]  # fmt: skip
    body = "".join(
        f"<tr><td>{row['label_recall']}</td><td>{html.escape(row['target'])}</td>"
        + "".join(f"<td>{html.escape(json.dumps(row.get(key)))}</td>" for key in keys)
        + "</tr>"
        for row in rows
    )
    (out / SWEEP_REPORT).write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>SafeFeed audit: label-quality sweep</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "td,th{border:1px solid #ccc;padding:4px 8px}table{border-collapse:collapse}</style></head><body>"
        "<h1>Label-quality sweep</h1><p>The same scenario with SafeFeed acting on noisy-oracle labels of "
        "each recall (derived by the auditor from the answer key); every run is scored by the answer key.</p>"
        f"<p><img src='{PLOTS_DIR}/label_sweep.png' alt='label sweep'></p><table><tr><th>recall</th>"
        "<th>target</th>" + "".join(f"<th>{key}</th>" for key in keys) + f"</tr>{body}</table></body></html>",
        encoding="utf-8",
    )
    return result
