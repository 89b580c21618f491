// Starts tauri-driver and a WebDriver session on the built app.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { remote } from "webdriverio";

export const artifacts = process.env.ECO_ARTIFACTS ?? "/tmp";

async function waitForDriver(driver, port) {
  for (let i = 0; i < 100; i++) {
    // A driver that exited (e.g. the port was taken) must not be mistaken for one that answers.
    if (driver.exitCode !== null || driver.signalCode !== null) throw new Error(`tauri-driver exited (${driver.exitCode ?? driver.signalCode})`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("tauri-driver did not start");
}

/** State and parent of a process, or null once it is gone (a zombie counts as gone). */
function processStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return state === "Z" || state === "X" ? null : { state, ppid: Number(ppid) };
  } catch {
    return null;
  }
}

/** Polls until process `pid` has exited; false if it still runs after `timeout` ms. */
async function processGone(pid, timeout) {
  const deadline = Date.now() + timeout;
  while (processStat(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Pids of the running processes started by `root`, directly or further down. */
function descendants(root) {
  const byParent = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = processStat(name);
    if (!stat) continue;
    if (!byParent.has(stat.ppid)) byParent.set(stat.ppid, []);
    byParent.get(stat.ppid).push(Number(name));
  }
  const found = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The app process the driver launched for the session. */
function appProcess(driverPid, app) {
  return descendants(driverPid).find((pid) => {
    try {
      return basename(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]) === basename(app);
    } catch {
      return false;
    }
  });
}

export async function openApp() {
  const app = process.env.ECO_APP_BINARY;
  if (!app) throw new Error("ECO_APP_BINARY must name the built app");
  mkdirSync(artifacts, { recursive: true });
  // scripts/e2e picks free ports for the run, so two runs on one machine
  // (or a run beside another program on 4444) do not meet.
  const port = Number(process.env.ECO_E2E_DRIVER_PORT ?? 4444);
  // ECO_E2E_APP_DATABASE_URL is the app's alone (a run through the pooler):
  // the specs' own checks and the command line reach the database directly.
  const appUrl = process.env.ECO_E2E_APP_DATABASE_URL;
  const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(port + 1)], {
    stdio: ["ignore", "ignore", "inherit"],
    env: appUrl ? { ...process.env, DATABASE_URL: appUrl } : process.env,
  });
  const exited = new Promise((resolve) => driver.once("exit", resolve));
  let browser;
  try {
    await waitForDriver(driver, port);
    browser = await remote({
      hostname: "127.0.0.1",
      port,
      logLevel: "warn",
      capabilities: { "tauri:options": { application: app } },
    });
  } catch (error) {
    driver.kill();
    await exited;
    throw error;
  }
  const appPid = appProcess(driver.pid, app);
  if (appPid === undefined) console.warn(`no ${basename(app)} process found under tauri-driver`);
  return {
    browser,
    async close() {
      await browser.deleteSession().catch(() => {});
      // Ending the session ends the app, but only shortly after the reply: a
      // driver stopped before then leaves the app running (and holding this
      // runner's output open). Wait for it; end it ourselves if it stays.
      if (appPid !== undefined && !(await processGone(appPid, 15_000))) {
        console.warn(`the app (pid ${appPid}) outlived its session: terminating it`);
        signal(appPid, "SIGTERM"); // closes like its window: the local database is stopped
        if (!(await processGone(appPid, 30_000))) signal(appPid, "SIGKILL");
      }
      driver.kill();
      // The next session binds the same port: the driver must be gone first.
      await exited;
    },
  };
}

/**
 * Resolves once the window has presented a frame with the current DOM: the
 * first animation frame runs before that frame is drawn, the second after.
 */
export async function painted(browser) {
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
}

/** Saves a screenshot of what is on screen once the current DOM has been painted. */
export async function screenshot(browser, name) {
  await painted(browser);
  await browser.saveScreenshot(join(artifacts, `${name}.png`));
}

