// Pictures of the main screens in the light and the dark theme, for the
// README: the real app on the demo registry, each screen once its content
// is on screen. `scripts/screenshots` runs it and writes docs/screenshots/.
import { test, before, after } from "node:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { allByRole, byRole, helpers, openApp, painted, revealTreeItem, selectTreeItem, toggleControl } from "./session.mjs";

const OUT = process.env.ECO_SCREENSHOTS_DIR;
let session;
let browser;
let ui;

before(async () => {
  if (OUT) mkdirSync(OUT, { recursive: true });
  session = await openApp();
  browser = session.browser;
  ui = helpers(browser);
});

after(async () => {
  if (session) await session.close();
});

async function shoot(name) {
  await painted(browser);
  // Charts and transitions settle within a frame or two after the data.
  await browser.executeAsync((done) => setTimeout(() => requestAnimationFrame(() => done()), 300));
  await browser.saveScreenshot(join(OUT ?? process.env.ECO_ARTIFACTS ?? ".", `${name}.png`));
}

async function screen(label, ready) {
  // A first start creates the database and the demo registry before the workspace shows.
  await byRole(browser, "navigation", "Screens", { timeout: 90_000 });
  await ui.switchView(label);
  await browser.waitUntil(ready, { timeout: 15_000, timeoutMsg: `the ${label} screen did not show its content` });
}

/** The theme choices by the names the Theme group gives them. */
const THEMES = { light: "Light", dark: "Dark" };

async function theme(value) {
  const button = await ui.button(/^Theme: /, { timeout: 30_000 });
  await button.click();
  await toggleControl(browser, await ui.role("radio", THEMES[value], { within: await ui.role("radiogroup", "Theme") }));
  await browser.waitUntil(
    async () => (await browser.execute(() => document.documentElement.getAttribute("data-mantine-color-scheme"))) === value,
    { timeout: 5_000, timeoutMsg: `the window did not turn ${value}` },
  );
}

/** Whether an element with this role (and name) is shown. */
const has = (role, name) => async () => (await allByRole(browser, role, name)).length > 0;

for (const scheme of ["light", "dark"]) {
  test(`the main screens in the ${scheme} theme`, async () => {
    await theme(scheme);
    await screen("Registry", has("treeitem"));
    const site = ["Northwind Energy", "London Docklands"];
    await revealTreeItem(browser, site);
    await selectTreeItem(browser, site);
    await browser.waitUntil(has("tab", "Properties"), { timeout: 15_000 });
    await shoot(`registry-${scheme}`);
    await screen("Views", has("complementary", "Saved views"));
    await shoot(`views-${scheme}`);
    await screen("Dashboards", has("list", "Dashboards"));
    await shoot(`dashboards-${scheme}`);
    await screen("Workflows", has("tab", "Workflows"));
    await shoot(`workflows-${scheme}`);
    await screen("Data", has("tab"));
    await shoot(`data-${scheme}`);
  });
}
