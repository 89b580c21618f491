// Pictures of the main screens in the light and the dark theme, for the
// README: the real app on the demo registry, each screen once its content
// is on screen. `scripts/screenshots` runs it and writes docs/screenshots/.
import { test, before, after } from "node:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { openApp, painted, selectRow, revealRow } from "./session.mjs";

const OUT = process.env.ECO_SCREENSHOTS_DIR;
let session;
let browser;

before(async () => {
  if (OUT) mkdirSync(OUT, { recursive: true });
  session = await openApp();
  browser = session.browser;
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
  const control = await browser.$(`//*[@data-testid="view-switch"]//label[normalize-space()="${label}"]`);
  await control.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the screens' switch is not shown" });
  await control.click();
  await browser.waitUntil(ready, { timeout: 15_000, timeoutMsg: `the ${label} screen did not show its content` });
}

async function theme(value) {
  const button = await browser.$('[data-testid="theme-switch"]');
  await button.waitForDisplayed({ timeout: 30_000, timeoutMsg: "the theme switch is not shown" });
  await button.click();
  await (await browser.$(`[data-testid="theme-${value}"]`)).click();
  await browser.waitUntil(
    async () => (await browser.execute(() => document.documentElement.getAttribute("data-mantine-color-scheme"))) === value,
    { timeout: 5_000, timeoutMsg: `the window did not turn ${value}` },
  );
}

const has = (selector) => async () => (await browser.$$(selector)).length > 0;

for (const scheme of ["light", "dark"]) {
  test(`the main screens in the ${scheme} theme`, async () => {
    await theme(scheme);
    await screen("Registry", has('[role="treeitem"]'));
    await revealRow(browser, "northwind_energy.london_docklands");
    await selectRow(browser, "northwind_energy.london_docklands");
    await browser.waitUntil(has('[data-testid="details-properties-tab"]'), { timeout: 15_000 });
    await shoot(`registry-${scheme}`);
    await screen("Views", has('[data-testid="view-switch"]'));
    await shoot(`views-${scheme}`);
    await screen("Dashboards", has('[data-testid="dashboard-list"]'));
    await shoot(`dashboards-${scheme}`);
    await screen("Workflows", has('[data-testid="workflows-screen"]'));
    await shoot(`workflows-${scheme}`);
    await screen("Data", has("[role='tab']"));
    await shoot(`data-${scheme}`);
  });
}