/** Expand timings the UI records (click to the frame after children paint). */
export async function expandTimings(browser) {
  return browser.execute(() => (window.__ecoMetrics && window.__ecoMetrics.expand) || []);
}

export const row = (browser, label) => browser.$(`[data-testid="tree-row-${label}"]`);
export const toggle = (browser, label) => browser.$(`[data-testid="tree-toggle-${label}"]`);

/** Waits until the UI has recorded `count` expand timings (one per expand, on the frame after the children render). */
export async function waitForExpandTimings(browser, count, { timeout = 10_000 } = {}) {
  let seen = [];
  await browser.waitUntil(async () => (seen = await expandTimings(browser)).length === count, {
    timeout,
    timeoutMsg: () => `the UI recorded ${seen.length} click-to-painted times, expected ${count}`,
  });
  return seen;
}

/** Waits until `element`'s attribute `name` reads `value`. */
export async function waitForAttribute(browser, element, name, value, { timeout = 10_000, timeoutMsg } = {}) {
  let seen;
  await browser.waitUntil(async () => (seen = await element.getAttribute(name)) === value, {
    timeout,
    timeoutMsg: () => `${timeoutMsg ?? `${name} did not become ${value}`} (${name}=${JSON.stringify(seen)})`,
  });
}

/** The data-testid of the element that has the keyboard focus. */
export async function focusedTestId(browser) {
  return browser.execute(() => document.activeElement?.getAttribute("data-testid") ?? null);
}

/**
 * Clicks a tree row and waits until it is the selected, focused row and the
 * tree holds the keyboard focus: keys sent next act on this row.
 */
export async function selectRow(browser, label, { timeout = 10_000 } = {}) {
  const target = await row(browser, label);
  await target.waitForDisplayed({ timeout, timeoutMsg: `row ${label} is not shown` });
  await target.click();
  await waitForAttribute(browser, target, "aria-selected", "true", { timeout, timeoutMsg: `clicking ${label} did not select it` });
  await waitForAttribute(browser, target, "data-focused", "true", { timeout, timeoutMsg: `clicking ${label} did not focus it` });
  await waitForTreeFocus(browser, { timeout });
  return target;
}

/** The role and name of the element that has the keyboard focus ("tree Entity registry"), or its tag name when it has no role. */
export async function focusedRole(browser) {
  return browser.execute(() => {
    const el = document.activeElement;
    if (!el) return null;
    const role = el.getAttribute("role");
    return role ? `${role} ${el.getAttribute("aria-label") ?? ""}`.trim() : el.tagName.toLowerCase();
  });
}

/** Waits until the registry tree (not an input or a dialog) holds the keyboard focus. */
export async function waitForTreeFocus(browser, { timeout = 10_000 } = {}) {
  let seen;
  await browser.waitUntil(async () => (seen = await focusedRole(browser)) === "tree Entity registry", {
    timeout,
    timeoutMsg: () => `the tree does not have the keyboard focus (focused: ${JSON.stringify(seen)})`,
  });
}

/** Waits until no modal dialog is open (nothing covers the window). */
export async function waitForNoDialog(browser, { timeout = 10_000, timeoutMsg = "a dialog stayed open" } = {}) {
  await browser.waitUntil(async () => browser.execute(() => document.querySelector('[role="dialog"]') === null), { timeout, timeoutMsg });
}

export function saveMetrics(name, data) {
  writeFileSync(join(artifacts, `${name}.json`), JSON.stringify(data, null, 2));
}

/**
 * Expands the tree down to the row `label` (a dotted path label), opening
 * each ancestor that is not open yet, and returns the row once it is shown.
 */
