// Well-being prompts: a full-screen dialog when the feed is paused (limits, wind-down, Time Away,
// "keep going?"), a banner when it is only a suggestion ("set your own limit").

import * as api from "./api.js";
import { announce, fill, field, h } from "./dom.js";
import * as wellbeing from "./wellbeing.js";

const TITLES = {
  daily_limit: "Daily limit reached",
  set_own_limit: "Set your own limit?",
  session: "Time for a break?",
  wind_down: "Time to wind down",
  wind_down_confirm: "Still scrolling?",
  time_away: "Time Away",
};

let open = null; // {layer, resolve, previousFocus}

/** "07:00" in the account's own time zone (where its days and nights are counted). */
function clock(iso) {
  if (!iso) return "";
  const zone = (api.login() || {}).timezone;
  const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  try {
    return new Date(iso).toLocaleTimeString([], zone ? { ...options, timeZone: zone } : options);
  } catch {
    return new Date(iso).toLocaleTimeString([], options);
  }
}

/** Close the dialog (when leaving the page); the feed asks the server again next time. */
export function close() {
  if (!open) return;
  const { layer, resolve, previousFocus } = open;
  open = null;
  layer.replaceChildren();
  document.body.classList.remove("has-dialog");
  document.getElementById("view")?.removeAttribute("inert");
  document.querySelector("header.top")?.removeAttribute("inert");
  previousFocus?.focus?.();
  resolve();
}

/**
 * Show a blocking prompt; resolves when it has been answered in a way that may bring the feed back
 * (the caller then asks for the next page again, and the server decides).
 */
export function show(prompt) {
  if (open) close();
  const layer = document.getElementById("prompt-layer");
  return new Promise((resolve) => {
    open = { layer, resolve, previousFocus: document.activeElement };
    const titleId = "prompt-title";
    const messageId = "prompt-message";
    const body = h("div", { class: "prompt-body" });
    const dialog = h(
      "div",
      {
        class: `prompt prompt-${prompt.kind}`,
        role: "alertdialog",
        "aria-modal": "true",
        "aria-labelledby": titleId,
        "aria-describedby": messageId,
        "data-kind": prompt.kind,
      },
      h("h2", { id: titleId, tabindex: "-1" }, TITLES[prompt.kind] || "A moment, please"),
      h("p", { id: messageId, class: "prompt-message" }, prompt.message),
      prompt.until && prompt.kind !== "daily_limit"
        ? h("p", { class: "until" }, `This lifts by itself at ${clock(prompt.until)}.`)
        : null,
      prompt.kind === "daily_limit" ? h("p", { class: "until" }, "Your minutes start again at midnight.") : null,
      whyResting(prompt),
      body,
    );
    fill(layer, h("div", { class: "backdrop" }, dialog));
    document.body.classList.add("has-dialog");
    // Everything behind the dialog is out of reach until it is answered.
    document.getElementById("view")?.setAttribute("inert", "");
    document.querySelector("header.top")?.setAttribute("inert", "");
    const live = document.getElementById("prompt-live");
    if (live) live.textContent = `${TITLES[prompt.kind] || ""}. ${prompt.message}`;
    fill(body, actions(prompt, body));
    dialog.querySelector("h2").focus();
  });
}

/** Where the account's nights are counted, as a person reads it ("Africa/Nairobi" -> "Nairobi time"). */
function zoneName() {
  const zone = (api.login() || {}).timezone;
  if (!zone || zone === "UTC" || zone === "Etc/UTC") return "UTC";
  return `${zone.split("/").pop().replaceAll("_", " ")} time`;
}

/**
 * At night the feed rests on purpose: say so, and say what each answer does, so a newcomer meets a
 * protection they can understand rather than a screen with no videos.
 */
