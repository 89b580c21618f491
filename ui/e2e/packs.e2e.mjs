// The real app in a real window, as a factory planner starts: the MES pack
// installed from Data → Packs, its plant in the tree, its jobs board, its
// cell capacity dashboard and its workflows; then a messy file of jobs
// from the ERP imported through Data → Import: the preview shows the
// created and updated rows and the errors by line, row by row imports the
// good ones, and the run log keeps the run.
//
// It runs after the other specs on the same database (or alone on a fresh
// one): it installs the mes pack if it is not installed yet.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expandTreeItem, fillInput, helpers, openApp, screenshot, selectTreeItem, toggleControl, treeItem } from "./session.mjs";

const CLI = join(dirname(process.env.ECO_APP_BINARY ?? "."), "eco-studio");
const dbUrl = () => execFileSync(CLI, ["db", "url"], { encoding: "utf8" }).trim();
const sql = (statement) => execFileSync("psql", [dbUrl(), "-XAtc", statement], { encoding: "utf8" }).trim();

let session;
let browser;
let ui, testId, textOf, waitForValue, switchView;

/** The names of the entity whose path label `pathLabel` is, from its top-level entity down. */
const namesOf = (pathLabel) =>
  sql(`WITH RECURSIVE chain AS (
         SELECT id, parent_entity_id, 0 AS depth FROM entities WHERE path_label = '${pathLabel}' AND deleted_at IS NULL
         UNION ALL SELECT e.id, e.parent_entity_id, c.depth + 1 FROM entities e JOIN chain c ON e.id = c.parent_entity_id)
       SELECT string_agg(r.name, '|' ORDER BY c.depth DESC) FROM chain c JOIN entity_read_model r ON r.entity_id = c.id`).split("|");

/** The pack names the Packs tab lists. */
const PACKS = { mes: "Manufacturing execution", energy: "Energy and IoT operations", kpi: "Agency KPIs", delivery: "Software delivery" };

/** Installs the pack `key` unless it is installed; its entry is a list item named by the pack. */
async function install(key, { report = false } = {}) {
  const entry = await ui.role("listitem", PACKS[key], { timeout: 20_000 });
  if ((await textOf(`pack-state-${key}`)) === "Installed") return;
  await ui.press(`Install ${PACKS[key]}`, { within: entry });
  if (report) {
    await ui.role("alert", null, { within: await ui.role("tabpanel", "Packs"), timeout: 120_000 });
    const samples = await textOf("pack-report-samples");
    assert.match(samples ?? "", /224 created/, `the sample rows: ${samples}`);
  }
}

/** Opens the dashboard stored under `key` from the list of dashboards. */
async function openDashboard(key) {
  const name = sql(`SELECT name FROM dashboards WHERE key = '${key}' AND deleted_at IS NULL`);
  await ui.press(new RegExp(`^${name}\\b`), { within: await ui.role("list", "Dashboards") });
  await ui.heading(name, { within: await ui.region("Open dashboard"), index: 0 });
}

before(async () => {
  session = await openApp();
  browser = session.browser;
  ui = helpers(browser);
  ({ testId, textOf, waitForValue, switchView } = ui);
  await treeItem(browser, ["Northwind Energy"], { timeout: 90_000 });
});

after(async () => {
  if (session) await session.close();
});


test("the MES pack installs from Data → Packs and says what it made", async () => {
  await switchView("Data");
  await ui.openTab("Packs");
  await install("mes", { report: true });
  await waitForValue(() => textOf("pack-state-mes"), (t) => t === "Installed", { timeoutMsg: "the mes pack does not show as installed" });
  await screenshot(browser, "packs-installed");
});

test("its plant is in the tree, down to a job's parts", async () => {
  await switchView("Registry");
  const plant = sql("SELECT path_label FROM entities e JOIN external_refs r ON r.entity_id = e.id WHERE r.source = 'pack:mes' AND r.external_id = 'PLANT-01'");
  const plantPath = namesOf(plant);
  await treeItem(browser, plantPath, { timeout: 20_000 });
  await expandTreeItem(browser, plantPath);
  const customer = sql("SELECT path_label FROM entities e JOIN external_refs r ON r.entity_id = e.id WHERE r.source = 'pack:mes' AND r.external_id = 'CUST-2001'");
  const customerPath = namesOf(customer);
  await treeItem(browser, customerPath, { timeout: 20_000 });
  await expandTreeItem(browser, customerPath);
  const job = sql(`SELECT path_label FROM entities WHERE parent_entity_id = (SELECT id FROM entities WHERE path_label = '${customer}') AND deleted_at IS NULL ORDER BY path_label LIMIT 1`);
  const jobPath = namesOf(job);
  await treeItem(browser, jobPath, { timeout: 20_000 });
  await expandTreeItem(browser, jobPath);
  await selectTreeItem(browser, jobPath);
  // Its parts: items one level below it, right after it in the tree.
  await browser.waitUntil(
    async () =>
      browser.execute((item) => {
        const items = [...item.closest('[role="tree"]').querySelectorAll('[role="treeitem"]')].sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
        const after = items[items.indexOf(item) + 1];
        return after !== undefined && Number(after.getAttribute("aria-level")) === Number(item.getAttribute("aria-level")) + 1;
      }, await treeItem(browser, jobPath)),
    { timeout: 20_000, timeoutMsg: "the job's parts are not shown" },
  );
  await screenshot(browser, "packs-mes-tree");
});

