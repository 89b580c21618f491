// The real app in a real window on a fresh embedded database with the demo
// registry: the tree, details and history, rename, the palette, delete and
// restore. Steps share one app session and run in order. Every step waits for
// the state it checks (the UI updates asynchronously), never for a fixed time.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  openApp,
  screenshot,
  saveMetrics,
  row,
  toggle,
  selectRow,
  waitForAttribute,
  waitForExpandTimings,
  waitForNoDialog,
  waitForTreeFocus,
} from "./session.mjs";

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

/** Waits until `read()` (a text) satisfies `accept`; a timeout names the last text seen. */
async function waitForText(read, accept, { timeout = 10_000, timeoutMsg }) {
  let seen;
  await browser.waitUntil(async () => accept((seen = await read())), {
    timeout,
    timeoutMsg: () => `${timeoutMsg} (saw ${JSON.stringify(seen)})`,
  });
  return seen;
}

const testId = (id) => browser.$(`[data-testid="${id}"]`);

test("the demo tree appears and a node expands to its children", async () => {
  // First run: the cluster is created, migrated and seeded before the tree shows.
  const northwind = await row(browser, NW);
  await northwind.waitForDisplayed({ timeout: 60_000, timeoutMsg: "the demo roots never appeared" });
  assert.equal(await northwind.getAttribute("data-node-name"), "Northwind Energy");
  const rootCount = async () => (await browser.$$('[role="treeitem"][aria-level="1"]')).length;
  await browser.waitUntil(async () => (await rootCount()) >= 4, { timeout: 10_000, timeoutMsg: "fewer than four roots appeared" });
  assert.equal(await rootCount(), 4, "the demo has three tenants and the tag library");
  await screenshot(browser, "tree-roots");

  await (await toggle(browser, NW)).click();
  await (await row(browser, LONDON)).waitForDisplayed({ timeout: 10_000, timeoutMsg: "children did not load" });
  await waitForAttribute(browser, northwind, "aria-expanded", "true", { timeoutMsg: `${NW} is not marked expanded` });
  assert.equal(await northwind.getAttribute("aria-expanded"), "true");
  await (await toggle(browser, LONDON)).click();
  await (await row(browser, `${LONDON}.building_a`)).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the site's children did not load" });

  // Each timing is recorded on the animation frame after the children render,
  // so it can land after the row is already in the DOM.
  const timings = await waitForExpandTimings(browser, 2);
  assert.equal(timings.length, 2, "the UI recorded one click-to-painted time per expand");
  console.log(`click-to-painted children (in the page): ${timings.map((t) => t.toFixed(1)).join(" ms, ")} ms`);
  saveMetrics("expand-demo", { expand_ms: timings });
});

