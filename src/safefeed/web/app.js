// SafeFeed's web app: a hash router over a few views, each a module with `render(main)`.

import * as api from "./api.js";
import { announce, fill, h } from "./dom.js";
import * as audits from "./audits.js";
import * as catalog from "./catalog.js";
import * as family from "./family.js";
import * as feed from "./feed.js";
import * as loginView from "./login.js";
import * as search from "./search.js";
import * as settings from "./settings.js";
import * as time from "./time.js";

// Which pages each kind of login sees, in the order of the menu.
const PAGES = {
  account: [
    { path: "feed", label: "For You", view: feed },
    { path: "settings", label: "My feed", view: settings },
    { path: "time", label: "Screen time", view: time },
    { path: "family", label: "Family", view: family },
    { path: "search", label: "Search", view: search, hidden: true },
  ],
  guardian: [{ path: "family", label: "Family Pairing", view: family }],
  auditor: [{ path: "audits", label: "Audits", view: audits }],
  admin: [
    { path: "catalog", label: "Catalog", view: catalog },
    { path: "audits", label: "Audits", view: audits },
  ],
};

let leaving = () => {};

function currentPath() {
  return window.location.hash.replace(/^#\/?/, "").split("?")[0];
}

export function go(path) {
  if (currentPath() === path) route();
  else window.location.hash = `#/${path}`;
}

function renderNav(saved, pages, active) {
  const nav = document.getElementById("nav");
  const account = document.getElementById("account");
  document.body.classList.toggle("with-nav", Boolean(saved && pages.filter((page) => !page.hidden).length > 1));
  if (!saved) {
    fill(nav);
    fill(account);
    return;
  }
  const links = pages.filter((page) => !page.hidden).map((page) =>
    h("li", {}, h("a", { href: `#/${page.path}`, "aria-current": page.path === active ? "page" : null }, page.label)),
  );
  // One page only (an auditor's): no menu, the page's heading says where you are.
  fill(nav, links.length > 1 ? h("ul", {}, links) : null);
  fill(
    account,
    h("p", { class: "who" }, h("span", { class: "visually-hidden" }, "Logged in as "), saved.id),
    h("button", { type: "button", class: "link", onclick: logOut }, "Log out"),
  );
}

async function logOut() {
  try {
    await api.post("/v1/auth/logout");
  } catch {
    // The token may already be gone; logging out here is what matters.
  }
  api.saveLogin(null);
  go("login");
}

async function route() {
  leaving();
  leaving = () => {};
  const main = document.getElementById("view");
  const saved = api.login();
  let path = currentPath();
  if (!saved) {
    renderNav(null, [], "");
    if (path !== "login") {
      window.location.hash = "#/login";
      return;
    }
    leaving = loginView.render(main, { onLoggedIn: () => go(firstPage(api.login())) }) || (() => {});
    focusMain(main);
    return;
  }
  const pages = PAGES[saved.role] || [];
  let page = pages.find((candidate) => candidate.path === path);
  if (!page) {
    path = firstPage(saved);
    window.location.hash = `#/${path}`;
    return;
  }
  renderNav(saved, pages, path);
  fill(main, h("p", {}, "Loading…"));
  try {
    leaving = (await page.view.render(main, { login: saved, go })) || (() => {});
  } catch (error) {
    fill(main, h("h1", {}, "Something went wrong"), h("p", { role: "alert" }, error.message));
  }
  focusMain(main);
}

function focusMain(main) {
  // Move focus to the new page so keyboard and screen-reader users start at its top.
  const heading = main.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
}

function firstPage(saved) {
  return saved && PAGES[saved.role] ? PAGES[saved.role][0].path : "login";
}

api.whenSignedOut(() => {
  api.saveLogin(null);
  announce("You were logged out. Please log in again.");
  go("login");
});

window.addEventListener("hashchange", route);
route();
