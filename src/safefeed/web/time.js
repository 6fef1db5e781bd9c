// Screen time: the dashboard (by day and by hour), your own limit, passcode, break reminders,
// quiet hours, autoplay and your notifications.

import { bars } from "./chart.js";
import { announce, dayLabel, fill, field, h, minutes } from "./dom.js";
import * as wellbeing from "./wellbeing.js";

export async function render(main) {
  const [board, features, inbox] = await Promise.all([
    wellbeing.dashboard(7),
    wellbeing.features().catch(() => null),
    wellbeing.notifications().catch(() => []),
  ]);
  const state = { view: "day" };
  const chartArea = h("div", { class: "chart-area" });

  const drawChart = () => {
    if (state.view === "day") {
      const labels = board.days.map((day) => dayLabel(day.day));
      fill(
        chartArea,
        bars({
          id: "chart-days",
          title: "Minutes each day, last 7 days",
          labels,
          values: board.days.map((day) => day.minutes),
          limit: board.daily_limit_minutes,
          highlight: board.days.length - 1,
        }),
      );
    } else {
      fill(
        chartArea,
        bars({
          id: "chart-hours",
          title: "When you watch: minutes in each hour of the day, last 7 days",
          labels: board.by_hour.map((_value, hour) => `${String(hour).padStart(2, "0")}:00`),
          values: board.by_hour,
        }),
      );
    }
    for (const button of main.querySelectorAll(".chart-tabs button")) {
      button.setAttribute("aria-pressed", String(button.dataset.view === state.view));
    }
  };
  const tab = (view, label) =>
    h("button", { type: "button", class: "tab", "data-view": view, onclick: () => { state.view = view; drawChart(); } }, label);

  const limit = board.daily_limit_minutes;
  const source = features && features.daily_limit ? features.daily_limit.source : null;
  fill(
    main,
    h("h1", {}, "Screen time"),
    h(
      "section",
      { class: "card", "aria-labelledby": "today-title" },
      h("h2", { id: "today-title" }, "Today"),
      h("p", { class: "big", id: "today-minutes" }, minutes(board.today_minutes)),
      h(
        "p",
        { id: "limit-line" },
        limit
          ? `Your daily limit: ${limit} minutes${source === "guardian" ? " (set by your family)" : ""}. ` +
              `${Math.max(0, Math.round(limit - board.today_minutes))} minutes left today.`
          : "You have no daily limit.",
      ),
      h("p", {}, `On average: ${minutes(board.average_minutes)} a day this week.`),
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "chart-title" },
      h("h2", { id: "chart-title" }, "Your week"),
      h("div", { class: "tabs chart-tabs", role: "group", "aria-label": "Show by" }, tab("day", "By day"), tab("hour", "By hour")),
      chartArea,
    ),
    limitSection(limit, source),
    passcodeSection(),
    remindersSection(features),
    inboxSection(inbox),
  );
  drawChart();
}

function errorLine() {
  return h("p", { class: "error", role: "alert", hidden: true });
}

async function attempt(line, act, done) {
  line.hidden = true;
  try {
    await act();
    announce(done);
    return true;
  } catch (error) {
    line.hidden = false;
    line.textContent = error.message;
    return false;
  }
}

function limitSection(limit, source) {
  const input = h("input", { type: "number", min: "1", max: "1440", inputmode: "numeric", name: "daily-limit", value: String(limit || 60) });
  const line = errorLine();
  const form = h("form", { class: "inline-form" }, field("My daily limit (minutes)", input), line, h("button", { type: "submit" }, "Save limit"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await attempt(line, () => wellbeing.setLimit(Number(input.value)), `Daily limit set to ${input.value} minutes.`);
  });
  const off = h("button", { type: "button", class: "link" }, "Turn my limit off");
  off.addEventListener("click", () => attempt(line, () => wellbeing.setLimit(null), "Daily limit turned off."));
  return h(
    "section",
    { class: "card", "aria-labelledby": "limit-title" },
    h("h2", { id: "limit-title" }, "Daily limit"),
    source === "guardian"
      ? h("p", { class: "explain" }, "Your family set this limit with Family Pairing. Ask them if you want to change it.")
      : h("p", { class: "explain" }, "When you reach it, the feed pauses. You can keep going with your passcode."),
    source === "guardian" ? null : form,
    source === "guardian" ? null : off,
  );
}

