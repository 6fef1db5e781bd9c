// Log in, sign up for a feed, or sign up as a parent or carer.

import * as api from "./api.js";
import { fill, field, h, topicName, words } from "./dom.js";

const TOPICS = [
  "food", "gaming", "pets", "football", "music", "dance", "science", "art", "books",
  "travel", "maths", "history", "space", "diy", "fitness", "anime", "basketball", "nature",
];

const REGIONS = [
  ["KE", "Kenya"], ["PH", "the Philippines"], ["US", "the United States"], ["GB", "the United Kingdom"],
  ["DE", "Germany"], ["ES", "Spain"], ["FR", "France"], ["IN", "India"], ["NG", "Nigeria"], ["", "Somewhere else"],
];

/** What kind of login a token belongs to: account, guardian, admin or auditor. */
async function roleOf() {
  return (await api.get("/v1/auth/me")).role;
}

function errorBox() {
  return h("p", { class: "error", role: "alert", hidden: true });
}

function showError(box, error) {
  box.hidden = false;
  box.textContent = error.message;
}

function tabs(choices, onPick) {
  const list = h("div", { class: "tabs", role: "group", "aria-label": "What do you want to do?" });
  for (const [key, label] of choices) {
    list.append(h("button", { type: "button", class: "tab", "data-tab": key, onclick: () => onPick(key) }, label));
  }
  return list;
}

export function render(main, { onLoggedIn }) {
  const body = h("div");
  const pick = (key) => {
    for (const tab of main.querySelectorAll(".tab")) tab.setAttribute("aria-pressed", String(tab.dataset.tab === key));
    fill(body, FORMS[key](onLoggedIn));
    body.querySelector("input")?.focus();
  };
  fill(
    main,
    h("h1", {}, "Welcome to SafeFeed"),
    h("p", { class: "lead" }, "Short videos, with you in control of what you see and how long you watch."),
    tabs([["login", "I have an account"], ["signup", "New here? Sign up"], ["guardian", "I'm a parent or carer"]], pick),
    body,
  );
  pick("login");
}

const FORMS = {
  login(onLoggedIn) {
    const id = h("input", { name: "username", autocomplete: "username", required: true });
    const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
    const problem = errorBox();
    const form = h(
      "form",
      { class: "card form", "aria-label": "Log in" },
      h("h2", {}, "Log in"),
      field("Username", id),
      field("Password", password),
      problem,
      h("button", { type: "submit", class: "primary" }, "Log in"),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const answer = await api.call("POST", "/v1/auth/token", {
          form: { username: id.value.trim(), password: password.value },
          auth: false,
        });
        api.saveLogin({ token: answer.access_token, id: id.value.trim(), role: "account" });
        const role = await roleOf();
        let timezone = null;
        if (role === "account") timezone = (await api.get("/v1/me")).account.timezone;
        api.saveLogin({ token: answer.access_token, id: id.value.trim(), role, timezone });
        onLoggedIn();
      } catch (error) {
        api.saveLogin(null);
        showError(problem, error);
      }
    });
    return form;
  },

  signup(onLoggedIn) {
    const id = h("input", { name: "username", autocomplete: "username", required: true, pattern: "\\S+" });
    const password = h("input", {
      name: "password", type: "password", autocomplete: "new-password", required: true, minlength: 8,
    });
    const year = h("input", {
      name: "birth_year", type: "number", inputmode: "numeric", min: 1900, max: new Date().getFullYear(), required: true,
    });
    const region = h("select", { name: "region" }, REGIONS.map(([code, name]) => h("option", { value: code }, name)));
    const zone = h("input", {
      name: "timezone", value: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC", required: true,
    });
    const boxes = TOPICS.map((topic) =>
      h("label", { class: "chip" }, h("input", { type: "checkbox", name: "interest", value: topic }), topicName(topic)),
    );
    const more = h("input", { name: "more_interests" });
    const problem = errorBox();
    const form = h(
      "form",
      { class: "card form", "aria-label": "Sign up" },
      h("h2", {}, "Make your account"),
      field("Pick a username", id, "No spaces. Don't use your real name."),
      field("Password", password, "At least 8 characters."),
      field("Year you were born", year, "We use this to keep you safe: under-18s get extra protections."),
      field("Where you live", region, "This picks your language and local help lines. Your protections are the same everywhere."),
      field("Time zone", zone, "Your screen time is counted by your own days."),
      h("fieldset", { class: "chips" }, h("legend", {}, "What do you like? (optional)"), boxes),
      field("Anything else you like?", more, "Separate with commas."),
      problem,
      h("button", { type: "submit", class: "primary" }, "Sign up"),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const interests = [
        ...form.querySelectorAll("input[name=interest]:checked"),
      ].map((box) => box.value).concat(words(more.value));
      try {
        const answer = await api.post(
          "/v1/accounts",
          {
            id: id.value.trim(),
            password: password.value,
            birth_year: Number(year.value),
            region: region.value,
            timezone: zone.value.trim(),
            interests,
          },
          { auth: false },
        );
        api.saveLogin({ token: answer.access_token, id: id.value.trim(), role: "account", timezone: zone.value.trim() });
        onLoggedIn();
      } catch (error) {
        showError(problem, error);
      }
    });
    return form;
  },

  guardian(onLoggedIn) {
    const id = h("input", { name: "username", autocomplete: "username", required: true, pattern: "\\S+" });
    const password = h("input", {
      name: "password", type: "password", autocomplete: "new-password", required: true, minlength: 8,
    });
    const problem = errorBox();
    const form = h(
      "form",
      { class: "card form", "aria-label": "Parent or carer sign up" },
      h("h2", {}, "Family Pairing for parents and carers"),
      h(
        "p",
        {},
        "Link to your teen's account to set their daily limit, plan Time Away and tighten what they can see. " +
          "You see how much time they spend, never what they watch or search.",
      ),
      field("Pick a username", id),
      field("Password", password, "At least 8 characters."),
      problem,
      h("button", { type: "submit", class: "primary" }, "Create parent login"),
      h("p", { class: "hint" }, "Already have one? Use “Log in”."),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const answer = await api.post(
          "/v1/guardians",
          { id: id.value.trim(), password: password.value },
          { auth: false },
        );
        api.saveLogin({ token: answer.access_token, id: id.value.trim(), role: "guardian" });
        onLoggedIn();
      } catch (error) {
        showError(problem, error);
      }
    });
    return form;
  },
};
