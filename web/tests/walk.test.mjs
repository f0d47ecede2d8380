// The first-run walk through the dashboard, as a person would do it: set up, create an
// organisation, project and environments, create a feature with a value, turn it on in one
// environment (and see the SDK get it), a bad name's error, log out, and come back by a deep link.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, openBrowser, sdkFlags, startServer, visit } from './fixture.mjs';

const email = 'admin@example.com';
const password = 'correct horse battery';
let server;
let b;
let page;
const at = {};

before(async () => {
  server = await startServer();
  b = await openBrowser(server);
  page = b.page;
});

after(async () => {
  await b?.close();
  await server?.stop();
});

const heading = (name) => page.getByRole('heading', { level: 1, name });
const path = () => new URL(page.url()).pathname + new URL(page.url()).search;

test('a fresh server shows the setup screen, which creates the first administrator and logs in', async () => {
  await page.goto('/');
  await heading('Set up Flagstaff').waitFor();
  assert.equal(path(), '/setup');
  await visit(page, 'setup', server);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Site name').fill('Acme flags');
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await heading('Organisations').waitFor();
  assert.ok(await page.evaluate(() => localStorage.getItem('flagstaff.token')), 'logged in');
  await visit(page, 'organisations', server);
  b.check();
});

test('creating an organisation, a project and two environments', async () => {
  await page.getByLabel('Name').fill('Acme');
  await page.getByRole('button', { name: 'Create organisation' }).click();
  await heading(/^Projects/).waitFor();
  at.organisation = /\/organisations\/(\d+)$/.exec(path())?.[1];
  assert.ok(at.organisation, path());
  await visit(page, 'projects', server);

  await page.getByLabel('Name').fill('Web shop');
  await page.getByRole('button', { name: 'Create project' }).click();
  await heading(/^Environments/).waitFor();
  at.project = /\/projects\/(\d+)$/.exec(path())?.[1];
  assert.ok(at.project, path());

  await page.getByLabel('Name').fill('Development');
  await page.getByRole('button', { name: 'Create environment' }).click();
  await heading('Features in Development').waitFor();

  await page.getByRole('link', { name: 'Manage environments' }).click();
  await heading(/^Environments/).waitFor();
  await page.getByLabel('Name').fill('Production');
  await page.getByRole('button', { name: 'Create environment' }).click();
  await heading('Features in Production').waitFor();
  at.production = /\/environments\/([^/]+)\/features$/.exec(path())?.[1];
  await visit(page, 'features-empty', server);

  await page.getByRole('link', { name: 'Manage environments' }).click();
  await page.getByRole('cell', { name: 'Development' }).waitFor();
  await visit(page, 'environments', server);
  at.development = await page.getByRole('row', { name: /Development/ }).locator('code').textContent();
  assert.ok(at.production && at.development);
  b.check();
});

test('a feature created with a value, turned on in Production with one click, reaches the SDK', async () => {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Production' }).click();
  await heading('Features in Production').waitFor();
  await page.getByRole('button', { name: 'Create feature' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create feature' });
  await dialog.getByLabel('Name').fill('checkout_v2');
  await dialog.getByLabel('Description').fill('The new checkout');
  await dialog.getByLabel('Value').fill('blue');
  await visit(page, 'feature-create', server);
  await dialog.getByRole('button', { name: 'Create feature' }).click();
  await dialog.waitFor({ state: 'hidden' });

  const toggle = page.getByRole('switch', { name: 'checkout_v2 enabled in Production' });
  assert.equal(await toggle.getAttribute('aria-checked'), 'false');
  assert.equal(await page.getByRole('row', { name: /checkout_v2/ }).locator('code').textContent(), 'blue');
  const patched = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/featurestates/'));
  await toggle.click();
  assert.equal((await patched).status(), 200);
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  await visit(page, 'features', server);

  const production = await sdkFlags(server, at.production);
  assert.equal(production.checkout_v2.enabled, true);
  assert.equal(production.checkout_v2.feature_state_value, 'blue');
  const development = await sdkFlags(server, at.development);
  assert.equal(development.checkout_v2.enabled, false, 'only Production was turned on');
  b.check();
});

test('the search filters the list as one types', async () => {
  await page.getByRole('button', { name: 'Create feature' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create feature' });
  await dialog.getByLabel('Name').fill('dark_mode');
  await dialog.getByRole('button', { name: 'Create feature' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByRole('switch', { name: 'dark_mode enabled in Production' }).waitFor();
  await page.getByLabel('Search features by name').fill('CHECK');
  await page.getByText('1 of 2 features').waitFor();
  assert.equal(await page.getByRole('switch').count(), 1);
  await page.getByLabel('Search features by name').fill('');
  assert.equal(await page.getByRole('switch').count(), 2);
  b.check();
});

test("a bad name gets the API's message next to the name field", async () => {
  await page.getByRole('button', { name: 'Create feature' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create feature' });
  const name = dialog.getByLabel('Name');
  await name.fill('checkout_v2');
  await dialog.getByRole('button', { name: 'Create feature' }).click();
  const error = dialog.locator('#feature-name-error');
  await error.waitFor();
  assert.match(await error.textContent(), /already exists/);
  assert.equal(await name.getAttribute('aria-invalid'), 'true');
  assert.equal(await name.getAttribute('aria-describedby'), 'feature-name-error');
  await visit(page, 'feature-create-error', server);

  await name.fill('   ');
  await dialog.getByRole('button', { name: 'Create feature' }).click();
  await dialog.getByText('This field may not be blank.').waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  b.check();
});

test('by keyboard alone: create a feature, turn it on, close a dialog with Escape', async () => {
  await page.getByRole('button', { name: 'Create feature' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Create feature' });
  await dialog.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'feature-name', 'focus starts in the dialog');
  await page.keyboard.type('keyboard_made');
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'hidden' });
  const toggle = page.getByRole('switch', { name: 'keyboard_made enabled in Production' });
  await toggle.focus();
  const patched = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/featurestates/'));
  await page.keyboard.press('Enter');
  assert.equal((await patched).status(), 200);
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  assert.equal((await sdkFlags(server, at.production)).keyboard_made.enabled, true);
  await page.getByRole('button', { name: 'Edit value of keyboard_made' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('dialog', { name: 'Value of keyboard_made' }).waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('dialog', { name: 'Value of keyboard_made' }).waitFor({ state: 'hidden' });
  b.check();
});

test('log out, then a deep link asks for a login and comes back', async () => {
  const deep = `/organisations/${at.organisation}/projects/${at.project}/environments/${at.production}/features`;
  await page.getByRole('button', { name: 'Log out' }).click();
  await heading('Log in').waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('flagstaff.token')), null);
  await visit(page, 'login', server);

  await page.goto(deep);
  await heading('Log in').waitFor();
  assert.equal(path(), `/login?next=${encodeURIComponent(deep)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').waitFor();
  await visit(page, 'login-error', server);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await heading('Features in Production').waitFor();
  assert.equal(path(), deep);
  b.check();
});

test('an expired session goes to the login screen and back to where it was', async () => {
  const token = await page.evaluate(() => localStorage.getItem('flagstaff.token'));
  assert.equal((await apiCall(server, 'DELETE', '/api/v1/auth/token/', { token })).status, 204);
  const projects = `/organisations/${at.organisation}`;
  await page.getByRole('link', { name: 'Projects' }).click();
  await page.reload();
  await heading('Log in').waitFor();
  assert.equal(path(), `/login?next=${encodeURIComponent(projects)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await heading(/^Projects/).waitFor();
  assert.equal(path(), projects);
  b.check();
});
