// Family Pairing: the guardian's side (codes, limits, Time Away, content, requests, time summaries)
// and the teen's side (accept a code, see everything the guardian set, ask for more time).

import { bars } from "./chart.js";
import { announce, dayLabel, fill, field, h, minutes, topicName, words } from "./dom.js";
import * as wellbeing from "./wellbeing.js";

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

export async function render(main, { login }) {
  if (login.role === "guardian") {
    await guardianPage(main, login);
    return stopWatching;
  }
  await teenPage(main);
  return null;
}

function errorLine() {
  return h("p", { class: "error", role: "alert", hidden: true });
}

async function attempt(line, act, done) {
  line.hidden = true;
  try {
    const answer = await act();
    if (done) announce(done);
    return answer ?? true;
  } catch (error) {
    line.hidden = false;
    line.textContent = error.message;
    return false;
  }
}

function card(id, title, ...children) {
  return h("section", { class: "card", id, "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title` }, title), children);
}

// Time Away days are ISO weekdays: 1 = Monday ... 7 = Sunday.
function windowText(window) {
  const days = [...window.days].sort().map((day) => WEEKDAYS[day - 1]).join(", ");
  return `${days}: ${hhmm(window.start)}–${hhmm(window.end)}`;
}

function hhmm(time) {
  return String(time).slice(0, 5);
}

function switchText(value) {
  return value === false ? "Turned off by your family" : "Your choice";
}

// -- the teen --------------------------------------------------------------------

async function teenPage(main) {
  const [set, asked] = await Promise.all([wellbeing.familySet(), wellbeing.myRequests().catch(() => [])]);
  const guardians = set.guardians || [];
  const code = h("input", { name: "pairing-code", autocomplete: "off", autocapitalize: "characters", spellcheck: "false" });
  const line = errorLine();
  const form = h(
    "form",
    { class: "inline-form" },
    field("Code from your parent or carer", code, "It looks like K7QM-3RXD. It works once, for 15 minutes."),
    line,
    h("button", { type: "submit", class: "primary" }, "Link with my family"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await attempt(line, () => wellbeing.acceptCode(code.value.trim()), "You're linked with your family.")) {
      await teenPage(main);
      main.querySelector("#family-set-title")?.focus();
    }
  });

  const parts = [
    h("h1", {}, "Family"),
    card(
      "pairing",
      "Family Pairing",
      h(
        "p",
        { class: "explain" },
        "A parent or carer can link to your account to help with screen time and what you see. " +
          "They can see how much time you spend here — never which videos you watch or what you search.",
      ),
      guardians.length ? h("p", { id: "linked-with" }, `Linked with: ${guardians.join(", ")}`) : null,
      set.consent_needed && !guardians.length
        ? h(
            "p",
            { id: "consent-needed" },
            "Until a parent or carer agrees, you see the Following feed: videos of creators you follow, newest first. " +
              "Link with your family to ask them for the For You feed.",
          )
        : null,
      guardians.length ? h("details", {}, h("summary", {}, "Link with another parent or carer"), form) : form,
      guardians.map((guardian) => unlinkGuardian(guardian, () => teenPage(main))),
    ),
  ];
  if (guardians.length) {
    parts.push(familySetCard(set), requestCard(asked));
  }
  fill(main, parts);
}

function unlinkGuardian(guardian, reload) {
  const line = errorLine();
  const area = h("div", { class: "unlink" });
  const start = () => fill(area, h("button", { type: "button", class: "link", onclick: ask }, `Stop Family Pairing with ${guardian}`));
  const ask = () => {
    fill(
      area,
      h("p", {}, `Stop Family Pairing with ${guardian}? What they set is removed, and they'll be told.`),
      h(
        "div",
        { class: "row" },
        h(
          "button",
          {
            type: "button",
            class: "danger",
            onclick: async () => {
              if (await attempt(line, () => wellbeing.unlinkGuardian(guardian), "Family Pairing ended.")) reload();
            },
          },
          "Yes, stop",
        ),
        h("button", { type: "button", onclick: start }, "Cancel"),
      ),
      line,
    );
    area.querySelector("button").focus();
  };
  start();
  return area;
}

function familySetCard(set) {
  const limit = set.daily_limit_minutes;
  const rows = [
    ["Daily limit", limit ? `${limit} minutes a day${set.limit_set_by ? ` (set by ${set.limit_set_by})` : ""}` : "Not set by your family"],
    ["Time Away", set.time_away && set.time_away.length ? set.time_away.map(windowText).join("; ") : "None"],
    ["Words hidden", set.keyword_filters && set.keyword_filters.length ? set.keyword_filters.join(", ") : "None"],
    ["Fewer videos about", set.less_of && set.less_of.length ? set.less_of.map(topicName).join(", ") : "None"],
    ["Personalised feed", switchText(set.personalised)],
    ["Autoplay", switchText(set.autoplay)],
    ["Streaks", switchText(set.streaks)],
    ["For You feed", consentText(set)],
  ];
  return card(
    "family-set",
    "What your family set",
    h("p", { class: "explain" }, "This is everything your family controls. Everything else is up to you."),
    h("dl", { class: "facts", id: "family-controls" }, rows.map(([name, value]) => [h("dt", {}, name), h("dd", {}, value)])),
  );
}

function consentText(set) {
  if (set.feed_consent) return "Your family agreed to it";
  if (set.consent_needed) return "Needs your family's consent: until then you see Following, videos of creators you follow";
  return "Your choice";
}

function requestCard(asked) {
  const list = Array.isArray(asked) ? asked : asked.requests || [];
  const amount = h("select", { name: "minutes" }, [15, 30, 60].map((value) => h("option", { value: String(value) }, `${value} minutes`)));
  const line = errorLine();
  const form = h("form", { class: "inline-form" }, field("Ask for more time today", amount), line, h("button", { type: "submit" }, "Send request"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await attempt(line, () => wellbeing.requestMoreTime(Number(amount.value)), "Request sent to your family.");
  });
  return card(
    "more-time",
    "More time",
    form,
    list.length
      ? h("ul", { class: "plain" }, list.map((request) => h("li", {}, `${request.minutes} minutes — ${statusText(request.status)}`)))
      : null,
  );
}

function statusText(status) {
  return { pending: "waiting for an answer", approved: "approved", denied: "declined" }[status] || status;
}

// -- the guardian ------------------------------------------------------------------

// While a code is out, look for the teen accepting it every few seconds (for its 15 minutes).
let watching = null;

function stopWatching() {
  clearInterval(watching);
  watching = null;
}

function watchForLinks(known, reload) {
  stopWatching();
  const until = Date.now() + 15 * 60 * 1000;
  const mine = setInterval(async () => {
    if (Date.now() > until || !document.getElementById("new-code")) return stopWatching();
    const now = await wellbeing.teens().catch(() => null);
    if (watching !== mine) return; // the page moved on meanwhile
    if (now && now.length !== known) {
      stopWatching();
      announce(`${now[now.length - 1]} accepted your code.`);
      reload();
    }
  }, 3000);
  watching = mine;
}

async function guardianPage(main, login) {
  stopWatching();
  const [linked, pending, inbox] = await Promise.all([
    wellbeing.teens(),
    wellbeing.requests().catch(() => []),
    wellbeing.guardianNotifications().catch(() => []),
  ]);
  const teenIds = linked;
  const reload = () => guardianPage(main, login);
  const codeBox = h("div", { class: "code-box", "aria-live": "polite" });
  const line = errorLine();
  const newCode = h("button", { type: "button", class: "primary", id: "new-code" }, "Get a pairing code");
  newCode.addEventListener("click", async () => {
    const answer = await attempt(line, () => wellbeing.newCode());
    if (!answer) return;
    watchForLinks(teenIds.length, reload);
    fill(
      codeBox,
      h("p", {}, "Your code:"),
      h("p", { class: "pairing-code", id: "pairing-code" }, answer.code),
      h("p", { class: "hint" }, "Your teen opens SafeFeed → Family and types it in. It works once, for 15 minutes."),
    );
  });

  const teenSections = await Promise.all(teenIds.map((id) => teenSection(id, login, pending, reload)));
  const items = Array.isArray(inbox) ? inbox : inbox.notifications || [];
  fill(
    main,
    h("h1", {}, "Family Pairing"),
    card(
      "link-teen",
      "Link a teen",
      h(
        "p",
        { class: "explain" },
        "Get a code and give it to your teen. Once they accept it you can set their daily limit, plan Time Away, " +
          "and tighten what they see. You'll see how much time they spend — never what they watch or search.",
      ),
      newCode,
      line,
      codeBox,
      teenIds.length ? null : h("p", { class: "empty" }, "No teen linked yet."),
      h("button", { type: "button", class: "link", onclick: reload }, "Check for new links"),
    ),
    teenSections,
    card(
      "guardian-inbox",
      "Notifications",
      items.length
        ? h("ul", { class: "inbox" }, items.map((note) => h("li", {}, h("strong", {}, note.title), " ", note.body)))
        : h("p", { class: "empty" }, "No notifications."),
    ),
  );
}

async function teenSection(teenId, login, pending, reload) {
  const [summary, set] = await Promise.all([
    wellbeing.summary(teenId),
    wellbeing.controls(teenId).catch(() => ({})),
  ]);
  const id = `teen-${teenId.replace(/[^a-z0-9_-]/gi, "_")}`;
  const requests = (Array.isArray(pending) ? pending : pending.requests || []).filter(
    (request) => request.teen_id === teenId && request.status === "pending",
  );
  return h(
    "section",
    { class: "card teen", id, "aria-labelledby": `${id}-title`, "data-teen": teenId },
    h("h2", { id: `${id}-title` }, teenId),
    h(
      "p",
      { class: "summary-line" },
      `Today: ${minutes(summary.today_minutes)}. This week: ${minutes(summary.week_minutes)}. `,
      summary.daily_limit_minutes
        ? `Daily limit: ${summary.daily_limit_minutes} minutes${summary.limit_source === "guardian" ? " (set by family)" : ""}.`
        : "No daily limit.",
    ),
    bars({
      id: `${id}-chart`,
      title: `${teenId}: minutes each day, last 7 days`,
      labels: summary.days.map((day) => dayLabel(day.day)),
      values: summary.days.map((day) => day.minutes),
      limit: summary.daily_limit_minutes,
      highlight: summary.days.length - 1,
    }),
    requestsBlock(requests, reload),
    limitForm(teenId, summary, reload),
    passcodeForm(teenId),
    timeAwayForm(teenId, mine(set, login), reload),
    contentForm(teenId, mine(set, login), reload),
    consentForm(teenId, set, mine(set, login), reload),
    unlinkButton(teenId, reload),
  );
}

function requestsBlock(requests, reload) {
  if (!requests.length) return null;
  return h(
    "div",
    { class: "requests" },
    h("h3", {}, "Asking for more time"),
    h(
      "ul",
      { class: "plain" },
      requests.map((request) => {
        const line = errorLine();
        const decide = (approve) => async () => {
          if (await attempt(line, () => wellbeing.decide(request.id, approve), approve ? "Approved." : "Declined.")) reload();
        };
        return h(
          "li",
          {},
          `${request.minutes} more minutes `,
          h("button", { type: "button", onclick: decide(true) }, "Approve"),
          " ",
          h("button", { type: "button", onclick: decide(false) }, "Decline"),
          line,
        );
      }),
    ),
  );
}

function limitForm(teenId, summary, reload) {
  const input = h("input", {
    type: "number", min: "1", max: "1440", inputmode: "numeric", name: "teen-limit",
    value: String(summary.daily_limit_minutes || 60),
  });
  const line = errorLine();
  const form = h(
    "form",
    { class: "inline-form", "data-form": "limit" },
    h("h3", {}, "Daily limit"),
    field(`Minutes a day for ${teenId}`, input),
    line,
    h("button", { type: "submit" }, "Set daily limit"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await attempt(line, () => wellbeing.setTeenLimit(teenId, Number(input.value)), `Daily limit for ${teenId}: ${input.value} minutes.`)) reload();
  });
  if (summary.limit_source === "guardian") {
    form.append(
      h(
        "button",
        {
          type: "button",
          class: "link",
          onclick: async () => {
            if (await attempt(line, () => wellbeing.setTeenLimit(teenId, null), "Your limit was removed.")) reload();
          },
        },
        "Remove my limit",
      ),
    );
  }
  return form;
}

