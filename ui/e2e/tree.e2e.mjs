// The real app in a real window: starts on a fresh embedded database, shows
// the demo registry's roots, and expands a node to load its children.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { remote } from "webdriverio";

const app = process.env.ECO_APP_BINARY;
const artifacts = process.env.ECO_ARTIFACTS ?? "/tmp";
let driver;
let browser;

async function waitForDriver(port) {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("tauri-driver did not start");
}

before(async () => {
  assert.ok(app, "ECO_APP_BINARY names the built app");
  mkdirSync(artifacts, { recursive: true });
  driver = spawn("tauri-driver", ["--port", "4444"], { stdio: ["ignore", "ignore", "inherit"] });
  await waitForDriver(4444);
  browser = await remote({
    hostname: "127.0.0.1",
    port: 4444,
    logLevel: "warn",
    capabilities: { "tauri:options": { application: app } },
  });
});

after(async () => {
  if (browser) await browser.deleteSession().catch(() => {});
  if (driver) driver.kill();
});

test("the demo tree appears and a node expands to its children", async () => {
  // First run: the cluster is created, migrated and seeded before the tree shows.
  const northwind = await browser.$('[data-testid="tree-row-northwind_energy"]');
  await northwind.waitForDisplayed({ timeout: 60_000, timeoutMsg: "the demo roots never appeared" });
  assert.equal(await northwind.getAttribute("data-node-name"), "Northwind Energy");
  const roots = await browser.$$('[role="treeitem"][aria-level="1"]');
  assert.equal(roots.length, 3, "the demo has three tenants");
  await browser.saveScreenshot(join(artifacts, "tree-roots.png"));

  const toggle = await browser.$('[data-testid="tree-toggle-northwind_energy"]');
  const started = Date.now();
  await toggle.click();
  const site = await browser.$('[data-testid="tree-row-northwind_energy.london_docklands"]');
  await site.waitForDisplayed({ timeout: 10_000, timeoutMsg: "children did not load" });
  const elapsed = Date.now() - started;
  console.log(`click-to-children (WebDriver round trips included): ${elapsed} ms`);
  assert.equal(await northwind.getAttribute("aria-expanded"), "true");

  // Two levels deeper, to a building.
  await (await browser.$('[data-testid="tree-toggle-northwind_energy.london_docklands"]')).click();
  const building = await browser.$('[data-testid="tree-row-northwind_energy.london_docklands.building_a"]');
  await building.waitForDisplayed({ timeout: 10_000 });
  await building.click();
  assert.equal(await building.getAttribute("aria-selected"), "true", "clicking a row selects it");
  await browser.saveScreenshot(join(artifacts, "tree-expanded.png"));
});
