// The admin's catalog page: import a catalog file and follow the import, and see how far the catalog
// is embedded while the app already serves it.

import * as api from "./api.js";
import { announce, field, fill, h } from "./dom.js";

const POLL_MS = 2000;
const IMPORT_POLL_MS = 500;
const number = new Intl.NumberFormat();
// What each step of an import is called on screen (the job's `phase`).
const PHASES = {
  queued: "Waiting for another import to finish",
  classifying: "Labelling captions",
  embedding: "Embedding captions",
  storing: "Saving the catalog",
  serving: "Adding the videos to the feed",
};

export async function render(main) {
  let timer = null;
  let importTimer = null;
  let alive = true;
  let previous = null; // {embedded, at}: for the rate
  const area = h("div", { id: "catalog-progress", "aria-live": "polite" }, h("p", {}, "Loading…"));
  const importArea = h("div", { id: "import-progress", "aria-live": "polite" });

  async function follow(location) {
    clearTimeout(importTimer);
    let job;
    try {
      job = await api.get(location);
    } catch (error) {
      if (alive) fill(importArea, h("p", { class: "error", role: "alert" }, error.message));
      return;
    }
    if (!alive) return;
    fill(importArea, importView(job));
    if (job.state === "running") {
      importTimer = setTimeout(() => follow(location), IMPORT_POLL_MS);
    } else {
      if (job.state === "done") announce(`Imported ${number.format(job.videos)} videos.`);
      refresh();
    }
  }

  const file = h("input", { name: "catalog", type: "file", accept: ".csv,.jsonl,.ndjson,.parquet", required: true });
  const format = h(
    "select",
    { name: "format" },
    ["auto", "csv", "jsonl", "parquet"].map((value) => h("option", { value }, value === "auto" ? "From the file name" : value.toUpperCase())),
  );
  const line = h("p", { class: "error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "primary" }, "Import");
  const form = h(
    "form",
    { class: "card form", "aria-labelledby": "import-title" },
    h("h2", { id: "import-title" }, "Import a catalog"),
    field("Catalog file", file, "CSV, JSONL or Parquet, one video a row. A file with any bad row is refused whole, and the error names the row."),
    field("Format", format),
    line,
    submit,
    importArea,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) return;
    line.hidden = true;
    submit.disabled = true;
    fill(importArea, h("p", {}, `Checking ${chosen.name}…`));
    try {
      const { body, headers } = await api.upload("/v1/admin/catalog", chosen, { query: { filename: chosen.name, format: format.value } });
      fill(importArea, importView(body));
      await follow(headers.get("Location") || `/v1/admin/catalog/imports/${body.id}`);
    } catch (error) {
      fill(importArea);
      line.textContent = error.message;
      line.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });

  async function refresh() {
    clearTimeout(timer);
    let progress;
    try {
      progress = await api.get("/v1/admin/catalog/progress");
    } catch (error) {
      if (alive) fill(area, h("p", { class: "error", role: "alert" }, error.message));
      return;
    }
    if (!alive) return;
    const now = Date.now();
    let rate = null;
    if (previous && progress.embedded > previous.embedded) {
      rate = ((progress.embedded - previous.embedded) * 1000) / (now - previous.at);
    }
    previous = { embedded: progress.embedded, at: now };
    fill(area, view(progress, rate));
    if (!progress.complete) timer = setTimeout(refresh, POLL_MS);
  }

  fill(
    main,
    h("h1", {}, "Catalog"),
    h(
      "p",
      { class: "lead" },
      "The app serves the catalog while it is being embedded: each video joins the feed once its text has been " +
        "turned into a vector, and new videos are picked up every few seconds. An imported file is labelled and " +
        "embedded in the background; follow it here.",
    ),
    form,
    h("section", { class: "card", "aria-labelledby": "embedding-title" }, h("h2", { id: "embedding-title" }, "Embedding"), area),
  );
  await refresh();
  // An import started earlier (here or in another tab) that is still running: follow it.
  try {
    const [latest] = await api.get("/v1/admin/catalog/imports");
    if (alive && latest && latest.state === "running") follow(`/v1/admin/catalog/imports/${latest.id}`);
  } catch {
    // The list is a convenience; the page works without it.
  }
  return () => {
    alive = false;
    clearTimeout(timer);
    clearTimeout(importTimer);
  };
}

function importView(job) {
  const name = `${job.filename}: ${number.format(job.videos)} videos from ${number.format(job.creators)} creators`;
  if (job.state === "done") {
    return [
      h("progress", { max: "1", value: "1", "aria-label": "Import progress" }),
      h("p", { class: "progress-line" }, `Imported ${name}. They are in the feed now.`),
    ];
  }
  if (job.state === "failed") {
    const step = (PHASES[job.phase] || "starting").toLowerCase();
    return h("p", { class: "error", role: "alert" }, `The import of ${job.filename} failed while ${step}: ${job.error || "unknown error"}.`);
  }
  const step = PHASES[job.phase] || "Starting";
  const counted = job.total && job.phase !== "queued" ? ` (${number.format(job.done)} of ${number.format(job.total)})` : "";
  return [
    h("progress", { max: String(job.total || 1), value: String(job.done), "aria-label": "Import progress" }),
    h("p", { class: "progress-line" }, `${step}${counted}.`),
    h("p", { class: "hint" }, `Importing ${name}.`),
  ];
}

function view(progress, rate) {
  const { videos, embedded, recommendable, complete } = progress;
  const share = videos ? Math.floor((embedded / videos) * 100) : 100;
  const left = videos - embedded;
  return [
    h("progress", { max: String(videos || 1), value: String(embedded), "aria-label": "Videos embedded" }),
    h("p", { class: "progress-line" }, `${number.format(embedded)} of ${number.format(videos)} videos embedded (${share}%).`),
    h(
      "p",
      {},
      complete
        ? `All ${number.format(videos)} videos are in the feed.`
        : `${number.format(recommendable)} are in the feed now; the rest join as their vectors arrive.`,
    ),
    !complete && rate && left > 0
      ? h("p", { class: "hint" }, `About ${number.format(Math.round(rate))} videos a second; done in about ${duration(left / rate)}.`)
      : null,
  ];
}

function duration(seconds) {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  return `${Math.round(seconds / 60)} min`;
}
