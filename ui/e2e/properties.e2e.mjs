// The real app in a real window on the demo registry: the property editor
// with every value type, history and restore of values, bulk edit, the
// property and tag admin screens, and an entity's links. Steps share one app
// session and run in order. Every step waits for the state it checks (the UI
// updates asynchronously), never for a fixed time.
//
// It runs after tree.e2e.mjs on the same database (or alone, on a fresh one):
// that spec renames Building A and deletes and restores Building B, so this
// one works in Building B, whose values and relationships come back with it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  openApp,
  screenshot,
  helpers,
  treeItem,
  selectTreeItem,
  revealTreeItem,
  toggleControl,
  waitForNoDialog,
} from "./session.mjs";

let session;
let browser;
let ui;

const BUILDING = "northwind_energy.london_docklands.building_b";
const FLOOR = `${BUILDING}.ground_floor`;
/** The same entities by the names the tree shows, from the top-level entity down. */
const BUILDING_PATH = ["Northwind Energy", "London Docklands", "Building B"];
const FLOOR_PATH = [...BUILDING_PATH, "Ground floor"];
/** An HVAC unit of the demo (its 5th): fed by a meter, backed up by one unit and backing up another. */
const AHU = [...FLOOR_PATH, "Plant room", "Air handling unit 2"];
const METER = [...FLOOR_PATH, "Plant room", "Main meter 1"];
const LIGHTS = [...FLOOR_PATH, "Loading bay", "Lighting controller 2"];
const SENSOR = [...FLOOR_PATH, "Loading bay", "Temperature sensor 1"];
/** The demo has no secret reference property: the first step adds one, as an admin would. */
const SECRET = { key: "controller_credentials", name: "Controller credentials" };
/** The properties an HVAC unit shows in the demo (estate_properties.json), in order. */
const HVAC_LAYOUT = [
  "serial_number",
  "manufacturer",
  "model",
  "install_date",
  "rated_power_kw",
  "refrigerant",
  "efficiency_pct",
  "setpoint_c",
  "status",
  "criticality",
  "maintenance_due",
  "maintenance_interval_days",
  "responsible",
  "features",
];

before(async () => {
  session = await openApp();
  browser = session.browser;
  ui = helpers(browser);
});

after(async () => {
  if (session) await session.close();
});

