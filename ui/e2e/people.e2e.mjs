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
import { allByRole, fillInput, helpers, openApp, screenshot, toggleControl, treeItem, waitForNoDialog, waitForNoRole, textContentOf, waitForTextOf } from "./session.mjs";

let session;
let browser;
let ui;

const ROLE = "field_engineer";
const NAME = "Field Engineer";

before(async () => {
  session = await openApp();
  browser = session.browser;
  ui = helpers(browser);
});

after(async () => {
  if (session) await session.close();
});

/** Waits until the text `read()` returns satisfies `accept` (see session.mjs). */
const waitForText = (read, accept, timeoutMsg, timeout = 10_000) => waitForTextOf(browser, read, accept, timeoutMsg, timeout);

/** The text content of `element` (a badge drawn in capitals reads as written). */
const textContent = (element) => textContentOf(browser, element);

/** The header's button that says who is signed in (it opens the switch-person menu). */
const sessionButton = (options) => ui.button(/^Signed in as /, options);
/** The row of the person `name` in the People table (its first cell holds the name). */
const personRow = async (name) => ui.role("row", new RegExp(`^${name}\\b`), { within: await ui.role("table"), timeout: 2_000 });
/** The text of a person's row, once it is shown. */
const personText = async (name) => textContent(await personRow(name));

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
  await treeItem(browser, ["Northwind Energy"], { timeout: 60_000 });
  await waitForText(async () => textContent(await ui.button("Signed in as Administrator: switch person")), (t) => t === "Administratoradministrator", "the signed-in person is not shown");
  await ui.switchView("People");
  await waitForText(() => personText("Administrator"), (t) => t?.startsWith("AdministratorYou") && t.includes("Administrator") && t.includes("Active"), "the administrator is not listed as themselves");
  await screenshot(browser, "e2e-people-list");
});

test("adding a person creates their role and shows the generated password once", async () => {
  await ui.press("Add person");
  const form = await ui.dialog("Add a person");
  await (await ui.field(/^Name\b/, { within: form })).setValue(NAME);
  await (await ui.field(/^Database role\b/, { within: form })).setValue(ROLE);
  await (await ui.field("Email", { within: form })).setValue("field@example.com");
  await screenshot(browser, "e2e-people-add");
  await ui.press("Add", { within: form });
  // The password is shown once, as code to copy: read from the dialog that says the person was added.
  const added = await ui.dialog(`${NAME} was added`);
  password = await waitForText(async () => textContent(await added.$("pre")), (t) => /^[A-Za-z0-9]{24}$/.test(t ?? ""), "no generated password was shown");
  await screenshot(browser, "e2e-people-password");
  await ui.press("Done", { within: added });
  await waitForNoDialog(browser, { timeoutMsg: "the password dialog stayed open" });
  await waitForText(() => personText(NAME), (t) => t?.includes("Person") && t.includes("Active"), "the new person is not listed");

  // Their own login works, and shows them nothing yet: no scope, no roots but the tag library.
  const login = psqlAs(ROLE, password, "SELECT current_user || ':' || count(*) FROM entities WHERE parent_entity_id IS NULL");
  assert.ok(login.ok, `the shown password does not log in: ${login.out}`);
  assert.equal(login.out, `${ROLE}:1`);
});

test("a scope on one root lets the person see that root and nothing of the others", async () => {
  await ui.press("Scopes…", { within: await personRow(NAME) });
  const dialog = await ui.dialog(`Scopes of ${NAME}`);
  const northwind = await ui.role("group", "Northwind Energy", { within: dialog });
  await waitForText(() => textContent(northwind), (t) => t?.includes("No access"), "the person has a scope already");
  await toggleControl(browser, await ui.role("checkbox", "Read", { within: northwind }));
  await toggleControl(browser, await ui.role("checkbox", "Write", { within: northwind }));
  await ui.press("Save", { within: northwind });
  await waitForText(() => textContent(northwind), (t) => t?.includes("Scoped"), "the scope was not saved");
  await screenshot(browser, "e2e-people-scopes");
  await ui.press("Close", { within: dialog });
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
  await ui.press("View as", { within: await personRow(NAME) });
  const banner = await ui.role("alert", new RegExp(`^Viewing as ${NAME}`));
  // The registry as they see it: their root and the tag library.
  const roots = rootsShown;
  await browser.waitUntil(async () => JSON.stringify(await roots()) === JSON.stringify(["northwind_energy", "tags"]), {
    timeout: 15_000,
    timeoutMsg: "the tree does not show only the person's roots",
  });
  await screenshot(browser, "e2e-people-view-as");
  // The tree's menu offers no changes, and says why.
  await (await treeItem(browser, ["Northwind Energy"])).click({ button: "right" });
  const menu = await ui.role("menu");
  await waitForText(() => textContent(menu), (t) => t?.includes(`Viewing as ${NAME}`), "the menu does not say the view is read-only");
  await screenshot(browser, "e2e-people-view-as-menu");
  await browser.keys("Escape");
  await waitForNoRole(browser, "menu", null, { timeoutMsg: "the menu stayed open" });
  // The details pane says it is read-only, and why.
  await (await treeItem(browser, ["Northwind Energy"])).click();
  const details = await ui.region("Entity details");
  await waitForText(async () => textContent(await ui.role("status", null, { within: details, timeout: 2_000 })), (t) => t?.includes(`Viewing as ${NAME}`), "the details pane does not say it is read-only");
  await screenshot(browser, "e2e-people-view-as-details");
  await ui.press("Stop", { within: banner });
  await sessionButton();
  await browser.waitUntil(async () => (await roots()).length === 4, { timeout: 15_000, timeoutMsg: "the administrator's roots did not come back" });
  await ui.switchView("People");
  await personRow("Administrator");
});

