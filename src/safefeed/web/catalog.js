// The admin's catalog page: how far the catalog is embedded, while the app already serves it.

import * as api from "./api.js";
import { fill, h } from "./dom.js";

const POLL_MS = 2000;
const number = new Intl.NumberFormat();

export async function render(main) {
  let timer = null;
  let alive = true;
  let previous = null; // {embedded, at}: for the rate
  const area = h("div", { id: "catalog-progress", "aria-live": "polite" }, h("p", {}, "Loading…"));

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
        "turned into a vector, and new videos are picked up every few seconds.",
    ),
    h("section", { class: "card", "aria-labelledby": "embedding-title" }, h("h2", { id: "embedding-title" }, "Embedding"), area),
  );
  await refresh();
  return () => {
    alive = false;
    clearTimeout(timer);
  };
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
