// The app on a large generated registry (scripts/e2e with ECO_E2E_DATA_DIR):
// expands down to a node with very many children, scrolls through it, and
// records click-to-painted times and screenshots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openApp, screenshot, expandTimings, saveMetrics } from "./session.mjs";

let session;
let browser;

before(async () => {
  session = await openApp();
  browser = session.browser;
});

after(async () => {
  if (session) await session.close();
});

async function expandFirstCollapsed(level) {
  const rows = await browser.$$(`[role="treeitem"][aria-level="${level}"][aria-expanded="false"]`);
  assert.ok(rows.length > 0, `a collapsed node at level ${level}`);
  const label = (await rows[0].getAttribute("data-testid")).replace("tree-row-", "");
  await (await browser.$(`[data-testid="tree-toggle-${label}"]`)).click();
  await browser.$(`[role="treeitem"][aria-level="${level + 1}"]`).waitForDisplayed({ timeout: 30_000 });
  return label;
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
  const hit = await browser.$('[data-testid^="palette-hit-"]');
  await hit.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the wide node was not found" });
  const label = (await hit.getAttribute("data-testid")).replace("palette-hit-", "");
  await hit.click();
  const wide = await browser.$(`[data-testid="tree-row-${label}"]`);
  await wide.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the wide node was not revealed" });
  await (await browser.$(`[data-testid="tree-toggle-${label}"]`)).click();
  await browser.$(`[role="treeitem"][aria-level="4"]`).waitForDisplayed({ timeout: 30_000 });
  const scroller = await browser.$('[data-testid="tree-scroll"]');
  const started = Date.now();
  for (let i = 0; i < 40; i++) {
    await browser.execute((el) => el.scrollBy(0, 6000), scroller);
    await browser.pause(40);
  }
  const scrolledMs = Date.now() - started;
  const domRows = await browser.$$('[role="treeitem"]');
  assert.ok(domRows.length < 300, `the tree stays virtualized (${domRows.length} rows in the DOM)`);
  const deepest = await browser.execute(() => {
    const rows = [...document.querySelectorAll('[role="treeitem"][aria-level="4"]')];
    return rows.length ? rows[rows.length - 1].getAttribute("data-node-name") : null;
  });
  console.log(`scrolled 40 × 6000 px through the wide node in ${scrolledMs} ms; last row painted: ${deepest}`);
  await screenshot(browser, "big-wide-node");
  const timings = await expandTimings(browser);
  console.log(`click-to-painted children on the large registry: ${timings.map((t) => t.toFixed(1)).join(", ")} ms`);
  saveMetrics("expand-big", { path, expand_ms: timings });
});