export async function revealRow(browser, label, { timeout = 10_000 } = {}) {
  const parts = label.split(".");
  for (let n = 1; n < parts.length; n++) {
    const ancestor = parts.slice(0, n).join(".");
    const ancestorRow = await row(browser, ancestor);
    await ancestorRow.waitForDisplayed({ timeout, timeoutMsg: `row ${ancestor} is not shown` });
    if ((await ancestorRow.getAttribute("aria-expanded")) !== "true") {
      await (await toggle(browser, ancestor)).click();
      await waitForAttribute(browser, ancestorRow, "aria-expanded", "true", { timeout, timeoutMsg: `${ancestor} did not expand` });
    }
  }
  const target = await row(browser, label);
  await target.waitForDisplayed({ timeout, timeoutMsg: `row ${label} is not shown` });
  return target;
}

/**
 * Clicks the shown option `text` of the open dropdown (a select's options
 * stay in the DOM while it is closed, so only a displayed one counts). An
 * option may add lines below its text (e.g. the value type of a property).
 */
export async function pickOption(browser, text, { timeout = 10_000 } = {}) {
  // The option is found and clicked as one element (not by its index in a
  // second query): a list that re-renders in between (it filters as the
  // person types) cannot make the click land on another option.
  await browser.waitUntil(
    async () => {
      const option = await browser.execute(
        (text) =>
          [...document.querySelectorAll('[role="option"]')].find(
            (option) => option.offsetParent !== null && option.innerText.trim().split("\n")[0].trim() === text,
          ) ?? null,
        text,
      );
      if (!option) return false;
      try {
        await (await browser.$(option)).click();
        return true;
      } catch {
        return false; // it went away under the click: look again
      }
    },
    { timeout, timeoutMsg: `no option "${text}" is shown` },
  );
}

/** Clicks the label of a visually hidden input (a chip or a switch draws its input under its label). */
export async function clickLabelOf(browser, input) {
  const id = await input.getAttribute("id");
  const labels = await browser.$$(`label[for="${id}"]`);
  for (const label of [...labels].reverse()) {
    if (await label.isDisplayed()) return label.click();
  }
  throw new Error(`no shown label for #${id}`);
}

/**
 * Puts `text` into an input the way a finished typing leaves it (React
 * sees the change). WebKitWebDriver under Xvfb has typed "_" as "-" into a
 * field that had just appeared (the Shift of the key was lost), so text
 * with shifted characters that must arrive exactly goes in this way.
 */
export async function fillInput(browser, element, text) {
  await element.click();
  await browser.execute(
    (input, text) => {
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
      setter.call(input, text);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    },
    element,
    text,
  );
  await browser.waitUntil(async () => (await element.getValue()) === text, { timeout: 5_000, timeoutMsg: `the input does not hold ${JSON.stringify(text)}` });
}

// ---------------------------------------------------------------------------
// Finding elements as assistive technology presents them: by role and
// accessible name, or a form control by its label. The specs find what a
// person clicks, types into or picks this way, so a control that loses its
// name (or its role) fails the end-to-end run, not only the unit tests.

/**
 * Runs in the page: the displayed elements with role `role` (and, when
 * `name` is given, that accessible name) inside `scope` (the document when
 * null), plus the names of every displayed element of that role for a
 * failure message. `name` is a string (matched whole, spaces collapsed) or
 * {source, flags} of a regular expression. With `label` set the role is
 * ignored and the form controls whose label matches are returned.
 *
 * The role is the explicit `role` attribute or the implicit one of the
 * element (a button, a link with href, the input types, select, textarea,
 * h1–h6, dialog, li, table parts, landmarks); the name follows the
 * accessible-name steps: aria-labelledby, aria-label, the associated
 * <label>, the content (for roles named by their content), then title,
 * alt and placeholder. Elements under aria-hidden="true" or not laid out
 * are left out, as a screen reader leaves them out.
 */
