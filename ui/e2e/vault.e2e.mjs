// The real app in a real window: the first-run choice, then the vault as an
// administrator uses it. A passphrase key for Northwind and an OS-keychain
// key for Helios (the run has a private keychain), a secret whose value is
// a unique canary, a reveal with a reason, rotation and rewrap with
// progress, a new version, the lock, and a connection profile tested
// before it is saved. At the end the canary is searched for in everything
// the app sent the window (its events), in a pg_dump of the database and
// in the app's log files: only the reveal's answer may hold it.
//
// It runs after the other specs on the same database (or alone on a fresh
// one): it adds keys and secrets of its own and changes nothing of theirs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { fillInput, helpers, openApp, screenshot, toggleControl, waitForNoDialog, waitForNoRole, textContentOf, waitForTextOf } from "./session.mjs";

const CANARY = `canary-${randomBytes(12).toString("hex")}`;
const PASSPHRASE = "correct horse battery staple";
const CLI = join(dirname(process.env.ECO_APP_BINARY ?? "."), "eco-studio");

let session;
let browser;
let ui;

/** The owner's URL of the app's database (the CLI beside the app knows it). */
const dbUrl = () => execFileSync(CLI, ["db", "url"], { encoding: "utf8" }).trim();
const sql = (statement) => execFileSync("psql", [dbUrl(), "-XAtc", statement], { encoding: "utf8" }).trim();

before(async () => {
  // This run shows the first-run choice: the marker scripts/e2e leaves is removed.
  const marker = join(process.env.ECO_STUDIO_CONFIG_DIR ?? "", "welcome-done");
  if (process.env.ECO_STUDIO_CONFIG_DIR && existsSync(marker)) rmSync(marker);
  session = await openApp();
  browser = session.browser;
  ui = helpers(browser);
});

after(async () => {
  if (session) await session.close();
});

const textContent = (element) => textContentOf(browser, element);

/** Waits until the text `read()` returns satisfies `accept` (see session.mjs). */
const waitForText = (read, accept, timeoutMsg, timeout = 15_000) => waitForTextOf(browser, read, accept, timeoutMsg, timeout);

/** The card of a root's key on the Vault screen (a group named by the root). */
const rootCard = (name) => ui.role("group", name);
/** The text of a root's key card. */
const cardText = async (name) => textContent(await rootCard(name));
/** The alert that says the vault is locked, if it is shown. */
const lockedNotice = () => ui.role("alert", /^The vault is locked/);
/** The chosen secret's panel. */
const secretPanel = () => ui.region("SCADA token");

let northwind;
let helios;

test("the first start asks where to work, and this computer's database is one choice", async () => {
  // The dialog can be drawn again while the app starts: it is found anew, by name, each time.
  await ui.dialog("Where do you want to work?", { timeout: 60_000 });
  await screenshot(browser, "vault-01-welcome");
  await ui.press("This computer's database");
  await waitForNoRole(browser, "dialog", "Where do you want to work?", { timeoutMsg: "the first-run choice stayed open" });
  northwind = sql("SELECT id FROM entities WHERE path_label = 'northwind_energy'");
  helios = sql("SELECT id FROM entities WHERE path_label = 'helios_facilities'");
  assert.match(northwind, /^[0-9a-f-]{36}$/);
});

test("events are recorded from here on", async () => {
  // Everything the app sends the window as registry events, kept to search later.
  await browser.execute(() => {
    window.__ecoEvents = [];
    const internals = window.__TAURI_INTERNALS__;
    const handler = internals.transformCallback((event) => window.__ecoEvents.push(JSON.stringify(event)));
    return internals.invoke("plugin:event|listen", { event: "registry-changed", target: { kind: "Any" }, handler });
  });
});

test("the vault starts locked and opens with a passphrase", async () => {
  await ui.switchView("Vault");
  const locked = await lockedNotice();
  await screenshot(browser, "vault-02-locked");
  await ui.press("Unlock", { within: locked });
  const unlock = await ui.dialog("Unlock the vault");
  await fillInput(browser, await ui.field(/^Passphrase\b/, { within: unlock }), PASSPHRASE);
  await ui.press("Unlock", { within: unlock });
  await waitForNoDialog(browser);
  await waitForNoRole(browser, "alert", /^The vault is locked/, { timeoutMsg: "the vault stayed locked" });
});

