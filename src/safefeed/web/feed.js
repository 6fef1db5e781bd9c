// The feed: For You, Following (creators you follow, newest first) and STEM; cards in a vertical list,
// more pages as you scroll, a timer standing in for playback. The server says which tab it served: a
// minor without a guardian's consent, where the policy asks for it, gets Following, and is told why.

import * as api from "./api.js";
import { announce, contact, fill, h, topicName } from "./dom.js";
import * as events from "./events.js";
import * as prompt from "./prompt.js";
import * as wellbeing from "./wellbeing.js";

const PAGE_SIZE = 10;
const TICK_MS = 250;
const SKIP_SECONDS = 1.5; // scrolled past faster than this: a skip, not a watch
const TAB_TITLES = { for_you: "For You", following: "Following", stem: "STEM" };

export async function render(main, { go }) {
  const state = {
    tab: "for_you",
    cursor: null,
    loading: false,
    ended: false,
    blocked: false,
    count: 0,
    alive: true,
  };
  const player = new Player();

  const list = h("ol", { class: "feed", id: "feed-list", "aria-label": "Videos" });
  const status = h("p", { class: "feed-status", role: "status", "aria-live": "polite" });
  const more = h("button", { type: "button", class: "more", id: "load-more" }, "Show more videos");
  const sentinel = h("div", { class: "sentinel", "aria-hidden": "true" });
  const banner = h("div", { class: "banners" });
  const about = h("p", { class: "about-feed" });
  const reason = h("p", { class: "tab-reason", id: "tab-reason", role: "note", hidden: true });
  const title = h("h1", {}, TAB_TITLES[state.tab]);
  const helpBox = h("div", { class: "help-box" });
  const tabs = h("div", { class: "tabs", role: "group", "aria-label": "Which feed" });

  const tabButton = (key, label) =>
    h(
      "button",
      {
        type: "button",
        class: "tab",
        "aria-pressed": String(state.tab === key),
        "data-tab": key,
        onclick: () => {
          if (state.tab === key) return;
          choose(key);
          restart();
        },
      },
      label,
    );

  fill(
    main,
    h("div", { class: "title-row" }, title, h("a", { href: "#/search", class: "button" }, "Search")),
    tabs,
    reason,
    about,
    banner,
    list,
    sentinel,
    status,
    more,
    helpBox,
  );

  const [current, features] = await Promise.all([
    api.get("/v1/me/settings").catch(() => ({})),
    wellbeing.features().catch(() => ({})),
  ]);
  player.autoplay = Boolean(features.autoplay);
  tabs.append(tabButton("for_you", "For You"));
  tabs.append(tabButton("following", "Following"));
  if (current.stem_feed !== false) tabs.append(tabButton("stem", "STEM"));

  function choose(key) {
    state.tab = key;
    title.textContent = TAB_TITLES[key] || "For You";
    for (const b of tabs.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.tab === key));
  }

  function restart() {
    player.stop();
    fill(list);
    state.cursor = null;
    state.ended = false;
    state.count = 0;
    more.hidden = false;
    load();
  }

  async function load() {
    if (state.loading || state.ended || state.blocked || !state.alive) return;
    state.loading = true;
    more.disabled = true;
    status.textContent = "Loading videos…";
    let answered = false; // a blocking prompt was answered: ask for the page again
    try {
      await events.flush();
      const page = await api.get("/v1/feed", { query: { n: PAGE_SIZE, cursor: state.cursor, tab: state.tab } });
      if (!state.alive) return;
      wellbeing.noteServerTime(page.now || (page.prompt && page.prompt.now));
      // The tab served may not be the one asked for (For You needs a guardian's consent): say so.
      // (A page a well-being prompt stands in for has no tab: nothing changes.)
      if (page.tab) {
        if (page.tab !== state.tab) choose(page.tab);
        reason.hidden = !page.tab_reason;
        reason.textContent = page.tab_reason || "";
      }
      about.textContent =
        state.tab === "following"
          ? "Videos from creators you follow, newest first. Nothing you watch or like changes the order."
          : page.personalised
            ? "This feed is based on what you watch and like. You can turn that off in “My feed”."
            : "This feed isn't based on what you watch: you see popular and varied videos. You can change that in “My feed”.";
      showHelp(helpBox, page.help);
      if (page.prompt && page.prompt.blocking) {
        // The videos wait behind the prompt (your place is kept) until it is answered.
        state.blocked = true;
        player.hold();
        status.textContent = "";
        await prompt.show(page.prompt);
        state.blocked = false;
        answered = true;
      } else {
        if (page.prompt) showBanner(banner, page.prompt);
        for (const item of page.items) {
          state.count += 1;
          list.append(card(item, page.help, state.count, { player, list, go }));
        }
        state.cursor = page.next_cursor;
        if (!page.items.length || !page.next_cursor) {
          state.ended = true;
          status.textContent =
            page.notice ||
            (state.tab === "following"
              ? "That's everything from creators you follow."
              : "You're all caught up. Take a break, or come back later for more.");
          more.hidden = true;
        } else {
          status.textContent = `${state.count} videos loaded.`;
        }
      }
    } catch (error) {
      status.textContent = error.message;
    } finally {
      state.loading = false;
      more.disabled = false;
    }
    if (answered && state.alive) {
      player.resume();
      await load();
    }
  }

  more.addEventListener("click", () => load());
  const watcher = new IntersectionObserver(
    (entries) => {
      if (entries.some((entry) => entry.isIntersecting)) load();
    },
    { rootMargin: "0px 0px 600px 0px" },
  );
  watcher.observe(sentinel);
  await load();

  return () => {
    state.alive = false;
    watcher.disconnect();
    player.stop();
    events.flush();
    prompt.close();
  };
}

