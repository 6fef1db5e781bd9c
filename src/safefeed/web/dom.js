// Small DOM helpers. Text always goes in as text nodes: nothing from the server becomes HTML.

/**
 * h("button", {type: "button", onclick: f, class: "primary"}, "Like")
 * Attributes starting with "on" become listeners; `null`/`false` attributes are left out.
 */
export function h(tag, attributes = {}, ...children) {
  const element = tag === "svg" || SVG_TAGS.has(tag)
    ? document.createElementNS("http://www.w3.org/2000/svg", tag)
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

const SVG_TAGS = new Set(["rect", "line", "text", "g", "title", "path", "polyline", "circle", "desc"]);

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace everything inside `element`. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A labelled form field: <label for=id>text</label><input id=id ...>. */
export function field(label, input, hint = null) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  const parts = [h("label", { for: id }, label), input];
  if (hint) {
    const hintId = `${id}-hint`;
    input.setAttribute("aria-describedby", hintId);
    parts.push(h("p", { class: "hint", id: hintId }, hint));
  }
  return h("div", { class: "field" }, parts);
}

/** Say something to screen readers (and show it briefly) without moving focus. */
export function announce(message, { kind = "info" } = {}) {
  const region = document.getElementById("toast");
  if (!region) return;
  const note = h("p", { class: `toast ${kind}` }, message);
  region.append(note);
  setTimeout(() => note.remove(), 4000);
}

/** "23 min", "1 h 05 min". */
export function minutes(value) {
  const total = Math.round(value);
  if (total < 60) return `${total} min`;
  return `${Math.floor(total / 60)} h ${String(total % 60).padStart(2, "0")} min`;
}

/** Words typed with commas or new lines between them. */
export function words(text) {
  return text.split(/[,\n]/).map((word) => word.trim()).filter(Boolean);
}

export function topicName(topic) {
  return (topic || "other").replaceAll("_", " ");
}

/** "Mon" for an ISO date ("2026-11-23"), read as a calendar day (no time zone shift). */
export function dayLabel(iso) {
  const [year, month, day] = String(iso).split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day, 12)).toLocaleDateString([], { weekday: "short", timeZone: "UTC" });
}

/** A help line's contact as something to tap: a phone number to call, a site to open, or plain text. */
export function contact(text) {
  const value = String(text).trim();
  if (/^\+?[\d\s()-]{3,}$/.test(value)) return h("a", { href: `tel:${value.replace(/[^\d+]/g, "")}` }, value);
  if (/^(https?:\/\/)?[a-z0-9-]+(\.[a-z0-9-]+)+(\/\S*)?$/i.test(value)) {
    return h("a", { href: value.startsWith("http") ? value : `https://${value}`, rel: "noopener noreferrer", target: "_blank" }, value);
  }
  return value;
}
