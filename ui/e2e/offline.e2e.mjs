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
import { byRole, helpers, openApp, revealTreeItem, screenshot, selectTreeItem, treeItem, treeItemShown } from "./session.mjs";

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
let ui, textOf, waitForValue;

/** The names of the entity whose path label `pathLabel` is, from its top-level entity down. */
const namesOf = (pathLabel) =>
  sql(`WITH RECURSIVE chain AS (
         SELECT id, parent_entity_id, 0 AS depth FROM entities WHERE path_label = '${pathLabel}' AND deleted_at IS NULL
         UNION ALL SELECT e.id, e.parent_entity_id, c.depth + 1 FROM entities e JOIN chain c ON e.id = c.parent_entity_id)
       SELECT string_agg(r.name, '|' ORDER BY c.depth DESC) FROM chain c JOIN entity_read_model r ON r.entity_id = c.id`).split("|");

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

/** The text of the status line the window shows while the database cannot be reached ("Offline…"), or null. */
const bannerText = async () => {
  const banners = await browser.execute(() => [...document.querySelectorAll('[role="status"]')].map((s) => s.textContent).filter((t) => /offline/i.test(t)));
  return banners[0] ?? null;
};
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
  targetPath = namesOf(target);
  otherPath = namesOf(other);
  namesOfSite = namesOf(site);
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
  const sitePath = namesOf(site);
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
  execFileSync(CLI, ["db", "stop"], { encoding: "utf8" });
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
  execFileSync(CLI, ["db", "start"], { encoding: "utf8" });
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
