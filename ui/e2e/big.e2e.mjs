// The app on a large generated registry (scripts/e2e with ECO_E2E_DATA_DIR):
// expands down to a node with very many children, scrolls through it, and
// records click-to-painted times and screenshots. Every step waits for the
// state it checks, never for a fixed time.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openApp, screenshot, expandTimings, saveMetrics, row, toggle, painted, waitForAttribute, waitForExpandTimings } from "./session.mjs";

let session;
let browser;
let expands = 0;

before(async () => {
  session = await openApp();
  browser = session.browser;
});

after(async () => {
  if (session) await session.close();
});

/** The first rendered child row of the node at `label` (its path label is the parent's plus one segment). */
const firstChild = (label, level) => browser.$(`[role="treeitem"][aria-level="${level}"][data-testid^="tree-row-${label}."]`);

/** Clicks the toggle of the node at `label` (shown at `level`) and waits for its children and its timing. */
async function expand(label, level, { timeout = 30_000 } = {}) {
  const node = await row(browser, label);
  await waitForAttribute(browser, node, "aria-expanded", "false", { timeoutMsg: `${label} is not a collapsed node` });
  await (await toggle(browser, label)).click();
  await waitForAttribute(browser, node, "aria-expanded", "true", { timeout, timeoutMsg: `${label} did not expand` });
  await (await firstChild(label, level + 1)).waitForDisplayed({ timeout, timeoutMsg: `the children of ${label} did not load` });
  expands += 1;
  // Recorded on the animation frame after the children render.
  await waitForExpandTimings(browser, expands);
}

async function expandFirstCollapsed(level) {
  const rows = await browser.$$(`[role="treeitem"][aria-level="${level}"][aria-expanded="false"]`);
  assert.ok(rows.length > 0, `a collapsed node at level ${level}`);
  const label = (await rows[0].getAttribute("data-testid")).replace("tree-row-", "");
  await expand(label, level);
  return label;
}

/** Scroll offset, scrollable extent and whether a tree row is rendered across the viewport's middle. */
function scrollState(scroller) {
  return browser.execute((el) => {
    const view = el.getBoundingClientRect();
    const middle = view.top + view.height / 2;
    const rowAtMiddle = [...el.querySelectorAll('[role="treeitem"]')].some((r) => {
      const box = r.getBoundingClientRect();
      return box.top <= middle && box.bottom >= middle;
    });
    return { top: el.scrollTop, max: el.scrollHeight - el.clientHeight, rowAtMiddle };
  }, scroller);
}

/**
 * Scrolls the tree down by `dy` px and waits until rows are rendered there.
 * Only loaded pages can be scrolled into: at the end of them the tree loads
 * the next page, and the scroll goes on once it is in.
 */
async function scrollTreeBy(scroller, dy, { timeout = 30_000 } = {}) {
  const target = (await scrollState(scroller)).top + dy;
  for (;;) {
    const reached = await browser.execute((el, top) => {
      el.scrollTop = top;
      return el.scrollTop;
    }, scroller, target);
    if (reached >= target - 1) break;
    let state;
    await browser.waitUntil(async () => (state = await scrollState(scroller)).max > reached + 1, {
      timeout,
      timeoutMsg: () => `the next page did not load at ${Math.round(reached)} px (${JSON.stringify(state)})`,
    });
  }
  let state;
  await browser.waitUntil(async () => (state = await scrollState(scroller)).rowAtMiddle, {
    timeout,
    timeoutMsg: () => `no rows rendered after scrolling to ${Math.round(target)} px (${JSON.stringify(state)})`,
  });
  await painted(browser);
}

test("a million-entity registry browses without waiting", async () => {
  const first = await browser.$('[role="treeitem"][aria-level="1"]');
  await first.waitForDisplayed({ timeout: 120_000, timeoutMsg: "no roots" });
  await screenshot(browser, "big-roots");
  const path = [];
  for (let level = 1; level <= 4; level++) path.push(await expandFirstCollapsed(level));
  await screenshot(browser, "big-expanded");

  // The widest node (`seed generate --wide`): found with Ctrl+K, opened, and
  // scrolled far through its 100,000 children.
  await browser.keys(["Control", "k"]);
  const input = await browser.$('[data-testid="palette-input"]');
  await input.waitForDisplayed({ timeout: 5_000 });
  await input.setValue("Warehouse hall");
  const hit = await browser.$("//*[starts-with(@data-testid, 'palette-hit-')][.//*[normalize-space()='Warehouse hall']]");
  await hit.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the wide node was not found" });
  const label = (await hit.getAttribute("data-testid")).replace("palette-hit-", "");
  await hit.click();
  await input.waitForExist({ reverse: true, timeout: 5_000, timeoutMsg: "picking a hit did not close the palette" });
  const wide = await row(browser, label);
  await wide.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the wide node was not revealed" });
  const level = Number(await wide.getAttribute("aria-level"));
  await expand(label, level);
  const scroller = await browser.$('[data-testid="tree-scroll"]');
  const started = Date.now();
  for (let i = 0; i < 40; i++) await scrollTreeBy(scroller, 6000);
  const scrolledMs = Date.now() - started;
  const domRows = await browser.$$('[role="treeitem"]');
  assert.ok(domRows.length < 300, `the tree stays virtualized (${domRows.length} rows in the DOM)`);
  const deepest = await browser.execute((prefix, childLevel) => {
    const rows = [...document.querySelectorAll(`[role="treeitem"][aria-level="${childLevel}"]`)].filter((r) =>
      r.getAttribute("data-testid").startsWith(prefix),
    );
    return rows.length ? rows[rows.length - 1].getAttribute("data-node-name") : null;
  }, `tree-row-${label}.`, level + 1);
  assert.ok(deepest !== null, "rows of the wide node are on screen after the scroll");
  console.log(`scrolled 40 × 6000 px through the wide node in ${scrolledMs} ms; last row painted: ${deepest}`);
  await screenshot(browser, "big-wide-node");
  const timings = await expandTimings(browser);
  assert.equal(timings.length, expands, "the UI recorded one click-to-painted time per expand");
  console.log(`click-to-painted children on the large registry: ${timings.map((t) => t.toFixed(1)).join(", ")} ms`);
  saveMetrics("expand-big", { path, expand_ms: timings });
});