function passcodeForm(teenId) {
  const input = h("input", { type: "password", autocomplete: "new-password", name: "teen-passcode" });
  const line = errorLine();
  const form = h(
    "form",
    { class: "inline-form" },
    h("h3", {}, "Your passcode"),
    field("Passcode that lets your teen keep going", input, "At least 4 characters. Only your passcode unlocks a limit you set."),
    line,
    h("button", { type: "submit" }, "Save passcode"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await attempt(line, () => wellbeing.setTeenPasscode(teenId, input.value), "Passcode saved.")) input.value = "";
  });
  return form;
}

/** This guardian's own controls (lists replace only their own; other guardians' stay). */
function mine(set, login) {
  return (set.by_guardian || []).find((controls) => controls.guardian_id === login.id) || {};
}

function timeAwayForm(teenId, set, reload) {
  const windows = (set.time_away || []).map((window) => ({ days: window.days, start: hhmm(window.start), end: hhmm(window.end) }));
  const days = WEEKDAYS.map((name, index) =>
    h("label", { class: "chip" }, h("input", { type: "checkbox", name: "day", value: String(index + 1) }), name),
  );
  const start = h("input", { type: "time", name: "start", value: "21:00", required: true });
  const end = h("input", { type: "time", name: "end", value: "07:00", required: true });
  const line = errorLine();
  const form = h(
    "form",
    { class: "inline-form" },
    h("h3", {}, "Time Away"),
    h("p", { class: "explain" }, "The feed is paused during these times every week."),
    windows.length
      ? h(
          "ul",
          { class: "words" },
          windows.map((window, index) =>
            h(
              "li",
              {},
              h("span", {}, windowText(window)),
              h(
                "button",
                {
                  type: "button",
                  class: "remove",
                  "aria-label": `Remove Time Away ${windowText(window)}`,
                  onclick: async () => {
                    const rest = windows.filter((_w, other) => other !== index);
                    if (await attempt(line, () => wellbeing.setTimeAway(teenId, rest), "Time Away removed.")) reload();
                  },
                },
                "×",
              ),
            ),
          ),
        )
      : h("p", { class: "empty" }, "No Time Away planned."),
    h("fieldset", { class: "chips" }, h("legend", {}, "Days"), days),
    h("div", { class: "row" }, field("From", start), field("Until", end)),
    line,
    h("button", { type: "submit" }, "Add Time Away"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = [...form.querySelectorAll("input[name=day]:checked")].map((box) => Number(box.value));
    if (!chosen.length) {
      line.hidden = false;
      line.textContent = "Pick at least one day.";
      return;
    }
    const added = [...windows, { days: chosen, start: start.value, end: end.value }];
    if (await attempt(line, () => wellbeing.setTimeAway(teenId, added), "Time Away saved.")) reload();
  });
  return form;
}

