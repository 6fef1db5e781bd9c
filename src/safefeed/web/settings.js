// "My feed": filters, topics, personalisation, what SafeFeed knows about you, refresh, export, delete.

import * as api from "./api.js";
import { announce, fill, field, h, topicName, words } from "./dom.js";

export async function render(main, { login, go }) {
  const [settings, known] = await Promise.all([api.get("/v1/me/settings"), api.get("/v1/me")]);
  const state = { settings, known };

  async function save(change, done) {
    try {
      state.settings = await api.patch("/v1/me/settings", change);
      state.known = await api.get("/v1/me"); // what the feed now makes of it (age rules included)
      announce(done);
      draw();
    } catch (error) {
      announce(error.message, { kind: "error" });
    }
  }

  function draw() {
    // Redrawing replaces the controls: put focus back on the one the person was using.
    const active = document.activeElement;
    const again = active && main.contains(active) ? focusKey(active) : null;
    fill(
      main,
      h("h1", {}, "My feed"),
      h("p", { class: "lead" }, "You decide what your feed shows. Changes work from your very next video."),
      personalisation(state, save),
      wordList({
        id: "filters",
        title: "Words I don't want to see",
        explain: "Videos with these words or #hashtags in the caption or tags never show up.",
        label: "Add a word or #hashtag",
        values: state.settings.keyword_filters,
        onChange: (values, done) => save({ keyword_filters: values }, done),
      }),
      wordList({
        id: "more-of",
        title: "Topics I like",
        explain: "We'll show you more of these.",
        label: "Add a topic",
        values: state.settings.chosen_interests,
        onChange: (values, done) => save({ chosen_interests: values }, done),
      }),
      wordList({
        id: "less-of",
        title: "Topics I want less of",
        explain: "We'll show you fewer of these.",
        label: "Add a topic",
        values: state.settings.less_of,
        onChange: (values, done) => save({ less_of: values }, done),
      }),
      stem(state, save),
      whatWeKnow(state, async () => {
        state.known = await api.get("/v1/me");
        draw();
      }),
      refresh(),
      privacy(login, go),
    );
    if (again) main.querySelector(again)?.focus();
  }
  draw();
}

function focusKey(element) {
  if (element.name) return `[name="${CSS.escape(element.name)}"]`;
  if (element.id && !element.id.startsWith("f-")) return `#${CSS.escape(element.id)}`;
  const section = element.closest("section[id]");
  return section ? `#${CSS.escape(section.id)} input` : null;
}

function section(id, title, ...children) {
  return h("section", { class: "card", "aria-labelledby": `${id}-title`, id }, h("h2", { id: `${id}-title` }, title), children);
}

function personalisation(state, save) {
  const on = Boolean(state.known.personalised);
  const box = h("input", { type: "checkbox", id: "personalised", checked: on, role: "switch" });
  box.addEventListener("change", () =>
    save(
      { personalised: box.checked },
      box.checked ? "Your feed now learns from what you watch." : "Your feed no longer learns from what you watch.",
    ),
  );
  return section(
    "personalisation",
    "Personalised feed",
    h("div", { class: "check" }, box, h("label", { for: "personalised" }, "Base my feed on what I watch and like")),
    h(
      "p",
      { class: "explain" },
      on
        ? "On: we use what you watch, like, share and search to pick videos. We never use it for ads, and we keep " +
            "sad or upsetting topics from piling up, whatever you watch."
        : "Off: you see popular videos and a good mix of topics, plus the topics you picked. What you watch isn't " +
            "used to choose your videos.",
    ),
  );
}

function stem(state, save) {
  const box = h("input", { type: "checkbox", id: "stem-feed", checked: state.settings.stem_feed !== false });
  box.addEventListener("change", () => save({ stem_feed: box.checked }, box.checked ? "STEM tab on." : "STEM tab off."));
  return section(
    "stem",
    "STEM tab",
    h("div", { class: "check" }, box, h("label", { for: "stem-feed" }, "Show a tab with science, tech, engineering and maths videos")),
  );
}

/** A list of words with a remove button each, and a box to add more. */
function wordList({ id, title, explain, label, values, onChange }) {
  const input = h("input", { name: id, autocomplete: "off" });
  const form = h("form", { class: "inline-form" }, field(label, input, "Separate several with commas."), h("button", { type: "submit" }, "Add"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const added = words(input.value).filter((word) => !values.includes(word));
    if (!added.length) return;
    onChange([...values, ...added], `Added ${added.join(", ")}.`);
  });
  const items = values.length
    ? h(
        "ul",
        { class: "words", "aria-label": title },
        values.map((word) =>
          h(
            "li",
            {},
            h("span", {}, word),
            h(
              "button",
              {
                type: "button",
                class: "remove",
                "aria-label": `Remove ${word}`,
                onclick: () => onChange(values.filter((other) => other !== word), `Removed ${word}.`),
              },
              "×",
            ),
          ),
        ),
      )
    : h("p", { class: "empty" }, "Nothing yet.");
  return section(id, title, h("p", { class: "explain" }, explain), items, form);
}