const testId = (id) => browser.$(`[data-testid="${id}"]`);
/** A regular expression matching `text` literally. */
const literal = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A label that starts with `name` (a field's label may add a marker such as "extra"). */
const startsWith = (name) => new RegExp(`^${literal(name)}(\\s|$)`);
/** The entity details pane (the properties form lives in it). */
const details = () => ui.region("Entity details");
/** The editor of the property named `name` in the properties pane, by its label. */
const control = async (name) => ui.field(startsWith(name), { within: await details() });
/** Waits until `read()` satisfies `accept`; a timeout names the last value seen. */
async function waitForValue(read, accept, { timeout = 10_000, timeoutMsg }) {
  let seen;
  await browser.waitUntil(async () => accept((seen = await read())), {
    timeout,
    timeoutMsg: () => `${timeoutMsg} (saw ${JSON.stringify(seen)})`,
  });
  return seen;
}

/** The text of `element` as it reads on screen (lines included). */
const innerText = (element) => browser.execute((el) => el.innerText.trim(), element);

/** The text of the element with this test id, or null while there is none. */
const textOf = (id) => browser.execute((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null, id);

/**
 * What the pane's editor of `key` holds: the text of a text box, "on"/"off"
 * for a switch, the checked option keys (comma separated) for chips; null
 * while it is not there.
 */
const shownValue = (key) =>
  browser.execute((key) => {
    const input = document.querySelector(`[data-testid="props-form"] [data-testid="prop-input-${key}"]`);
    if (!input) return null;
    if (input.matches('input[type="checkbox"]')) return input.checked ? "on" : "off";
    if (input.matches("input, textarea")) return input.value;
    return [...input.querySelectorAll("input:checked")].map((chip) => chip.value).join(",");
  }, key);

/** The line under the save buttons: "No unsaved changes", "1 unsaved change …". */
const waitForStatus = (pattern, timeoutMsg) => waitForValue(() => textOf("props-status"), (t) => t !== null && pattern.test(t), { timeoutMsg });

async function backToRegistry() {
  await ui.switchView("Registry");
  await treeItem(browser, ["Northwind Energy"]);
}

/** Selects the entity at `path` in the tree and opens its Properties tab; `key` holding `value` shows it is this entity's pane. */
async function openProperties(path, key, value) {
  await revealTreeItem(browser, path);
  await selectTreeItem(browser, path);
  await ui.openTab("Properties");
  const name = path.at(-1);
  await waitForValue(() => shownValue(key), (v) => v === value, { timeout: 15_000, timeoutMsg: `the properties of ${name} did not show ${key} = ${value}` });
  await waitForStatus(/^No unsaved changes$/, `${name} opened with unsaved changes`);
}

/** Picks the chip `option` of the property named `name` (its radio or checkbox, drawn as a chip). */
async function chip(name, option) {
  const group = await ui.role(name === "Features" ? "group" : "radiogroup", name, { within: await details() });
  const choice = await ui.role(name === "Features" ? "checkbox" : "radio", option, { within: group });
  await toggleControl(browser, choice);
}

/** Replaces the text of a text box the way a person does: select all, type. */
async function typeOver(input, text) {
  await input.click();
  await browser.keys(["Control", "a"]);
  await input.addValue(text);
  await waitForValue(() => input.getValue(), (v) => v === text, { timeoutMsg: `typing did not leave "${text}" in the field` });
}

/**
 * The editor of `key` while it is being edited: `edit` changes it, the field
 * is marked unsaved, a screenshot is taken, and Escape takes the edit back.
 */
async function showEdited(key, type, edit) {
  const stored = await shownValue(key);
  assert.notEqual(stored, null, `the pane shows no ${key}`);
  await (await testId(`prop-field-${key}`)).scrollIntoView({ block: "center" });
  await edit();
  const edited = await waitForValue(() => shownValue(key), (v) => v !== stored, { timeoutMsg: `editing ${key} did not change it` });
  await (await testId(`prop-unsaved-${key}`)).waitForDisplayed({ timeout: 10_000, timeoutMsg: `the edit of ${key} is not marked unsaved` });
  await waitForStatus(/^1 unsaved change(?!s)/, `the edit of ${key} is not counted`);
  await screenshot(browser, `e2e-props-${type}`);
  await browser.keys("Escape");
  await (await testId(`prop-unsaved-${key}`)).waitForExist({ reverse: true, timeout: 10_000, timeoutMsg: `Escape did not take back the edit of ${key}` });
  await waitForValue(() => shownValue(key), (v) => v === stored, { timeoutMsg: `Escape did not bring back the stored ${key}` });
  await waitForStatus(/^No unsaved changes$/, `an edit of ${key} is left after Escape`);
  return edited;
}

test("an admin adds a secret reference property to the HVAC unit's layout", async () => {
  // First run: the cluster is created, migrated and seeded before the tree shows.
  await treeItem(browser, ["Northwind Energy"], { timeout: 60_000 });

  await ui.switchView("Properties");
  await ui.press("New property");
  const form = await ui.dialog("New property");
  await (await ui.field(/^Key\b/, { within: form })).setValue(SECRET.key);
  await (await ui.field(/^Name\b/, { within: form })).setValue(SECRET.name);
  await (await ui.field("Group", { within: form })).click();
  await ui.pick("Technical");
  await (await ui.field("Type", { within: form })).click();
  await ui.pick("Secret reference");
  // The rule editor follows the type.
  await ui.role("group", "Rules: Secret reference", { within: form });
  await ui.press("Create", { within: form });
  await waitForNoDialog(browser, { timeoutMsg: "the new property form stayed open" });
  await ui.role("row", new RegExp(`^${literal(SECRET.name)} ${SECRET.key} `));

  await ui.openTab("Type layouts");
  await (await ui.field("Entity type")).click();
  await ui.pick("HVAC unit");
  const layout = await ui.role("list", "Properties of HVAC unit");
  await ui.role("listitem", /^Serial number, position 1 of/, { within: layout });
  await (await ui.field("Add a property")).setValue("Controller");
  await ui.pick(`${SECRET.name} (${SECRET.key})`);
  await ui.role("listitem", new RegExp(`^${literal(SECRET.name)}, position`), { within: layout });
  await ui.press("Save layout");
  await (await testId("layout-saved")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the layout was not saved" });
  await backToRegistry();
});

test("the property editor edits every value type, saves with the keyboard and shows refusals inline", async () => {
  // A lighting controller has the demo's yes/no and IP address properties.
  await openProperties(LIGHTS, "ip_address", "10.40.0.15");
  assert.equal(await shownValue("alarms_enabled"), "off");
  await showEdited("alarms_enabled", "boolean", async () => toggleControl(browser, await ui.role("switch", /^Alarms enabled\b/, { within: await details() })));
  assert.equal(await showEdited("ip_address", "ip_address", async () => typeOver(await control("IP address"), "10.40.0.16")), "10.40.0.16");

  // A temperature sensor has the URL.
  await openProperties(SENSOR, "firmware_url", "https://firmware.example.com/sensors/ts-0.bin");
  await showEdited("firmware_url", "url", async () => typeOver(await control("Firmware URL"), "https://firmware.example.com/sensors/ts-1.bin"));

  // An HVAC unit has the rest (its JSON is shown as an extra: not in the layout, but it has a value).
  await openProperties(AHU, "rated_power_kw", "40.4");
  assert.equal(await shownValue("serial_number"), "HV-20212");
  assert.equal(await shownValue("refrigerant"), "r410a");
  assert.equal(await shownValue("features"), "demand_response");
  assert.equal(await shownValue(SECRET.key), "");
  await showEdited("serial_number", "text", async () => typeOver(await control("Serial number"), "HV-20212-B"));
  await showEdited("install_date", "date", async () => {
    // The platform's date control: the arrow key steps the part under the caret.
    await (await control("Install date")).click();
    await browser.keys("ArrowUp");
  });
  await showEdited("device_config", "json", async () => typeOver(await control("Device configuration"), '{"mode": "heat", "fan_speeds": [1, 2], "eco": false}'));
  assert.equal(await showEdited("refrigerant", "single_select", async () => chip("Refrigerant", "R32")), "r32");
  assert.equal(
    await showEdited("features", "multi_select", async () => chip("Features", "Scheduling")),
    "scheduling,demand_response",
  );

  // A secret id the client accepts (a UUID) but the core refuses: no such secret. Enter saves.
  const secret = await control(SECRET.name);
  await secret.scrollIntoView({ block: "center" });
  await typeOver(secret, "0190c0de-0000-7000-8000-000000000001");
  await waitForStatus(/^1 unsaved change(?!s)/, "the secret reference is not counted as an edit");
  assert.equal(await textOf(`prop-error-${SECRET.key}`), null, "the client finds nothing wrong with a UUID");
  await screenshot(browser, "e2e-props-secret_reference");
  await browser.keys("Enter");
  await waitForValue(() => textOf(`prop-error-${SECRET.key}`), (t) => t === `${SECRET.key} must refer to a live secret (an entity of the secret type)`, {
    timeoutMsg: "the core's refusal is not shown under the field",
  });
  await waitForStatus(/^1 unsaved change(?!s)/, "the refused edit is not kept for correcting");
  await screenshot(browser, "e2e-props-server-error");
  await browser.keys("Escape");
  await waitForValue(() => textOf(`prop-error-${SECRET.key}`), (t) => t === null, { timeoutMsg: "the refusal stayed after Escape" });
  await waitForValue(() => shownValue(SECRET.key), (v) => v === "", { timeoutMsg: "Escape did not bring back the stored (empty) secret reference" });
  await waitForStatus(/^No unsaved changes$/, "an edit is left after Escape");

  // Out of range: refused under the field before anything is sent; Ctrl+S goes to the field instead of saving.
  const efficiency = await control("Efficiency (%)");
  await efficiency.scrollIntoView({ block: "center" });
  await typeOver(efficiency, "150");
  await waitForValue(() => textOf("prop-error-efficiency_pct"), (t) => t === "Must be at most 100", { timeoutMsg: "the out-of-range number is not refused under the field" });
  await browser.keys(["Control", "s"]);
  await waitForValue(() => browser.execute((field) => document.activeElement === field, efficiency), (focused) => focused, {
    timeoutMsg: "Ctrl+S did not take the keyboard to the field to correct",
  });
  await waitForStatus(/^1 unsaved change(?!s)/, "the refused number was saved");
  await screenshot(browser, "e2e-props-invalid-number");
  await browser.keys("Escape");
  await waitForValue(() => shownValue("efficiency_pct"), (v) => v === "90.2", { timeoutMsg: "Escape did not bring back the stored efficiency" });
  await waitForStatus(/^No unsaved changes$/, "an edit is left after Escape");

  // A number, saved with Ctrl+S.
  const power = await control("Rated power (kW)");
  await power.scrollIntoView({ block: "center" });
  await typeOver(power, "42.5");
  await (await testId("prop-unsaved-rated_power_kw")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the edit is not marked unsaved" });
  await screenshot(browser, "e2e-props-number");
  await browser.keys(["Control", "s"]);
  await (await testId("prop-unsaved-rated_power_kw")).waitForExist({ reverse: true, timeout: 10_000, timeoutMsg: "Ctrl+S did not save the number" });
  await waitForStatus(/^No unsaved changes$/, "the save left unsaved changes");
  // Clean with 42.5 shown: the stored value the pane reloaded is 42.5.
  assert.equal(await shownValue("rated_power_kw"), "42.5");
  await screenshot(browser, "e2e-props-saved");
});

test("the history shows the change before → after, and restoring older values brings them back", async () => {
  await ui.openTab("History");
  await (await testId("history-table")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the history did not open" });
  const valueRows = () => browser.$$('//tr[@data-testid="history-row"][.//*[starts-with(@data-testid, "history-property-")]]');
  // Only the saved number changed since the demo set the values: the refused edits left no trace.
  await waitForValue(async () => (await valueRows()).length, (n) => n === 2, { timeoutMsg: "the history does not hold the demo's values and one change" });
  const [change] = await valueRows();
  const lines = await change.$$('[data-testid^="history-property-"]');
  assert.equal(lines.length, 1, "the change is of one property");
  assert.equal(await lines[0].getAttribute("data-testid"), "history-property-rated_power_kw");
  assert.match(await innerText(lines[0]), /^Rated power \(kW\)\s+40\.4\s+42\.5$/, "the change reads before → after");
  assert.ok(await (await lines[0].$('[aria-label="becomes"]')).isExisting(), "an arrow leads from before to after");
  await screenshot(browser, "e2e-props-history");

  // Back to the values the demo set: the row that set the serial number.
  const restore = await ui.button("Restore these values", { within: await ui.role("row", /\bSerial number\b/, { within: await details() }) });
  await restore.scrollIntoView({ block: "center" });
  await restore.waitForEnabled({ timeout: 10_000, timeoutMsg: "the demo's values cannot be restored" });
  await restore.click();
  await ui.press("Restore", { within: await ui.dialog("Restore these values?") });
  await waitForNoDialog(browser, { timeoutMsg: "the restore dialog stayed open (something was skipped?)" });
  // The restore is a new change at the top: 42.5 → 40.4.
  await waitForValue(async () => (await valueRows()).length, (n) => n === 3, { timeoutMsg: "the restore is not in the history" });
  const [restored] = await valueRows();
  assert.match(await innerText(await restored.$('[data-testid="history-property-rated_power_kw"]')), /^Rated power \(kW\)\s+42\.5\s+40\.4$/, "the restore reads before → after");
  await (await testId("history-table")).scrollIntoView({ block: "start" });
  await screenshot(browser, "e2e-props-restored");

  await ui.openTab("Properties");
  await waitForValue(() => shownValue("rated_power_kw"), (v) => v === "40.4", { timeoutMsg: "the restored value is not shown" });
});

test("bulk edit sets a property on every HVAC unit under a building, after a preview", async () => {
  const building = await revealTreeItem(browser, BUILDING_PATH);
  await building.click({ button: "right" });
  // A menu item reads its shortcut after its name ("Bulk edit… Ctrl+E").
  await (await ui.menuItem("Bulk edit…")).click();
  const dialog = await ui.dialog("Bulk edit under Building B");

  await toggleControl(browser, await ui.role("radio", "Every entity under Building B of type", { within: dialog }));
  const targetType = await ui.field("Type", { within: dialog });
  await targetType.click();
  await targetType.setValue("HVAC");
  await ui.pick("HVAC unit");
  const property = await ui.field("Property", { within: dialog });
  await property.click();
  await property.setValue("Maintenance");
  await ui.pick("Maintenance interval (days)");
  const value = await ui.field("New Maintenance interval (days)", { within: dialog });
  await typeOver(value, "120");
  await screenshot(browser, "e2e-bulk-choose");

  await ui.press("Preview", { within: dialog });
  // The building's four HVAC units hold 180, 365, 90 and 180 days.
  await waitForValue(() => textOf("bulk-preview-counts"), (t) => t === "4 of 4 entities will change", { timeoutMsg: "the preview does not count the HVAC units" });
  assert.equal(await textOf("bulk-preview-detail"), "Set Maintenance interval (days) to 120.");
  const samples = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="bulk-samples"] tbody tr')].map((tr) => ({
      name: tr.querySelector("td")?.querySelector('[title]')?.getAttribute("title"),
      path: tr.querySelector("td")?.textContent,
      before: tr.querySelector('[data-testid="bulk-sample-before"]')?.textContent,
      after: tr.querySelector('[data-testid="bulk-sample-after"]')?.textContent,
    })),
  );
  assert.ok(samples.length >= 1, "the preview shows sample rows");
  assert.ok(
    samples.some((s) => s.name === "Air handling unit 2" && s.path.endsWith(`${FLOOR}.plant_room`) && s.before === "180" && s.after === "120"),
    `the plant room's unit is shown 180 → 120: ${JSON.stringify(samples)}`,
  );
  assert.ok(samples.every((s) => s.after === "120"), "every sample becomes 120");
  await screenshot(browser, "e2e-bulk-preview");

  await ui.press("Apply to 4 entities…", { within: dialog });
  await waitForValue(() => textOf("bulk-confirm-question"), (t) => t?.includes("Set Maintenance interval (days) to 120 on 4 entities"), {
    timeoutMsg: "applying asks no confirmation",
  });
  await screenshot(browser, "e2e-bulk-confirm");
  await ui.press("Apply", { within: dialog });
  await waitForValue(() => textOf("bulk-result"), (t) => t === "4 entities changedSet Maintenance interval (days) to 120.", { timeout: 20_000, timeoutMsg: "no result of the edit" });
  await screenshot(browser, "e2e-bulk-result");
  await ui.press("Close", { within: dialog });
  await waitForNoDialog(browser, { timeoutMsg: "the bulk edit dialog stayed open" });

  await openProperties(AHU, "maintenance_interval_days", "120");
});

