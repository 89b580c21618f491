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
import { openApp, screenshot, helpers, fillInput, toggleControl, waitForNoDialog } from "./session.mjs";

let session;
let browser;
let ui;
const exportDir = mkdtempSync(join(tmpdir(), "eco-e2e-export-"));
const VIEW_NAME = "Northwind HVAC in service";

before(async () => {
  session = await openApp();
  browser = session.browser;
  ui = helpers(browser);
});

after(async () => {
  if (session) await session.close();
  rmSync(exportDir, { recursive: true, force: true });
});

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

/** Picks `choice` of the segmented control (a radio group) named `group`. */
async function segment(group, choice) {
  const radio = await ui.role("radio", choice, { within: await ui.role("radiogroup", group) });
  await toggleControl(browser, radio);
  await browser.waitUntil(async () => (await radio.isSelected()) === true, { timeout: 10_000, timeoutMsg: `${choice} of ${group} was not chosen` });
}

/** Shows the open view as a table, a board or a tree. */
const showAs = (label) => segment("Show as", label);

/** Chooses `option` in the select labelled `label` (a searchable select takes typing first). */
async function choose(label, option) {
  await (await ui.field(label)).click();
  await ui.pick(option);
}

/** Closes an open dropdown that stays open after a pick (multi selects). */
const closeDropdown = () => browser.keys(["Escape"]);

/**
 * Waits until builder condition `position` (counted from 1) is complete:
 * the group of its controls is named "Condition 1: Property", with
 * " (incomplete)" added
 * while it lacks something.
 */
async function waitComplete(position, kind, what) {
  await ui.role("group", `Condition ${position}: ${kind}`, { timeoutMsg: `${what} did not become a complete condition` });
}

/** The builder's tab whose name starts with `name` (a tab adds a count or a marker). */
const builderTab = (name) => ui.openTab(new RegExp(`^${name}\\b`));

