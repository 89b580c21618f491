// Starts tauri-driver and a WebDriver session on the built app.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
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
  const driver = spawn("tauri-driver", ["--port", "4444"], { stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise((resolve) => driver.once("exit", resolve));
  let browser;
  try {
    await waitForDriver(driver, 4444);
    browser = await remote({
      hostname: "127.0.0.1",
      port: 4444,
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

/** Waits until the tree (not an input or a dialog) holds the keyboard focus. */
export async function waitForTreeFocus(browser, { timeout = 10_000 } = {}) {
  let seen;
  await browser.waitUntil(async () => (seen = await focusedTestId(browser)) === "tree-scroll", {
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

/**
 * The helpers most specs write for themselves, bound to `browser`: an
 * element by test id, its text, waiting for a value, a click once
 * clickable, and switching the workspace's view.
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
  async function switchView(name) {
    await (await browser.$(`//*[@data-testid="view-switch"]//label[normalize-space()="${name}"]`)).click();
  }
  return { testId, textOf, waitForValue, click, switchView };
}