function findInPage(query, within) {
  const norm = (s) => (s ?? "").replace(/\s+/g, " ").trim();
  const hidden = (el) => {
    for (let e = el; e; e = e.parentElement) {
      if (e.getAttribute("aria-hidden") === "true" || e.hidden) return true;
    }
    const style = getComputedStyle(el);
    return style.display === "none" || style.visibility === "hidden" || style.visibility === "collapse";
  };
  const shown = (el) => {
    if (hidden(el)) return false;
    if (el.getClientRects().length > 0) return true;
    // A visually hidden input of a switch, chip or segment counts when its label shows.
    return [...(el.labels ?? [])].some((label) => label.getClientRects().length > 0);
  };
  const inputRole = (el) => {
    const type = (el.getAttribute("type") ?? "text").toLowerCase();
    if (["button", "submit", "reset", "image"].includes(type)) return "button";
    if (type === "checkbox") return "checkbox";
    if (type === "radio") return "radio";
    if (type === "range") return "slider";
    if (type === "number") return "spinbutton";
    if (type === "search") return el.hasAttribute("list") ? "combobox" : "searchbox";
    if (type === "hidden") return null;
    return el.hasAttribute("list") ? "combobox" : "textbox";
  };
  const roleOf = (el) => {
    const explicit = el.getAttribute("role");
    if (explicit) return explicit.trim().split(/\s+/)[0];
    const tag = el.tagName.toLowerCase();
    switch (tag) {
      case "button":
        return "button";
      case "a":
        return el.hasAttribute("href") ? "link" : null;
      case "input":
        return inputRole(el);
      case "select":
        return el.multiple || el.size > 1 ? "listbox" : "combobox";
      case "textarea":
        return "textbox";
      case "h1":
      case "h2":
      case "h3":
      case "h4":
      case "h5":
      case "h6":
        return "heading";
      case "dialog":
        return "dialog";
      case "ul":
      case "ol":
        return "list";
      case "li":
        return el.parentElement?.closest('[role="tree"],[role="group"]')?.getAttribute("role") === "tree" ? "treeitem" : "listitem";
      case "table":
        return "table";
      case "tr":
        return "row";
      case "td":
        return "cell";
      case "th":
        return el.closest("thead") || el.getAttribute("scope") === "col" ? "columnheader" : "rowheader";
      case "nav":
        return "navigation";
      case "main":
        return "main";
      case "aside":
        return "complementary";
      case "header":
        return el.closest("article, aside, main, nav, section") ? null : "banner";
      case "section":
        return el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby") ? "region" : null;
      case "form":
        return "form";
      case "fieldset":
        return "group";
      case "option":
        return "option";
      case "img":
        return el.getAttribute("alt") === "" ? null : "img";
      case "progress":
        return "progressbar";
      default:
        return null;
    }
  };
  // Roles whose name comes from their content when nothing else names them.
  const fromContent = new Set([
    "button", "link", "tab", "treeitem", "option", "menuitem", "menuitemcheckbox", "menuitemradio", "heading", "cell",
    "columnheader", "rowheader", "checkbox", "radio", "switch", "row", "listitem", "tooltip", "gridcell", "status", "alert",
  ]);
  const isControl = (el) => el.matches("input, select, textarea");
  const valueOf = (el) => {
    if (el.matches("input, textarea")) return el.value;
    if (el.matches("select")) return el.selectedOptions[0]?.textContent ?? "";
    return el.textContent;
  };
  // The text a subtree contributes to a name: its parts in order, a space between block boxes.
  const contentText = (node, top) => {
    if (node.nodeType === Node.TEXT_NODE) return node.textContent;
    if (node.nodeType !== Node.ELEMENT_NODE) return "";
    const el = node;
    if (!top && hidden(el)) return "";
    if (!top) {
      const labelled = el.getAttribute("aria-label");
      if (labelled && norm(labelled)) return ` ${labelled} `;
      // An embedded text box or select reads as its value; a check box or radio adds nothing.
      if (isControl(el)) return el.matches('input[type="checkbox"], input[type="radio"]') ? "" : ` ${valueOf(el)} `;
      if (el.tagName === "IMG") return ` ${el.getAttribute("alt") ?? ""} `;
    }
    const parts = [...el.childNodes].map((child) => contentText(child, false)).join("");
    const inline = getComputedStyle(el).display.startsWith("inline");
    return inline || top ? parts : ` ${parts} `;
  };
  const textOfIds = (ids) =>
    ids
      .split(/\s+/)
      .map((id) => document.getElementById(id))
      .filter(Boolean)
      .map((el) => el.getAttribute("aria-label") || contentText(el, true))
      .join(" ");
  const nameOf = (el, role) => {
    const labelledBy = el.getAttribute("aria-labelledby");
    if (labelledBy && norm(textOfIds(labelledBy))) return norm(textOfIds(labelledBy));
    const label = el.getAttribute("aria-label");
    if (label && norm(label)) return norm(label);
    if (el.tagName === "FIELDSET" && el.querySelector(":scope > legend")) return norm(contentText(el.querySelector(":scope > legend"), true));
    if (isControl(el) && el.labels && el.labels.length > 0) {
      return norm([...el.labels].map((l) => contentText(l, true)).join(" "));
    }
    if (fromContent.has(role)) {
      const text = norm(contentText(el, true));
      if (text) return text;
    }
    return norm(el.getAttribute("title") || el.getAttribute("alt") || el.getAttribute("placeholder") || "");
  };
  const wanted = query.label !== undefined ? query.label : query.name;
  const matches = (name) => {
    if (wanted === null || wanted === undefined) return true;
    if (typeof wanted === "string") return name === norm(wanted);
    return new RegExp(wanted.source, wanted.flags).test(name);
  };
  const scope = within ?? document;
  const all = [...scope.querySelectorAll("*")];
  if (query.path !== undefined) {
    // A tree item by the names from its top-level item down: the items of a
    // tree in the order they are drawn, each one's parent the nearest item
    // above it one level up. Items scrolled out of a long tree are not in
    // the page; a parent that is not there is taken on trust.
    const items = all
      .filter((el) => roleOf(el) === "treeitem" && shown(el))
      .map((el) => ({ el, name: nameOf(el, "treeitem"), level: Number(el.getAttribute("aria-level")), top: el.getBoundingClientRect().top }))
      .sort((a, b) => a.top - b.top);
    const path = query.path.map(norm);
    const found = items.filter((item, at) => {
      if (item.level !== path.length || item.name !== path[path.length - 1]) return false;
      let level = item.level;
      for (let i = at - 1; i >= 0 && level > 1; i--) {
        if (items[i].level >= level) continue;
        if (items[i].level !== level - 1 || items[i].name !== path[level - 2]) return false;
        level -= 1;
      }
      return true;
    });
    return { found: found.map((item) => item.el), names: items.map((item) => `${"  ".repeat(item.level - 1)}${item.name}`) };
  }
  if (query.label !== undefined) {
    const controlRoles = new Set(["textbox", "searchbox", "combobox", "spinbutton", "checkbox", "radio", "switch", "slider", "listbox"]);
    const controls = all.filter((el) => (isControl(el) && roleOf(el) !== null) || controlRoles.has(el.getAttribute("role")));
    const named = controls.filter(shown).map((el) => ({ el, name: nameOf(el, roleOf(el)) }));
    return { found: named.filter((c) => matches(c.name)).map((c) => c.el), names: named.map((c) => c.name) };
  }
  const ofRole = all.filter((el) => roleOf(el) === query.role && shown(el)).map((el) => ({ el, name: nameOf(el, query.role) }));
  return { found: ofRole.filter((c) => matches(c.name)).map((c) => c.el), names: ofRole.map((c) => c.name) };
}

