// The well-being and Family Pairing calls, in one place (every URL of /v1/wellbeing and /v1/family).

import * as api from "./api.js";

const W = "/v1/wellbeing";
const F = "/v1/family";

// -- the teen's own ------------------------------------------------------------

export const acknowledge = (kind) => api.post(`${W}/prompts/${encodeURIComponent(kind)}/acknowledge`);
export const confirmWindDown = () => api.post(`${W}/wind-down/confirm`, {});
export const unlock = (passcode) => api.post(`${W}/unlock`, { passcode });
export const setPasscode = (passcode) => api.put(`${W}/passcode`, { passcode });
export const setLimit = (minutes) => api.put(`${W}/limit`, { minutes });
export const setSessionPrompt = (minutes) => api.put(`${W}/session-prompt`, { minutes });
export const setQuietHours = (start, end) => api.put(`${W}/quiet-hours`, start ? { start, end } : null);
export const features = () => api.get(`${W}/features`);
export const setFeatures = (changes) => api.patch(`${W}/features`, changes);
export const dashboard = (days = 7) => api.get(`${W}/screen-time`, { query: { days } });
export const notifications = () => api.get(`${W}/notifications`);
export const requestMoreTime = (minutes) => api.post(`${F}/requests`, { minutes });
export const myRequests = () => api.get(`${F}/requests`);

// -- Family Pairing: the teen's side ------------------------------------------------

export const acceptCode = (code) => api.post(`${F}/pair`, { code });
export const familySet = () => api.get(`${F}/controls`);
export const unlinkGuardian = (guardianId) => api.del(`${F}/guardians/${encodeURIComponent(guardianId)}`);

// -- Family Pairing: the guardian's side ---------------------------------------------

export const newCode = () => api.post(`${F}/codes`, {});
export const teens = () => api.get(`${F}/teens`);
const teen = (id) => `${F}/teens/${encodeURIComponent(id)}`;
export const summary = (id) => api.get(`${teen(id)}/summary`);
/** What the guardians set for a teen (the teen sees the same on their Family page). */
export const controls = (id) => api.get(`${teen(id)}/content`);
export const setTeenLimit = (id, minutes) => api.put(`${teen(id)}/limit`, { minutes });
export const setTeenPasscode = (id, passcode) => api.put(`${teen(id)}/passcode`, { passcode });
export const setTimeAway = (id, windows) => api.put(`${teen(id)}/time-away`, { windows });
export const tighten = (id, changes) => api.patch(`${teen(id)}/content`, changes);
export const setFeedConsent = (id, granted) => api.put(`${teen(id)}/feed-consent`, { granted });
export const unlinkTeen = (id) => api.del(teen(id));
export const requests = () => api.get(`${F}/requests`);
export const decide = (requestId, approve) => api.post(`${F}/requests/${requestId}/decision`, { approve });
export const guardianNotifications = () => api.get(`${W}/notifications`);

/** Seconds from the server's "now" (when a page told us) or the browser's, until `iso`; 0 if past. */
let serverOffsetMs = 0;
export function noteServerTime(iso) {
  if (iso) serverOffsetMs = new Date(iso).getTime() - Date.now();
}
export function secondsUntil(iso) {
  if (!iso) return 0;
  const seconds = (new Date(iso).getTime() - (Date.now() + serverOffsetMs)) / 1000;
  return Math.max(0, Math.min(60, seconds));
}
