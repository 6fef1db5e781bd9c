// Events (watch, like, share...) queue up here and go to the server in small batches.

import * as api from "./api.js";

let queue = [];
let sending = Promise.resolve();
let timer = null;

/**
 * Queue one event; it is sent within two seconds, or at the next `flush()`. Something the person
 * chose to do (a like, a follow, a share) goes at once: `send(event, {now: true})`.
 */
export function send(event, { now = false } = {}) {
  queue.push(event);
  if (now) flush();
  else if (!timer) timer = setTimeout(flush, 2000);
}

/** Send everything queued; resolves once the server has it (so the next page reflects it). */
export function flush() {
  clearTimeout(timer);
  timer = null;
  if (!queue.length) return sending;
  const batch = queue;
  queue = [];
  sending = sending
    .then(() => api.post("/v1/events", batch))
    .catch(() => {
      // A lost watch event only makes the feed learn a little less; never block the person on it.
    });
  return sending;
}

window.addEventListener("pagehide", () => {
  if (!queue.length) return;
  const saved = api.login();
  if (!saved) return;
  fetch("/v1/events", {
    method: "POST",
    keepalive: true,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${saved.token}` },
    body: JSON.stringify(queue),
  });
  queue = [];
});