function showHelp(box, help) {
  if (!help || !help.length) {
    fill(box);
    return;
  }
  fill(
    box,
    h(
      "details",
      { class: "help" },
      h("summary", {}, "Need someone to talk to?"),
      h("p", {}, "These people are kind, free and private. You can contact them any time."),
      h("ul", {}, help.map((line) => h("li", {}, h("strong", {}, line.name), " — ", contact(line.contact)))),
    ),
  );
}

function showBanner(box, shown) {
  if (box.querySelector(`[data-kind="${shown.kind}"]`)) return;
  box.append(prompt.banner(shown, () => box.replaceChildren()));
}

/** One video card. */
export function card(item, help, number, { player, list }) {
  const video = item.video;
  const captionId = `caption-${number}`;
  const progress = h("progress", { max: String(video.duration_s), value: "0", "aria-label": "How much you've watched" });
  const playButton = h("button", { type: "button", class: "play", "aria-pressed": "false" }, "Pause");
  const screen = h(
    "div",
    { class: `screen topic-${cssName(video.topic)}` },
    h("p", { class: "caption", id: captionId }, video.caption),
    h("div", { class: "playbar" }, playButton, progress),
  );
  const whyPanel = h("div", { class: "why", hidden: true, id: `why-${number}` });
  const menu = h("div", { class: "menu", hidden: true, id: `ni-${number}`, role: "group", "aria-label": "Not interested in…" });
  const notes = item.notes.length
    ? h("ul", { class: "notes", "aria-label": "Content notes" }, item.notes.map((note) => h("li", {}, note)))
    : null;
  const sensitive = Boolean(video.label && video.label.mh_related) || item.notes.length > 0;
  // A content note promises help "a tap away": the page's help lines, or (when the page has none
  // for this theme) a directory of free helplines and the people around you.
  const helpLines = !sensitive
    ? null
    : help && help.length
      ? h(
          "p",
          { class: "help-line" },
          "Need to talk? ",
          help.map((line, i) => [i ? " · " : "", h("strong", {}, line.name), " ", contact(line.contact)]),
        )
      : h(
          "p",
          { class: "help-line" },
          "Need to talk? Tell someone you trust — a parent, a teacher, a friend — or find a free helpline: ",
          contact("findahelpline.com"),
        );

  const article = h(
    "li",
    {},
    h(
      "article",
      {
        class: "video",
        "aria-labelledby": captionId,
        "data-video-id": video.id,
        "data-topic": video.topic || "",
        "data-creator": video.creator_id,
      },
      screen,
      h(
        "p",
        { class: "meta" },
        h("span", { class: "creator" }, `@${video.creator_id}`),
        " · ",
        h("span", { class: "topic" }, `Topic: ${topicName(video.topic)}`),
        " · ",
        `${Math.round(video.duration_s)} s`,
        item.sponsored ? h("span", { class: "ad" }, " · Ad") : null,
      ),
      video.hashtags.length ? h("ul", { class: "tags", "aria-label": "Hashtags" }, video.hashtags.map((t) => h("li", {}, `#${t}`))) : null,
      notes,
      helpLines,
      h(
        "div",
        { class: "actions" },
        toggle("Like", "Liked", () => events.send({ kind: "like", video_id: video.id }, { now: true })),
        toggle("Follow", "Following", () =>
          events.send({ kind: "follow", video_id: video.id, creator_id: video.creator_id }, { now: true }),
          ` @${video.creator_id}`,
        ),
        h("button", { type: "button", onclick: () => share(video) }, "Share"),
        h(
          "button",
          {
            type: "button",
            class: "why-button",
            "aria-expanded": "false",
            "aria-controls": whyPanel.id,
            onclick: (event) => showWhy(event.currentTarget, whyPanel, item),
          },
          "Why this video?",
        ),
        h(
          "button",
          {
            type: "button",
            class: "ni-button",
            "aria-expanded": "false",
            "aria-controls": menu.id,
            onclick: (event) => {
              const open = menu.hidden;
              menu.hidden = !open;
              event.currentTarget.setAttribute("aria-expanded", String(open));
              if (open) menu.querySelector("button")?.focus();
            },
          },
          "Not interested",
        ),
      ),
      whyPanel,
      menu,
    ),
  );

  const choices = [
    ["This video", { video_id: video.id }, `You won't see this video again.`],
    [`Videos from @${video.creator_id}`, { creator_id: video.creator_id }, `You won't see videos from @${video.creator_id}.`],
    ...video.hashtags.map((tag) => [`#${tag}`, { hashtag: tag }, `You won't see videos with #${tag}.`]),
  ];
  if (video.topic) {
    choices.push([
      `The topic “${topicName(video.topic)}”`,
      { topic: video.topic },
      `You won't see videos about ${topicName(video.topic)}.`,
    ]);
  }
  for (const [label, body, done] of choices) {
    menu.append(
      h(
        "button",
        {
          type: "button",
          "data-not-interested": Object.keys(body)[0],
          onclick: async () => {
            try {
              await events.flush();
              await api.post("/v1/me/not-interested", body);
              hideMatching(list, article, body, done);
              announce(`${done} Your next videos already follow this.`);
            } catch (error) {
              announce(error.message, { kind: "error" });
            }
          },
        },
        label,
      ),
    );
  }

  // Escape closes the "not interested" choices and returns to the button that opened them.
  menu.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    menu.hidden = true;
    const opener = article.querySelector(".ni-button");
    opener.setAttribute("aria-expanded", "false");
    opener.focus();
  });

  player.observe(screen, { video, progress, playButton });
  return article;
}

