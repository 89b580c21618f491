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
import { fillInput, helpers, openApp, pickOption, row, screenshot, toggle } from "./session.mjs";

const CLI = join(dirname(process.env.ECO_APP_BINARY ?? "."), "eco-studio");
const dbUrl = () => execFileSync(CLI, ["db", "url"], { encoding: "utf8" }).trim();
const sql = (statement) => execFileSync("psql", [dbUrl(), "-XAtc", statement], { encoding: "utf8" }).trim();

let session;
let browser;
let testId, textOf, waitForValue, click, switchView;

before(async () => {
  session = await openApp();
  browser = session.browser;
  ({ testId, textOf, waitForValue, click, switchView } = helpers(browser));
  await (await row(browser, "northwind_energy")).waitForDisplayed({ timeout: 90_000, timeoutMsg: "the registry did not open" });
});

after(async () => {
  if (session) await session.close();
});


test("the MES pack installs from Data → Packs and says what it made", async () => {
  await switchView("Data");
  await (await testId("data-screen")).waitForDisplayed({ timeout: 15_000 });
  await (await testId("pack-row-mes")).waitForDisplayed({ timeout: 20_000, timeoutMsg: "the mes pack is not listed" });
  if ((await textOf("pack-state-mes")) !== "Installed") {
    await click("pack-install-mes", "Install Manufacturing execution");
    await (await testId("pack-install-report")).waitForDisplayed({ timeout: 120_000, timeoutMsg: "the install did not report" });
    const samples = await textOf("pack-report-samples");
    assert.match(samples ?? "", /224 created/, `the sample rows: ${samples}`);
  }
  await waitForValue(() => textOf("pack-state-mes"), (t) => t === "Installed", { timeoutMsg: "the mes pack does not show as installed" });
  await screenshot(browser, "packs-installed");
});

test("its plant is in the tree, down to a job's parts", async () => {
  await switchView("Registry");
  const plant = sql("SELECT path_label FROM entities e JOIN external_refs r ON r.entity_id = e.id WHERE r.source = 'pack:mes' AND r.external_id = 'PLANT-01'");
  await (await row(browser, plant)).waitForDisplayed({ timeout: 20_000, timeoutMsg: "the plant is not a root of the tree" });
  await (await toggle(browser, plant)).click();
  const customer = sql("SELECT path_label FROM entities e JOIN external_refs r ON r.entity_id = e.id WHERE r.source = 'pack:mes' AND r.external_id = 'CUST-2001'");
  await (await row(browser, customer)).waitForDisplayed({ timeout: 20_000, timeoutMsg: "the plant's customers are not shown" });
  await (await toggle(browser, customer)).click();
  const job = sql(`SELECT path_label FROM entities WHERE parent_entity_id = (SELECT id FROM entities WHERE path_label = '${customer}') AND deleted_at IS NULL ORDER BY path_label LIMIT 1`);
  await (await row(browser, job)).waitForDisplayed({ timeout: 20_000, timeoutMsg: "the customer's jobs are not shown" });
  await (await toggle(browser, job)).click();
  await (await row(browser, job)).click();
  await browser.waitUntil(async () => (await browser.$$(`[data-testid^="tree-row-${job}."]`)).length > 0, {
    timeout: 20_000,
    timeoutMsg: "the job's parts are not shown",
  });
  await screenshot(browser, "packs-mes-tree");
});

test("the jobs board shows the sample jobs by status", async () => {
  await switchView("Views");
  const viewId = sql("SELECT id FROM admin_saved_views WHERE key = 'mes_jobs_board' AND deleted_at IS NULL");
  await click(`view-open-${viewId}`, "the jobs board");
  await browser.waitUntil(
    async () => (await browser.execute(() => document.querySelectorAll('[data-testid^="board-column-"]').length)) >= 3,
    { timeout: 30_000, timeoutMsg: "the board shows no status columns" },
  );
  await screenshot(browser, "packs-mes-jobs-board");
});

test("the cell capacity dashboard draws from the sample", async () => {
  await switchView("Dashboards");
  const id = sql("SELECT id FROM dashboards WHERE key = 'mes_cell_capacity' AND deleted_at IS NULL");
  await click(`dashboard-open-${id}`, "Cell capacity");
  await waitForValue(() => textOf("dashboard-title"), (t) => t === "Cell capacity", { timeoutMsg: "the dashboard did not open" });
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
    await click("data-tab-packs", "the Packs tab");
    await (await testId(`pack-row-${key}`)).waitForDisplayed({ timeout: 20_000, timeoutMsg: `the ${key} pack is not listed` });
    if ((await textOf(`pack-state-${key}`)) !== "Installed") {
      await click(`pack-install-${key}`, `Install ${key}`);
      await waitForValue(() => textOf(`pack-state-${key}`), (t) => t === "Installed", {
        timeout: 120_000,
        timeoutMsg: `the ${key} pack did not install`,
      });
    }
    await switchView("Dashboards");
    const id = sql(`SELECT id FROM dashboards WHERE key = '${dashboard}' AND deleted_at IS NULL`);
    await click(`dashboard-open-${id}`, dashboard);
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
  await click("data-tab-import", "the Import tab");
  const path = await testId("import-path");
  await path.waitForDisplayed({ timeout: 15_000 });
  await fillInput(browser, path, file);
  await click("import-type", "the entity type");
  await pickOption(browser, "Job (job)");
  await fillInput(browser, await testId("import-system"), "pack:mes");
  await click("import-read", "Read the file");
  await (await testId("import-mapping")).waitForDisplayed({ timeout: 20_000, timeoutMsg: "no mapping after reading the file" });
  await click("import-mode-rows", "row by row");
  await click("import-preview", "Preview changes");
  await (await testId("import-diff")).waitForDisplayed({ timeout: 30_000, timeoutMsg: "no diff" });
  await waitForValue(() => textOf("diff-count-created"), (t) => /\b2\b/.test(t ?? ""), { timeoutMsg: "two rows to create" });
  await waitForValue(() => textOf("diff-count-errors"), (t) => /\b2\b/.test(t ?? ""), { timeoutMsg: "two rows with errors" });
  const errors = await browser.execute(() => document.querySelector('[data-testid="import-diff"]')?.innerText ?? "");
  assert.match(errors, /\b4\b[\s\S]*job_status/, "line 4's status is named");
  assert.match(errors, /\b5\b[\s\S]*parent/, "line 5's parent is named");
  await screenshot(browser, "import-preview");
  await click("import-start", "Import");
  await waitForValue(
    () => browser.execute(() => document.querySelector('[data-testid="import-outcome"]')?.innerText ?? null),
    (t) => /2 created/.test(t ?? ""),
    { timeout: 60_000, timeoutMsg: "the import did not report two created rows" },
  );
  assert.equal(sql("SELECT count(*) FROM external_refs WHERE source = 'pack:mes' AND external_id LIKE 'ERP-9%' AND deleted_at IS NULL"), "2");
  await click("data-tab-runs", "Import runs");
  await (await testId("import-runs")).waitForDisplayed({ timeout: 20_000, timeoutMsg: "no run log" });
  await screenshot(browser, "import-runs");
});