/** A name to pass into the page: a string as is, a regular expression as its source and flags. */
function nameQuery(name) {
  if (name instanceof RegExp) return { source: name.source, flags: name.flags };
  return name ?? null;
}

function describeQuery(what, name) {
  return name === null || name === undefined ? what : `${what} named ${name instanceof RegExp ? name : JSON.stringify(name)}`;
}

/** The matching elements shown now (no waiting): for counting rows, or checking that something is gone. */
export async function allByRole(browser, role, name, { within } = {}) {
  const { found } = await browser.execute(findInPage, { role, name: nameQuery(name) }, within ?? null);
  return Promise.all(found.map((el) => browser.$(el)));
}

async function waitForOne(browser, query, what, { within, index, timeout = 10_000, timeoutMsg } = {}) {
  let result = { found: [], names: [] };
  await browser.waitUntil(
    async () => {
      result = await browser.execute(findInPage, query, within ?? null);
      return index === undefined ? result.found.length === 1 : result.found.length > index;
    },
    {
      timeout,
      timeoutMsg: () => {
        const why = timeoutMsg ? `${timeoutMsg}: ` : "";
        if (result.found.length > 1 && index === undefined) return `${why}${result.found.length} elements are a ${what}: pass an index or a scope (within)`;
        const shown = [...new Set(result.names)].slice(0, 30).map((n) => JSON.stringify(n)).join(", ");
        return `${why}no ${what} is shown${index ? ` (index ${index})` : ""}; shown: ${shown || "none"}`;
      },
    },
  );
  return browser.$(result.found[index ?? 0]);
}

