// The audit lab's report viewer: start a sock-puppet run, follow it, read its metrics and plots.

import * as api from "./api.js";
import { announce, fill, field, h } from "./dom.js";

const POLL_MS = 2000;
// The figures people ask about first; the rest follow in the table.
const HEADLINE = ["mh_share_hour_6", "mh_share_control_hour_6", "ratio_to_control", "minutes_to_half_automated", "harmful_items_minors", "longest_mh_run"];

export async function render(main) {
  let timer = null;
  let urls = [];
  let stopWatching = () => {};
  const listArea = h("div", { id: "audit-list" });
  const reportArea = h("div", { id: "audit-report" });

  async function refreshList() {
    clearTimeout(timer);
    let runs;
    try {
      runs = await api.get("/v1/audits");
    } catch (error) {
      fill(listArea, h("p", { class: "error", role: "alert" }, error.message));
      return;
    }
    fill(
      listArea,
      runs.length
        ? h(
            "ul",
            { class: "runs", "aria-label": "Runs, newest first" },
            runs.map((run) =>
              h(
                "li",
                { "data-audit": run.id },
                h("p", { class: "run-name" }, run.scenario),
                h("p", { class: "hint" }, `Started ${new Date(run.started_at).toLocaleString()}`),
                run.state === "running"
                  ? h(
                      "p",
                      {},
                      h("progress", { max: String(run.total || 1), value: String(run.done), "aria-label": `Progress of ${run.scenario}` }),
                      ` ${run.done} of ${run.total} sessions`,
                    )
                  : run.state === "failed"
                    ? h("p", { class: "error" }, `Failed: ${run.error || "unknown error"}`)
                    : null,
                run.state === "done" ? h("button", { type: "button", onclick: () => showReport(run) }, "View report") : null,
              ),
            ),
          )
        : h("p", { class: "empty" }, "No audits yet. Start one above."),
    );
    if (runs.some((run) => run.state === "running")) timer = setTimeout(refreshList, POLL_MS);
  }

  async function showReport(run) {
    for (const url of urls) URL.revokeObjectURL(url);
    urls = [];
    fill(reportArea, h("p", {}, "Loading the report…"));
    try {
      const result = await api.get(`/v1/audits/${run.id}/report`);
      const names = Object.keys(result.targets);
      const plots = [...names.map((name) => [`plots/mh_share_${name}.png`, `Mental-health share of the feed over time, target ${name}`]), ["plots/mh_share_by_target.png", "Interested personas: mental-health share by target"]];
      const figures = await Promise.all(
        plots.map(async ([path, alt]) => {
          try {
            const url = await api.blobUrl(`/v1/audits/${run.id}/files/${path}`);
            urls.push(url);
            return h("figure", { class: "plot" }, h("img", { src: url, alt, loading: "lazy" }), h("figcaption", {}, alt));
          } catch {
            return null;
          }
        }),
      );
      const download = h("button", { type: "button" }, "Download the full report (HTML)");
      download.addEventListener("click", async () => {
        const url = await api.blobUrl(`/v1/audits/${run.id}/files/report.html`);
        urls.push(url);
        const link = h("a", { href: url, download: `audit-${run.id}.html` });
        document.body.append(link);
        link.click();
        link.remove();
      });
      const [hint, table, stop] = summaryTable(result);
      stopWatching();
      stopWatching = stop;
      fill(
        reportArea,
        h("h2", { id: "report-title", tabindex: "-1" }, `Report: ${result.scenario}`),
        h("p", {}, `Seed ${result.seed}, ${result.repetitions} repetition(s), ${result.catalog_videos} videos in the catalog.`),
        headline(result),
        hint,
        table,
        h("h3", {}, "Share of mental-health videos against minutes scrolled"),
        figures,
        download,
      );
      const heading = reportArea.querySelector("h2");
      heading.focus({ preventScroll: true });
      heading.scrollIntoView({ block: "start" });
    } catch (error) {
      fill(reportArea, h("p", { class: "error", role: "alert" }, error.message));
    }
  }

  const scenario = h("input", { name: "scenario", value: "amnesty-2023", required: true });
  const scale = h("input", { name: "scale", type: "number", min: "0.01", max: "1", step: "0.01", value: "0.05" });
  const repetitions = h("input", { name: "repetitions", type: "number", min: "1", max: "100", value: "1" });
  const line = h("p", { class: "error", role: "alert", hidden: true });
  const form = h(
    "form",
    { class: "card form", "aria-labelledby": "start-title" },
    h("h2", { id: "start-title" }, "Start an audit"),
    field("Scenario", scenario, "A built-in scenario; amnesty-2023 replicates the 2023 sock-puppet study."),
    field("Scale", scale, "Shrinks sessions and catalog: 0.05 runs in a minute or two."),
    field("Repetitions", repetitions),
    line,
    h("button", { type: "submit", class: "primary" }, "Start"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    line.hidden = true;
    try {
      await api.post("/v1/audits", { scenario: scenario.value.trim(), scale: Number(scale.value), repetitions: Number(repetitions.value) });
      announce("Audit started.");
      refreshList();
    } catch (error) {
      line.hidden = false;
      line.textContent = error.message;
    }
  });

  fill(
    main,
    h("h1", {}, "Audits"),
    h(
      "p",
      { class: "lead" },
      "Sock-puppet accounts posing as 13-year-olds scroll the feed; the report shows how much of what they were served " +
        "was about mental health, compared with control accounts.",
    ),
    form,
    h("section", { class: "card", "aria-labelledby": "runs-title" }, h("h2", { id: "runs-title" }, "Runs"), listArea),
    h("section", { class: "card report", "aria-label": "Report" }, reportArea),
  );
  await refreshList();
  return () => {
    clearTimeout(timer);
    stopWatching();
    for (const url of urls) URL.revokeObjectURL(url);
  };
}

