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
import { fillInput, helpers, openApp, revealTreeItem, screenshot, selectTreeItem, toggleControl, treeItem, waitForNoDialog, waitForNoRole } from "./session.mjs";

const PASSPHRASE = "correct horse battery staple";
const SIGNING_KEY = `whsec-${randomBytes(16).toString("hex")}`;
const CLI = join(dirname(process.env.ECO_APP_BINARY ?? "."), "eco-studio");
const NAME = "Fault → booked visit";

let session;
let browser;
let ui;
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
  ui = helpers(browser);
  // The database is open (and the demo loaded) once the tree shows it.
  await treeItem(browser, ["Northwind Energy"], { timeout: 90_000 });
});

after(async () => {
  if (session) await session.close();
  receiver?.close();
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

/** Replaces the text of the field labelled `label` (or of the field itself) as a person does (select all, type). */
async function typeInto(label, text) {
  const input = typeof label === "string" || label instanceof RegExp ? await ui.field(label) : label;
  await input.click();
  await browser.keys(["Control", "a"]);
  await browser.keys("Delete");
  await input.addValue(text);
}

/** Chooses `option` in the select labelled `label`. */
async function choose(label, option) {
  await (await ui.field(label)).click();
  await ui.pick(option);
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
  await ui.switchView("Vault");
  // The header's lock button says which state the vault is in.
  const lock = await ui.button(/^(Unlock|Lock) the vault$/);
  if ((await lock.getAttribute("aria-label")) === "Unlock the vault") {
    await ui.press("Unlock", { within: await ui.role("alert", /^The vault is locked/) });
    const unlock = await ui.dialog("Unlock the vault");
    await fillInput(browser, await ui.field(/^Passphrase\b/, { within: unlock }), PASSPHRASE);
    await ui.press("Unlock", { within: unlock });
    await waitForNoDialog(browser);
  }
  await waitForNoRole(browser, "alert", /^The vault is locked/, { timeoutMsg: "the vault stayed locked" });
});

let workflowId;

test("a new workflow is built on the canvas from the palette and its forms", async () => {
  await ui.switchView("Workflows");
  await ui.openTab("Workflows");
  await screenshot(browser, "workflows-01-list");
  await ui.press("New workflow", { index: 0 });
  const dialog = await ui.dialog("New workflow");
  await fillInput(browser, await ui.field(/^Name\b/, { within: dialog }), NAME);
  await (await ui.field(/^Root\b/, { within: dialog })).click();
  await ui.pick("Northwind Energy");
  await ui.press(/^Create/, { within: dialog });
  await waitForNoDialog(browser);
  await ui.field("Workflow name");

  // The trigger: the status property changes, to fault.
  await choose(/^Runs when\b/, "An entity changes");
  await toggleControl(browser, await ui.role("checkbox", "A property changed"));
  // A text box: the header's screen choices hold a "Properties" too.
  await typeInto(await ui.role("textbox", /^Properties\b/), "status");
  await browser.keys("Enter");
  await typeInto(/^Only entities matching\b/, '{"property": {"key": "status", "op": "in", "value": ["fault"]}}');
  await (await ui.field("Workflow name")).click(); // leaving the filter field reads it

  // Steps from the palette, each connected to the one selected before.
  await ui.press(/^Raise alert\b/);
  await choose(/^Level\b/, "Critical");
  await typeInto(/^Message\b/, "{{ entity.name }} is in fault");
  await ui.press(/^Approval\b/);
  await typeInto(/^Title\b/, "Book a maintenance visit to {{ entity.name }}?");
  await choose(/^Or anyone holding\b/, "admin");
  await ui.press(/^HTTP request\b/);
  await choose(/^Method\b/, "POST");
  await typeInto(/^URL\b/, `http://127.0.0.1:${port}/visits`);
  await typeInto(/^Body\b/, '{"device": {{ entity.id | json }}, "alert": {{ nodes.raiseAlert_1.alertId | json }}}');
  await typeInto(/^Signing secret\b/, secretId);

  // The canvas names each step by its id and kind.
  const nodes = await browser.execute(() => [...document.querySelectorAll(".react-flow__node [aria-label]")].map((n) => n.getAttribute("aria-label")).filter((l) => /_1 \(/.test(l)));
  assert.deepEqual(nodes.sort(), ["approval_1 (Approval)", "httpRequest_1 (HTTP request)", "raiseAlert_1 (Raise alert)"]);
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
  await ui.press("Save");
  await waitForValue(() => textOf("wf-save-state"), (t) => /saved/i.test(t ?? "") && !/unsaved/i.test(t ?? ""), { timeoutMsg: "the draft did not save" });
  await ui.press("Publish");
  workflowId = await waitForValue(
    () => sql(`SELECT w.id FROM workflows w JOIN workflow_versions v ON v.id = w.published_version_id WHERE w.name = '${NAME}' AND v.version = 1`),
    (id) => /^[0-9a-f-]{36}$/.test(id),
    { timeoutMsg: "version 1 was not published" },
  );
  await toggleControl(browser, await ui.role("switch", /^Enabled\b/));
  await waitForValue(() => sql(`SELECT enabled FROM workflows WHERE id = '${workflowId}'`), (v) => v === "t", { timeoutMsg: "the workflow was not enabled" });
  await screenshot(browser, "workflows-03-published");
  await ui.press("Workflows");
});

test("editing a device's status to fault starts a run that waits for approval", async () => {
  device = sql(`SELECT r.path_label FROM entity_read_model r JOIN entity_type_definitions t ON t.id = r.entity_type_id
                 WHERE r.root_id = '${northwind}' AND t.key = 'hvac_unit' AND coalesce(r.properties->>'status', '') <> 'fault'
                 ORDER BY r.path_label LIMIT 1`);
  assert.ok(device, "Northwind has an HVAC unit");
  // The device in the tree by its names, from the top-level entity down.
  const names = sql(`WITH RECURSIVE chain AS (
                       SELECT id, parent_entity_id, 0 AS depth FROM entities WHERE path_label = '${device}' AND deleted_at IS NULL
                       UNION ALL SELECT e.id, e.parent_entity_id, c.depth + 1 FROM entities e JOIN chain c ON e.id = c.parent_entity_id)
                     SELECT string_agg(r.name, '|' ORDER BY c.depth DESC) FROM chain c JOIN entity_read_model r ON r.entity_id = c.id`).split("|");
  await ui.switchView("Registry");
  await revealTreeItem(browser, names);
  await selectTreeItem(browser, names);
  await ui.openTab("Properties");
  const status = await ui.role("radiogroup", "Status", { within: await ui.region("Entity details") });
  await status.scrollIntoView({ block: "center" });
  await toggleControl(browser, await ui.role("radio", "Fault", { within: status }));
  await (await browser.$('[data-testid="prop-unsaved-status"]')).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the status edit is not marked unsaved" });
  await browser.keys(["Control", "s"]);
  await (await browser.$('[data-testid="prop-unsaved-status"]')).waitForExist({ reverse: true, timeout: 10_000, timeoutMsg: "the status was not saved" });

  await ui.switchView("Workflows");
  await ui.openTab("Approvals");
  const request = await waitForValue(
    () => sql(`SELECT a.id FROM approval_requests a JOIN workflow_executions e ON e.id = a.execution_id
                WHERE e.workflow_id = '${workflowId}' AND a.status = 'pending'`),
    (id) => /^[0-9a-f-]{36}$/.test(id),
    { timeout: 20_000, timeoutMsg: "no approval was asked for" },
  );
  // The request's card is named by its title.
  assert.ok(request);
  const card = await ui.role("group", /^Book a maintenance visit to /, { timeout: 20_000 });
  await screenshot(browser, "workflows-04-approval");
  await ui.press("Approve", { within: card });
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

  await ui.openTab("Runs");
  const run = await waitForValue(
    () => sql(`SELECT id || '|' || status FROM workflow_executions WHERE workflow_id = '${workflowId}'`),
    (v) => v.endsWith("|succeeded"),
    { timeout: 15_000, timeoutMsg: "the run did not succeed" },
  );
  const runId = run.split("|")[0];
  assert.ok(runId);
  // The workflow has one run; its row is named by the workflow and the run's status.
  const row = await ui.role("row", `Run of ${NAME}, Succeeded`, { timeout: 15_000 });
  await (await row.$("td")).click();
  await ui.heading(NAME);
  await waitForValue(() => textOf("execution-status"), (t) => /succeeded/i.test(t ?? ""), { timeoutMsg: "the page does not say succeeded" });
  // Each step of the run is a button named by the step and its state.
  for (const step of ["Raise alert", "Approval", "HTTP request"]) await ui.button(`${step}: Succeeded`, { timeoutMsg: `step ${step} is not shown succeeded` });
  await ui.press("HTTP request: Succeeded");
  await screenshot(browser, "workflows-05-run");
  // No key material in what the page shows.
  const shown = await browser.execute(() => document.body.innerText);
  assert.ok(!shown.includes(SIGNING_KEY), "the signing key is on screen");
});
