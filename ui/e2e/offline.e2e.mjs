// The real app in a real window, as a field engineer works: a site made
// available offline (its size shown first), the database stopped, the
// site browsed and edited from the cache with the edits shown as pending,
// the database started again, the edits sent by themselves, and the one
// that met a colleague's change waiting in the conflict review until the
// engineer keeps theirs.
//
// It runs after the other specs on the same database (or alone on a
// fresh one).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { helpers, openApp, revealRow, row, screenshot, selectRow, toggle } from "./session.mjs";

const CLI = join(dirname(process.env.ECO_APP_BINARY ?? "."), "eco-studio");
const dbUrl = () => execFileSync(CLI, ["db", "url"], { encoding: "utf8" }).trim();
const sql = (statement) => execFileSync("psql", [dbUrl(), "-XAtc", statement], { encoding: "utf8" }).trim();

/** Waits for `condition`; on a timeout, the error says what the outbox holds. */
async function waitOrExplain(condition, message) {
  try {
    await browser.waitUntil(condition, { timeout: 60_000, interval: 1_000, timeoutMsg: message });
  } catch (e) {
    const outbox = execFileSync(CLI, ["offline", "outbox"], { encoding: "utf8" });
    const values = sql(`SELECT e.path_label || ' ' || v.value::text FROM entity_property_values v JOIN entities e ON e.id = v.entity_id
                         WHERE v.property_definition_id = (SELECT id FROM property_definitions WHERE key = '${key}') AND e.id = '${targetId}'`);
    throw new Error(`${e.message}\nthe outbox:\n${outbox}\nthe value: ${values}`);
  }
}

let session;
let browser;
let testId, textOf, waitForValue, click;
// The site, an entity of it with a text value, and another to rename.
let site, target, targetId, key, other, otherId;

before(async () => {
  session = await openApp();
  browser = session.browser;
  ({ testId, textOf, waitForValue, click } = helpers(browser));
  await (await row(browser, "northwind_energy")).waitForDisplayed({ timeout: 90_000, timeoutMsg: "the registry did not open" });
  site = sql(`SELECT c.path_label FROM entities c JOIN entities t ON t.id = c.parent_entity_id
               WHERE t.path_label = 'northwind_energy' AND c.deleted_at IS NULL
               ORDER BY (SELECT count(*) FROM entities d WHERE d.path <@ c.path) DESC, c.id LIMIT 1`);
  [target, key, targetId] = sql(`SELECT e.path_label, d.key, e.id FROM entities s
                         JOIN entities e ON e.path <@ s.path AND e.id <> s.id AND e.deleted_at IS NULL
                         JOIN entity_property_values v ON v.entity_id = e.id AND v.deleted_at IS NULL
                         JOIN property_definitions d ON d.id = v.property_definition_id
                        WHERE s.path_label = '${site}' AND d.key = 'model'
                        ORDER BY e.path_label LIMIT 1`).split("|");
  [other, otherId] = sql(`SELECT e.path_label, e.id FROM entities s
                              JOIN entities e ON e.parent_entity_id = s.id AND e.deleted_at IS NULL
                             WHERE s.path_label = '${site}' AND e.path_label <> '${target}'
                             ORDER BY e.path_label LIMIT 1`).split("|");
  assert.ok(site && target && key && other, "the demo has a site with a text value to edit");
});

after(async () => {
  // Whatever happened, the database runs again for the next spec.
  try {
    execFileSync(CLI, ["db", "start"], { encoding: "utf8" });
  } catch {
    // it was running
  }
  if (session) await session.close();
});

test("a site is made available offline, its size shown before anything is downloaded", async () => {
  await revealRow(browser, site);
  await (await row(browser, site)).click({ button: "right" });
  await click("offline-make-available", "Make available offline…");
  await (await testId("offline-size")).waitForDisplayed({ timeout: 20_000, timeoutMsg: "the size is not shown" });
  const size = await textOf("offline-size");
  assert.match(size ?? "", /entities/i, `the size: ${size}`);
  await screenshot(browser, "offline-size");
  await click("offline-download", "Download");
  const done = await testId("offline-done");
  await done.waitForDisplayed({ timeout: 120_000, timeoutMsg: "the download did not end" });
  assert.equal(await done.getAttribute("data-state"), "done", `the download ended as ${await done.getAttribute("data-state")}`);
  await screenshot(browser, "offline-downloaded");
  await browser.keys("Escape");
});

