// The Dashboards screen on a large generated registry (scripts/e2e with
// ECO_E2E_DATA_DIR, after `eco-studio seed dashboard --widgets 50`): opens
// the wall of widgets and records, inside the window, the time from the
// click to the frame where every widget in view shows its data (cold: the
// first opening; warm: coming back to it from the registry, the screen kept
// as it was; widgets below the fold fetch and draw when scrolled to), and a
// screenshot.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openApp, screenshot, saveMetrics } from "./session.mjs";

let session;
let browser;
const timings = { cold: [], warm: [] };

before(async () => {
  session = await openApp();
  browser = session.browser;
});

after(async () => {
  if (session) await session.close();
});

/**
 * Clicks the screen switch's `name` inside the window and resolves with the
 * milliseconds until the frame after every widget frame shows its content
 * (no loader in a body; a refresh in the background may go on).
 */
function clickToPainted(name, expected) {
  return browser.executeAsync(
    (name, expected, done) => {
      const label = [...document.querySelectorAll('[data-testid="view-switch"] label')].find((l) => l.textContent.trim() === name);
      const started = performance.now();
      label.click();
      // Widgets in view (those below the fold fetch and draw when scrolled to).
      const ready = () => {
        const all = [...document.querySelectorAll('[data-testid^="widget-"][data-type]')];
        if (all.length !== expected) return false;
        const frames = all.filter((f) => f.getBoundingClientRect().top < window.innerHeight);
        return frames.every((f) => {
          const loaders = [...f.querySelectorAll(".mantine-Loader-root")].filter((l) => l.getAttribute("aria-label") !== "Refreshing");
          return loaders.length === 0;
        });
      };
      const check = () => {
        if (performance.now() - started > 60_000) return done({ ms: -1, inView: 0 });
        if (ready()) {
          const inView = [...document.querySelectorAll('[data-testid^="widget-"][data-type]')].filter((f) => f.getBoundingClientRect().top < window.innerHeight).length;
          requestAnimationFrame(() => requestAnimationFrame(() => done({ ms: performance.now() - started, inView })));
        }
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    },
    name,
    expected,
  );
}

test("a wall of widgets paints, cold and warm", async () => {
  const expected = 50;
  await (await browser.$('[data-testid="view-switch"]')).waitForDisplayed({ timeout: 60_000 });
  for (let round = 0; round < 3; round++) {
    const { ms, inView } = await clickToPainted("Dashboards", expected);
    assert.ok(ms > 0, "the widgets in view did not all show their data within a minute");
    (round === 0 ? timings.cold : timings.warm).push(ms);
    timings.inView = inView;
    if (round === 0) await screenshot(browser, "dashboards-wall");
    await (await browser.$('//*[@data-testid="view-switch"]//label[normalize-space()="Registry"]')).click();
    // The screen stays (hidden) once opened: it comes back as it was.
    await (await browser.$('[data-testid="dashboards-screen"]')).waitForDisplayed({ reverse: true, timeout: 10_000 });
  }
  saveMetrics("dashboard-paint", timings);
  console.log(`cold ${timings.cold.map((t) => t.toFixed(0))} ms, warm ${timings.warm.map((t) => t.toFixed(0))} ms, ${timings.inView} widgets in view`);
});