/** The path labels of the tree's top-level items (each item's title shows its path). */
const rootsShown = () => browser.execute(() => [...document.querySelectorAll('[role="tree"] [role="treeitem"][aria-level="1"]')].map((r) => r.getAttribute("title")));

/** Opens "Switch person…" from the header and returns the sign-in dialog. */
async function openSignIn() {
  await (await sessionButton()).click();
  await (await ui.menuItem("Switch person…")).click();
  return ui.dialog("Sign in as someone else");
}

test("switching person: a wrong password changes nothing, theirs shows their registry, and back", async () => {
  let signIn = await openSignIn();
  await toggleControl(browser, await ui.role("radio", "A person, with their password", { within: signIn }));
  await fillInput(browser, await ui.field(/^Database role\b/, { within: signIn }), ROLE);
  const passwordField = await ui.field(/^Password\b/, { within: signIn });
  await passwordField.setValue("not-their-password");
  await ui.press("Sign in", { within: signIn });
  await browser.waitUntil(async () => /refused the sign-in/.test((await textContent(signIn)) ?? ""), {
    timeout: 15_000,
    timeoutMsg: "a wrong password was not refused in the dialog",
  });
  assert.equal(await passwordField.getValue(), "", "the refused password stayed in the field");
  await screenshot(browser, "e2e-signin-refused");

  await fillInput(browser, passwordField, password);
  await screenshot(browser, "e2e-signin-person");
  await ui.press("Sign in", { within: signIn });
  await waitForNoDialog(browser, { timeout: 30_000, timeoutMsg: "signing in with the right password did not close the dialog" });
  await waitForText(async () => textContent(await sessionButton({ timeout: 2_000 })), (t) => t === NAME, "the window does not show the person signed in");
  await browser.waitUntil(async () => JSON.stringify(await rootsShown()) === JSON.stringify(["northwind_energy", "tags"]), {
    timeout: 15_000,
    timeoutMsg: "the tree does not show only the person's roots",
  });
  // They hold write there: the details pane is editable, with no read-only notice.
  await (await treeItem(browser, ["Northwind Energy"])).click();
  await ui.openTab("Properties");
  const pane = await ui.region("Entity details");
  await browser.waitUntil(
    async () => browser.execute((pane) => pane.querySelector('form input:not([type="hidden"])')?.disabled === false, pane),
    { timeout: 15_000, timeoutMsg: "a person with write on the root cannot edit its properties" },
  );
  assert.equal((await allByRole(browser, "status", /./, { within: pane })).length, 0, "a person with write sees the pane as read-only");
  await screenshot(browser, "e2e-signin-as-person");
  // The global definitions are theirs to read, not to change.
  await ui.switchView("Types");
  await waitForText(async () => textContent(await ui.role("status", /only a global administrator/, { timeout: 2_000 })), (t) => t?.includes("only a global administrator"), "the Types view does not say it is read-only");
  assert.equal(await (await ui.button("New type")).isEnabled(), false, "a person may create a type");
  await screenshot(browser, "e2e-signin-person-types");
  await ui.switchView("Registry");
  await treeItem(browser, ["Northwind Energy"]);

  // Back to this computer's administrator, who needs no password here
  // (after a look at the form of a server profile, left unsaved).
  signIn = await openSignIn();
  await ui.press("Server…", { within: signIn });
  await ui.field(/^Name\b/);
  await screenshot(browser, "e2e-signin-profile-form");
  await ui.press("Cancel", { within: await ui.role("dialog") });
  signIn = await ui.dialog("Sign in as someone else");
  await ui.press("Sign in", { within: signIn });
  await waitForNoDialog(browser, { timeout: 30_000, timeoutMsg: "signing back in as the administrator did not close the dialog" });
  await waitForText(async () => textContent(await sessionButton({ timeout: 2_000 })), (t) => t === "Administratoradministrator", "the administrator is not back");
  await browser.waitUntil(async () => (await rootsShown()).length === 4, { timeout: 15_000, timeoutMsg: "the administrator's roots did not come back" });
  await ui.switchView("People");
  await personRow("Administrator");
});

test("deactivating the person ends their logins", async () => {
  await ui.press("Deactivate", { within: await personRow(NAME) });
  await ui.press("Deactivate", { within: await ui.dialog(`Deactivate ${NAME}?`) });
  await waitForNoDialog(browser, { timeoutMsg: "the deactivate dialog stayed open" });
  await waitForText(() => personText(NAME), (t) => t?.includes("Deactivated"), "the person is not shown as deactivated");
  await screenshot(browser, "e2e-people-deactivated");
  const refused = psqlAs(ROLE, password, "SELECT 1");
  assert.ok(!refused.ok && /not permitted to log in/.test(refused.out), `a deactivated person logged in: ${refused.out}`);
});
