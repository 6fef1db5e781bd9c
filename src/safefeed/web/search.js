// Search: captions and hashtags. Some searches from young people get help lines instead of videos.
// While typing, the box offers completions (GET /v1/search/suggestions): never a search the server would
// withhold from this account, so a child is not handed the words to search for.

import * as api from "./api.js";
import { contact, fill, field, h } from "./dom.js";
import * as events from "./events.js";
import { Player, card } from "./feed.js";

export async function render(main) {
  const player = new Player();
  const input = h("input", { type: "search", name: "q", autocomplete: "off", required: true, maxlength: "500" });
  const results = h("div", { class: "results", "aria-live": "polite" });
  const suggestions = h("ul", { class: "suggestions", "aria-label": "Suggestions", hidden: true });
  const form = h("form", { role: "search", class: "inline-form" }, field("Search videos", input), suggestions, h("button", { type: "submit", class: "primary" }, "Search"));
  let asked = 0;
  let timer = null;
  const hide = () => {
    asked += 1; // an answer still on its way is dropped
    fill(suggestions);
    suggestions.hidden = true;
  };
  const suggest = async (typed) => {
    const mine = ++asked;
    if (!typed) return hide();
    try {
      const found = await api.get("/v1/search/suggestions", { query: { q: typed, n: 8 } });
      if (mine !== asked) return; // a newer keystroke was answered first
      const pick = (word) => () => {
        input.value = word;
        hide();
        form.requestSubmit();
      };
      fill(suggestions, found.suggestions.map((word) => h("li", {}, h("button", { type: "button", class: "suggestion", onclick: pick(word) }, word))));
      suggestions.hidden = found.suggestions.length === 0;
    } catch {
      if (mine === asked) hide(); // completions are a convenience: no error on screen for them
    }
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => suggest(input.value.trim()), 150);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearTimeout(timer);
    hide();
    const query = input.value.trim();
    if (!query) return;
    player.stop();
    fill(results, h("p", {}, "Searching…"));
    try {
      await events.flush();
      const found = await api.get("/v1/search", { query: { q: query, n: 20 } });
      show(results, query, found, player);
    } catch (error) {
      fill(results, h("p", { class: "error", role: "alert" }, error.message));
    }
  });
  fill(main, h("h1", {}, "Search"), form, results);
  return () => player.stop();
}

function show(results, query, found, player) {
  const help = found.help && found.help.length
    ? h(
        "section",
        { class: "help", "aria-labelledby": "search-help" },
        h("h2", { id: "search-help" }, "You're not alone"),
        h("p", {}, "If things feel hard right now, these people are kind, free and private:"),
        h("ul", {}, found.help.map((line) => h("li", {}, h("strong", {}, line.name), " — ", contact(line.contact)))),
      )
    : null;
  if (found.withheld) {
    fill(results, help, h("p", {}, `We don't show videos for “${query}”. Talking to someone you trust can really help.`));
    return;
  }
  const list = h("ol", { class: "feed", "aria-label": `Results for ${query}` });
  found.videos.forEach((video, index) => {
    const item = { video, why: [`It matches your search “${query}”.`], notes: [], source: "search", sponsored: false };
    list.append(card(item, found.help, `s${index + 1}`, { player, list }));
  });
  fill(
    results,
    h("h2", {}, found.videos.length ? `Results for “${query}”` : `Nothing found for “${query}”`),
    help,
    list,
  );
}
