// Starts tauri-driver and a WebDriver session on the built app.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { remote } from "webdriverio";

export const artifacts = process.env.ECO_ARTIFACTS ?? "/tmp";

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

export async function openApp() {
  const app = process.env.ECO_APP_BINARY;
  if (!app) throw new Error("ECO_APP_BINARY must name the built app");
  mkdirSync(artifacts, { recursive: true });
  const driver = spawn("tauri-driver", ["--port", "4444"], { stdio: ["ignore", "ignore", "inherit"] });
  await waitForDriver(4444);
  const browser = await remote({
    hostname: "127.0.0.1",
    port: 4444,
    logLevel: "warn",
    capabilities: { "tauri:options": { application: app } },
  });
  return {
    browser,
    async close() {
      await browser.deleteSession().catch(() => {});
      driver.kill();
    },
  };
}

export async function screenshot(browser, name) {
  await browser.saveScreenshot(join(artifacts, `${name}.png`));
}

/** Expand timings the UI records (click to the frame after children paint). */
export async function expandTimings(browser) {
  return browser.execute(() => (window.__ecoMetrics && window.__ecoMetrics.expand) || []);
}

export function saveMetrics(name, data) {
  writeFileSync(join(artifacts, `${name}.json`), JSON.stringify(data, null, 2));
}

export const row = (browser, label) => browser.$(`[data-testid="tree-row-${label}"]`);
export const toggle = (browser, label) => browser.$(`[data-testid="tree-toggle-${label}"]`);