function whatWeKnow(state, reload) {
  const known = state.known;
  const interests = known.inferred_interests || [];
  const blocked = known.not_interested || {};
  const rows = [
    ["Age group", known.age_band],
    ["Personalised", known.personalised ? "yes" : "no"],
    ["Videos seen lately", known.videos_seen_recently],
    ["Things you did that we learned from", known.events_learned_from],
  ];
  return section(
    "known",
    "What we know about you",
    h("p", { class: "explain" }, "This is everything your feed uses. You can remove any topic we guessed."),
    h("dl", { class: "facts" }, rows.map(([name, value]) => [h("dt", {}, name), h("dd", {}, String(value ?? "—"))])),
    h("h3", {}, "Topics we think you like"),
    interests.length
      ? h(
          "ul",
          { class: "words", "aria-label": "Topics we think you like" },
          interests.map(({ topic }) =>
            h(
              "li",
              {},
              h("span", {}, topicName(topic)),
              h(
                "button",
                {
                  type: "button",
                  class: "remove",
                  "aria-label": `Forget that I like ${topicName(topic)}`,
                  onclick: async () => {
                    await api.del(`/v1/me/interests/${encodeURIComponent(topic)}`);
                    announce(`Forgot ${topicName(topic)}.`);
                    reload();
                  },
                },
                "×",
              ),
            ),
          ),
        )
      : h("p", { class: "empty" }, "None yet."),
    h("h3", {}, "You said “not interested” in"),
    h(
      "ul",
      { class: "plain" },
      [
        ["Topics", (blocked.topics || []).map(topicName)],
        ["Creators", (blocked.creators || []).map((c) => `@${c}`)],
        ["Hashtags", (blocked.hashtags || []).map((t) => `#${t}`)],
        ["Videos", blocked.videos || []],
      ].map(([name, list]) => h("li", {}, `${name}: ${list.length ? list.join(", ") : "none"}`)),
    ),
    known.following && known.following.length ? h("p", {}, `You follow: ${known.following.map((c) => `@${c}`).join(", ")}`) : null,
  );
}

function refresh() {
  const area = h("div");
  const ask = () =>
    fill(
      area,
      h("p", { role: "alert" }, "Sure? Everything your feed learned about you is forgotten for good. Your filters stay."),
      h(
        "div",
        { class: "row" },
        h(
          "button",
          {
            type: "button",
            class: "danger",
            onclick: async () => {
              await api.post("/v1/me/refresh");
              announce("Your feed starts fresh.");
              fill(area, h("p", { class: "ok" }, "Done. Your feed starts fresh."));
            },
          },
          "Yes, start fresh",
        ),
        h("button", { type: "button", onclick: () => start() }, "Cancel"),
      ),
    );
  const start = () => fill(area, h("button", { type: "button", onclick: () => { ask(); area.querySelector("button").focus(); } }, "Refresh my feed"));
  start();
  return section(
    "refresh",
    "Start fresh",
    h("p", { class: "explain" }, "Seeing too much of something? Refresh and your feed forgets what it learned, like a new account."),
    area,
  );
}

function privacy(login, go) {
  const confirm = h("input", { name: "confirm-delete", autocomplete: "off" });
  const line = h("p", { class: "error", role: "alert", hidden: true });
  const form = h(
    "form",
    { class: "inline-form" },
    field(`To delete your account, type your username (${login.id})`, confirm),
    line,
    h("button", { type: "submit", class: "danger" }, "Delete my account"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (confirm.value.trim() !== login.id) {
      line.hidden = false;
      line.textContent = "That's not your username, so nothing was deleted.";
      return;
    }
    await api.del("/v1/me");
    api.saveLogin(null);
    announce("Your account and everything about it is deleted.");
    go("login");
  });
  const download = h(
    "button",
    {
      type: "button",
      onclick: async () => {
        const data = await api.get("/v1/me/export");
        const link = h("a", {
          href: URL.createObjectURL(new Blob([JSON.stringify(data, null, 1)], { type: "application/json" })),
          download: `safefeed-${login.id}.json`,
        });
        document.body.append(link);
        link.click();
        link.remove();
      },
    },
    "Download my data",
  );
  return section(
    "privacy",
    "Your data",
    h("p", { class: "explain" }, "Get a copy of everything SafeFeed holds about you, or delete it all."),
    download,
    form,
  );
}
