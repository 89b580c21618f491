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
import { fillInput, openApp, pickOption, screenshot, waitForNoDialog } from "./session.mjs";

const CANARY = `canary-${randomBytes(12).toString("hex")}`;
const PASSPHRASE = "correct horse battery staple";
const CLI = join(dirname(process.env.ECO_APP_BINARY ?? "."), "eco-studio");

let session;
let browser;

/** The owner's URL of the app's database (the CLI beside the app knows it). */
const dbUrl = () => execFileSync(CLI, ["db", "url"], { encoding: "utf8" }).trim();
const sql = (statement) => execFileSync("psql", [dbUrl(), "-XAtc", statement], { encoding: "utf8" }).trim();

before(async () => {
  // This run shows the first-run choice: the marker scripts/e2e leaves is removed.
  const marker = join(process.env.ECO_STUDIO_CONFIG_DIR ?? "", "welcome-done");
  if (process.env.ECO_STUDIO_CONFIG_DIR && existsSync(marker)) rmSync(marker);
  session = await openApp();
  browser = session.browser;
});

after(async () => {
  if (session) await session.close();
});

const testId = (id) => browser.$(`[data-testid="${id}"]`);
const textOf = (id) => browser.execute((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null, id);

async function waitForText(id, accept, timeoutMsg, timeout = 15_000) {
  let seen;
  await browser.waitUntil(async () => accept((seen = await textOf(id))), { timeout, timeoutMsg: () => `${timeoutMsg} (saw ${JSON.stringify(seen)})` });
  return seen;
}

async function click(id, what) {
  const element = await testId(id);
  await element.waitForClickable({ timeout: 15_000, timeoutMsg: `${what ?? id} cannot be clicked` });
  await element.click();
}

let northwind;
let helios;

test("the first start asks where to work, and this computer's database is one choice", async () => {
  const welcome = await testId("welcome-dialog");
  await welcome.waitForDisplayed({ timeout: 60_000, timeoutMsg: "the first-run choice was not offered" });
  await screenshot(browser, "vault-01-welcome");
  await click("welcome-local", "the local database choice");
  await welcome.waitForDisplayed({ reverse: true, timeout: 10_000, timeoutMsg: "the first-run choice stayed open" });
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
  await (await browser.$('//*[@data-testid="view-switch"]//label[normalize-space()="Vault"]')).click();
  await (await testId("vault-screen")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "no Vault screen" });
  await (await testId("vault-locked")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the vault did not start locked" });
  await screenshot(browser, "vault-02-locked");
  await click("vault-unlock");
  await fillInput(browser, await testId("vault-passphrase"), PASSPHRASE);
  await click("vault-unlock-submit");
  await waitForNoDialog(browser);
  await (await testId("vault-locked")).waitForDisplayed({ reverse: true, timeout: 10_000, timeoutMsg: "the vault stayed locked" });
});

test("Northwind gets a passphrase key and Helios one in the OS keychain", async () => {
  await click(`vault-create-key-${northwind}`, "Create key on Northwind");
  await clickProvider("Passphrase");
  await click("vault-create-key-submit");
  await waitForText(`vault-key-summary-${northwind}`, (t) => t?.includes("Newest version 1"), "Northwind's key did not appear");
  await waitForText(`vault-provider-${northwind}`, (t) => /passphrase/i.test(t ?? ""), "Northwind's provider");

  await click(`vault-create-key-${helios}`, "Create key on Helios");
  await clickProvider("OS keychain");
  await click("vault-create-key-submit");
  await waitForText(`vault-key-summary-${helios}`, (t) => t?.includes("Newest version 1"), "Helios's keychain key did not appear");
  await waitForText(`vault-provider-${helios}`, (t) => /keychain/i.test(t ?? ""), "Helios's provider");
  assert.equal(sql("SELECT count(*) FROM tenant_encryption_keys WHERE key_provider = 'os-keychain'"), "1");
});

/** Picks a key provider in the create-key dialog (a segmented control or a select). */
async function clickProvider(label) {
  const control = await testId("vault-provider");
  await control.waitForDisplayed({ timeout: 10_000, timeoutMsg: "no provider choice" });
  const segment = await browser.$(`//*[@data-testid="vault-provider"]//label[normalize-space()="${label}"]`);
  if (await segment.isExisting()) return segment.click();
  await control.click();
  await pickOption(browser, label);
}

let secretId;

test("a secret is created under Northwind with the canary as its value", async () => {
  await click("vault-new-secret");
  const parent = await testId("secret-parent");
  await parent.waitForDisplayed({ timeout: 10_000, timeoutMsg: "no parent picker" });
  await parent.click();
  await parent.setValue("Northwind");
  const option = await testId(`secret-parent-option-${northwind}`);
  await option.waitForDisplayed({ timeout: 10_000, timeoutMsg: "Northwind was not offered as a parent" });
  await option.click();
  await fillInput(browser, await testId("secret-name"), "SCADA token");
  await fillInput(browser, await testId("secret-value"), CANARY);
  await fillInput(browser, await testId("secret-reason"), "commissioning");
  await click("secret-create-submit");
  await waitForNoDialog(browser);
  await browser.waitUntil(async () => (secretId = sql("SELECT e.id FROM entities e JOIN entity_type_definitions t ON t.id = e.entity_type_id WHERE t.key = 'secret' AND e.parent_entity_id = (SELECT id FROM entities WHERE path_label = 'northwind_energy') LIMIT 1")) !== "", { timeout: 10_000, timeoutMsg: "the secret was not stored" });
  // The new secret is listed, and chosen.
  const secretRow = await testId(`vault-secret-row-${secretId}`);
  await secretRow.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the new secret is not listed" });
  await secretRow.scrollIntoView({ block: "center" });
  if ((await secretRow.getAttribute("aria-selected")) !== "true") await secretRow.click();
  await (await testId("secret-version-1")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "version 1 is not listed" });
});