/**
 * Waits for the one displayed element with ARIA role `role` and accessible
 * name `name` (a string matched whole, or a RegExp; null for any name) and
 * returns it. `within` limits the search to an element's subtree, `index`
 * picks one of several matches in document order; otherwise more than one
 * match is an error that says how many there are.
 */
export async function byRole(browser, role, name, options = {}) {
  return waitForOne(browser, { role, name: nameQuery(name) }, describeQuery(role, name), options);
}

/** Waits for the displayed form control (text box, select, switch, …) whose label is `label` and returns it. */
export async function byLabel(browser, label, options = {}) {
  return waitForOne(browser, { label: nameQuery(label) }, `form control labelled ${label instanceof RegExp ? label : JSON.stringify(label)}`, options);
}

/** Waits until no element with this role and name is shown (a dialog closed, a row went away). */
export async function waitForNoRole(browser, role, name, { within, timeout = 10_000, timeoutMsg } = {}) {
  await browser.waitUntil(async () => (await browser.execute(findInPage, { role, name: nameQuery(name) }, within ?? null)).found.length === 0, {
    timeout,
    timeoutMsg: timeoutMsg ?? `a ${describeQuery(role, name)} is still shown`,
  });
}


/** The names of a tree item from its top-level item down, written as one path for messages. */
const pathText = (path) => path.join(" › ");

/**
 * Waits for the shown tree item reached through `path`, the names from a
 * top-level item down (["Northwind Energy", "London Docklands"]), in the
 * tree `within` (any tree when not given), and returns it.
 */
export async function treeItem(browser, path, options = {}) {
  const names = Array.isArray(path) ? path : [path];
  return waitForOne(browser, { path: names }, `tree item ${pathText(names)}`, options);
}

/** Whether a tree item reached through `path` is shown now (no waiting). */
export async function treeItemShown(browser, path, { within } = {}) {
  const names = Array.isArray(path) ? path : [path];
  return (await browser.execute(findInPage, { path: names }, within ?? null)).found.length > 0;
}

/** Waits until no tree item is shown at `path` (it was deleted, moved or renamed). */
export async function waitForNoTreeItem(browser, path, { within, timeout = 10_000, timeoutMsg } = {}) {
  await browser.waitUntil(async () => !(await treeItemShown(browser, path, { within })), { timeout, timeoutMsg: timeoutMsg ?? `tree item ${pathText(path)} is still shown` });
}