function whyResting(prompt) {
  if (prompt.kind === "wind_down") {
    return h(
      "div",
      { class: "why-resting" },
      h("h3", {}, "Why the feed is resting"),
      h(
        "p",
        {},
        `It's night where you are (${zoneName()}). SafeFeed rests the feed for young people at night, so scrolling ` +
          "doesn't eat into sleep. Nothing is broken: this is one of SafeFeed's protections.",
      ),
      h("h3", {}, "What your answer does"),
      h(
        "ul",
        { class: "plain" },
        h("li", {}, h("strong", {}, "Good night"), `: the feed keeps resting${prompt.until ? ` until ${clock(prompt.until)}` : ""}.`),
        h(
          "li",
          {},
          h("strong", {}, "Not yet"),
          ": your videos come back now. A little later you're asked once more, and then going on takes a tick and a short pause.",
        ),
      ),
    );
  }
  if (prompt.kind === "wind_down_confirm") {
    return h(
      "p",
      { class: "why-resting hint" },
      `The feed rests at night for young people (${zoneName()}). Confirming brings your videos back for the rest of tonight.`,
    );
  }
  return null;
}

function errorLine() {
  return h("p", { class: "error", role: "alert", hidden: true });
}

function fail(line, error) {
  line.hidden = false;
  line.textContent = error.message;
}

/** What the person can do, one block per action the server offers. */
function actions(prompt, body) {
  const parts = [];
  const offered = new Set(prompt.actions);
  if (offered.has("keep_going")) {
    parts.push(
      h(
        "div",
        { class: "row" },
        h("button", { type: "button", class: "primary", onclick: () => takeBreak(prompt, body) }, "Take a break"),
        h(
          "button",
          {
            type: "button",
            onclick: async () => {
              await wellbeing.acknowledge(prompt.kind);
              close();
            },
          },
          "Keep going",
        ),
      ),
    );
  }
  if (offered.has("dismiss") && prompt.kind === "wind_down") {
    parts.push(
      h(
        "div",
        { class: "row" },
        h("button", { type: "button", class: "primary", onclick: () => takeBreak(prompt, body) }, "Good night"),
        h(
          "button",
          {
            type: "button",
            onclick: async () => {
              await wellbeing.acknowledge(prompt.kind);
              close();
            },
          },
          "Not yet",
        ),
      ),
    );
  }
  if (offered.has("confirm")) parts.push(confirmAfterDelay(prompt, body));
  if (offered.has("enter_passcode")) parts.push(passcodeForm(prompt));
  if (offered.has("set_passcode")) parts.push(setPasscodeForm());
  if (offered.has("request_more_time")) parts.push(requestForm());
  if (prompt.kind === "daily_limit" || prompt.kind === "time_away") {
    parts.push(h("p", { class: "hint" }, "Meanwhile, you can still look at your screen time and settings."));
    parts.push(
      h(
        "div",
        { class: "row" },
        h("a", { href: "#/time", class: "button", onclick: () => close() }, "See my screen time"),
        h(
          "button",
          {
            type: "button",
            onclick: () => close(),
          },
          "Check again",
        ),
      ),
    );
  }
  return parts;
}

function takeBreak(prompt, body) {
  fill(
    body,
    h("p", { class: "calm" }, "Nice choice. Stretch, drink some water, look out of a window. See you later!"),
    h("button", { type: "button", onclick: () => fill(body, actions(prompt, body)) }, "I'm back"),
  );
  body.querySelector("button").focus();
}

/** The second wind-down screen: a confirmation that only works after a short wait, on purpose. */
function confirmAfterDelay(prompt) {
  const wait = wellbeing.secondsUntil(prompt.confirm_after);
  const button = h("button", { type: "button", disabled: true, class: "confirm" }, "Keep scrolling anyway");
  const check = h("input", { type: "checkbox", id: "wind-down-sure" });
  const count = h("p", { class: "countdown", "aria-live": "polite" });
  const line = errorLine();
  let left = Math.ceil(wait);
  const update = () => {
    count.textContent = left > 0 ? `You can confirm in ${left} s. Take a slow breath meanwhile.` : "";
    button.disabled = left > 0 || !check.checked;
  };
  const timer = setInterval(() => {
    left -= 1;
    update();
    if (left <= 0) clearInterval(timer);
  }, 1000);
  check.addEventListener("change", update);
  button.addEventListener("click", async () => {
    try {
      await wellbeing.confirmWindDown();
      clearInterval(timer);
      close();
    } catch (error) {
      fail(line, error);
      left = Math.max(3, wellbeing.secondsUntil(error.body && error.body.confirm_after));
      update();
    }
  });
  update();
  return h(
    "div",
    { class: "confirm-box" },
    h("div", { class: "check" }, check, h("label", { for: "wind-down-sure" }, "I know it's late and I still want to keep going.")),
    count,
    line,
    h(
      "div",
      { class: "row" },
      h("button", { type: "button", class: "primary", onclick: () => takeBreak(prompt, document.querySelector(".prompt-body")) }, "OK, I'll stop"),
      button,
    ),
  );
}