test("revealing asks for a reason, shows the value, and Hide takes it away", async () => {
  await click("secret-reveal");
  await fillInput(browser, await testId("secret-reveal-reason"), "checking the gateway");
  await click("secret-reveal-submit");
  await waitForText("secret-revealed-value", (t) => t === CANARY, "the revealed value");
  await screenshot(browser, "vault-03-revealed");
  await click("secret-hide");
  await (await testId("secret-revealed-value")).waitForDisplayed({ reverse: true, timeout: 10_000, timeoutMsg: "the value stayed shown" });
  assert.equal(sql(`SELECT count(*) FROM audit_events WHERE action = 'secret.reveal' AND entity_id = '${secretId}' AND after::text LIKE '%checking the gateway%'`), "1");
});

test("rotation adds a key version, and the rewrap moves the secret onto it", async () => {
  await click(`vault-rotate-${northwind}`);
  await click("vault-rotate-confirm");
  await waitForText(`vault-key-summary-${northwind}`, (t) => t?.includes("Newest version 2"), "the rotation did not show");
  await waitForText(`vault-behind-${northwind}`, (t) => t?.includes("older key versions"), "the secret is not shown as behind");
  await screenshot(browser, "vault-04-rotated");
  await click(`vault-rewrap-${northwind}`);
  await waitForText(`vault-behind-${northwind}`, (t) => t?.includes("Every secret version is on the newest key version"), "the rewrap did not finish", 30_000);
  assert.equal(sql(`SELECT DISTINCT v.version FROM vault_secret_versions s JOIN tenant_encryption_key_versions v ON v.id = s.tenant_encryption_key_version_id WHERE s.secret_entity_id = '${secretId}'`), "2");
  await screenshot(browser, "vault-05-rewrapped");
});

test("a new version is written and listed with its reason", async () => {
  await click("secret-new-version");
  await fillInput(browser, await testId("secret-new-value"), `${CANARY}-2`);
  await fillInput(browser, await testId("secret-new-reason"), "rotated upstream");
  await click("secret-write-submit");
  await (await testId("secret-version-2")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "version 2 is not listed" });
  await waitForText("secret-versions", (t) => t?.includes("rotated upstream"), "the reason is not shown");
});

test("locking wipes the keys: a reveal asks to unlock again", async () => {
  await click("vault-lock-button", "the lock button");
  await (await testId("vault-locked")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the vault did not lock" });
  await screenshot(browser, "vault-06-locked-again");
  await click("secret-reveal");
  await fillInput(browser, await testId("secret-reveal-reason"), "after lock");
  await click("secret-reveal-submit");
  await (await testId("vault-passphrase")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "a locked reveal did not ask to unlock" });
  await browser.keys("Escape");
  await waitForNoDialog(browser);
});

test("a connection profile is tested before it is saved: a wrong password is said plainly", async () => {
  // The embedded server listens on this loopback port too (with passwords).
  const port = new URL(dbUrl().replace(/^postgres(ql)?:/, "http:")).port;
  assert.match(port, /^\d+$/);
  await click("session-info", "the session menu");
  await click("session-switch", "Switch person");
  await click("sign-in-new-profile");
  await fillInput(browser, await testId("profile-name"), "Field office");
  await fillInput(browser, await testId("profile-host"), "db.example.org");
  const tls = await testId("profile-tls");
  await browser.waitUntil(async () => (await tls.getValue()).includes("check the certificate"), { timeout: 5_000, timeoutMsg: "a remote host did not default to verify-full" });
  await tls.click();
  await pickOption(browser, "No TLS");
  await (await testId("profile-allow-plaintext")).waitForDisplayed({ timeout: 5_000, timeoutMsg: "plain text to a remote host did not ask for consent" });
  await screenshot(browser, "vault-07-profile-plaintext");
  await fillInput(browser, await testId("profile-host"), "127.0.0.1");
  await fillInput(browser, await testId("profile-port"), port);
  await fillInput(browser, await testId("profile-user"), "eco_admin");
  await fillInput(browser, await testId("profile-password"), "not-the-password");
  await click("profile-test");
  await waitForText("profile-test-result", (t) => /password/i.test(t ?? ""), "the wrong password was not named");
  await screenshot(browser, "vault-08-profile-test");
  await (await browser.$('[role="dialog"]').$("button=Cancel")).click();
  await (await testId("sign-in-submit")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "cancelling the profile did not return to the sign-in" });
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