/** Waits until the tree that holds `item` has the keyboard focus with `item` as its current (active) item. */
export async function waitForActiveItem(browser, item, { timeout = 10_000, timeoutMsg } = {}) {
  let seen;
  await browser.waitUntil(
    async () => {
      seen = await browser.execute((item) => {
        const tree = item.closest('[role="tree"]');
        const active = document.activeElement;
        return { focused: active === tree, current: tree?.getAttribute("aria-activedescendant") === item.id };
      }, item);
      return seen.focused && seen.current;
    },
    { timeout, timeoutMsg: () => `${timeoutMsg ?? "the item is not the tree's current item"} (${JSON.stringify(seen)})` },
  );
}

/**
 * Clicks the tree item at `path` and waits until it is the selected,
 * current item and its tree holds the keyboard focus: keys sent next act
 * on this item.
 */
export async function selectTreeItem(browser, path, { timeout = 10_000, within } = {}) {
  const item = await treeItem(browser, path, { timeout, within });
  await item.click();
  await waitForAttribute(browser, item, "aria-selected", "true", { timeout, timeoutMsg: `clicking ${pathText(path)} did not select it` });
  await waitForActiveItem(browser, item, { timeout, timeoutMsg: `clicking ${pathText(path)} did not make it the tree's current item` });
  return item;
}

/**
 * Opens the tree item at `path` the keyboard way (selected, then the right
 * arrow) unless it is open already, and waits until it reads expanded.
 */
export async function expandTreeItem(browser, path, { timeout = 10_000, within } = {}) {
  const item = await treeItem(browser, path, { timeout, within });
  if ((await item.getAttribute("aria-expanded")) === "true") return item;
  await selectTreeItem(browser, path, { timeout, within });
  await browser.keys("ArrowRight");
  await waitForAttribute(browser, item, "aria-expanded", "true", { timeout, timeoutMsg: `${pathText(path)} did not expand` });
  return item;
}

/** Opens each ancestor of the tree item at `path` that is not open yet, and returns the item once it is shown. */
export async function revealTreeItem(browser, path, { timeout = 10_000, within } = {}) {
  for (let n = 1; n < path.length; n++) await expandTreeItem(browser, path.slice(0, n), { timeout, within });
  return treeItem(browser, path, { timeout, within });
}

/**
 * Clicks a checkbox, radio or switch found by role: its own box when it is
 * drawn, otherwise the label drawn over it (Mantine hides the input of a
 * switch, a chip or a segment under its label).
 */
export async function toggleControl(browser, control) {
  if (await control.isDisplayed()) return control.click();
  return clickLabelOf(browser, control);
}

/**
 * The helpers most specs write for themselves, bound to `browser`. Finding:
 * `button("Save")`, `field("Name")` (a form control by its label),
 * `tab("History")`, `dialog("New property")`, `menuItem("Rename")`,
 * `heading(…)`, `region(…)`, `role(role, name)`; each waits for the one
 * shown match and returns it. Acting: `press` a button, `openTab`, `pick`
 * an option of the open dropdown, `switchView` to another screen. Reading:
 * `waitForValue`, and `testId`/`textOf` for a value shown on screen that
 * has no role or name of its own.
 */
