// The real app in a real window: the signed-in administrator adds a person,
// gives them a scope on one root, and the database itself keeps that person
// to it (checked with plain psql as them, with the password the app showed
// once); deactivating them ends their logins.
//
// It runs after the other specs on the same database (or alone, on a fresh
// one); it adds its own person and touches nothing of theirs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fillInput, openApp, row, screenshot, waitForNoDialog } from "./session.mjs";

let session;
let browser;

const ROLE = "field_engineer";
const NAME = "Field Engineer";

before(async () => {
  session = await openApp();
  browser = session.browser;
});

after(async () => {
  if (session) await session.close();
});

const testId = (id) => browser.$(`[data-testid="${id}"]`);
const textOf = (id) => browser.execute((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null, id);

async function waitForText(id, accept, timeoutMsg, timeout = 10_000) {
  let seen;
  await browser.waitUntil(async () => accept((seen = await textOf(id))), { timeout, timeoutMsg: () => `${timeoutMsg} (saw ${JSON.stringify(seen)})` });
  return seen;
}

/** The embedded server's TCP address (the CLI beside the app knows it). */
function tcpAddress() {
  const cli = join(dirname(process.env.ECO_APP_BINARY), "eco-studio");
  const url = new URL(execFileSync(cli, ["db", "url"], { encoding: "utf8" }).trim());
  return { port: url.port, database: url.pathname.slice(1) };
}

/** Runs one statement with plain psql as `role` over TCP with `password`; stdout, or the error's text. */
function psqlAs(role, password, sql) {
  const { port, database } = tcpAddress();
  try {
    return {
      ok: true,
      out: execFileSync("psql", ["-h", "127.0.0.1", "-p", port, "-U", role, "-d", database, "-XAtc", sql], {
        encoding: "utf8",
        env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: "10" },
        stdio: ["ignore", "pipe", "pipe"],
      }).trim(),
    };
  } catch (error) {
    return { ok: false, out: String(error.stderr ?? error.message) };
  }
}

let password;

