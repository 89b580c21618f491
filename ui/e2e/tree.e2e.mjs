// The real app in a real window on a fresh embedded database with the demo
// registry: the tree, details and history, rename, the palette, delete and
// restore. Steps share one app session and run in order. Every step waits for
// the state it checks (the UI updates asynchronously), never for a fixed time.
// Elements are found as a screen reader presents them: by role and name.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  openApp,
  screenshot,
  saveMetrics,
  helpers,
  treeItem,
  selectTreeItem,
  expandTreeItem,
  waitForNoTreeItem,
  waitForAttribute,
  waitForExpandTimings,
  waitForNoDialog,
  waitForTreeFocus,
} from "./session.mjs";

let session;
let browser;
let ui;
const NW = ["Northwind Energy"];
const LONDON = [...NW, "London Docklands"];

before(async () => {
  session = await openApp();
  browser = session.browser;
  ui = helpers(browser);
});

after(async () => {
  if (session) await session.close();
});

/** The text of the overview's row `label` (Type, Path, Subtree, …): the cell beside its header. */
async function detail(label) {
  const row = await ui.role("row", new RegExp(`^${label}\\b`), { within: await ui.region("Entity details") });
  return (await ui.role("cell", null, { within: row })).getText();
}

test("the demo tree appears and a node expands to its children", async () => {
  // First run: the cluster is created, migrated and seeded before the tree shows.
  const northwind = await treeItem(browser, NW, { timeout: 60_000 });
  const roots = async () => (await browser.$$('[role="tree"] [role="treeitem"][aria-level="1"]')).length;
  await browser.waitUntil(async () => (await roots()) >= 4, { timeout: 10_000, timeoutMsg: "fewer than four roots appeared" });
  assert.equal(await roots(), 4, "the demo has three tenants and the tag library");
  await screenshot(browser, "tree-roots");

  // The keyboard way: the selected item opens with the right arrow.
  await expandTreeItem(browser, NW);
  await treeItem(browser, LONDON);
  assert.equal(await northwind.getAttribute("aria-expanded"), "true");
  await expandTreeItem(browser, LONDON);
  await treeItem(browser, [...LONDON, "Building A"]);

  // Each timing is recorded on the animation frame after the children render,
  // so it can land after the row is already in the DOM.
  const timings = await waitForExpandTimings(browser, 2);
  assert.equal(timings.length, 2, "the UI recorded one key-to-painted time per expand");
  console.log(`key-to-painted children (in the page): ${timings.map((t) => t.toFixed(1)).join(" ms, ")} ms`);
  saveMetrics("expand-demo", { expand_ms: timings });
});

test("selecting shows details with breadcrumb and history", async () => {
  const building = await selectTreeItem(browser, [...LONDON, "Building A"]);
  assert.equal(await building.getAttribute("aria-selected"), "true", "clicking a row selects it");
  const details = await ui.region("Entity details");
  await ui.heading("Building A", { within: details });

  // The whole overview: the entity and its breadcrumb come with one query, the
  // subtree count with another; the screenshot waits for both.
  await ui.waitForValue(() => detail("Path"), (t) => t === "northwind_energy.london_docklands.building_a", { timeoutMsg: "the overview shows another path" });
  await ui.waitForValue(
    async () => (await ui.role("navigation", "Breadcrumb", { within: details })).getText(),
    (t) => ["Registry", "Northwind Energy", "London Docklands", "Building A"].every((part) => t.includes(part)),
    { timeoutMsg: "the breadcrumb does not lead from the registry to the entity" },
  );
  await ui.waitForValue(() => detail("Subtree"), (t) => /^[\d,]+ entit(y|ies) in this subtree$/.test(t), { timeoutMsg: "the subtree count is not shown" });
  await screenshot(browser, "details");

  await ui.openTab("History");
  // The demo seed creates every entity through the audited path, so its history holds the creation.
  await ui.role("row", /\sCreated(\s|$)/, { within: details, index: 0 });
  await screenshot(browser, "history");
});

