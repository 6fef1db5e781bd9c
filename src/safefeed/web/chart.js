// A bar chart drawn as inline SVG, with a table beside it for screen readers.

import { h } from "./dom.js";

/**
 * bars({title, labels, values, limit, unit}) -> <figure> with an SVG chart and a data table.
 * `limit` (optional) draws a dashed line across, e.g. the daily limit.
 */
export function bars({ id, title, labels, values, limit = null, unit = "min", highlight = -1 }) {
  const width = 360;
  const height = 180;
  const left = 34;
  const bottom = 24;
  const top = 10;
  const plotWidth = width - left - 6;
  const plotHeight = height - bottom - top;
  const peak = Math.max(1, limit || 0, ...values);
  const scale = niceMax(peak);
  const step = plotWidth / Math.max(1, values.length);
  const barWidth = Math.max(2, step * 0.7);
  const y = (value) => top + plotHeight - (value / scale) * plotHeight;

  const svg = h(
    "svg",
    {
      viewBox: `0 0 ${width} ${height}`,
      class: "chart",
      role: "img",
      "aria-labelledby": `${id}-caption`,
      preserveAspectRatio: "xMidYMid meet",
    },
  );
  for (const tick of [0, scale / 2, scale]) {
    svg.append(
      h("line", { x1: left, x2: width - 4, y1: y(tick), y2: y(tick), class: "grid" }),
      h("text", { x: left - 4, y: y(tick) + 4, class: "axis", "text-anchor": "end" }, String(Math.round(tick))),
    );
  }
  values.forEach((value, index) => {
    const x = left + index * step + (step - barWidth) / 2;
    const bar = h("rect", {
      x: x.toFixed(1),
      y: y(value).toFixed(1),
      width: barWidth.toFixed(1),
      height: Math.max(0, top + plotHeight - y(value)).toFixed(1),
      class: index === highlight ? "bar today" : limit && value >= limit ? "bar over" : "bar",
    });
    bar.append(h("title", {}, `${labels[index]}: ${Math.round(value)} ${unit}`));
    svg.append(bar);
    const every = values.length > 12 ? 6 : 1;
    if (index % every === 0) {
      svg.append(h("text", { x: (x + barWidth / 2).toFixed(1), y: height - 8, class: "axis", "text-anchor": "middle" }, labels[index]));
    }
  });
  if (limit) {
    svg.append(
      h("line", { x1: left, x2: width - 4, y1: y(limit), y2: y(limit), class: "limit" }),
      h("text", { x: width - 6, y: y(limit) - 4, class: "axis limit-label", "text-anchor": "end" }, `limit ${limit}`),
    );
  }
  const table = h(
    "table",
    { class: "chart-table" },
    h("caption", { class: "visually-hidden" }, title),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "When"), h("th", { scope: "col" }, `Minutes`))),
    h("tbody", {}, labels.map((label, index) => h("tr", {}, h("th", { scope: "row" }, label), h("td", {}, String(Math.round(values[index])))))),
  );
  return h(
    "figure",
    { class: "chart-figure", id },
    h("figcaption", { id: `${id}-caption` }, title),
    svg,
    h("details", { class: "table-toggle" }, h("summary", {}, "Show as a table"), table),
  );
}

function niceMax(value) {
  for (const candidate of [10, 15, 30, 60, 90, 120, 180, 240, 360, 480, 720, 1440, 2880, 10080]) {
    if (value <= candidate) return candidate;
  }
  return Math.ceil(value / 1000) * 1000;
}