function passcodeForm(prompt) {
  const input = h("input", { type: "password", autocomplete: "off", name: "passcode", required: true });
  const line = errorLine();
  const form = h(
    "form",
    { class: "inline-form" },
    field(prompt.message.includes("family") ? "Passcode from your family" : "Your passcode", input),
    line,
    h("button", { type: "submit" }, "Unlock a few more minutes"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const answer = await wellbeing.unlock(input.value);
      const more = answer && answer.extension_minutes ? Math.round(answer.extension_minutes) : null;
      announce(more ? `Unlocked ${more} more minutes.` : "Unlocked a few more minutes.");
      close();
    } catch (error) {
      input.value = "";
      fail(line, error);
    }
  });
  return form;
}

function setPasscodeForm() {
  const input = h("input", { type: "password", autocomplete: "new-password", name: "new-passcode", required: true });
  const line = errorLine();
  const form = h(
    "form",
    { class: "inline-form" },
    h("p", {}, "You haven't set a passcode yet. A passcode lets you choose to keep going for a little while."),
    field("New passcode", input, "At least 4 characters. Pick one you'll remember."),
    line,
    h("button", { type: "submit" }, "Save passcode"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await wellbeing.setPasscode(input.value);
      announce("Passcode saved.");
      close();
    } catch (error) {
      fail(line, error);
    }
  });
  return form;
}

function requestForm() {
  const minutes = h(
    "select",
    { name: "minutes" },
    [15, 30, 60].map((value) => h("option", { value: String(value) }, `${value} minutes`)),
  );
  const line = errorLine();
  const form = h(
    "form",
    { class: "inline-form" },
    field("Ask your family for more time", minutes),
    line,
    h("button", { type: "submit" }, "Send request"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await wellbeing.requestMoreTime(Number(minutes.value));
      fill(form, h("p", { class: "ok", role: "status" }, "Request sent. You'll see their answer here and in Family."));
    } catch (error) {
      fail(line, error);
    }
  });
  return form;
}

/** A non-blocking prompt ("set your own limit") as a banner above the feed. */
export function banner(prompt, onDone) {
  const minutes = h("input", { type: "number", min: "1", max: "1440", value: "60", inputmode: "numeric", name: "own-limit" });
  const line = errorLine();
  const box = h(
    "section",
    { class: "banner", "aria-labelledby": "banner-title", "data-kind": prompt.kind },
    h("h2", { id: "banner-title" }, TITLES[prompt.kind] || "A tip"),
    h("p", {}, prompt.message),
  );
  if (prompt.actions.includes("set_limit")) {
    const form = h("form", { class: "inline-form" }, field("Minutes a day", minutes), line, h("button", { type: "submit" }, "Set my limit"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await wellbeing.setLimit(Number(minutes.value));
        announce(`Your daily limit is now ${minutes.value} minutes.`);
        onDone();
      } catch (error) {
        fail(line, error);
      }
    });
    box.append(form);
  }
  if (prompt.actions.includes("dismiss") || prompt.actions.includes("keep_going")) {
    box.append(
      h(
        "button",
        {
          type: "button",
          class: "link",
          onclick: async () => {
            await wellbeing.acknowledge(prompt.kind).catch(() => {});
            onDone();
          },
        },
        "No thanks",
      ),
    );
  }
  const live = document.getElementById("prompt-live");
  if (live) live.textContent = prompt.message;
  return box;
}