test("F2 renames inline and the path label follows", async () => {
  await selectTreeItem(browser, [...LONDON, "Building A"]);
  await browser.keys("F2");
  const input = await ui.field("Rename Building A", { timeout: 5_000 });
  // The field opens focused with the old name selected: typing replaces it.
  // Focus and selection are applied after the field mounts.
  let field;
  await browser.waitUntil(
    async () => {
      field = await browser.execute((input) => {
        const el = document.activeElement;
        return { focused: el === input, value: input.value, start: input.selectionStart, end: input.selectionEnd };
      }, input);
      return field.focused && field.value === "Building A" && field.start === 0 && field.end === field.value.length;
    },
    { timeout: 5_000, timeoutMsg: () => `the rename field is not focused with the old name selected (${JSON.stringify(field)})` },
  );
  await browser.keys("Building Alpha".split(""));
  await browser.keys("Enter");
  const renamed = await treeItem(browser, [...LONDON, "Building Alpha"]);
  assert.equal(await renamed.getAttribute("title"), "northwind_energy.london_docklands.building_alpha", "the path label follows the name");
  // Saving closes the field and gives the keyboard back to the tree.
  await input.waitForExist({ reverse: true, timeout: 10_000, timeoutMsg: "the rename field stayed open" });
  await waitForTreeFocus(browser);
});

test("Ctrl+K finds an entity and reveals it in the tree", async () => {
  // The shortcut is ignored while an input has the focus.
  await waitForTreeFocus(browser);
  await browser.keys(["Control", "k"]);
  const input = await ui.role("combobox", /^Search entities/, { timeout: 5_000 });
  await input.setValue("Boardroom");
  const target = "greenfield_campus.south_campus.building_b.level_2.boardroom";
  const hit = await ui.role("option", new RegExp(`^Boardroom .*${target.replace(/\./g, "\\.")}`));
  await ui.waitForValue(() => ui.textOf("palette-status"), (t) => /^[\d,]+\+? match(es)?$/.test(t), {
    timeoutMsg: "the palette does not show the search's result count",
  });
  await screenshot(browser, "palette");
  await hit.click();
  await input.waitForExist({ reverse: true, timeout: 5_000, timeoutMsg: "picking a hit did not close the palette" });
  const revealed = await treeItem(browser, ["Greenfield Campus", "South Campus", "Building B", "Level 2", "Boardroom"], { timeout: 15_000 });
  await waitForAttribute(browser, revealed, "aria-selected", "true", { timeout: 5_000, timeoutMsg: "the revealed entity is not selected" });
  await screenshot(browser, "revealed");
});

test("Delete moves a subtree to the trash and Restore brings it back", async () => {
  const path = [...LONDON, "Building B"];
  const label = "northwind_energy.london_docklands.building_b";
  await selectTreeItem(browser, path);
  await browser.keys("Delete");
  const dialog = await ui.dialog("Delete entity", { timeout: 5_000 });
  await ui.waitForValue(() => dialog.getText(), (t) => t.includes('Delete "Building B" and everything under it?'), {
    timeoutMsg: "the dialog asks about another entity",
  });
  await ui.press("Delete", { within: dialog });
  await waitForNoTreeItem(browser, path, { timeoutMsg: "the row stayed" });
  // The dialog closes once the deletion is done; until then it covers the view switch.
  await waitForNoDialog(browser, { timeoutMsg: "the delete dialog stayed open" });

  await ui.switchView("Trash");
  const trashRow = await ui.role("row", new RegExp(`\\b${label.replace(/\./g, "\\.")}\\b`));
  const restore = await ui.button("Restore", { within: trashRow });
  await restore.waitForEnabled({ timeout: 10_000, timeoutMsg: "the deletion cannot be restored" });
  await screenshot(browser, "trash");
  await restore.click();
  await trashRow.waitForExist({ reverse: true, timeout: 10_000, timeoutMsg: "the item stayed in the trash" });

  await ui.switchView("Registry");
  await treeItem(browser, path);
});