function contentForm(teenId, set, reload) {
  const filters = h("input", { name: "teen-filters", value: (set.keyword_filters || []).join(", ") });
  const less = h("input", { name: "teen-less-of", value: (set.less_of || []).join(", ") });
  const switches = [
    ["personalised", "Turn off the personalised feed"],
    ["autoplay", "Turn off autoplay"],
    ["streaks", "Turn off streaks"],
  ].map(([name, label]) =>
    h("div", { class: "check" }, h("input", { type: "checkbox", id: `${teenId}-${name}`, name, checked: set[name] === false }), h("label", { for: `${teenId}-${name}` }, label)),
  );
  const line = errorLine();
  const form = h(
    "form",
    { class: "inline-form" },
    h("h3", {}, "What they see"),
    h("p", { class: "explain" }, "You can only make the feed stricter than your teen's own choices."),
    field("Words and #hashtags to hide", filters, "Separate with commas."),
    field("Fewer videos about these topics", less, "Separate with commas."),
    switches,
    line,
    h("button", { type: "submit" }, "Save content settings"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const change = { keyword_filters: words(filters.value), less_of: words(less.value) };
    for (const name of ["personalised", "autoplay", "streaks"]) change[name] = !form.querySelector(`input[name=${name}]`).checked;
    if (await attempt(line, () => wellbeing.tighten(teenId, change), "Content settings saved.")) reload();
  });
  return form;
}