function cssName(topic) {
  return (topic || "other").replace(/[^a-z0-9]+/gi, "-").toLowerCase();
}

function toggle(label, doneLabel, act, hidden = "") {
  const button = h("button", { type: "button", "aria-pressed": "false" }, label, hidden ? h("span", { class: "visually-hidden" }, hidden) : null);
  button.addEventListener("click", () => {
    if (button.getAttribute("aria-pressed") === "true") return;
    button.setAttribute("aria-pressed", "true");
    button.textContent = doneLabel;
    act();
  });
  return button;
}

async function share(video) {
  const link = `${window.location.origin}/#/video/${encodeURIComponent(video.id)}`;
  events.send({ kind: "share", video_id: video.id }, { now: true });
  try {
    if (navigator.share) await navigator.share({ title: "SafeFeed", text: video.caption, url: link });
    else await navigator.clipboard.writeText(link);
    announce("Link ready to share.");
  } catch {
    announce(`Share this link: ${link}`);
  }
}

async function showWhy(button, panel, item) {
  const open = panel.hidden;
  panel.hidden = !open;
  button.setAttribute("aria-expanded", String(open));
  if (!open || panel.childElementCount) return;
  let reasons = item.why;
  if (!reasons.length) {
    try {
      reasons = (await api.get(`/v1/me/why/${encodeURIComponent(item.video.id)}`)).why;
    } catch (error) {
      reasons = [error.message];
    }
  }
  fill(
    panel,
    h("h3", {}, "Why you're seeing this"),
    h("ul", {}, reasons.map((reason) => h("li", {}, reason))),
    h("p", { class: "hint" }, "Don't like it? Use “Not interested”, or change your topics in “My feed”."),
  );
}

/** After "not interested", take the matching cards away, leaving a note where the chosen one was. */
function hideMatching(list, chosen, body, done) {
  const [key, value] = Object.entries(body)[0];
  for (const item of [...list.children]) {
    const article = item.querySelector("article");
    if (!article) continue;
    const tags = [...article.querySelectorAll(".tags li")].map((tag) => tag.textContent.slice(1));
    const matches =
      (key === "video_id" && article.dataset.videoId === value) ||
      (key === "creator_id" && article.dataset.creator === value) ||
      (key === "topic" && article.dataset.topic === value) ||
      (key === "hashtag" && tags.includes(value));
    if (!matches) continue;
    if (item === chosen) {
      // The card goes; focus stays where it was, on the note that replaces it.
      const note = h("p", { class: "hidden-note", tabindex: "-1" }, done);
      fill(item, note);
      note.focus();
    } else {
      item.remove();
    }
  }
}

