// The real app in a real window, as a new user builds a workflow: on the
// canvas, a device's fault raises an alert, asks an administrator to
// approve a maintenance visit, then posts a webhook signed with a vault
// secret to a receiver this test runs. The workflow is published and
// enabled, triggered by editing a device's status in its property pane,
// approved from the Approvals inbox; the receiver checks the signature of
// what arrives, and the run's page shows every step succeeded.
//
// It runs after the other specs on the same database (or alone on a fresh
// one): it adds a workflow, a secret and (if missing) Northwind's key.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { clickLabelOf, fillInput, openApp, pickOption, revealRow, row, screenshot, selectRow, waitForNoDialog } from "./session.mjs";

const PASSPHRASE = "correct horse battery staple";
const SIGNING_KEY = `whsec-${randomBytes(16).toString("hex")}`;
const CLI = join(dirname(process.env.ECO_APP_BINARY ?? "."), "eco-studio");
const NAME = "Fault → booked visit";

let session;
let browser;
let receiver;
let port;
/** What the receiver got: each request's path, headers and body, and whether its signature verified. */
const received = [];

const dbUrl = () => execFileSync(CLI, ["db", "url"], { encoding: "utf8" }).trim();
const sql = (statement) => execFileSync("psql", [dbUrl(), "-XAtc", statement], { encoding: "utf8" }).trim();
const cli = (args, input) => execFileSync(CLI, args, { encoding: "utf8", input });

function verified(header, body) {
  const t = /t=(\d+)/.exec(header ?? "")?.[1];
  if (!t) return false;
  const expected = `t=${t},v1=${createHmac("sha256", SIGNING_KEY).update(`${t}.${body}`).digest("hex")}`;
  return expected === header;
}

before(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ path: req.url, headers: req.headers, body, signed: verified(req.headers["x-eco-signature"], body) });
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("received");
    });
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  port = receiver.address().port;
  session = await openApp();
  browser = session.browser;
  // The database is open (and the demo loaded) once the tree shows it.
  await (await row(browser, "northwind_energy")).waitForDisplayed({ timeout: 90_000, timeoutMsg: "the registry did not open" });
});

after(async () => {
  if (session) await session.close();
  receiver?.close();
});

const testId = (id) => browser.$(`[data-testid="${id}"]`);
const textOf = (id) => browser.execute((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null, id);

async function waitForValue(read, accept, { timeout = 15_000, timeoutMsg }) {
  let seen;
  await browser.waitUntil(async () => accept((seen = await read())), {
    timeout,
    timeoutMsg: () => `${timeoutMsg} (saw ${JSON.stringify(seen)})`,
  });
  return seen;
}

async function click(id, what) {
  const element = await testId(id);
  await element.waitForClickable({ timeout: 15_000, timeoutMsg: `${what ?? id} cannot be clicked` });
  await element.click();
}

async function switchView(name) {
  await (await browser.$(`//*[@data-testid="view-switch"]//label[normalize-space()="${name}"]`)).click();
}

/** Replaces a field's text as a person does (select all, type). */
async function typeInto(id, text) {
  const input = await testId(id);
  await input.waitForDisplayed({ timeout: 10_000, timeoutMsg: `no field ${id}` });
  await input.click();
  await browser.keys(["Control", "a"]);
  await browser.keys("Delete");
  await input.addValue(text);
}

let northwind;
let secretId;
let device;

test("the signing key is a secret of Northwind in the vault, which the app unlocks", async () => {
  northwind = sql("SELECT id FROM entities WHERE path_label = 'northwind_energy' AND deleted_at IS NULL");
  assert.match(northwind, /^[0-9a-f-]{36}$/);
  const status = cli(["vault", "status"]);
  if (!/northwind/i.test(status.split("\n").find((l) => /northwind/i.test(l) && !/no key/.test(l)) ?? "")) {
    cli(["vault", "create-key", "--root", "northwind_energy", "--provider", "passphrase", "--passphrase-stdin"], `${PASSPHRASE}\n`);
  }
  const created = cli(["secret", "set", "--parent", northwind, "--name", "Maintenance webhook key", "--passphrase-stdin"], `${PASSPHRASE}\n${SIGNING_KEY}`);
  secretId = /created secret ([0-9a-f-]{36})/.exec(created)?.[1];
  assert.ok(secretId, `the CLI did not report the secret (${created})`);
  // The app's runner signs with the app's vault: unlock it.
  await switchView("Vault");
  await (await testId("vault-screen")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "no Vault screen" });
  if (await (await testId("vault-locked")).isDisplayed()) {
    await click("vault-unlock");
    await fillInput(browser, await testId("vault-passphrase"), PASSPHRASE);
    await click("vault-unlock-submit");
    await waitForNoDialog(browser);
  }
  await (await testId("vault-locked")).waitForDisplayed({ reverse: true, timeout: 10_000, timeoutMsg: "the vault stayed locked" });
});

