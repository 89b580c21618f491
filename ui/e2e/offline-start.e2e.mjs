// The app started while its server is down, as a field engineer on site
// does: a site was made available offline earlier, the app is closed, the
// server stops, and the app opens on the offline copy (the site browsed,
// an edit queued); when the server starts again the app opens it by itself
// and sends the edit.
//
// The app works on a server named by a URL here (the first administrator
// on the local cluster, or the pooler's URL in a run through the pooler):
// this computer's own database is started by the app and is never away at
// start. It runs after the other specs on the same database (or alone on a
// fresh one).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { byRole, cli, entityNames, helpers, offlineStatus, openApp, revealTreeItem, screenshot, selectTreeItem, sql, treeItem, treeItemShown } from "./session.mjs";

let session;
let browser;
let ui;
/** The site kept offline (names from the tenant down), and a room of it to rename. */
let siteNames, roomNames, roomId;

const offlineBanner = () => offlineStatus(browser);

before(async () => {
  try {
    cli("db", "start");
  } catch {
    // it runs
  }
  // Alone on a fresh database: the app's first start loads the demo and
  // adds the first administrator.
  let fresh = false;
  try {
    execFileSync("psql", [cli("db", "url"), "-XAtc", "SELECT 1 FROM entities LIMIT 1"], { stdio: "ignore" });
  } catch {
    fresh = true;
  }
  if (fresh && !process.env.ECO_E2E_APP_DATABASE_URL) {
    const first = await openApp();
    await treeItem(first.browser, ["Northwind Energy"], { timeout: 120_000 });
    await first.close();
  }
  // A run through the pooler names the app's server already; else the
  // app signs in to the local cluster as its first administrator, by URL.
  if (!process.env.ECO_E2E_APP_DATABASE_URL) {
    process.env.ECO_E2E_APP_DATABASE_URL = cli("db", "url").replace(/^postgres:\/\/[^@]*@/, "postgres://eco_admin@");
  }
  const site = sql(`SELECT c.path_label FROM entities c JOIN entities t ON t.id = c.parent_entity_id
                     WHERE t.path_label = 'northwind_energy' AND c.deleted_at IS NULL
                     ORDER BY (SELECT count(*) FROM entities d WHERE d.path <@ c.path) DESC, c.id LIMIT 1`);
  const [room, id] = sql(`SELECT e.path_label, e.id FROM entities s JOIN entities e ON e.path <@ s.path AND e.id <> s.id AND e.deleted_at IS NULL
                           WHERE s.path_label = '${site}' AND nlevel(e.path) = nlevel(s.path) + 2
                           ORDER BY e.path_label LIMIT 1`).split("|");
  assert.ok(site && room, "the demo has a site with entities two levels down");
  siteNames = entityNames(site);
  roomNames = entityNames(room);
  roomId = id;
});

after(async () => {
  try {
    cli("db", "start");
  } catch {
    // it runs
  }
  if (session) await session.close();
});

test("a site is made available offline, and the app is closed", async () => {
  session = await openApp();
  browser = session.browser;
  ui = helpers(browser);
  await treeItem(browser, [siteNames[0]], { timeout: 90_000 });
  await (await revealTreeItem(browser, siteNames)).click({ button: "right" });
  await (await ui.menuItem(/^Make available offline…/)).click();
  const dialog = await ui.dialog(/^Make .* available offline$/);
  await ui.press("Download", { within: dialog, timeout: 20_000 });
  const end = await byRole(browser, "alert", /^(Available offline|Stopped|The download failed)/, { within: dialog, timeout: 120_000 });
  assert.match(await browser.execute((el) => el.textContent, end), /^Available offline/);
  await browser.keys("Escape");
  await session.close();
  session = undefined;
});

test("with the server stopped, the app opens on the offline copy", async () => {
  cli("db", "stop");
  session = await openApp();
  browser = session.browser;
  ui = helpers(browser);
  // The site is the tree's top: the copy is what the window shows.
  await treeItem(browser, [siteNames.at(-1)], { timeout: 90_000 });
  assert.equal(await treeItemShown(browser, [siteNames[0]]), false, "the tenant is not in the offline copy");
  const banner = await browser.waitUntil(offlineBanner, { timeout: 20_000, timeoutMsg: "no status says the window is offline" });
  assert.match(banner, new RegExp(`showing .*${siteNames.at(-1)}`), `the banner: ${banner}`);
  await screenshot(browser, "offline-start");
});

test("an edit made there waits to be sent", async () => {
  const shown = roomNames.slice(siteNames.length - 1);
  await revealTreeItem(browser, shown, { timeout: 20_000 });
  await selectTreeItem(browser, shown);
  await browser.keys("F2");
  const rename = await ui.field(`Rename ${shown.at(-1)}`);
  await browser.keys(["Control", "a"]);
  await rename.addValue("Renamed before the server came back");
  await browser.keys("Enter");
  await ui.role("img", "Edit waiting to be sent", { within: await ui.role("tree", "Entity registry"), timeout: 20_000 });
  await browser.waitUntil(async () => /1 waiting/.test((await offlineBanner()) ?? ""), { timeout: 20_000, timeoutMsg: "the banner does not count the waiting edit" });
});

test("the server starts: the app opens it by itself and sends the edit", async () => {
  cli("db", "start");
  try {
    await browser.waitUntil(() => sql(`SELECT name FROM entity_read_model WHERE entity_id = '${roomId}'`) === "Renamed before the server came back", {
      timeout: 60_000,
      interval: 1_000,
      timeoutMsg: "the rename was not sent after the server started",
    });
  } catch (e) {
    const outbox = cli("offline", "outbox", "--database-url", process.env.ECO_E2E_APP_DATABASE_URL);
    throw new Error(`${e.message}\nthe outbox:\n${outbox}`);
  }
  // Online again: the whole registry, from the tenant down, and no offline status.
  await treeItem(browser, [siteNames[0]], { timeout: 30_000 });
  await browser.waitUntil(async () => (await offlineBanner()) === null, { timeout: 20_000, timeoutMsg: "the window still says it is offline" });
  const header = await browser.execute(() => document.body.innerText);
  assert.match(header, /PostgreSQL \d+/, "the header shows the server's version once it is open");
  await screenshot(browser, "offline-start-online");
});