test("the jobs board shows the sample jobs by status", async () => {
  await switchView("Views");
  const viewName = sql("SELECT name FROM admin_saved_views WHERE key = 'mes_jobs_board' AND deleted_at IS NULL");
  await ui.press(new RegExp(`^\\w+ view ${viewName}$`), { within: await ui.role("complementary", "Saved views") });
  // A board column is a region named by its status and the cards it holds.
  await browser.waitUntil(
    async () => (await browser.execute(() => [...document.querySelectorAll("section[aria-label]")].filter((s) => / loaded$/.test(s.getAttribute("aria-label"))).length)) >= 3,
    { timeout: 30_000, timeoutMsg: "the board shows no status columns" },
  );
  await screenshot(browser, "packs-mes-jobs-board");
});

test("the cell capacity dashboard draws from the sample", async () => {
  await switchView("Dashboards");
  await openDashboard("mes_cell_capacity");
  await browser.waitUntil(
    async () =>
      (await browser.execute(() => [...document.querySelectorAll('[data-testid="widget-kpi-value"]')].map((k) => k.textContent))).some((k) => /[1-9]/.test(k ?? "")),
    { timeout: 30_000, timeoutMsg: "no KPI shows a figure" },
  );
  await screenshot(browser, "packs-mes-cell-capacity");
});

test("its workflows are listed, the WIP limit one enabled", async () => {
  await switchView("Workflows");
  await browser.waitUntil(async () => ((await browser.execute(() => document.body.innerText)) ?? "").includes("Block a cell at its WIP limit"), {
    timeout: 20_000,
    timeoutMsg: "the pack's workflows are not listed",
  });
  await screenshot(browser, "packs-mes-workflows");
});

test("the energy, KPI and delivery packs install and their dashboards draw", async () => {
  for (const [key, dashboard] of [
    ["energy", "energy_ops_manager"],
    ["kpi", "kpi_client_dashboard"],
    ["delivery", "delivery_overview"],
  ]) {
    await switchView("Data");
    await ui.openTab("Packs");
    await install(key);
    await waitForValue(() => textOf(`pack-state-${key}`), (t) => t === "Installed", {
      timeout: 120_000,
      timeoutMsg: `the ${key} pack did not install`,
    });
    await switchView("Dashboards");
    await openDashboard(dashboard);
    await browser.waitUntil(
      async () =>
        (await browser.execute(() => [...document.querySelectorAll('[data-testid="widget-kpi-value"]')].map((k) => k.textContent))).some((k) => /[1-9]/.test(k ?? "")),
      { timeout: 30_000, timeoutMsg: `no KPI of ${dashboard} shows a figure` },
    );
    await screenshot(browser, `packs-${key}-dashboard`);
  }
});

test("a messy ERP file previews by line, then imports row by row", async () => {
  const customer = "CUST-2001";
  const file = join(process.env.ECO_ARTIFACTS ?? "/tmp", "erp-jobs.csv");
  writeFileSync(
    file,
    [
      "external_id,name,parent,job_status,due_date",
      `ERP-9001,Hydraulic manifold batch,${customer},not_started,2027-02-01`,
      `ERP-9002,Pump housings,${customer},in_progress,2027-02-15`,
      `ERP-9003,Valve blocks,${customer},maybe,2027-03-01`,
      "ERP-9004,Orphan job,CUST-0000,not_started,2027-03-01",
      "",
    ].join("\n"),
  );
  await switchView("Data");
  await ui.openTab("Import");
  await fillInput(browser, await ui.field(/^File path\b/, { timeout: 15_000 }), file);
  await (await ui.field(/^Entity type\b/)).click();
  await ui.pick("Job (job)");
  await fillInput(browser, await ui.field(/^Source system\b/), "pack:mes");
  await ui.press("Read the file");
  await (await testId("import-mapping")).waitForDisplayed({ timeout: 20_000, timeoutMsg: "no mapping after reading the file" });
  await toggleControl(browser, await ui.role("radio", "Row by row (skip rows with errors, write the rest)"));
  await ui.press("Preview changes");
  await (await testId("import-diff")).waitForDisplayed({ timeout: 30_000, timeoutMsg: "no diff" });
  await waitForValue(() => textOf("diff-count-created"), (t) => /\b2\b/.test(t ?? ""), { timeoutMsg: "two rows to create" });
  await waitForValue(() => textOf("diff-count-errors"), (t) => /\b2\b/.test(t ?? ""), { timeoutMsg: "two rows with errors" });
  const errors = await browser.execute(() => document.querySelector('[data-testid="import-diff"]')?.innerText ?? "");
  assert.match(errors, /\b4\b[\s\S]*job_status/, "line 4's status is named");
  assert.match(errors, /\b5\b[\s\S]*parent/, "line 5's parent is named");
  await screenshot(browser, "import-preview");
  await ui.press("Import", { within: await ui.role("tabpanel", "Import") });
  await waitForValue(
    () => browser.execute(() => document.querySelector('[data-testid="import-outcome"]')?.innerText ?? null),
    (t) => /2 created/.test(t ?? ""),
    { timeout: 60_000, timeoutMsg: "the import did not report two created rows" },
  );
  assert.equal(sql("SELECT count(*) FROM external_refs WHERE source = 'pack:mes' AND external_id LIKE 'ERP-9%' AND deleted_at IS NULL"), "2");
  await ui.openTab("Import runs");
  await (await testId("import-runs")).waitForDisplayed({ timeout: 20_000, timeoutMsg: "no run log" });
  await screenshot(browser, "import-runs");
});
