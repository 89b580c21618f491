// The window opens where it was left: size and position are kept between runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { openApp } from "./session.mjs";

// scripts/e2e gives the run its own configuration directory.
const saved = join(process.env.ECO_STUDIO_CONFIG_DIR ?? "", "window.json");

test("the window comes back at the size and place it was left", async () => {
  const first = await openApp();
  const wanted = { x: 140, y: 90, width: 1100, height: 720 };
  try {
    await first.browser.setWindowRect(wanted.x, wanted.y, wanted.width, wanted.height);
    await first.browser.waitUntil(async () => {
      const rect = await first.browser.getWindowRect();
      return rect.width === wanted.width && rect.height === wanted.height;
    }, { timeout: 10_000, timeoutMsg: "the window did not take the size asked" });
  } finally {
    await first.close();
  }
  assert.ok(existsSync(saved), `the app did not keep its window's place in ${saved}`);
  assert.equal(JSON.parse(readFileSync(saved, "utf8")).width, wanted.width);
  const second = await openApp();
  try {
    const rect = await second.browser.getWindowRect();
    assert.deepEqual({ width: rect.width, height: rect.height }, { width: wanted.width, height: wanted.height });
    assert.deepEqual({ x: rect.x, y: rect.y }, { x: wanted.x, y: wanted.y });
  } finally {
    await second.close();
    // The specs run after this one open the window as configured.
    rmSync(saved, { force: true });
  }
});
