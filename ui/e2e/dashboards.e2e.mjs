// The real app in a real window on the demo registry: the energy manager
// opens its dashboard (charts drawn from the demo's readings, not
// placeholders), filters it by clicking an alert's entity, acknowledges an
// alert, exports a chart's data, imports readings from a file with a bad
// row, and builds a new dashboard from scratch (a KPI, a bar chart and a
// time series, moved on the grid and saved). Steps share one app session
// and run in order; each waits for the state it checks, never for a fixed
// time.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openApp, screenshot, helpers, fillInput, toggleControl, waitForNoDialog, waitForNoRole } from "./session.mjs";

let session;
let browser;
let ui;
const work = mkdtempSync(join(tmpdir(), "eco-e2e-dashboards-"));
const NEW_NAME = "Plant room watch";

before(async () => {
  session = await openApp();
  browser = session.browser;
  ui = helpers(browser);
});

after(async () => {
  if (session) await session.close();
  rmSync(work, { recursive: true, force: true });
});

const textOf = (id) => browser.execute((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null, id);

async function waitForValue(read, accept, { timeout = 15_000, timeoutMsg }) {
  let seen;
  await browser.waitUntil(async () => accept((seen = await read())), {
    timeout,
    timeoutMsg: () => `${timeoutMsg} (saw ${JSON.stringify(seen)})`,
  });
  return seen;
}

/** The open dashboard (the screen's main part). */
const openDashboard = () => ui.region("Open dashboard");

/** Opens the dashboard `name` from the list (its entry adds "Personal" and a widget count). */
async function openFromList(name) {
  await ui.press(new RegExp(`^${name}\\b`), { within: await ui.role("list", "Dashboards") });
  // While one dashboard gives way to the next, both can be drawn for a moment.
  await ui.heading(name, { within: await openDashboard(), index: 0 });
}

/** The widget kinds as the palette names them. */
const KIND = { kpi: "KPI", bar: "Bar chart", timeSeries: "Time series" };

/** Adds a widget of kind `kind` with the title `title`; `configure` fills in the rest of its form. */
async function addWidget(kind, title, configure = async () => {}) {
  await ui.press("Add widget", { within: await openDashboard() });
  const palette = await ui.dialog("Add a widget");
  await ui.press(new RegExp(`^${kind}\\b`), { within: palette });
  const form = await ui.dialog(`Add ${kind}`);
  await fillInput(browser, await ui.field("Title", { within: form }), title);
  await configure(form);
  await ui.press("Add widget", { within: form });
  await waitForNoDialog(browser);
}

/** Each widget frame of the open dashboard: its id, type, title and state. */
const widgets = () =>
  browser.execute(() =>
    [...document.querySelectorAll('[data-testid^="widget-"][data-type]')].map((w) => ({
      id: w.getAttribute("data-testid").slice("widget-".length),
      type: w.getAttribute("data-type"),
      title: w.querySelector("p, span")?.textContent ?? "",
      text: w.innerText,
      fetching: w.hasAttribute("data-fetching"),
      error: w.querySelector('[data-testid^="widget-error-"]') !== null,
      loading: [...w.querySelectorAll(".mantine-Loader-root")].some((l) => l.getAttribute("aria-label") !== "Refreshing"),
      // A chart has drawn when its canvas (or SVG) has a size.
      chart: [...w.querySelectorAll('[data-testid="widget-chart"] canvas, [data-testid="widget-chart"] svg')].some((c) => c.clientWidth > 50 && c.clientHeight > 50),
    })),
  );

/** Scrolls every widget into view once, waiting for each to be seen (widgets below the fold load when first seen). */
async function seeAll() {
  const ids = await browser.execute(() => [...document.querySelectorAll('[data-testid^="widget-"][data-type]')].map((f) => f.getAttribute("data-testid")));
  for (const id of ids) {
    await waitForValue(
      () =>
        browser.execute((id) => {
          const frame = document.querySelector(`[data-testid="${id}"]`);
          if (!frame) return true;
          if (!frame.hasAttribute("data-seen")) frame.scrollIntoView({ block: "nearest" });
          return frame.hasAttribute("data-seen");
        }, id),
      (seen) => seen,
      { timeoutMsg: `${id} was never seen` },
    );
  }
  await browser.execute(() => document.querySelector('[data-testid^="widget-"][data-type]')?.scrollIntoView({ block: "nearest" }));
}

/** Waits until every widget of the open dashboard has its data (none loading, none failed). */
async function waitForWidgets(count, what) {
  await seeAll();
  return waitForValue(
    widgets,
    (ws) => ws.length === count && ws.every((w) => !w.fetching && !w.error && !w.loading),
    { timeout: 30_000, timeoutMsg: `${what}: the widgets did not all load` },
  );
}

/** The path a "Saved to …" notification names. */
async function savedPath() {
  const text = await waitForValue(
    () => browser.execute(() => [...document.querySelectorAll(".mantine-Notification-description")].map((n) => n.textContent).find((t) => t?.startsWith("Saved to ")) ?? null),
    (t) => t !== null,
    { timeoutMsg: "no export notification" },
  );
  return text.slice("Saved to ".length);
}

test("the alerts badge counts the demo's open alerts", async () => {
  // The toolbar's alerts button names the count ("3 open alerts (1 critical, 2 pending)") and shows it.
  // A first start creates the database and the demo registry before the toolbar shows it.
  const badge = await ui.button(/^\d+ open alerts?\b/, { timeout: 60_000 });
  await waitForValue(() => browser.execute((el) => el.textContent, badge), (t) => /\b3\b/.test(t ?? ""), { timeoutMsg: "the badge does not show the 3 open alerts" });
  assert.match(await badge.getAttribute("aria-label"), /^3 open alerts\b/);
});

test("the energy manager's dashboard draws every widget from the demo's data", async () => {
  await ui.switchView("Dashboards");
  // The title is the first heading: the dashboard's note repeats the name
  // as its own heading once the widgets draw.
  await ui.heading("Energy manager", { within: await openDashboard(), index: 0, timeout: 15_000 });
  const ws = await waitForWidgets(9, "energy manager");
  const charts = ws.filter((w) => ["timeSeries", "pie", "bar", "treemap"].includes(w.type));
  assert.equal(charts.length, 4, "four charts");
  await waitForValue(widgets, (all) => all.filter((w) => w.chart).length === 4, { timeoutMsg: "the charts did not draw" });
  const kpis = await browser.execute(() => [...document.querySelectorAll('[data-testid="widget-kpi-value"]')].map((k) => k.textContent));
  assert.equal(kpis.length, 3, "three KPIs");
  assert.equal(kpis[0], "3", "active alerts: the demo's three open alerts");
  assert.ok(kpis.every((k) => /\d/.test(k)), `every KPI shows a number: ${kpis}`);
  await screenshot(browser, "dashboards-energy-manager");
});

test("a chart's data exports as CSV with the readings of every site", async () => {
  const series = (await widgets()).find((w) => w.type === "timeSeries");
  // Each widget is a group named by its title, with its own buttons.
  await ui.press("Export CSV", { within: await ui.role("group", series.title) });
  const path = await savedPath();
  const lines = readFileSync(path, "utf8").trim().split("\n");
  assert.equal(lines[0], "time,line,value,min,max,n", "the header");
  const sites = new Set(lines.slice(1).map((l) => l.split(",")[1]));
  assert.equal(sites.size, 6, `one line per site: ${[...sites]}`);
  assert.ok(lines.length > 6 * 300, `a point every hour or two for 30 days per site: ${lines.length}`);
  assert.ok(lines.slice(1).every((l) => Number(l.split(",")[2]) > 0), "every point has consumption");
});

test("clicking an alert's entity filters the other widgets, and an alert is acknowledged", async () => {
  const before = await browser.execute(() => [...document.querySelectorAll('[data-testid="widget-kpi-value"]')].map((k) => k.textContent));
  await ui.press(/^Filter the dashboard by /, { index: 0, timeout: 15_000 });
  // The filter shows as a chip that can be removed.
  await ui.button(/^Remove filter /, { timeout: 15_000 });
  await waitForWidgets(9, "filtered");
  // The energy KPI narrows to the alert's device.
  await waitForValue(
    () => browser.execute(() => [...document.querySelectorAll('[data-testid="widget-kpi-value"]')].map((k) => k.textContent)),
    (now) => now[1] !== before[1],
    { timeoutMsg: "the energy KPI did not follow the filter" },
  );
  await screenshot(browser, "dashboards-filtered");
  await ui.press("Clear filters");
  await waitForNoRole(browser, "button", /^Remove filter /, { timeoutMsg: "the chip stayed" });

  // One more alert of the alerts widget reads Acknowledged, and its Acknowledge button goes.
  const ack = await ui.button(/^Acknowledge the alert on /, { index: 0, timeout: 15_000 });
  const ackName = await ack.getAttribute("aria-label");
  const alertsWidget = await browser.$(await browser.execute((button) => button.closest('[role="group"]'), ack));
  const acknowledged = () => browser.execute((widget) => (widget.textContent.match(/Acknowledged/g) ?? []).length, alertsWidget);
  const earlier = await acknowledged();
  await ack.waitForClickable({ timeout: 15_000 });
  await ack.click();
  await waitForNoRole(browser, "button", ackName, { timeout: 15_000, timeoutMsg: "the alert still offers Acknowledge" });
  await waitForValue(acknowledged, (n) => n === earlier + 1, { timeoutMsg: "the alert was not acknowledged" });
});

test("readings import from a file; a bad row is reported and skipped when asked", async () => {
  const file = join(work, "readings.csv");
  // An entity by its path label, as an alert row shows it (the earlier
  // specs rename and move demo entities, so no label is taken for granted).
  const meter = await browser.execute(
    () =>
      [...document.querySelectorAll('[data-testid^="widget-alert-"] [title]')]
        .map((e) => e.getAttribute("title"))
        .find((t) => /^[a-z0-9_]+(\.[a-z0-9_]+)+$/.test(t)) ?? null,
  );
  assert.ok(meter, "an alert row shows its entity's path label");
  writeFileSync(
    file,
    `entity,metric,time,value,unit\n${meter},water.m3,2026-01-05T00:00:00Z,1.5,m3\n${meter},water.m3,2026-01-05T01:00:00Z,2.5,m3\nnobody.here,water.m3,2026-01-05T01:00:00Z,1,m3\n`,
  );
  await ui.press("Import readings…", { within: await openDashboard() });
  const dialog = await ui.dialog("Import readings");
  await fillInput(browser, await ui.field(/^File\b/, { within: dialog }), file);
  await toggleControl(browser, await ui.role("radio", "Skip bad rows (store every good one)", { within: dialog }));
  await ui.press("Start", { within: dialog });
  await waitForNoDialog(browser);
  const report = await waitForValue(
    () => browser.execute(() => document.querySelector('[data-testid^="job-imported-"]')?.textContent ?? null),
    (t) => t !== null,
    { timeout: 30_000, timeoutMsg: "the import did not report" },
  );
  assert.match(report, /Imported 2 readings/, report);
  assert.match(report, /1 bad row/, report);
});

test("a new dashboard built from scratch shows real data and keeps its layout", async () => {
  await ui.press("New dashboard");
  await fillInput(browser, await ui.field("Name", { within: await ui.role("dialog") }), NEW_NAME);
  await browser.keys(["Enter"]);
  await ui.heading(NEW_NAME, { within: await openDashboard() });
  await ui.press("Edit layout");

  // A KPI (a count of every entity), a bar chart of entity types, a time series of the meters.
  await addWidget(KIND.kpi, "Entities");
  await addWidget(KIND.bar, "By type");
  await addWidget(KIND.timeSeries, "Energy", async (form) => {
    await (await ui.field(/^Metric\b/, { within: form })).click();
    await ui.pick("energy.kwh (kWh)");
  });

  // Drag the KPI (by its handle) to the right of the grid.
  const kpiFrame = async () => (await widgets()).find((w) => w.type === "kpi");
  const leftOf = (id) => browser.execute((id) => document.querySelector(`[data-testid="widget-${id}"]`).getBoundingClientRect().left, id);
  const kpiId = (await kpiFrame()).id;
  const startLeft = await leftOf(kpiId);
  // The handle is for the pointer only (hidden from assistive technology): found by the tooltip it shows.
  const handle = await (await ui.role("group", "Entities")).$('[title="Drag to move"]');
  await handle.waitForDisplayed({ timeout: 10_000 });
  await browser
    .action("pointer")
    .move({ origin: handle })
    .down()
    .move({ origin: "pointer", x: 40, y: 0, duration: 100 })
    .move({ origin: "pointer", x: 500, y: 0, duration: 400 })
    .up()
    .perform();
  await waitForValue(() => leftOf(kpiId), (left) => left > startLeft + 200, { timeoutMsg: "the KPI did not move" });

  await ui.press("Save", { within: await openDashboard() });
  await waitForNoRole(browser, "button", "Save", { within: await openDashboard(), timeout: 15_000, timeoutMsg: "the dashboard did not save" });
  const ws = await waitForWidgets(3, "new dashboard");
  const kpi = await textOf("widget-kpi-value");
  assert.match(kpi ?? "", /\d/, `the KPI counts entities: ${kpi}`);
  await waitForValue(widgets, (all) => all.filter((w) => w.chart).length === 2, { timeoutMsg: "the two charts did not draw" });
  assert.deepEqual(ws.map((w) => w.type).sort(), ["bar", "kpi", "timeSeries"]);
  await screenshot(browser, "dashboards-new");

  // The place is saved: open another dashboard and come back.
  // Saving gave the new widgets their stored ids.
  const movedLeft = await leftOf((await kpiFrame()).id);
  assert.ok(movedLeft > startLeft + 200, "the KPI stays where it was dropped");
  await openFromList("Energy manager");
  await openFromList(NEW_NAME);
  await waitForWidgets(3, "reopened");
  const kpiAgain = (await kpiFrame()).id;
  await waitForValue(() => leftOf(kpiAgain), (left) => Math.abs(left - movedLeft) < 2, { timeoutMsg: "the saved layout did not come back" });
});