test("a colleague changes a value on the server meanwhile", () => {
  sql(`UPDATE entity_property_values SET value = to_jsonb('Changed by a colleague'::text), updated_at = clock_timestamp()
        WHERE entity_id = '${targetId}'
          AND property_definition_id = (SELECT id FROM property_definitions WHERE key = '${key}')
          AND deleted_at IS NULL`);
});

test("the database stops: the window says so and serves the site from the cache", async () => {
  execFileSync(CLI, ["db", "stop"], { encoding: "utf8" });
  const banner = await testId("offline-banner");
  await banner.waitForDisplayed({ timeout: 30_000, timeoutMsg: "no offline banner after the database stopped" });
  await waitForValue(() => textOf("offline-banner"), (t) => /offline/i.test(t ?? ""), { timeoutMsg: "the banner does not say offline" });
  await revealRow(browser, target, { timeout: 20_000 });
  await selectRow(browser, target);
  await (await testId("details-properties-tab")).click();
  await (await testId(`prop-field-${key}`)).waitForDisplayed({ timeout: 20_000, timeoutMsg: `the cached pane does not show ${key}` });
  await screenshot(browser, "offline-browsing");
});

test("edits made offline are kept and shown as pending", async () => {
  const input = await browser.$(`[data-testid="props-form"] [data-testid="prop-input-${key}"]`);
  await input.scrollIntoView({ block: "center" });
  await input.click();
  await browser.keys(["Control", "a"]);
  await input.addValue("measured offline");
  await click("props-save", "Save");
  await waitForValue(() => textOf("props-status"), (t) => /No unsaved changes/.test(t ?? ""), { timeout: 20_000, timeoutMsg: "the offline edit was not kept" });
  // A rename too, from the tree.
  await selectRow(browser, other);
  await browser.keys("F2");
  const rename = await browser.$('[data-testid="rename-input"]');
  await rename.waitForDisplayed({ timeout: 10_000 });
  await browser.keys(["Control", "a"]);
  await rename.addValue("checked on site");
  await browser.keys("Enter");
  await browser.waitUntil(async () => (await browser.$$('[data-testid="tree-pending-dot"]')).length >= 1, {
    timeout: 20_000,
    timeoutMsg: "no pending mark in the tree",
  });
  await waitForValue(() => textOf("offline-banner"), (t) => /2 waiting/.test(t ?? ""), { timeoutMsg: "the banner does not count the two waiting edits" });
  await screenshot(browser, "offline-pending");
});

test("the database returns: edits are sent by themselves, the conflict waits for the engineer", async () => {
  execFileSync(CLI, ["db", "start"], { encoding: "utf8" });
  // The rename goes through without anyone asking.
  await waitOrExplain(
    () => sql(`SELECT name FROM entity_read_model WHERE entity_id = '${otherId}'`) === "checked on site",
    "the offline rename was not sent after the database came back",
  );
  await (await testId("offline-review-open")).waitForDisplayed({ timeout: 60_000, timeoutMsg: "no conflict to review" });
  await click("offline-review-open", "Review");
  const card = await testId("conflict-card");
  await card.waitForDisplayed({ timeout: 20_000, timeoutMsg: "the conflict is not shown" });
  const text = await card.getText();
  assert.match(text, /Changed by a colleague/, "theirs is shown");
  assert.match(text, /measured offline/, "mine is shown");
  await screenshot(browser, "offline-conflict");
  await click("conflict-keep-mine", "Keep mine");
  await waitOrExplain(
    () => sql(`SELECT value #>> '{}' FROM entity_property_values
                WHERE entity_id = '${targetId}'
                  AND property_definition_id = (SELECT id FROM property_definitions WHERE key = '${key}')
                  AND deleted_at IS NULL`) === "measured offline",
    "keeping mine did not send it",
  );
  await card.waitForExist({ reverse: true, timeout: 30_000, timeoutMsg: "the settled conflict is still shown" });
  await screenshot(browser, "offline-resolved");
});