function passcodeSection() {
  const input = h("input", { type: "password", autocomplete: "new-password", name: "passcode" });
  const line = errorLine();
  const form = h(
    "form",
    { class: "inline-form" },
    field("New passcode", input, "At least 4 characters. You need it to keep watching after your limit."),
    line,
    h("button", { type: "submit" }, "Save passcode"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await attempt(line, () => wellbeing.setPasscode(input.value), "Passcode saved.")) input.value = "";
  });
  return h("section", { class: "card", "aria-labelledby": "passcode-title" }, h("h2", { id: "passcode-title" }, "Passcode"), form);
}

function remindersSection(features) {
  const every = h("input", {
    type: "number", min: "1", max: "1440", inputmode: "numeric", name: "session-prompt",
    value: String((features && features.session_prompt_minutes) || 30),
  });
  const line = errorLine();
  const form = h("form", { class: "inline-form" }, field("Remind me to take a break after (minutes)", every), line, h("button", { type: "submit" }, "Save"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await attempt(line, () => wellbeing.setSessionPrompt(Number(every.value)), `You'll get a break reminder every ${every.value} minutes.`);
  });
  const parts = [h("h2", { id: "reminders-title" }, "Breaks, night and notifications"), form];
  if (features) parts.push(quietHours(features), switches(features));
  return h("section", { class: "card", "aria-labelledby": "reminders-title" }, parts);
}

function quietHours(features) {
  const quiet = features.quiet_hours;
  const text = quiet
    ? `No notifications between ${quiet[0].slice(0, 5)} and ${quiet[1].slice(0, 5)}` +
      (features.quiet_hours_locked ? " (fixed for your age, to protect your sleep)." : ".")
    : "Notifications can come at any time.";
  if (features.quiet_hours_locked || !quiet) return h("p", { id: "quiet-hours" }, text);
  const start = h("input", { type: "time", name: "quiet-start", value: quiet[0].slice(0, 5) });
  const end = h("input", { type: "time", name: "quiet-end", value: quiet[1].slice(0, 5) });
  const line = errorLine();
  const form = h(
    "form",
    { class: "inline-form" },
    h("p", { id: "quiet-hours" }, text),
    h("div", { class: "row" }, field("Quiet from", start), field("Until", end)),
    h("p", { class: "hint" }, "You can move your quiet hours, but not make them shorter."),
    line,
    h("button", { type: "submit" }, "Save quiet hours"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await attempt(line, () => wellbeing.setQuietHours(start.value, end.value), "Quiet hours saved.");
  });
  return form;
}

function switches(features) {
  const line = errorLine();
  const box = (name, label, on) => {
    const input = h("input", { type: "checkbox", id: `feature-${name}`, checked: on, role: "switch" });
    input.addEventListener("change", async () => {
      const ok = await attempt(line, () => wellbeing.setFeatures({ [name]: input.checked }), `${label} ${input.checked ? "on" : "off"}.`);
      if (!ok) input.checked = !input.checked;
    });
    return h("div", { class: "check" }, input, h("label", { for: `feature-${name}` }, label));
  };
  return h(
    "div",
    {},
    box("autoplay", "Autoplay (the next video starts by itself)", features.autoplay),
    box("streaks", "Streaks", features.streaks),
    line,
  );
}

function inboxSection(inbox) {
  const items = Array.isArray(inbox) ? inbox : inbox.notifications || [];
  return h(
    "section",
    { class: "card", "aria-labelledby": "inbox-title" },
    h("h2", { id: "inbox-title" }, "Notifications"),
    items.length
      ? h("ul", { class: "inbox" }, items.map((note) => h("li", {}, h("strong", {}, note.title), " ", note.body)))
      : h("p", { class: "empty" }, "No notifications."),
  );
}