// Consent to the For You feed: where the law asks for it (New York's SAFE for Kids Act, California's
// SB 976), a teen without it sees only videos of creators they follow, newest first.
function consentForm(teenId, set, own, reload) {
  const line = errorLine();
  const given = own.feed_consent === true;
  const state = set.feed_consent
    ? `${teenId} has the For You feed: you agreed${own.feed_consent_at ? ` on ${String(own.feed_consent_at).slice(0, 10)}` : ""}.`
    : set.consent_needed
      ? `${teenId} sees the Following feed: videos of creators they follow, newest first. The For You feed, which learns what they like, needs your consent first.`
      : `${teenId}'s feed does not need your consent here; you can still record it.`;
  const change = async (granted) => {
    const done = granted ? "Consent to For You given." : "Consent to For You withdrawn.";
    if (await attempt(line, () => wellbeing.setFeedConsent(teenId, granted), done)) reload();
  };
  return h(
    "div",
    { class: "inline-form consent" },
    h("h3", {}, "For You feed"),
    h("p", { class: "explain", "data-consent": String(Boolean(set.feed_consent)) }, state),
    line,
    given
      ? h("button", { type: "button", onclick: () => change(false) }, "Withdraw consent to For You")
      : h("button", { type: "button", onclick: () => change(true) }, "Allow the For You feed"),
  );
}

function unlinkButton(teenId, reload) {
  const line = errorLine();
  const area = h("div", { class: "unlink" });
  const start = () =>
    fill(area, h("button", { type: "button", class: "link", onclick: ask }, `Stop Family Pairing with ${teenId}`));
  const ask = () => {
    fill(
      area,
      h("p", {}, `Stop Family Pairing with ${teenId}? What you set for them is removed, and you'll both be told.`),
      h(
        "div",
        { class: "row" },
        h("button", { type: "button", class: "danger", onclick: async () => { if (await attempt(line, () => wellbeing.unlinkTeen(teenId), "Family Pairing ended.")) reload(); } }, "Yes, stop"),
        h("button", { type: "button", onclick: start }, "Cancel"),
      ),
      line,
    );
    area.querySelector("button").focus();
  };
  start();
  return area;
}