let workflowId;

test("a new workflow is built on the canvas from the palette and its forms", async () => {
  await switchView("Workflows");
  await (await testId("workflows-screen")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "no Workflows screen" });
  await screenshot(browser, "workflows-01-list");
  await click("workflow-new");
  await fillInput(browser, await testId("workflow-new-name"), NAME);
  await click("workflow-new-root");
  await pickOption(browser, "Northwind Energy");
  await click("workflow-new-submit");
  await waitForNoDialog(browser);
  await (await testId("wf-editor")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the new workflow did not open in the editor" });

  // The trigger: the status property changes, to fault.
  await click("wf-trigger-kind");
  await pickOption(browser, "An entity changes");
  await click("wf-trigger-event-propertyChanged");
  await typeInto("wf-trigger-properties", "status");
  await browser.keys("Enter");
  await typeInto("wf-trigger-filter", '{"property": {"key": "status", "op": "in", "value": ["fault"]}}');
  await click("wf-name"); // leaving the filter field reads it

  // Steps from the palette, each connected to the one selected before.
  await click("wf-palette-raiseAlert");
  await click("wf-config-level");
  await pickOption(browser, "Critical");
  await typeInto("wf-config-message", "{{ entity.name }} is in fault");
  await click("wf-palette-approval");
  await typeInto("wf-config-title", "Book a maintenance visit to {{ entity.name }}?");
  await click("wf-config-capability");
  await pickOption(browser, "admin");
  await click("wf-palette-httpRequest");
  await click("wf-config-method");
  await pickOption(browser, "POST");
  await typeInto("wf-config-url", `http://127.0.0.1:${port}/visits`);
  await typeInto("wf-config-body", '{"device": {{ entity.id | json }}, "alert": {{ nodes.raiseAlert_1.alertId | json }}}');
  await typeInto("wf-config-signing-secret", secretId);

  const nodes = await browser.execute(() => [...document.querySelectorAll('[data-testid^="wf-node-"][data-testid$="_1"]')].map((n) => n.getAttribute("data-testid")));
  assert.deepEqual(nodes.sort(), ["wf-node-approval_1", "wf-node-httpRequest_1", "wf-node-raiseAlert_1"]);
  const edges = await browser.execute(() => [...document.querySelectorAll(".react-flow__edge")].length);
  assert.equal(edges, 2, "the palette connected the three steps");
  // Live validation marks no step.
  await waitForValue(
    () => browser.execute(() => [...document.querySelectorAll('[data-testid^="wf-node-"][data-testid$="-problems"]')].map((n) => n.getAttribute("data-testid"))),
    (marked) => marked.length === 0,
    { timeoutMsg: "steps are marked with problems" },
  );
  await screenshot(browser, "workflows-02-canvas");
});

test("saved, published as version 1 and enabled", async () => {
  await click("wf-save");
  await waitForValue(() => textOf("wf-save-state"), (t) => /saved/i.test(t ?? "") && !/unsaved/i.test(t ?? ""), { timeoutMsg: "the draft did not save" });
  await click("wf-publish");
  workflowId = await waitForValue(
    () => sql(`SELECT w.id FROM workflows w JOIN workflow_versions v ON v.id = w.published_version_id WHERE w.name = '${NAME}' AND v.version = 1`),
    (id) => /^[0-9a-f-]{36}$/.test(id),
    { timeoutMsg: "version 1 was not published" },
  );
  await clickLabelOf(browser, await testId("wf-enabled"));
  await waitForValue(() => sql(`SELECT enabled FROM workflows WHERE id = '${workflowId}'`), (v) => v === "t", { timeoutMsg: "the workflow was not enabled" });
  await screenshot(browser, "workflows-03-published");
  await click("workflow-back");
});