/** Clicks the saved view `name` in the list of saved views. */
async function openSaved(name) {
  // Its name follows the icon of its kind ("Table view").
  await ui.press(new RegExp(`^\\w+ view ${name}$`), { within: await ui.role("complementary", "Saved views") });
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
  await ui.role("navigation", "Screens", { timeout: 120_000 });
  await ui.switchView("Views");
  await ui.press("New view");
  await ui.heading("Untitled view");
  await ui.press("Filter & columns");
  await ui.role("complementary", "Filter and columns");
  await builderTab("Filter");

  // Rated power between 5 and 400 kW.
  await ui.press("Add condition");
  await choose("Condition 1: property", "Rated power (kW)");
  await choose("Condition 1: operator", "between");
  await fillInput(browser, await ui.field("Condition 1, Rated power (kW): from"), "5");
  await fillInput(browser, await ui.field("Condition 1, Rated power (kW): to"), "400");
  await waitComplete(1, "Property", "the power range");

  // Status is Active or In maintenance (the board's two columns to move between).
  await ui.press("Add condition");
  await choose("Condition 2: property", "Status");
  await choose("Condition 2: operator", "is one of");
  await choose("Condition 2, Status: value", "Active");
  await ui.pick("In maintenance");
  await closeDropdown();
  await waitComplete(2, "Property", "the status condition");

  // HVAC units only.
  await ui.press("Add condition");
  await choose("Condition 3: kind", "Type");
  await choose("Condition 3: entity types", "HVAC unit");
  await closeDropdown();
  await waitComplete(3, "Type", "the type condition");

  // Supplied by Nordic HVAC (a tag).
  await ui.press("Add condition");
  await choose("Condition 4: kind", "Tag");
  await segment("Condition 4: which tags must be carried", "Any of");
  await choose("Condition 4: tags", "Nordic HVAC");
  await closeDropdown();
  await waitComplete(4, "Tag", "the tag condition");

  // Under Northwind Energy (one tenant).
  await ui.press("Add condition");
  await choose("Condition 5: kind", "Under");
  const under = await ui.field("Entity to look under");
  await under.click();
  await under.addValue("Northwind");
  await ui.pick("Northwind Energy");
  await waitComplete(5, "Under", "the subtree condition");

  // Newest installations first; the rated power and status shown.
  // A new view sorts by name: that key goes, install date comes.
  await builderTab("Sort");
  await ui.press("Remove sorting by Name");
  await choose("Add a sort key", "Install date");
  await segment("Sort key 1: direction", "Descending");
  await builderTab("Columns");
  for (const column of ["Rated power (kW)", "Status", "Install date"]) await choose("Add a column", column);
  await builderTab("Group & layout");
  await choose(/^Group by\b/, "Status");

  const count = await waitForValue(shownCount, (n) => n !== null && n > 0, { timeout: 15_000, timeoutMsg: "the view counts no rows" });
  await waitForValue(tableRows, (n) => n === Math.min(count, 50), { timeout: 15_000, timeoutMsg: `the table does not show the view's ${count} rows` });
  await screenshot(browser, "e2e-views-builder");

  // The document the builder made, as JSON (read, not typed).
  await builderTab("JSON");
  const jsonField = await ui.field(/^View document\b/);
  const json = await waitForValue(() => jsonField.getValue(), (t) => t.includes("rated_power_kw"), {
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
  await ui.press("Filter & columns");
});

test("it is saved as a shared view and listed with the shared ones", async () => {
  await ui.press("Save as…");
  const dialog = await ui.dialog("Save view as");
  await fillInput(browser, await ui.field(/^Name\b/, { within: dialog }), VIEW_NAME);
  const shared = await ui.role("checkbox", /^Shared with everyone/, { within: dialog });
  if (!(await shared.isSelected())) await toggleControl(browser, shared);
  await ui.press("Save", { within: dialog });
  await waitForNoDialog(browser, { timeoutMsg: "the Save as dialog stayed open" });
  await ui.heading(VIEW_NAME);
  assert.equal(await textOf("view-owner"), "Shared");
  // Listed with the shared views.
  await ui.button(new RegExp(`^\\w+ view ${VIEW_NAME}$`), { within: await ui.role("group", "Shared", { within: await ui.role("complementary", "Saved views") }) });
  await screenshot(browser, "e2e-views-saved");
});

test("as a board, a card moves from Active to In maintenance and stays there", async () => {
  await showAs("Board");
  // The first card of the Active column (each column is a region named by its option and count).
  const active = await ui.region(/^Active, /, { timeout: 15_000 });
  const first = await ui.role("listitem", /, in Active$/, { within: active, index: 0, timeout: 15_000 });
  // A card is named "<name>, <path>, in <column>": the name and path tell it from the other units of that name.
  const cardKey = (await first.getAttribute("aria-label")).replace(/, in [^,]+$/, "");
  const cardName = cardKey.split(", ")[0];
  await screenshot(browser, "e2e-views-board-before");
  await ui.press(`Move ${cardName} to…`, { within: first });
  await (await ui.menuItem("In maintenance")).click();
  // The column the card names, with " pending" while it is busy storing the move.
  const where = () =>
    browser.execute((key) => {
      const card = [...document.querySelectorAll('[role="listitem"][aria-label]')].find((el) => el.getAttribute("aria-label").startsWith(`${key}, in `));
      return card ? `${card.getAttribute("aria-label").slice(key.length + ", in ".length)}${card.getAttribute("aria-busy") === "true" ? " pending" : ""}` : null;
    }, cardKey);
  await waitForValue(where, (w) => w === "In maintenance", { timeout: 15_000, timeoutMsg: `${cardName} did not settle in In maintenance` });
  // Read back from the database: the board is refetched and the card is still there.
  await browser.refresh();
  await ui.switchView("Views");
  await openSaved(VIEW_NAME);
  await showAs("Board");
  await waitForValue(where, (w) => w === "In maintenance", { timeout: 15_000, timeoutMsg: `${cardName} is not In maintenance after a reload` });
  await screenshot(browser, "e2e-views-board-moved");
});

test("its rows are bulk-edited through the view, after a preview", async () => {
  await showAs("Table");
  const count = await waitForValue(shownCount, (n) => n !== null && n > 0, { timeout: 15_000, timeoutMsg: "the view counts no rows" });
  await ui.press("Bulk edit");
  await (await ui.menuItem("All rows of this view")).click();
  const dialog = await ui.dialog(/^Bulk edit /);
  const property = await ui.field("Property", { within: dialog });
  await property.click();
  await property.setValue("Maintenance");
  await ui.pick("Maintenance interval (days)");
  await waitForValue(() => property.getValue(), (v) => v === "Maintenance interval (days)", { timeoutMsg: "the property was not chosen" });
  const value = await ui.field("New Maintenance interval (days)", { within: dialog });
  await fillInput(browser, value, "45");
  await ui.press("Preview", { within: dialog });
  await waitForValue(() => textOf("bulk-preview-counts"), (t) => t?.endsWith(`of ${count} entities will change`), {
    timeout: 15_000,
    timeoutMsg: `the preview does not target the view's ${count} rows`,
  });
  await screenshot(browser, "e2e-views-bulk-preview");
  await ui.press(/^Apply to /, { within: dialog });
  await ui.press("Apply", { within: dialog });
  await waitForValue(() => textOf("bulk-result"), (t) => t?.includes("Set Maintenance interval (days) to 45"), { timeout: 20_000, timeoutMsg: "no result of the edit" });
  await ui.press("Close", { within: dialog });
  await waitForNoDialog(browser, { timeoutMsg: "the bulk edit dialog stayed open" });
});

test("it exports as CSV with progress in the jobs panel, to a whole file", async () => {
  const count = await waitForValue(shownCount, (n) => n !== null && n > 0, { timeout: 15_000, timeoutMsg: "the view counts no rows" });
  await ui.press("Export");
  const dialog = await ui.dialog(`Export "${VIEW_NAME}"`);
  const csv = await ui.role("radio", "CSV", { within: dialog });
  if (!(await csv.isSelected())) await toggleControl(browser, csv);
  const path = await ui.field(/^Save to\b/, { within: dialog });
  await waitForValue(() => path.getValue(), (v) => v.endsWith(".csv"), { timeoutMsg: "no file name is suggested" });
  const file = join(exportDir, "northwind-hvac.csv");
  await fillInput(browser, path, file);
  await screenshot(browser, "e2e-views-export-dialog");
  await ui.press("Export", { within: dialog });
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
  // A non-matching ancestor says so in its name; a match is selectable.
  const tree = await ui.role("tree", "Matches in their hierarchy");
  const rows = await waitForValue(
    () => browser.execute((tree) => [...tree.querySelectorAll('[role="treeitem"]')].map((r) => ({ name: r.getAttribute("aria-label") ?? r.textContent, matches: r.hasAttribute("aria-selected") })), tree),
    (r) => r.some((x) => x.matches) && r.some((x) => !x.matches),
    { timeout: 15_000, timeoutMsg: "the tree shows no matches under ancestors" },
  );
  assert.equal(rows[0].name, "Northwind Energy, not in this view");
  assert.equal(rows[0].matches, false);
  await screenshot(browser, "e2e-views-tree");
});

test("the palette opens the saved view, and an entity type opens as a view", async () => {
  await showAs("Table");
  await ui.switchView("Registry");
  // Keys typed into the view switch stay there: the tree takes them.
  const tree = await ui.role("tree", "Entity registry");
  await tree.click();
  await browser.keys(["Control", "k"]);
  const input = await ui.role("combobox", /^Search entities/);
  await input.addValue("Northwind HVAC");
  const hit = await ui.role("option", new RegExp(`^Open view: ${VIEW_NAME}\\b`));
  await screenshot(browser, "e2e-views-palette");
  await hit.click();
  await ui.heading(VIEW_NAME);

  await ui.switchView("Types");
  await ui.press("Open HVAC unit as a view");
  await ui.heading("HVAC unit");
  await waitForValue(shownCount, (n) => n !== null && n > 0, { timeout: 15_000, timeoutMsg: "the type's view counts no rows" });
  await screenshot(browser, "e2e-views-type");
});
