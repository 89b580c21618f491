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

  // The widest node: a generated site holding one node with very many children.
  const wide = await browser.$('[data-testid^="tree-row-"][data-node-name*="Device pool"], [data-testid^="tree-row-"][data-node-name*="pool"]');
  if (await wide.isExisting()) {
    const label = (await wide.getAttribute("data-testid")).replace("tree-row-", "");
    await (await browser.$(`[data-testid="tree-toggle-${label}"]`)).click();
    const scroller = await browser.$('[data-testid="tree-scroll"]');
    for (let i = 0; i < 20; i++) {
      await browser.execute((el) => el.scrollBy(0, 4000), scroller);
      await browser.pause(50);
    }
    const domRows = await browser.$$('[role="treeitem"]');
    assert.ok(domRows.length < 300, `the tree stays virtualized (${domRows.length} rows in the DOM)`);
    await screenshot(browser, "big-wide-node");
  }
  const timings = await expandTimings(browser);
  console.log(`click-to-painted children on the large registry: ${timings.map((t) => t.toFixed(1)).join(", ")} ms`);
  saveMetrics("expand-big", { path, expand_ms: timings });
});