test("Northwind gets a passphrase key and Helios one in the OS keychain", async () => {
  await ui.press("Create key", { within: await rootCard("Northwind Energy") });
  await clickProvider("Northwind Energy", "Passphrase");
  await waitForText(() => cardText("Northwind Energy"), (t) => t?.includes("Newest version 1"), "Northwind's key did not appear");
  await waitForText(() => cardText("Northwind Energy"), (t) => /passphrase/i.test(t ?? ""), "Northwind's provider");

  await ui.press("Create key", { within: await rootCard("Helios Facilities") });
  await clickProvider("Helios Facilities", "OS keychain");
  await waitForText(() => cardText("Helios Facilities"), (t) => t?.includes("Newest version 1"), "Helios's keychain key did not appear");
  await waitForText(() => cardText("Helios Facilities"), (t) => /keychain/i.test(t ?? ""), "Helios's provider");
  assert.equal(sql("SELECT count(*) FROM tenant_encryption_keys WHERE key_provider = 'os-keychain'"), "1");
});

/** Picks who keeps the new key of `root` ("Kept by", a segmented control) and creates it. */
async function clickProvider(root, label) {
  const dialog = await ui.dialog(`Create the key of ${root}`);
  const choice = await ui.role("radio", label, { within: await ui.role("radiogroup", "Kept by", { within: dialog }) });
  await toggleControl(browser, choice);
  await browser.waitUntil(async () => (await choice.isSelected()) === true, { timeout: 10_000, timeoutMsg: `${label} was not chosen` });
  await ui.press("Create key", { within: dialog });
  await waitForNoDialog(browser, { timeoutMsg: "the create-key dialog stayed open" });
}

let secretId;

/** Answers the reveal dialog: the reason, then Reveal. */
async function reveal(reason) {
  const dialog = await ui.role("dialog", /^Reveal/);
  await fillInput(browser, await ui.field(/^Reason\b/, { within: dialog }), reason);
  await ui.press("Reveal", { within: dialog });
}

test("a secret is created under Northwind with the canary as its value", async () => {
  await ui.press("New secret");
  const dialog = await ui.dialog("New secret");
  const parent = await ui.field("Under", { within: dialog });
  await parent.click();
  await parent.setValue("Northwind");
  await ui.pick("Northwind Energy");
  await fillInput(browser, await ui.field(/^Name\b/, { within: dialog }), "SCADA token");
  await fillInput(browser, await ui.field(/^Value\b/, { within: dialog }), CANARY);
  await fillInput(browser, await ui.field(/^Reason\b/, { within: dialog }), "commissioning");
  await ui.press("Create", { within: dialog });
  await waitForNoDialog(browser);
  await browser.waitUntil(async () => (secretId = sql("SELECT e.id FROM entities e JOIN entity_type_definitions t ON t.id = e.entity_type_id WHERE t.key = 'secret' AND e.parent_entity_id = (SELECT id FROM entities WHERE path_label = 'northwind_energy') LIMIT 1")) !== "", { timeout: 10_000, timeoutMsg: "the secret was not stored" });
  // The new secret is listed, and chosen.
  const secretRow = await ui.role("row", /^SCADA token northwind_energy\b/);
  await secretRow.scrollIntoView({ block: "center" });
  if ((await secretRow.getAttribute("aria-selected")) !== "true") await secretRow.click();
  await ui.role("row", /^v1 /, { within: await secretPanel() });
});

test("revealing asks for a reason, shows the value, and Hide takes it away", async () => {
  const panel = await secretPanel();
  await ui.press("Reveal", { within: panel, index: 0 });
  await reveal("checking the gateway");
  // The value is shown as code beside its Hide button.
  const shownValue = () => browser.execute((panel) => panel.querySelector("pre")?.textContent ?? null, panel);
  await waitForText(shownValue, (t) => t === CANARY, "the revealed value");
  await screenshot(browser, "vault-03-revealed");
  await ui.press("Hide", { within: panel });
  await waitForText(shownValue, (t) => t === null, "the value stayed shown", 10_000);
  assert.equal(sql(`SELECT count(*) FROM audit_events WHERE action = 'secret.reveal' AND entity_id = '${secretId}' AND after::text LIKE '%checking the gateway%'`), "1");
});

test("rotation adds a key version, and the rewrap moves the secret onto it", async () => {
  await ui.press("Rotate", { within: await rootCard("Northwind Energy") });
  await ui.press("Rotate", { within: await ui.dialog("Rotate the key of Northwind Energy?") });
  await waitForText(() => cardText("Northwind Energy"), (t) => t?.includes("Newest version 2"), "the rotation did not show");
  await waitForText(() => cardText("Northwind Energy"), (t) => t?.includes("older key versions"), "the secret is not shown as behind");
  await screenshot(browser, "vault-04-rotated");
  await ui.press("Rewrap", { within: await rootCard("Northwind Energy") });
  await waitForText(() => cardText("Northwind Energy"), (t) => t?.includes("Every secret version is on the newest key version"), "the rewrap did not finish", 30_000);
  assert.equal(sql(`SELECT DISTINCT v.version FROM vault_secret_versions s JOIN tenant_encryption_key_versions v ON v.id = s.tenant_encryption_key_version_id WHERE s.secret_entity_id = '${secretId}'`), "2");
  await screenshot(browser, "vault-05-rewrapped");
});