test("selecting shows details with breadcrumb and history", async () => {
  const building = await selectRow(browser, `${LONDON}.building_a`);
  assert.equal(await building.getAttribute("aria-selected"), "true", "clicking a row selects it");
  const heading = await browser.$("//*[self::h1 or self::h2 or self::h3][normalize-space()='Building A']");
  await heading.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the detail pane did not show the entity" });

  // The whole overview: the entity and its breadcrumb come with one query, the
  // subtree count with another; the screenshot waits for both.
  await (await testId("node-details")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the overview is not shown" });
  await waitForText(() => testId("details-name").getText(), (t) => t === "Building A", { timeoutMsg: "the overview names another entity" });
  await waitForText(() => testId("details-path").getText(), (t) => t === `${LONDON}.building_a`, { timeoutMsg: "the overview shows another path" });
  await waitForText(
    () => testId("details-breadcrumb").getText(),
    (t) => ["Registry", "Northwind Energy", "London Docklands", "Building A"].every((part) => t.includes(part)),
    { timeoutMsg: "the breadcrumb does not lead from the registry to the entity" },
  );
  const subtree = await testId("details-subtree-count");
  await subtree.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the subtree was not counted" });
  await waitForText(() => subtree.getText(), (t) => /^[\d,]+ entit(y|ies) in this subtree$/.test(t), { timeoutMsg: "the subtree count is not shown" });
  await screenshot(browser, "details");

  await (await browser.$("//button[@role='tab'][contains(., 'History')]")).click();
  // The demo seed creates every entity through the audited path, so its history holds the creation.
  const created = await browser.$("//*[@data-testid='history-table']//tr[@data-testid='history-row'][.//*[normalize-space()='Created']]");
  await created.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the history shows the creation" });
  await screenshot(browser, "history");
});

test("F2 renames inline and the path label follows", async () => {
  await selectRow(browser, `${LONDON}.building_a`);
  await browser.keys("F2");
  const input = await browser.$('[data-testid="rename-input"]');
  await input.waitForDisplayed({ timeout: 5_000 });
  // The field opens focused with the old name selected: typing replaces it.
  // Focus and selection are applied after the field mounts.
  let field;
  await browser.waitUntil(
    async () => {
      field = await browser.execute(() => {
        const el = document.activeElement;
        return el instanceof HTMLInputElement
          ? { testId: el.getAttribute("data-testid"), value: el.value, start: el.selectionStart, end: el.selectionEnd }
          : { testId: el?.getAttribute("data-testid") ?? null };
      });
      return field.testId === "rename-input" && field.value === "Building A" && field.start === 0 && field.end === field.value.length;
    },
    { timeout: 5_000, timeoutMsg: () => `the rename field is not focused with the old name selected (${JSON.stringify(field)})` },
  );
  await browser.keys("Building Alpha".split(""));
  await browser.keys("Enter");
  const renamed = await row(browser, `${LONDON}.building_alpha`);
  await renamed.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the renamed row did not appear" });
  assert.equal(await renamed.getAttribute("data-node-name"), "Building Alpha");
  // Saving closes the field and gives the keyboard back to the tree.
  await input.waitForExist({ reverse: true, timeout: 10_000, timeoutMsg: "the rename field stayed open" });
  await waitForTreeFocus(browser);
});

test("Ctrl+K finds an entity and reveals it in the tree", async () => {
  // The shortcut is ignored while an input has the focus.
  await waitForTreeFocus(browser);
  await browser.keys(["Control", "k"]);
  const input = await browser.$('[data-testid="palette-input"]');
  await input.waitForDisplayed({ timeout: 5_000, timeoutMsg: "the palette did not open" });
  await input.setValue("Boardroom");
  const target = "greenfield_campus.south_campus.building_b.level_2.boardroom";
  const hit = await browser.$(`[data-testid="palette-hit-${target}"]`);
  await hit.waitForDisplayed({ timeout: 10_000, timeoutMsg: "search found nothing" });
  await waitForText(() => testId("palette-status").getText(), (t) => /^[\d,]+\+? match(es)?$/.test(t), {
    timeoutMsg: "the palette does not show the search's result count",
  });
  await screenshot(browser, "palette");
  await hit.click();
  await input.waitForExist({ reverse: true, timeout: 5_000, timeoutMsg: "picking a hit did not close the palette" });
  const revealed = await row(browser, target);
  await revealed.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the entity was not revealed" });
  await waitForAttribute(browser, revealed, "aria-selected", "true", { timeout: 5_000, timeoutMsg: "the revealed entity is not selected" });
  await screenshot(browser, "revealed");
});

test("Delete moves a subtree to the trash and Restore brings it back", async () => {
  const label = `${LONDON}.building_b`;
  await selectRow(browser, label);
  await browser.keys("Delete");
  const confirm = await browser.$('[data-testid="confirm-delete"]');
  await confirm.waitForDisplayed({ timeout: 5_000 });
  await waitForText(() => testId("delete-question").getText(), (t) => t === 'Delete "Building B" and everything under it?', {
    timeoutMsg: "the dialog asks about another entity",
  });
  await confirm.click();
  await (await row(browser, label)).waitForExist({ reverse: true, timeout: 10_000, timeoutMsg: "the row stayed" });
  // The dialog closes once the deletion is done; until then it covers the view switch.
  await waitForNoDialog(browser, { timeoutMsg: "the delete dialog stayed open" });

  await (await browser.$("//label[normalize-space()='Trash']")).click();
  const trashRow = await browser.$(`//tr[starts-with(@data-testid, 'trash-row-')][.//*[normalize-space()='${label}']]`);
  await trashRow.waitForDisplayed({ timeout: 10_000, timeoutMsg: `${label} is not in the trash` });
  const restore = await trashRow.$('[data-testid^="trash-restore-"]');
  await restore.waitForEnabled({ timeout: 10_000, timeoutMsg: "the deletion cannot be restored" });
  await screenshot(browser, "trash");
  await restore.click();
  await trashRow.waitForExist({ reverse: true, timeout: 10_000, timeoutMsg: "the item stayed in the trash" });

  await (await browser.$("//label[normalize-space()='Registry']")).click();
  await (await row(browser, label)).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the restored row is missing" });
});
