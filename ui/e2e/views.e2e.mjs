// The real app in a real window on the demo registry: a power user's
// journey through saved views, as a new user would make it. They build a
// view of Northwind's HVAC units in the builder without typing JSON, save it
// shared, open it as a board and move a card, bulk-edit its rows, export
// it, and see it as a tree. Steps share one app session and run in order;
// each waits for the state it checks, never for a fixed time.
//
// It runs after the other specs on the same database (or alone on a fresh
// one): it only reads what they leave and changes HVAC units' status and
// maintenance interval, which the others do not look at afterwards.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openApp, screenshot, pickOption, clickLabelOf, fillInput, waitForNoDialog } from "./session.mjs";

let session;
let browser;
const exportDir = mkdtempSync(join(tmpdir(), "eco-e2e-export-"));
const VIEW_NAME = "Northwind HVAC in service";

before(async () => {
  session = await openApp();
  browser = session.browser;
});

after(async () => {
  if (session) await session.close();
  rmSync(exportDir, { recursive: true, force: true });
});

const testId = (id) => browser.$(`[data-testid="${id}"]`);
const textOf = (id) => browser.execute((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null, id);

/** Waits until `read()` satisfies `accept`; a timeout names the last value seen. */
async function waitForValue(read, accept, { timeout = 10_000, timeoutMsg }) {
  let seen;
  await browser.waitUntil(async () => accept((seen = await read())), {
    timeout,
    timeoutMsg: () => `${timeoutMsg} (saw ${JSON.stringify(seen)})`,
  });
  return seen;
}

async function click(id, what) {
  const element = await testId(id);
  await element.waitForClickable({ timeout: 10_000, timeoutMsg: `${what ?? id} cannot be clicked` });
  await element.click();
}

async function switchView(name) {
  await (await browser.$(`//*[@data-testid="view-switch"]//label[normalize-space()="${name}"]`)).click();
}

/** Shows the open view as a table, a board or a tree. */
async function showAs(label) {
  await (await browser.$(`//*[@data-testid="view-type"]//label[normalize-space()="${label}"]`)).click();
}

/** Chooses `option` in the select with this test id (a searchable select takes typing first). */
async function choose(id, option) {
  await click(id);
  await pickOption(browser, option);
}

/** Closes an open dropdown that stays open after a pick (multi selects). */
const closeDropdown = () => browser.keys(["Escape"]);

/** The state of builder row `position`: "complete", "incomplete", or null. */
const rowState = (position) => browser.execute((p) => document.querySelector(`[data-testid="condition-${p}"]`)?.getAttribute("data-state") ?? null, position);

async function waitComplete(position, what) {
  await waitForValue(() => rowState(position), (s) => s === "complete", { timeoutMsg: `${what} did not become a complete condition` });
}

/** The rows the table shows: "name|status". */
const tableRows = () =>
  browser.execute(() => [...document.querySelectorAll('[data-testid^="view-row-"]')].filter((r) => !r.getAttribute("data-testid").startsWith("view-row-check")).length);

/** The count badge as a number (null while counting). */
async function shownCount() {
  const text = await textOf("view-count");
  const match = text?.match(/^([\d,]+) rows?$/);
  return match ? Number(match[1].replaceAll(",", "")) : null;
}

test("a new view is built in the builder, every part of it without JSON", async () => {
  // A first start creates the database and the demo registry.
  await (await testId("view-switch")).waitForDisplayed({ timeout: 120_000, timeoutMsg: "the workspace did not open" });
  await switchView("Views");
  await (await testId("views-screen")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the Views screen did not open" });
  await click("views-new", "New view");
  await waitForValue(() => textOf("view-title"), (t) => t === "Untitled view", { timeoutMsg: "no new view opened" });
  await click("view-builder-toggle", "Filter & columns");
  await (await testId("view-builder-panel")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the builder did not open" });
  await click("builder-tab-filter");

  // Rated power between 5 and 400 kW.
  await click("builder-add-condition");
  await choose("condition-key-0", "Rated power (kW)");
  await choose("condition-op-0", "between");
  await fillInput(browser, await testId("condition-value-0-from"), "5");
  await fillInput(browser, await testId("condition-value-0-to"), "400");
  await waitComplete(0, "the power range");

  // Status is Active or In maintenance (the board's two columns to move between).
  await click("builder-add-condition");
  await choose("condition-key-1", "Status");
  await choose("condition-op-1", "is one of");
  await choose("condition-value-1", "Active");
  await pickOption(browser, "In maintenance");
  await closeDropdown();
  await waitComplete(1, "the status condition");

  // HVAC units only.
  await click("builder-add-condition");
  await choose("condition-kind-2", "Type");
  await choose("condition-value-2", "HVAC unit");
  await closeDropdown();
  await waitComplete(2, "the type condition");

  // Supplied by Nordic HVAC (a tag).
  await click("builder-add-condition");
  await choose("condition-kind-3", "Tag");
  await click("condition-match-3-any");
  await choose("condition-value-3", "Nordic HVAC");
  await closeDropdown();
  await waitComplete(3, "the tag condition");

  // Under Northwind Energy (one tenant).
  await click("builder-add-condition");
  await choose("condition-kind-4", "Under");
  const under = await testId("condition-value-4");
  await under.click();
  await under.addValue("Northwind");
  await pickOption(browser, "Northwind Energy");
  await waitComplete(4, "the subtree condition");

  // Newest installations first; the rated power and status shown.
  // A new view sorts by name: that key goes, install date comes.
  await click("builder-tab-sort");
  await click("sort-remove-0", "remove the sort by name");
  await choose("sort-add", "Install date");
  await click("sort-direction-0-desc");
  await click("builder-tab-columns");
  for (const column of ["Rated power (kW)", "Status", "Install date"]) await choose("columns-add", column);
  await click("builder-tab-layout");
  await choose("layout-group-by", "Status");

  const count = await waitForValue(shownCount, (n) => n !== null && n > 0, { timeout: 15_000, timeoutMsg: "the view counts no rows" });
  await waitForValue(tableRows, (n) => n === Math.min(count, 50), { timeout: 15_000, timeoutMsg: `the table does not show the view's ${count} rows` });
  await screenshot(browser, "e2e-views-builder");

  // The document the builder made, as JSON (read, not typed).
  await click("builder-tab-json");
  const json = await waitForValue(() => browser.execute(() => document.querySelector('[data-testid="builder-json"]')?.value ?? ""), (t) => t.includes("rated_power_kw"), {
    timeoutMsg: "the JSON tab does not show the document",
  });
  const doc = JSON.parse(json);
  assert.equal(doc.version, 2);
  assert.deepEqual(doc.sort, [{ field: "property:install_date", descending: true }]);
  assert.equal(doc.groupBy, "status");
  const conditions = doc.filter.all;
  assert.equal(conditions.length, 5, json);
  assert.deepEqual(conditions[0], { property: { key: "rated_power_kw", op: "between", value: [5, 400] } });
  assert.deepEqual(conditions[1].property.value, ["active", "maintenance"]);
  assert.deepEqual(conditions[2], { type: ["hvac_unit"] });
  assert.equal(conditions[3].tag.match, "any");
  assert.ok(typeof conditions[4].under === "string");
  await screenshot(browser, "e2e-views-json");
  await click("view-builder-toggle", "Filter & columns (to close it)");
});

test("it is saved as a shared view and listed with the shared ones", async () => {
  await click("view-save-as", "Save as…");
  await fillInput(browser, await testId("view-save-as-name"), VIEW_NAME);
  const shared = await testId("view-save-as-shared");
  if (!(await shared.isSelected())) await clickLabelOf(browser, shared);
  await click("view-save-as-submit", "Save");
  await waitForNoDialog(browser, { timeoutMsg: "the Save as dialog stayed open" });
  await waitForValue(() => textOf("view-title"), (t) => t === VIEW_NAME, { timeoutMsg: "the saved view did not open under its name" });
  assert.equal(await textOf("view-owner"), "Shared");
  const listed = await waitForValue(
    () => browser.execute((name) => [...document.querySelectorAll('[data-testid="views-shared"] [data-testid^="view-open-"]')].map((b) => b.textContent).includes(name), VIEW_NAME),
    (v) => v === true,
    { timeoutMsg: "the view is not among the shared views" },
  );
  assert.ok(listed);
  await screenshot(browser, "e2e-views-saved");
});

test("as a board, a card moves from Active to In maintenance and stays there", async () => {
  await showAs("Board");
  await (await testId("board")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the board did not show" });
  const card = await waitForValue(
    () =>
      browser.execute(() => {
        const card = document.querySelector('[data-testid="board-column-active"] [data-testid^="board-card-"][data-entity-name]');
        return card ? { id: card.getAttribute("data-testid").replace("board-card-", ""), name: card.getAttribute("data-entity-name") } : null;
      }),
    (c) => c !== null,
    { timeout: 15_000, timeoutMsg: "no card in the Active column" },
  );
  await screenshot(browser, "e2e-views-board-before");
  await click(`board-card-menu-${card.id}`, `the menu of ${card.name}`);
  await click("board-move-to-maintenance", "Move to In maintenance");
  const where = () =>
    browser.execute((id) => {
      const el = document.querySelector(`[data-testid="board-card-${id}"]`);
      return el ? `${el.closest('[data-testid^="board-column-"]')?.getAttribute("data-testid")}${el.hasAttribute("data-pending") ? " pending" : ""}` : null;
    }, card.id);
  await waitForValue(where, (w) => w === "board-column-maintenance", { timeout: 15_000, timeoutMsg: `${card.name} did not settle in In maintenance` });
  // Read back from the database: the board is refetched and the card is still there.
  await browser.refresh();
  await switchView("Views");
  await (await testId("views-screen")).waitForDisplayed({ timeout: 15_000 });
  await click(`view-open-${await browser.execute((name) => [...document.querySelectorAll('[data-testid^="view-open-"]')].find((b) => b.textContent === name)?.getAttribute("data-testid").replace("view-open-", ""), VIEW_NAME)}`, VIEW_NAME);
  await showAs("Board");
  await waitForValue(where, (w) => w === "board-column-maintenance", { timeout: 15_000, timeoutMsg: `${card.name} is not In maintenance after a reload` });
  await screenshot(browser, "e2e-views-board-moved");
});

test("its rows are bulk-edited through the view, after a preview", async () => {
  await showAs("Table");
  const count = await waitForValue(shownCount, (n) => n !== null && n > 0, { timeout: 15_000, timeoutMsg: "the view counts no rows" });
  await click("view-bulk-menu", "Bulk edit");
  await click("view-bulk-all", "All rows of this view");
  await (await testId("bulk-edit-dialog")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "no bulk edit dialog" });
  const property = await testId("bulk-property");
  await property.click();
  await property.setValue("Maintenance");
  await pickOption(browser, "Maintenance interval (days)");
  await waitForValue(() => property.getValue(), (v) => v === "Maintenance interval (days)", { timeoutMsg: "the property was not chosen" });
  const value = await browser.$('[data-testid="bulk-edit-dialog"] [data-testid="prop-input-maintenance_interval_days"]');
  await value.waitForDisplayed({ timeout: 10_000, timeoutMsg: "no value editor for the property" });
  await fillInput(browser, value, "45");
  await click("bulk-preview-button", "Preview");
  await waitForValue(() => textOf("bulk-preview-counts"), (t) => t?.endsWith(`of ${count} entities will change`), {
    timeout: 15_000,
    timeoutMsg: `the preview does not target the view's ${count} rows`,
  });
  await screenshot(browser, "e2e-views-bulk-preview");
  await click("bulk-apply", "Apply");
  await click("bulk-confirm", "Confirm");
  await waitForValue(() => textOf("bulk-result"), (t) => t?.includes("Set Maintenance interval (days) to 45"), { timeout: 20_000, timeoutMsg: "no result of the edit" });
  await click("bulk-close", "Close");
  await waitForNoDialog(browser, { timeoutMsg: "the bulk edit dialog stayed open" });
});

test("it exports as CSV with progress in the jobs panel, to a whole file", async () => {
  const count = await waitForValue(shownCount, (n) => n !== null && n > 0, { timeout: 15_000, timeoutMsg: "the view counts no rows" });
  await click("view-export", "Export");
  await (await testId("export-dialog")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "no export dialog" });
  const csv = await testId("export-format-csv");
  if (!(await csv.isSelected())) await clickLabelOf(browser, csv);
  const path = await testId("export-path");
  await waitForValue(() => path.getValue(), (v) => v.endsWith(".csv"), { timeoutMsg: "no file name is suggested" });
  const file = join(exportDir, "northwind-hvac.csv");
  await fillInput(browser, path, file);
  await screenshot(browser, "e2e-views-export-dialog");
  await click("export-submit", "Export");
  await waitForNoDialog(browser, { timeoutMsg: "the export dialog stayed open" });
  const saved = await waitForValue(
    () => browser.execute(() => [...document.querySelectorAll('[data-testid^="job-path-"]')].map((e) => e.textContent)),
    (paths) => paths.some((p) => p.endsWith("northwind-hvac.csv")),
    { timeout: 30_000, timeoutMsg: "the export job did not finish" },
  );
  assert.ok(saved.some((p) => p === `Saved to ${file}`), JSON.stringify(saved));
  await screenshot(browser, "e2e-views-exported");
  const lines = readFileSync(file, "utf8").trimEnd().split("\n");
  assert.equal(lines.length, count + 1, "a header and one line per row");
  assert.ok(lines[0].startsWith("name,"), lines[0]);
  assert.ok(lines.slice(1).every((l) => l.includes("Northwind") || l.includes("northwind")), "every row is under Northwind");
});

test("as a tree, the matches sit under their greyed, non-matching ancestors", async () => {
  await showAs("Tree");
  await (await testId("view-tree")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the tree did not show" });
  const rows = await waitForValue(
    () => browser.execute(() => [...document.querySelectorAll('[data-testid^="view-tree-row-"]')].map((r) => ({ name: r.getAttribute("data-node-name"), matches: r.getAttribute("data-matches") }))),
    (r) => r.some((x) => x.matches === "true") && r.some((x) => x.matches === "false"),
    { timeout: 15_000, timeoutMsg: "the tree shows no matches under ancestors" },
  );
  assert.equal(rows[0].name, "Northwind Energy");
  assert.equal(rows[0].matches, "false");
  await screenshot(browser, "e2e-views-tree");
});

test("the palette opens the saved view, and an entity type opens as a view", async () => {
  await showAs("Table");
  await switchView("Registry");
  // Keys typed into the view switch stay there: the tree takes them.
  const tree = await browser.$('[role="tree"]');
  await tree.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the tree did not come back" });
  await tree.click();
  await browser.keys(["Control", "k"]);
  const input = await browser.$('[data-testid="palette-input"]');
  await input.waitForDisplayed({ timeout: 10_000, timeoutMsg: "Ctrl+K opened no palette" });
  await input.addValue("Northwind HVAC");
  const hit = await browser.$(`[data-view-name="${VIEW_NAME}"]`);
  await hit.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the palette does not offer the view" });
  await screenshot(browser, "e2e-views-palette");
  await hit.click();
  await waitForValue(() => textOf("view-title"), (t) => t === VIEW_NAME, { timeoutMsg: "the palette did not open the view" });

  await switchView("Types");
  await click("type-open-view-hvac_unit", "Open HVAC unit as a view");
  await waitForValue(() => textOf("view-title"), (t) => t === "HVAC unit", { timeoutMsg: "the type did not open as a view" });
  await waitForValue(shownCount, (n) => n !== null && n > 0, { timeout: 15_000, timeoutMsg: "the type's view counts no rows" });
  await screenshot(browser, "e2e-views-type");
});
