// The API client: every call carries the bearer token; errors become ApiError with the server's message.

const STORE = window.sessionStorage;
const KEY = "safefeed.login";

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** The saved login: {token, id, role} or null. */
export function login() {
  try {
    return JSON.parse(STORE.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

export function saveLogin(value) {
  if (value) STORE.setItem(KEY, JSON.stringify(value));
  else STORE.removeItem(KEY);
}

let onSignedOut = () => {};

/** Called when the server says the token is no longer good (expired, revoked). */
export function whenSignedOut(callback) {
  onSignedOut = callback;
}

function message(status, body) {
  if (body && typeof body.detail === "string") return body.detail;
  if (body && Array.isArray(body.detail)) return body.detail.map((d) => d.msg || String(d)).join("; ");
  if (status === 0) return "Can't reach SafeFeed. Check your connection and try again.";
  return `Something went wrong (error ${status}). Try again in a moment.`;
}

/**
 * call("GET", "/v1/feed", {query: {n: 10}}) -> parsed JSON (or null for 204).
 * `form` sends application/x-www-form-urlencoded; `file` sends a File or Blob as the body;
 * `raw` returns the Response; `withHeaders` returns {body, headers}.
 */
export async function call(method, path, { json, form, file, query, raw = false, withHeaders = false, auth = true } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== null && value !== undefined && value !== "") url.searchParams.set(name, String(value));
  }
  const headers = { Accept: "application/json" };
  const saved = login();
  if (auth && saved) headers.Authorization = `Bearer ${saved.token}`;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = new URLSearchParams(form);
  } else if (file !== undefined) {
    headers["Content-Type"] = "application/octet-stream";
    body = file;
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body });
  } catch {
    throw new ApiError(0, message(0, null), null);
  }
  if (raw && response.ok) return response;
  if (response.status === 204) return null;
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { detail: text };
  }
  if (!response.ok) {
    if (response.status === 401 && auth && saved) onSignedOut();
    throw new ApiError(response.status, message(response.status, parsed), parsed);
  }
  return withHeaders ? { body: parsed, headers: response.headers } : parsed;
}

export const get = (path, options) => call("GET", path, options);
export const post = (path, json, options = {}) => call("POST", path, { ...options, json });
export const patch = (path, json, options = {}) => call("PATCH", path, { ...options, json });
export const put = (path, json, options = {}) => call("PUT", path, { ...options, json });
export const del = (path, options) => call("DELETE", path, options);
/** POST a file as the request body: {body, headers} (a 202's Location says where to follow the job). */
export const upload = (path, file, options = {}) => call("POST", path, { ...options, file, withHeaders: true });

/** A file behind the bearer token as an object URL (for <img src> and downloads). */
export async function blobUrl(path) {
  const response = await call("GET", path, { raw: true });
  return URL.createObjectURL(await response.blob());
}
