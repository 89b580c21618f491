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
import { byRole, cli, entityNames, helpers, offlineStatus, openApp, revealTreeItem, screenshot, selectTreeItem, sql, treeItem, treeItemShown } from "./session.mjs";


/** Waits for `condition`; on a timeout, the error says what the outbox holds. */
async function waitOrExplain(condition, message) {
  try {
    await browser.waitUntil(condition, { timeout: 60_000, interval: 1_000, timeoutMsg: message });
  } catch (e) {
    const outbox = cli("offline", "outbox");
    const values = sql(`SELECT e.path_label || ' ' || v.value::text FROM entity_property_values v JOIN entities e ON e.id = v.entity_id
                         WHERE v.property_definition_id = (SELECT id FROM property_definitions WHERE key = '${key}') AND e.id = '${targetId}'`);
    throw new Error(`${e.message}\nthe outbox:\n${outbox}\nthe value: ${values}`);
  }
}

let session;
let browser;
let ui, textOf, waitForValue;


/**
 * The tree path of an entity of the site once the tree is served from the
 * offline copy: from the site down (the site is its top level then).
 */
const offlinePath = (names) => names.slice(namesOfSite.length - 1);

/** Waits until the tree is read from the offline copy: the site at its top, the tenant gone. */
async function waitForOfflineTree() {
  await browser.waitUntil(async () => (await treeItemShown(browser, [namesOfSite.at(-1)])) && !(await treeItemShown(browser, [namesOfSite[0]])), {
    timeout: 20_000,
    timeoutMsg: "the tree is not read from the offline copy (the site at its top) after the database stopped",
  });
}

const bannerText = () => offlineStatus(browser);
// The site, an entity of it with a text value, and another to rename.
let site, target, targetId, key, other, otherId;
/** The label of the property edited offline, and the tree paths (names) of the two entities. */
let keyName, targetPath, otherPath, namesOfSite;

before(async () => {
  session = await openApp();
  browser = session.browser;
  ui = helpers(browser);
  ({ textOf, waitForValue } = ui);
  await treeItem(browser, ["Northwind Energy"], { timeout: 90_000 });
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
  // Read now: the database is stopped later on.
  keyName = sql(`SELECT name FROM property_definitions WHERE key = '${key}'`);
  targetPath = entityNames(target);
  otherPath = entityNames(other);
  namesOfSite = entityNames(site);
});

after(async () => {
  // Whatever happened, the database runs again for the next spec.
  try {
    cli("db", "start");
  } catch {
    // it was running
  }
  if (session) await session.close();
});

test("a site is made available offline, its size shown before anything is downloaded", async () => {
  const sitePath = entityNames(site);
  await (await revealTreeItem(browser, sitePath)).click({ button: "right" });
  await (await ui.menuItem(/^Make available offline…/)).click();
  const dialog = await ui.dialog(/^Make .* available offline$/);
  await (await dialog.$("dl")).waitForDisplayed({ timeout: 20_000, timeoutMsg: "the size is not shown" });
  const size = await browser.execute((dialog) => dialog.querySelector("dl")?.textContent ?? null, dialog);
  assert.match(size ?? "", /entities/i, `the size: ${size}`);
  await screenshot(browser, "offline-size");
  await ui.press("Download", { within: dialog });
  // The download ends with a notice: "Available offline", "Stopped" or "The download failed: …".
  const end = await byRole(browser, "alert", /^(Available offline|Stopped|The download failed)/, { within: dialog, timeout: 120_000 });
  const ended = await browser.execute((el) => el.textContent, end);
  assert.match(ended, /^Available offline/, `the download ended as ${ended}`);
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
  cli("db", "stop");
  await waitForValue(bannerText, (t) => /offline/i.test(t ?? ""), { timeout: 30_000, timeoutMsg: "no status says the window is offline after the database stopped" });
  await waitForOfflineTree();
  const shownTarget = offlinePath(targetPath);
  await revealTreeItem(browser, shownTarget, { timeout: 20_000 });
  await selectTreeItem(browser, shownTarget);
  await ui.openTab("Properties");
  await ui.field(new RegExp(`^${keyName}(\\s|$)`), { within: await ui.region("Entity details"), timeout: 20_000 });
  await screenshot(browser, "offline-browsing");
});

test("edits made offline are kept and shown as pending", async () => {
  const input = await ui.field(new RegExp(`^${keyName}(\\s|$)`), { within: await ui.region("Entity details") });
  await input.scrollIntoView({ block: "center" });
  await input.click();
  await browser.keys(["Control", "a"]);
  await input.addValue("measured offline");
  await ui.press("Save", { within: await ui.region("Entity details") });
  await waitForValue(() => textOf("props-status"), (t) => /No unsaved changes/.test(t ?? ""), { timeout: 20_000, timeoutMsg: "the offline edit was not kept" });
  // A rename too, from the tree.
  await selectTreeItem(browser, offlinePath(otherPath));
  await browser.keys("F2");
  const rename = await ui.field(`Rename ${otherPath.at(-1)}`);
  await browser.keys(["Control", "a"]);
  await rename.addValue("checked on site");
  await browser.keys("Enter");
  await ui.role("img", "Edit waiting to be sent", { within: await ui.role("tree", "Entity registry"), index: 0, timeout: 20_000 });
  await waitForValue(bannerText, (t) => /2 waiting/.test(t ?? ""), { timeoutMsg: "the banner does not count the two waiting edits" });
  await screenshot(browser, "offline-pending");
});

test("the database returns: edits are sent by themselves, the conflict waits for the engineer", async () => {
  cli("db", "start");
  // The rename goes through without anyone asking.
  await waitOrExplain(
    () => sql(`SELECT name FROM entity_read_model WHERE entity_id = '${otherId}'`) === "checked on site",
    "the offline rename was not sent after the database came back",
  );
  await ui.press("Review", { timeout: 60_000 });
  // The conflict is a group named by its title, holding theirs, mine and the choices.
  const keep = await ui.button("Keep mine", { timeout: 20_000 });
  const card = await browser.$(await browser.execute((button) => button.closest('[role="group"][aria-labelledby]'), keep));
  const text = await browser.execute((el) => el.innerText, card);
  assert.match(text, /Changed by a colleague/, "theirs is shown");
  assert.match(text, /measured offline/, "mine is shown");
  await screenshot(browser, "offline-conflict");
  await keep.click();
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
