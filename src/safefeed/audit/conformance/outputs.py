"""The gate's outputs: conformance.json, JUnit XML (one testcase per requirement) and an HTML table.

The HTML section stands alone as conformance.html and is placed into an
audit's report.html (between markers, so a rerun replaces it) when one is there.
"""

from __future__ import annotations

import html
import json
import os
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from safefeed.audit.conformance import results

JSON_FILE = "conformance.json"
JUNIT_FILE = "conformance-junit.xml"
HTML_FILE = "conformance.html"
REPORT_FILE = "report.html"
BEGIN, END = "<!-- conformance:begin -->", "<!-- conformance:end -->"


def _atomic(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def document(header: Mapping[str, Any], found: Sequence[results.Result], regressions: Sequence[str]) -> dict[str, Any]:
    return {
        **header,
        "counts": results.counts(found),
        "passed": not results.failed(found) and not regressions,
        "regressions": list(regressions),
        "results": [result.to_json() for result in found],
    }


def junit(doc: Mapping[str, Any]) -> str:
    """One testcase per requirement: <failure> for a fail or regression, <error>, <skipped> for not testable."""
    found = [results.Result.from_json(entry) for entry in doc["results"]]
    counts = doc["counts"]
    suite = ElementTree.Element(
        "testsuite",
        name=f"conformance[{doc['target']}]",
        tests=str(len(found)),
        failures=str(counts["fail"]),
        errors=str(counts["error"]),
        skipped=str(counts["not_testable"]),
        time=f"{sum(r.seconds for r in found):.2f}",
    )
    for result in found:
        case = ElementTree.SubElement(
            suite, "testcase", classname=f"conformance.{doc['target']}", name=f"{result.number:02d} {result.id}"
        )
        case.set("time", f"{result.seconds:.2f}")
        if result.verdict == "fail":
            ElementTree.SubElement(case, "failure", message=result.reason).text = _lines(result)
        elif result.verdict == "error":
            ElementTree.SubElement(case, "error", message=result.reason)
        elif result.verdict == "not_testable":
            ElementTree.SubElement(case, "skipped", message=f"not testable: {result.reason}")
        ElementTree.SubElement(case, "system-out").text = _lines(result)
    if doc["regressions"]:
        case = ElementTree.SubElement(suite, "testcase", classname=f"conformance.{doc['target']}", name="baseline")
        ElementTree.SubElement(case, "failure", message="regression against the baseline").text = "\n".join(
            doc["regressions"]
        )
        suite.set("tests", str(len(found) + 1))
        suite.set("failures", str(counts["fail"] + 1))
    ElementTree.indent(suite)
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def _lines(result: results.Result) -> str:
    rows = [
        f"{m.name}: {results.describe(m)}; threshold {m.comparator} {m.threshold:g} on the {m.judge}; {m.detail}"
        for m in result.measures
    ]
    return "\n".join([*rows, *result.notes])


def _sources(result: results.Result) -> str:
    return "<br>".join(
        f"<b>{html.escape(s['instrument'])} {html.escape(s['provision'])}</b>: {html.escape(s['paraphrase'])}"
        for s in result.sources
    )


def section(doc: Mapping[str, Any]) -> str:
    """The table: requirement, source, metric, threshold, measured with interval, verdict."""
    rows = []
    for entry in doc["results"]:
        result = results.Result.from_json(entry)
        verdict = result.verdict.replace("_", " ")
        label = f"{verdict}" + (f": {html.escape(result.reason)}" if result.reason else "")
        measures = result.measures or ()
        span = max(1, len(measures))
        head = (
            f"<td rowspan={span}>{result.number}. {html.escape(result.title)}</td>"
            f"<td rowspan={span}>{_sources(result)}</td>"
        )
        tail = f"<td rowspan={span} class='{result.verdict}'>{label}</td>"
        if not measures:
            rows.append(f"<tr>{head}<td colspan=3>-</td>{tail}</tr>")
            continue
        for index, m in enumerate(measures):
            cells = (
                f"<td>{html.escape(m.metric)}<br><small>{html.escape(m.detail)}</small></td>"
                f"<td>{m.comparator} {m.threshold:g} ({m.judge})<br><small>{html.escape(m.why)}</small></td>"
                f"<td class='{'pass' if m.passed else 'fail'}'>{html.escape(results.describe(m))}</td>"
            )
            rows.append(f"<tr>{head if index == 0 else ''}{cells}{tail if index == 0 else ''}</tr>")
    counts = doc["counts"]
    regressions = "".join(f"<li>{html.escape(r)}</li>" for r in doc["regressions"])
    return (
        f"{BEGIN}\n<section id='conformance'><h2>Conformance: {html.escape(str(doc['target']))}</h2>"
        f"<p>{counts['pass']} pass, {counts['fail']} fail, {counts['not_testable']} not testable, "
        f"{counts['error']} error; scale {doc['scale']}, seed {doc['seed']}, {doc['catalog_videos']} videos. "
        f"Intervals are 95%; items within a session are not independent, so they are somewhat narrow.</p>"
        + (f"<p><b>Regressions against the baseline:</b></p><ul>{regressions}</ul>" if regressions else "")
        + "<table><tr><th>requirement</th><th>source</th><th>metric</th><th>threshold</th>"
        "<th>measured (95% CI)</th><th>verdict</th></tr>" + "".join(rows) + f"</table></section>\n{END}"
    )


STYLE = (
    "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:4px;vertical-align:top}.pass{background:#e6f4ea}"
    ".fail,.error{background:#fce8e6}.not_testable{background:#f1f3f4}</style>"
)


def write(doc: Mapping[str, Any], out: Path) -> list[Path]:
    """conformance.json, the JUnit file and conformance.html; also into report.html if the folder has one."""
    out.mkdir(parents=True, exist_ok=True)
    _atomic(out / JSON_FILE, json.dumps(doc, indent=1, default=str))
    _atomic(out / JUNIT_FILE, junit(doc))
    body = section(doc)
    _atomic(
        out / HTML_FILE, f"<!doctype html><html><head><meta charset='utf-8'>{STYLE}</head><body>{body}</body></html>\n"
    )
    written = [out / JSON_FILE, out / JUNIT_FILE, out / HTML_FILE]
    report = out / REPORT_FILE
    if report.is_file():
        _atomic(report, embed(report.read_text(encoding="utf-8"), body))
        written.append(report)
    return written


def embed(page: str, body: str) -> str:
    """The report with the conformance section replaced (or added before </body>)."""
    if BEGIN in page and END in page:
        return page[: page.index(BEGIN)] + body + page[page.index(END) + len(END) :]
    if "</body>" in page:
        at = page.rindex("</body>")
        return page[:at] + body + page[at:]
    return page + body