test("the property admin shows the demo's definitions, rules, groups and layouts; the tag screen its tag groups", async () => {
  await ui.switchView("Properties");
  // The screen keeps the tab it was left on (the layouts, earlier).
  await ui.openTab("Definitions");
  await (await testId("definitions-table")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the definitions did not load" });
  const cells = (key) =>
    browser.execute(
      (key) => [...(document.querySelector(`[data-testid="definition-row-${key}"]`)?.querySelectorAll("td") ?? [])].map((td) => td.textContent),
      key,
    );
  const ratedPower = await waitForValue(() => cells("rated_power_kw"), (c) => c.length > 0, { timeoutMsg: "Rated power is not listed" });
  assert.deepEqual(ratedPower.slice(0, 4), ["Rated power (kW)", "rated_power_kw", "Number", "0 – 100,000"]);
  for (const [k, label] of [
    ["serial_number", "Text"],
    ["install_date", "Date"],
    ["alarms_enabled", "Yes / no"],
    ["device_config", "JSON"],
    ["ip_address", "IP address"],
    ["firmware_url", "URL"],
    ["refrigerant", "Single select"],
    ["features", "Multi select"],
    [SECRET.key, "Secret reference"],
  ]) {
    assert.equal((await cells(k))[2], label, `${k} is listed as ${label}`);
  }
  await screenshot(browser, "e2e-admin-definitions");

  // The rule editor of a select: its options, keys and colours.
  const edit = await ui.button("Edit Refrigerant");
  await edit.scrollIntoView({ block: "center" });
  await edit.click();
  const ruleEditor = await testId("rule-editor");
  await ruleEditor.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the rule editor did not open" });
  assert.equal(await ruleEditor.getAttribute("data-value-type"), "single_select");
  const options = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid^="option-label-"]')].map((label, i) => [label.value, document.querySelector(`[data-testid="option-key-${i}"]`)?.value]),
  );
  assert.deepEqual(options, [
    ["R32", "r32"],
    ["R410A", "r410a"],
    ["R290 (propane)", "r290"],
    ["R744 (CO₂)", "r744"],
  ]);
  await screenshot(browser, "e2e-admin-rules");
  await ui.press("Cancel", { within: await ui.dialog("Edit property Refrigerant") });
  await waitForNoDialog(browser, { timeoutMsg: "the property form stayed open" });

  await ui.openTab("Groups");
  await (await testId("groups-list")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the groups did not load" });
  const groups = await browser.execute(() => [...document.querySelectorAll('[data-testid^="group-row-"]')].map((r) => r.getAttribute("data-testid").slice("group-row-".length)));
  assert.deepEqual(groups, ["general", "identification", "technical", "operations", "site_facts"]);
  assert.ok((await textOf("group-row-technical")).includes("Ratings, connectivity and firmware"));
  await screenshot(browser, "e2e-admin-groups");

  await ui.openTab("Type layouts");
  await (await ui.field("Entity type")).click();
  await ui.pick("HVAC unit");
  const layout = () =>
    browser.execute(() =>
      [...document.querySelectorAll('[data-testid^="layout-row-"]')].map((r) => {
        const key = r.getAttribute("data-testid").slice("layout-row-".length);
        return [key, document.querySelector(`[data-testid="layout-required-${key}"]`)?.checked];
      }),
    );
  const rows = await waitForValue(layout, (r) => r.length > 0, { timeoutMsg: "the HVAC unit's layout did not load" });
  assert.deepEqual(
    rows,
    [...HVAC_LAYOUT, SECRET.key].map((k) => [k, k === "serial_number" || k === "status"]),
    "the demo's layout, its required properties, and the property added",
  );
  await screenshot(browser, "e2e-admin-layout");

  await ui.switchView("Tags");
  await (await testId("tag-groups-table")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the tag groups did not load" });
  const tagGroups = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid^="tag-group-row-"]')].map((r) => [
      r.getAttribute("data-testid").slice("tag-group-row-".length),
      ...[...r.querySelectorAll("td")].slice(0, 4).map((td) => td.textContent),
    ]),
  );
  const byKey = Object.fromEntries(tagGroups.map(([k, ...rest]) => [k, rest]));
  for (const k of ["zone", "system", "priority", "programme", "issue", "supplier", "audience", "season", "compliance"]) {
    assert.ok(byKey[k], `tag group ${k} is listed (${JSON.stringify(tagGroups)})`);
  }
  assert.equal(byKey.zone[0], "Zone");
  assert.equal(byKey.zone[3], "6", "Zone has six tags");
  assert.equal(byKey.system[3], "10", "System has ten tags");
  assert.equal(byKey.supplier[2], "Single choice", "an entity has one supplier");
  assert.equal(byKey.zone[2], "Multiple choice", "an entity can be in several zones");
  assert.ok((await textOf("tag-row-north"))?.includes("North"), "the tag North is listed");
  await screenshot(browser, "e2e-admin-tags");
  await backToRegistry();
});

