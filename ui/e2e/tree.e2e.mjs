// The real app in a real window on a fresh embedded database with the demo
// registry: the tree, details and history, rename, the palette, delete and
// restore. Steps share one app session and run in order.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openApp, screenshot, expandTimings, saveMetrics, row, toggle } from "./session.mjs";

let session;
let browser;
const NW = "northwind_energy";
const LONDON = `${NW}.london_docklands`;

before(async () => {
  session = await openApp();
  browser = session.browser;
});

after(async () => {
  if (session) await session.close();
});

test("the demo tree appears and a node expands to its children", async () => {
  // First run: the cluster is created, migrated and seeded before the tree shows.
  const northwind = await row(browser, NW);
  await northwind.waitForDisplayed({ timeout: 60_000, timeoutMsg: "the demo roots never appeared" });
  assert.equal(await northwind.getAttribute("data-node-name"), "Northwind Energy");
  const roots = await browser.$$('[role="treeitem"][aria-level="1"]');
  assert.equal(roots.length, 3, "the demo has three tenants");
  await screenshot(browser, "tree-roots");

  await (await toggle(browser, NW)).click();
  await (await row(browser, LONDON)).waitForDisplayed({ timeout: 10_000, timeoutMsg: "children did not load" });
  assert.equal(await northwind.getAttribute("aria-expanded"), "true");
  await (await toggle(browser, LONDON)).click();
  await (await row(browser, `${LONDON}.building_a`)).waitForDisplayed({ timeout: 10_000 });

  const timings = await expandTimings(browser);
  assert.equal(timings.length, 2, "the UI recorded one click-to-painted time per expand");
  console.log(`click-to-painted children (in the page): ${timings.map((t) => t.toFixed(1)).join(" ms, ")} ms`);
  saveMetrics("expand-demo", { expand_ms: timings });
});

test("selecting shows details with breadcrumb and history", async () => {
  const building = await row(browser, `${LONDON}.building_a`);
  await building.click();
  assert.equal(await building.getAttribute("aria-selected"), "true", "clicking a row selects it");
  const heading = await browser.$("//*[self::h1 or self::h2 or self::h3][normalize-space()='Building A']");
  await heading.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the detail pane did not show the entity" });
  await screenshot(browser, "details");
  await (await browser.$("//button[@role='tab'][contains(., 'History')]")).click();
  const created = await browser.$("//*[contains(., 'Created') or contains(., 'created')]");
  await created.waitForExist({ timeout: 10_000, timeoutMsg: "the history shows the creation" });
  await screenshot(browser, "history");
});

test("F2 renames inline and the path label follows", async () => {
  await (await row(browser, `${LONDON}.building_a`)).click();
  await browser.keys("F2");
  const input = await browser.$('[data-testid="rename-input"]');
  await input.waitForDisplayed({ timeout: 5_000 });
  // The field opens focused with the old name selected: typing replaces it.
  await browser.keys("Building Alpha".split(""));
  await browser.keys("Enter");
  const renamed = await row(browser, `${LONDON}.building_alpha`);
  await renamed.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the renamed row did not appear" });
  assert.equal(await renamed.getAttribute("data-node-name"), "Building Alpha");
});

test("Ctrl+K finds an entity and reveals it in the tree", async () => {
  await browser.keys(["Control", "k"]);
  const input = await browser.$('[data-testid="palette-input"]');
  await input.waitForDisplayed({ timeout: 5_000, timeoutMsg: "the palette did not open" });
  await input.setValue("Boardroom");
  const target = "greenfield_campus.south_campus.building_b.level_2.boardroom";
  const hit = await browser.$(`[data-testid="palette-hit-${target}"]`);
  await hit.waitForDisplayed({ timeout: 10_000, timeoutMsg: "search found nothing" });
  await screenshot(browser, "palette");
  await hit.click();
  const revealed = await row(browser, target);
  await revealed.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the entity was not revealed" });
  await browser.waitUntil(async () => (await revealed.getAttribute("aria-selected")) === "true", {
    timeout: 5_000,
    timeoutMsg: "the revealed entity is not selected",
  });
  await screenshot(browser, "revealed");
});

test("Delete moves a subtree to the trash and Restore brings it back", async () => {
  const label = `${LONDON}.building_b`;
  await (await row(browser, label)).click();
  await browser.keys("Delete");
  const confirm = await browser.$('[data-testid="confirm-delete"]');
  await confirm.waitForDisplayed({ timeout: 5_000 });
  await confirm.click();
  await (await row(browser, label)).waitForExist({ reverse: true, timeout: 10_000, timeoutMsg: "the row stayed" });

  await (await browser.$("//label[normalize-space()='Trash']")).click();
  const restore = await browser.$('[data-testid^="trash-restore-"]');
  await restore.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the trash is empty" });
  await screenshot(browser, "trash");
  await restore.click();
  await restore.waitForExist({ reverse: true, timeout: 10_000, timeoutMsg: "the item stayed in the trash" });

  await (await browser.$("//label[normalize-space()='Registry']")).click();
  await (await row(browser, label)).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the restored row is missing" });
});