test("the window shows who is signed in, and the People view lists the administrator", async () => {
  await (await row(browser, "northwind_energy")).waitForDisplayed({ timeout: 60_000, timeoutMsg: "the demo roots never appeared" });
  await waitForText("session-info", (t) => t === "Administratoradministrator", "the signed-in person is not shown");
  const people = await browser.$('//*[@data-testid="view-switch"]//label[normalize-space()="People"]');
  await people.waitForDisplayed({ timeout: 10_000, timeoutMsg: "an administrator has no People view" });
  await people.click();
  await (await testId("people-table")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the people did not load" });
  await waitForText("person-row-eco_admin", (t) => t?.startsWith("AdministratorYou") && t.includes("Administrator") && t.includes("Active"), "the administrator is not listed as themselves");
  await screenshot(browser, "e2e-people-list");
});

test("adding a person creates their role and shows the generated password once", async () => {
  await (await testId("people-add")).click();
  const name = await testId("person-name");
  await name.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the add form did not open" });
  await name.setValue(NAME);
  await (await testId("person-role")).setValue(ROLE);
  await (await testId("person-email")).setValue("field@example.com");
  await screenshot(browser, "e2e-people-add");
  await (await testId("person-save")).click();
  password = await waitForText("person-password", (t) => /^[A-Za-z0-9]{24}$/.test(t ?? ""), "no generated password was shown");
  await screenshot(browser, "e2e-people-password");
  await (await testId("person-added-done")).click();
  await waitForNoDialog(browser, { timeoutMsg: "the password dialog stayed open" });
  await waitForText(`person-row-${ROLE}`, (t) => t?.includes(NAME) && t.includes("Person") && t.includes("Active"), "the new person is not listed");

  // Their own login works, and shows them nothing yet: no scope, no roots but the tag library.
  const login = psqlAs(ROLE, password, "SELECT current_user || ':' || count(*) FROM entities WHERE parent_entity_id IS NULL");
  assert.ok(login.ok, `the shown password does not log in: ${login.out}`);
  assert.equal(login.out, `${ROLE}:1`);
});

test("a scope on one root lets the person see that root and nothing of the others", async () => {
  await (await testId(`person-scopes-${ROLE}`)).click();
  const northwind = await testId("scope-row-northwind_energy");
  await northwind.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the scopes did not load" });
  await waitForText("scope-row-northwind_energy", (t) => t?.includes("No access"), "the person has a scope already");
  await (await northwind.$("label=Read")).click();
  await (await northwind.$("label=Write")).click();
  await (await testId("scope-save-northwind_energy")).click();
  await waitForText("scope-row-northwind_energy", (t) => t?.includes("Scoped"), "the scope was not saved");
  await screenshot(browser, "e2e-people-scopes");
  await (await testId("scopes-close")).click();
  await waitForNoDialog(browser, { timeoutMsg: "the scopes dialog stayed open" });

  const roots = psqlAs(ROLE, password, "SELECT string_agg(path_label, ',' ORDER BY path_label) FROM entities WHERE parent_entity_id IS NULL");
  assert.ok(roots.ok, roots.out);
  assert.equal(roots.out, "northwind_energy,tags");
  const others = psqlAs(ROLE, password, "SELECT count(*) FROM entity_read_model r JOIN entities e ON e.id = r.root_id WHERE e.path_label = 'helios_facilities'");
  assert.equal(others.out, "0", "the person counts another tenant's rows");
  const sneak = psqlAs(ROLE, password, "UPDATE entities SET path_label = path_label WHERE path_label LIKE 'helios_facilities%'");
  assert.equal(sneak.out, "UPDATE 0", "the person changed another tenant's rows");
});

test("viewing as the person shows the registry as they see it, read-only, until Stop", async () => {
  await (await testId(`person-view-as-${ROLE}`)).click();
  await waitForText("viewing-as", (t) => t?.includes(`Viewing as ${NAME}`), "no banner says whom the window views as");
  // The registry as they see it: their root and the tag library.
  const roots = () =>
    browser.execute(() => [...document.querySelectorAll('[role="treeitem"][aria-level="1"]')].map((r) => r.getAttribute("data-testid").slice("tree-row-".length)));
  await browser.waitUntil(async () => JSON.stringify(await roots()) === JSON.stringify(["northwind_energy", "tags"]), {
    timeout: 15_000,
    timeoutMsg: "the tree does not show only the person's roots",
  });
  await screenshot(browser, "e2e-people-view-as");
  // The tree's menu offers no changes, and says why.
  await (await row(browser, "northwind_energy")).click({ button: "right" });
  await (await testId("ctx-read-only")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the menu does not say the view is read-only" });
  await screenshot(browser, "e2e-people-view-as-menu");
  await browser.keys("Escape");
  await (await testId("tree-context-menu")).waitForExist({ reverse: true, timeout: 10_000, timeoutMsg: "the menu stayed open" });
  // The details pane says it is read-only, and why.
  await (await row(browser, "northwind_energy")).click();
  await waitForText("details-read-only", (t) => t?.includes(`Viewing as ${NAME}`), "the details pane does not say it is read-only");
  await screenshot(browser, "e2e-people-view-as-details");
  await (await testId("viewing-as-stop")).click();
  await (await testId("session-info")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "Stop did not bring the administrator back" });
  await browser.waitUntil(async () => (await roots()).length === 4, { timeout: 15_000, timeoutMsg: "the administrator's roots did not come back" });
  const people = await browser.$('//*[@data-testid="view-switch"]//label[normalize-space()="People"]');
  await people.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the People view did not come back" });
  await people.click();
  await (await testId("people-table")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the people did not load" });
});

const rootsShown = () =>
  browser.execute(() => [...document.querySelectorAll('[role="treeitem"][aria-level="1"]')].map((r) => r.getAttribute("data-testid").slice("tree-row-".length)));

async function openSignIn() {
  await (await testId("session-info")).click();
  await (await testId("session-switch")).click();
  await (await testId("sign-in-submit")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the sign-in dialog did not open" });
}

test("switching person: a wrong password changes nothing, theirs shows their registry, and back", async () => {
  await openSignIn();
  await (await browser.$("label=A person, with their password")).click();
  await fillInput(browser, await testId("sign-in-user"), ROLE);
  await (await testId("sign-in-password")).setValue("not-their-password");
  await (await testId("sign-in-submit")).click();
  await browser.waitUntil(async () => /refused the sign-in/.test((await browser.$('[role="dialog"]').getText()) ?? ""), {
    timeout: 15_000,
    timeoutMsg: "a wrong password was not refused in the dialog",
  });
  assert.equal(await (await testId("sign-in-password")).getValue(), "", "the refused password stayed in the field");
  await screenshot(browser, "e2e-signin-refused");

  await fillInput(browser, await testId("sign-in-password"), password);
  await screenshot(browser, "e2e-signin-person");
  await (await testId("sign-in-submit")).click();
  await waitForNoDialog(browser, { timeout: 30_000, timeoutMsg: "signing in with the right password did not close the dialog" });
  await waitForText("session-info", (t) => t === NAME, "the window does not show the person signed in");
  await browser.waitUntil(async () => JSON.stringify(await rootsShown()) === JSON.stringify(["northwind_energy", "tags"]), {
    timeout: 15_000,
    timeoutMsg: "the tree does not show only the person's roots",
  });
  // They hold write there: the details pane is editable, with no read-only notice.
  await (await row(browser, "northwind_energy")).click();
  await (await testId("details-properties-tab")).click();
  await browser.waitUntil(
    async () => browser.execute(() => document.querySelector('[data-testid="props-form"] input:not([type="hidden"])')?.disabled === false),
    { timeout: 15_000, timeoutMsg: "a person with write on the root cannot edit its properties" },
  );
  assert.equal(await textOf("details-read-only"), null, "a person with write sees the pane as read-only");
  await screenshot(browser, "e2e-signin-as-person");
  // The global definitions are theirs to read, not to change.
  await (await browser.$('//*[@data-testid="view-switch"]//label[normalize-space()="Types"]')).click();
  await waitForText("types-read-only", (t) => t?.includes("only a global administrator"), "the Types view does not say it is read-only");
  assert.equal(await (await testId("types-new")).isEnabled(), false, "a person may create a type");
  await screenshot(browser, "e2e-signin-person-types");
  await (await browser.$('//*[@data-testid="view-switch"]//label[normalize-space()="Registry"]')).click();
  await (await row(browser, "northwind_energy")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the registry did not come back" });

  // Back to this computer's administrator, who needs no password here
  // (after a look at the form of a server profile, left unsaved).
  await openSignIn();
  await (await testId("sign-in-new-profile")).click();
  await (await testId("profile-name")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the profile form did not open" });
  await screenshot(browser, "e2e-signin-profile-form");
  await (await browser.$('[role="dialog"]').$("button=Cancel")).click();
  await (await testId("sign-in-submit")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "cancelling the profile did not return to the sign-in" });
  await (await testId("sign-in-submit")).click();
  await waitForNoDialog(browser, { timeout: 30_000, timeoutMsg: "signing back in as the administrator did not close the dialog" });
  await waitForText("session-info", (t) => t === "Administratoradministrator", "the administrator is not back");
  await browser.waitUntil(async () => (await rootsShown()).length === 4, { timeout: 15_000, timeoutMsg: "the administrator's roots did not come back" });
  const people = await browser.$('//*[@data-testid="view-switch"]//label[normalize-space()="People"]');
  await people.waitForDisplayed({ timeout: 10_000, timeoutMsg: "the People view did not come back" });
  await people.click();
  await (await testId("people-table")).waitForDisplayed({ timeout: 10_000, timeoutMsg: "the people did not load" });
});

test("deactivating the person ends their logins", async () => {
  await (await testId(`person-deactivate-${ROLE}`)).click();
  await (await testId("person-deactivate-confirm")).click();
  await waitForNoDialog(browser, { timeoutMsg: "the deactivate dialog stayed open" });
  await waitForText(`person-row-${ROLE}`, (t) => t?.includes("Deactivated"), "the person is not shown as deactivated");
  await screenshot(browser, "e2e-people-deactivated");
  const refused = psqlAs(ROLE, password, "SELECT 1");
  assert.ok(!refused.ok && /not permitted to log in/.test(refused.out), `a deactivated person logged in: ${refused.out}`);
});