/**
 * Plays (pretends to play) the card most in view: a timer counts the seconds watched; when the card
 * leaves the screen or ends, a watch (or skip) event says how long it was watched.
 */
export class Player {
  constructor() {
    this.cards = new Map();
    this.current = null;
    this.interval = null;
    this.autoplay = false; // off by default for under-18s; the account's setting decides
    this.held = false;
    this.observer = new IntersectionObserver((entries) => this.seen(entries), { threshold: [0, 0.6] });
  }

  observe(screen, card) {
    const entry = { ...card, screen, watched: 0, reported: false, paused: false, ratio: 0, loops: 0 };
    this.cards.set(screen, entry);
    card.playButton.addEventListener("click", () => this.togglePause(entry));
    this.observer.observe(screen);
  }

  seen(entries) {
    for (const change of entries) {
      const entry = this.cards.get(change.target);
      if (entry) entry.ratio = change.intersectionRatio;
    }
    const visible = [...this.cards.values()].filter((entry) => entry.ratio >= 0.6);
    visible.sort((a, b) => a.screen.getBoundingClientRect().top - b.screen.getBoundingClientRect().top);
    const next = this.held ? null : visible[0] || null;
    if (next !== this.current) this.switchTo(next);
  }

  switchTo(next) {
    if (this.current) this.report(this.current);
    this.current = next;
    for (const entry of this.cards.values()) entry.screen.classList.toggle("playing", entry === next);
    clearInterval(this.interval);
    this.interval = null;
    if (!next) return;
    if (next.reported) {
      // Back to a card already reported: a new viewing starts from zero.
      next.watched = 0;
      next.loops = 0;
      next.reported = false;
    }
    let last = performance.now();
    this.interval = setInterval(() => {
      const now = performance.now();
      const entry = this.current;
      if (!entry || entry.paused || document.hidden) {
        last = now;
        return;
      }
      entry.watched += (now - last) / 1000;
      last = now;
      const duration = entry.video.duration_s;
      entry.progress.value = Math.min(duration, entry.watched);
      if (duration && entry.watched >= duration) {
        // Autoplay is off: at the end the video waits, and watching again is a choice (a rewatch).
        entry.loops = 1;
        entry.progress.value = duration;
        this.report(entry);
        entry.paused = true;
        entry.playButton.textContent = "Watch again";
        entry.playButton.setAttribute("aria-pressed", "true");
        entry.rewatch = true;
        if (this.autoplay) this.next(entry);
      }
    }, TICK_MS);
  }

  /** Autoplay (only when the person turned it on): bring the next card into view. */
  next(entry) {
    const screens = [...this.cards.keys()];
    const after = screens[screens.indexOf(entry.screen) + 1];
    if (after) after.scrollIntoView({ block: "center" });
  }

  togglePause(entry) {
    if (entry !== this.current) {
      this.switchTo(entry);
    }
    if (entry.rewatch && entry.paused) {
      entry.rewatch = false;
      entry.reported = false;
      entry.watched = 0;
      entry.loops = 0;
      events.send({ kind: "rewatch", video_id: entry.video.id });
    }
    entry.paused = !entry.paused;
    entry.playButton.textContent = entry.paused ? "Play" : "Pause";
    entry.playButton.setAttribute("aria-pressed", String(entry.paused));
  }

  report(entry) {
    if (entry.reported) return;
    entry.reported = true;
    const seconds = Math.round(entry.watched * 10) / 10;
    const duration = entry.video.duration_s || 1;
    if (seconds < SKIP_SECONDS && !entry.loops) {
      events.send({ kind: "skip", video_id: entry.video.id, seconds });
    } else {
      events.send({ kind: "watch", video_id: entry.video.id, seconds, fraction: Math.min(100, seconds / duration) });
    }
  }

  /** Stop the clock on the current card (a prompt came up) but keep watching the cards. */
  hold() {
    this.held = true;
    this.switchTo(null);
  }

  resume() {
    this.held = false;
    this.seen([]);
  }

  stop() {
    if (this.current) this.report(this.current);
    this.current = null;
    clearInterval(this.interval);
    this.interval = null;
    this.observer.disconnect();
    this.cards.clear();
  }
}