function format(value) {
  if (value === null || value === undefined) return "—";
  if (Array.isArray(value)) return `${format(value[0])} – ${format(value[1])}`;
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(3);
  return String(value);
}

function headline(result) {
  const names = Object.keys(result.targets);
  return h(
    "div",
    { class: "headline" },
    names.map((name) => {
      const summary = result.targets[name].summary || {};
      return h(
        "div",
        { class: "stat" },
        h("p", { class: "stat-name" }, name),
        h("p", { class: "stat-value" }, summary.mh_share_hour_6 == null ? "—" : `${Math.round(summary.mh_share_hour_6 * 100)}%`),
        h("p", { class: "hint" }, "of videos in the 6th hour were about mental health"),
      );
    }),
  );
}

/**
 * The metrics table in a box that scrolls sideways within its card (values never wrap to squeeze
 * columns in; the metric names stay in view), with a hint shown whenever there is more to the right.
 * Returns [hint, box, stop]: `stop` ends the watching of the box's size.
 */
function summaryTable(result) {
  const names = Object.keys(result.targets);
  const hint = h("p", { class: "hint scroll-hint", hidden: true }, `Scroll the table sideways to see all ${names.length} targets →`);
  const box = metricsTable(result, names);
  const update = () => {
    hint.hidden = box.scrollWidth <= box.clientWidth + 1;
  };
  const watcher = new ResizeObserver(update);
  watcher.observe(box);
  return [hint, box, () => watcher.disconnect()];
}

function metricsTable(result, names) {
  const definitions = result.definitions || {};
  const keys = [...HEADLINE, ...Object.keys(definitions).filter((key) => !HEADLINE.includes(key))];
  return h(
    "div",
    { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Metrics by target" },
    h(
      "table",
      { class: "metrics" },
      h("caption", {}, "Metrics by target"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Metric"), names.map((name) => h("th", { scope: "col" }, name)))),
      h(
        "tbody",
        {},
        keys.map((key) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, h("span", { class: "metric" }, key), h("span", { class: "definition" }, definitions[key] || "")),
            names.map((name) => {
              const summary = result.targets[name].summary || {};
              const ci = summary[`${key}_ci`];
              return h("td", {}, format(summary[key]), ci ? h("span", { class: "ci" }, `95% CI ${format(ci)}`) : null);
            }),
          ),
        ),
      ),
    ),
  );
}