export function helpers(browser) {
  const testId = (id) => browser.$(`[data-testid="${id}"]`);
  const textOf = (id) => browser.execute((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null, id);
  async function waitForValue(read, accept, { timeout = 20_000, timeoutMsg }) {
    let seen;
    await browser.waitUntil(async () => accept((seen = await read())), {
      timeout,
      timeoutMsg: () => `${timeoutMsg} (saw ${JSON.stringify(seen)})`,
    });
    return seen;
  }
  async function click(id, what) {
    const element = await testId(id);
    await element.waitForClickable({ timeout: 20_000, timeoutMsg: `${what ?? id} cannot be clicked` });
    await element.click();
  }
  const role = (r, name, options) => byRole(browser, r, name, options);
  const button = (name, options) => byRole(browser, "button", name, options);
  const field = (label, options) => byLabel(browser, label, options);
  const tab = (name, options) => byRole(browser, "tab", name, options);
  const dialog = (name, options) => byRole(browser, "dialog", name, options);
  const menuItem = (name, options) => byRole(browser, "menuitem", name, options);
  const heading = (name, options) => byRole(browser, "heading", name, options);
  const region = (name, options) => byRole(browser, "region", name, options);
  /** Clicks the button `name` once it can be clicked (it may be disabled while something loads). */
  async function press(name, options = {}) {
    const element = await button(name, options);
    await element.waitForClickable({ timeout: options.timeout ?? 20_000, timeoutMsg: `the button ${JSON.stringify(String(name))} cannot be clicked` });
    await element.click();
    return element;
  }
  /** Opens the tab `name` and waits until it reads selected. */
  async function openTab(name, options = {}) {
    const element = await tab(name, options);
    await element.click();
    await waitForAttribute(browser, element, "aria-selected", "true", { timeoutMsg: `the tab ${JSON.stringify(String(name))} did not open` });
    return element;
  }
  /** Clicks the shown option `text` of the open dropdown. */
  const pick = (text, options) => pickOption(browser, text, options);
  /** Switches the workspace to the screen `name` (the header's "Screens" navigation) and waits until it is the chosen one. */
  async function switchView(name) {
    const screens = await byRole(browser, "navigation", "Screens");
    const choice = await byRole(browser, "radio", name, { within: screens });
    await toggleControl(browser, choice);
    await browser.waitUntil(async () => (await choice.isSelected()) === true, { timeout: 10_000, timeoutMsg: `the screen ${name} was not chosen` });
  }
  return { testId, textOf, waitForValue, click, switchView, role, button, field, tab, dialog, menuItem, heading, region, press, openTab, pick };
}

/** The text content of `element` (all of it, hidden parts included). */
export function textContentOf(browser, element) {
  return browser.execute((el) => el.textContent, element);
}

/**
 * Waits until the text `read()` returns satisfies `accept` (a read that
 * throws counts as nothing shown yet); a timeout names the last text seen.
 */
export async function waitForTextOf(browser, read, accept, timeoutMsg, timeout = 10_000) {
  let seen;
  await browser.waitUntil(
    async () => {
      try {
        seen = await read();
      } catch {
        seen = null; // not shown (yet)
      }
      return accept(seen);
    },
    { timeout, timeoutMsg: () => `${timeoutMsg} (saw ${JSON.stringify(seen)})` },
  );
  return seen;
}

/** Runs the command line beside the app under test (`eco-studio …`) and returns what it printed. */
export const cli = (...args) => execFileSync(join(dirname(process.env.ECO_APP_BINARY ?? "."), "eco-studio"), args, { encoding: "utf8" }).trim();

/** Runs `statement` on the run's database as its owner (psql) and returns the rows as text. */
export const sql = (statement) => execFileSync("psql", [cli("db", "url"), "-XAtc", statement], { encoding: "utf8" }).trim();

/** The names of the entity with path label `pathLabel`, from its top-level entity down (a tree path). */
export const entityNames = (pathLabel) =>
  sql(`WITH RECURSIVE chain AS (
         SELECT id, parent_entity_id, 0 AS depth FROM entities WHERE path_label = '${pathLabel}' AND deleted_at IS NULL
         UNION ALL SELECT e.id, e.parent_entity_id, c.depth + 1 FROM entities e JOIN chain c ON e.id = c.parent_entity_id)
       SELECT string_agg(r.name, '|' ORDER BY c.depth DESC) FROM chain c JOIN entity_read_model r ON r.entity_id = c.id`).split("|");

/** The text of the status line the window shows while the server cannot be reached ("Offline since…"), or null. */
export const offlineStatus = (browser) =>
  browser.execute(() => [...document.querySelectorAll('[role="status"]')].map((s) => s.textContent).find((t) => /offline/i.test(t)) ?? null);