test("the Links tab lists relationships both ways and draws the neighbourhood", async () => {
  await revealTreeItem(browser, AHU);
  await selectTreeItem(browser, AHU);
  await ui.openTab("Links");
  const relationships = () =>
    browser.execute(() =>
      [...document.querySelectorAll('[data-testid="entity-relationships"] [role="listitem"][data-direction]')]
        .map((item) => `${item.getAttribute("data-direction")}: ${item.getAttribute("aria-label")}`)
        .sort(),
    );
  const listed = await waitForValue(relationships, (r) => r.length === 3, { timeout: 15_000, timeoutMsg: "the unit's three relationships are not listed" });
  assert.deepEqual(listed, [
    // The demo's backup chain: the unit before it backs onto it, it onto the next one.
    "incoming: Air handling unit 2 backed up by Air handling unit 2",
    "incoming: Main meter 1 feeds Air handling unit 2",
    "outgoing: Air handling unit 2 backed up by Air handling unit 1",
  ]);

  const graph = await testId("neighbourhood-graph");
  await graph.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the neighbourhood graph is not drawn" });
  const drawn = () =>
    browser.execute(() => {
      const root = document.querySelector('[data-testid="neighbourhood-graph"]');
      return {
        nodes: [...root.querySelectorAll('[data-testid^="graph-node-"]')].map((n) => n.getAttribute("aria-label")).sort(),
        center: root.querySelector('[data-testid^="graph-node-"][aria-current="true"]')?.getAttribute("aria-label") ?? null,
        edges: root.querySelectorAll("svg .react-flow__edge path").length,
        labels: [...root.querySelectorAll('[data-testid^="graph-edge-label-"]')].map((l) => l.textContent).sort(),
      };
    });
  const seen = await waitForValue(drawn, (d) => d.nodes.length === 4 && d.edges >= 3 && d.labels.length === 3, { timeout: 15_000, timeoutMsg: "the graph does not show the unit and its three neighbours" });
  assert.equal(seen.center, "Air handling unit 2 (HVAC unit), this entity");
  assert.deepEqual(seen.labels, ["backed up by", "backed up by", "feeds"]);
  assert.ok(seen.nodes.includes("Select Main meter 1 (Energy meter) in the tree"));
  await (await browser.$('[role="region"][aria-label="Relationships"]')).scrollIntoView({ block: "start" });
  await screenshot(browser, "e2e-links-unit");

  // The other end: the meter's link goes to the meter, which feeds the unit.
  await ui.press("Main meter 1", { within: await ui.role("listitem", "Main meter 1 feeds Air handling unit 2") });
  const meter = await treeItem(browser, METER);
  await waitForValue(() => meter.getAttribute("aria-selected"), (v) => v === "true", { timeout: 15_000, timeoutMsg: "the link did not select the meter" });
  const meterSide = await waitForValue(relationships, (r) => r.length === 1 && r[0].startsWith("outgoing: Main meter 1"), { timeout: 15_000, timeoutMsg: "the meter's relationship is not listed" });
  assert.deepEqual(meterSide, ["outgoing: Main meter 1 feeds Air handling unit 2"]);
  await waitForValue(drawn, (d) => d.nodes.length === 2 && d.center === "Main meter 1 (Energy meter), this entity", { timeout: 15_000, timeoutMsg: "the meter's graph is not drawn" });
  await (await browser.$('[role="region"][aria-label="Relationships"]')).scrollIntoView({ block: "start" });
  await screenshot(browser, "e2e-links-meter");
});