test("editing a device's status to fault starts a run that waits for approval", async () => {
  device = sql(`SELECT r.path_label FROM entity_read_model r JOIN entity_type_definitions t ON t.id = r.entity_type_id
                 WHERE r.root_id = '${northwind}' AND t.key = 'hvac_unit' AND coalesce(r.properties->>'status', '') <> 'fault'
                 ORDER BY r.path_label LIMIT 1`);
  assert.ok(device, "Northwind has an HVAC unit");
  await switchView("Registry");
  await revealRow(browser, device);
  await selectRow(browser, device);
  await click("details-properties-tab");
  await (await testId("prop-field-status")).scrollIntoView({ block: "center" });
  const option = await testId("prop-option-status-fault");
  await option.waitForExist({ timeout: 10_000, timeoutMsg: "the status has no fault option" });
  await clickLabelOf(browser, option);
  await (await testId("prop-unsaved-status")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the status edit is not marked unsaved" });
  await browser.keys(["Control", "s"]);
  await (await testId("prop-unsaved-status")).waitForExist({ reverse: true, timeout: 10_000, timeoutMsg: "the status was not saved" });

  await switchView("Workflows");
  await click("workflows-tab-approvals");
  const request = await waitForValue(
    () => sql(`SELECT a.id FROM approval_requests a JOIN workflow_executions e ON e.id = a.execution_id
                WHERE e.workflow_id = '${workflowId}' AND a.status = 'pending'`),
    (id) => /^[0-9a-f-]{36}$/.test(id),
    { timeout: 20_000, timeoutMsg: "no approval was asked for" },
  );
  await (await testId(`approval-${request}`)).waitForDisplayed({ timeout: 20_000, timeoutMsg: "the approval is not in the inbox" });
  await screenshot(browser, "workflows-04-approval");
  await click(`approval-approve-${request}`, "approve");
});

test("once approved, the signed webhook arrives and every step of the run succeeded", async () => {
  const request = await waitForValue(() => received.find((r) => r.path === "/visits"), (r) => r !== undefined, {
    timeout: 30_000,
    timeoutMsg: "the webhook did not arrive",
  });
  assert.equal(request.signed, true, `the signature does not verify: ${request.headers["x-eco-signature"]}`);
  const deviceId = sql(`SELECT entity_id FROM entity_read_model WHERE path_label = '${device}'`);
  assert.equal(JSON.parse(request.body).device, deviceId);
  assert.match(request.headers["idempotency-key"] ?? "", /^[0-9a-f-]{36}:2$/);

  await click("workflows-tab-runs");
  const run = await waitForValue(
    () => sql(`SELECT id || '|' || status FROM workflow_executions WHERE workflow_id = '${workflowId}'`),
    (v) => v.endsWith("|succeeded"),
    { timeout: 15_000, timeoutMsg: "the run did not succeed" },
  );
  const runId = run.split("|")[0];
  const cell = await browser.$(`[data-testid="run-row-${runId}"] td`);
  await cell.waitForDisplayed({ timeout: 15_000, timeoutMsg: "the run is not listed" });
  await cell.click();
  await (await testId("execution-page")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the run's page did not open" });
  await waitForValue(() => textOf("execution-status"), (t) => /succeeded/i.test(t ?? ""), { timeoutMsg: "the page does not say succeeded" });
  for (const node of ["raiseAlert_1", "approval_1", "httpRequest_1"]) {
    await waitForValue(
      () => browser.execute((id) => document.querySelector(`[data-testid="exec-node-${id}"]`)?.getAttribute("data-state") ?? null, node),
      (s) => s === "succeeded",
      { timeoutMsg: `step ${node} is not shown succeeded` },
    );
  }
  await click("exec-node-httpRequest_1", "the webhook step");
  await screenshot(browser, "workflows-05-run");
  // No key material in what the page shows.
  const shown = await browser.execute(() => document.body.innerText);
  assert.ok(!shown.includes(SIGNING_KEY), "the signing key is on screen");
});