test("a new version is written and listed with its reason", async () => {
  await ui.press("New version", { within: await secretPanel() });
  const dialog = await ui.dialog('New version of "SCADA token"');
  await fillInput(browser, await ui.field(/^Value\b/, { within: dialog }), `${CANARY}-2`);
  await fillInput(browser, await ui.field(/^Reason\b/, { within: dialog }), "rotated upstream");
  await ui.press("Save", { within: dialog });
  await ui.role("row", /^v2 .*rotated upstream/, { within: await secretPanel() });
});

test("locking wipes the keys: a reveal asks to unlock again", async () => {
  await ui.press("Lock the vault");
  await lockedNotice();
  await screenshot(browser, "vault-06-locked-again");
  await ui.press("Reveal", { within: await secretPanel(), index: 0 });
  await reveal("after lock");
  await ui.field(/^Passphrase\b/, { within: await ui.dialog("Unlock the vault") });
  await browser.keys("Escape");
  await waitForNoDialog(browser);
});

test("a connection profile is tested before it is saved: a wrong password is said plainly", async () => {
  // The embedded server listens on this loopback port too (with passwords).
  const port = new URL(dbUrl().replace(/^postgres(ql)?:/, "http:")).port;
  assert.match(port, /^\d+$/);
  await ui.press(/^Signed in as /);
  await (await ui.menuItem("Switch person…")).click();
  await ui.press("Server…", { within: await ui.dialog("Sign in as someone else") });
  const form = await ui.dialog("A server to sign in to");
  await fillInput(browser, await ui.field(/^Name\b/, { within: form }), "Field office");
  await fillInput(browser, await ui.field(/^Host\b/, { within: form }), "db.example.org");
  const tls = await ui.field(/^Connection security\b/, { within: form });
  await browser.waitUntil(async () => (await tls.getValue()).includes("check the certificate"), { timeout: 5_000, timeoutMsg: "a remote host did not default to verify-full" });
  await tls.click();
  await ui.pick("No TLS");
  await ui.role("checkbox", /^Allow plain text to this server\b/, { within: form, timeout: 5_000 });
  await screenshot(browser, "vault-07-profile-plaintext");
  await fillInput(browser, await ui.field(/^Host\b/, { within: form }), "127.0.0.1");
  await fillInput(browser, await ui.field(/^Port\b/, { within: form }), port);
  await fillInput(browser, await ui.field(/^Your database role\b/, { within: form }), "eco_admin");
  await fillInput(browser, await ui.field(/^Password\b/, { within: form }), "not-the-password");
  await ui.press("Test connection", { within: form });
  await waitForText(async () => textContent(await ui.role("alert", null, { within: form, timeout: 2_000 })), (t) => /password/i.test(t ?? ""), "the wrong password was not named");
  await screenshot(browser, "vault-08-profile-test");
  await ui.press("Cancel", { within: form });
  await ui.button("Sign in", { within: await ui.dialog("Sign in as someone else") });
  await browser.keys("Escape");
  await waitForNoDialog(browser);
});

/** Files under `dir` (recursively) holding `needle`. */
function filesHolding(dir, needle) {
  if (!existsSync(dir)) return [];
  const hits = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) hits.push(...filesHolding(path, needle));
    else if (readFileSync(path).includes(needle)) hits.push(path);
  }
  return hits;
}

test("the canary is in no event, no dump and no log", async () => {
  const events = await browser.execute(() => window.__ecoEvents ?? []);
  assert.ok(events.some((e) => e.includes("vaultChanged")), `the vault's events were recorded: ${events.length}`);
  assert.deepEqual(events.filter((e) => e.includes(CANARY)), [], "an event carried the value");
  const dump = execFileSync("pg_dump", ["--dbname", dbUrl()], { maxBuffer: 1 << 30 });
  assert.ok(dump.includes("vault_secret_versions"), "the dump holds the vault");
  assert.ok(dump.includes("SCADA token"), "the dump holds the secret's name");
  assert.equal(dump.includes(CANARY), false, "the value is in the database dump");
  const logs = join(process.env.HOME ?? "", ".local", "share");
  assert.deepEqual(filesHolding(logs, CANARY), [], "the value is in a log file");
});
