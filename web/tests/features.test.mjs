// The features screen with 1,000 features: one list call per 999 features (no call per row),
// an instant search, a toggle far down the list that reaches the SDK, and the tag and state
// filters and the order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, install, openBrowser, sdkFlags, startServer, visit } from './fixture.mjs';

const FEATURES = 1000;
let server;
let b;
let page;
let token;
const at = {};

before(async () => {
  server = await startServer();
  token = await install(server, 'admin@example.com', 'correct horse battery');
  const post = async (path, body) => {
    const r = await apiCall(server, 'POST', path, { token, body });
    assert.equal(r.status, 201, `${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const organisation = await post('/api/v1/organisations/', { name: 'Big' });
  const project = await post('/api/v1/projects/', { name: 'Many flags', organisation: organisation.id });
  const environment = await post('/api/v1/environments/', { name: 'Staging', project: project.id });
  const names = Array.from({ length: FEATURES }, (_, i) => `feature_${String(i).padStart(4, '0')}`);
  at.ids = {};
  for (let i = 0; i < names.length; i += 10) {
    const created = await Promise.all(
      names.slice(i, i + 10).map((name, j) =>
        post(`/api/v1/projects/${project.id}/features/`, { name, initial_value: `v${i + j}` }),
      ),
    );
    for (const f of created) at.ids[f.name] = f.id;
  }
  at.project = project.id;
  at.route = `/organisations/${organisation.id}/projects/${project.id}/environments/${environment.api_key}/features`;
  at.key = environment.api_key;
  b = await openBrowser(server);
  page = b.page;
  await page.goto('/login');
  await page.evaluate((t) => localStorage.setItem('flagstaff.token', t), token);
});

after(async () => {
  await b?.close();
  await server?.stop();
});

test('1,000 features load in one list call per page, the first hundred shown at once', async () => {
  const calls = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) calls.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  await page.goto(at.route);
  await page.getByText(`${FEATURES} features`).waitFor();
  assert.equal(await page.getByRole('switch').count(), 100, 'the first hundred rows');
  const featureCalls = calls.filter((c) => c.includes('/features/'));
  assert.equal(featureCalls.length, 2, `999 a page: ${featureCalls.join(', ')}`);
  assert.equal(calls.filter((c) => c.includes('featurestates')).length, 0, 'no call per row');
  await visit(page, 'features-1000', server);
  await page.getByRole('button', { name: 'Show 100 more' }).click();
  assert.equal(await page.getByRole('switch').count(), 200);
  await page.getByRole('button', { name: `Show all ${FEATURES}` }).click();
  assert.equal(await page.getByRole('switch').count(), FEATURES);
  b.check();
});

test('the search narrows 1,000 rows as one types', async () => {
  const search = page.getByLabel('Search features by name');
  await search.fill('feature_09');
  await page.getByText(`100 of ${FEATURES} features`).waitFor();
  await search.fill('feature_0999');
  await page.getByText(`1 of ${FEATURES} features`).waitFor();
  assert.equal(await page.getByRole('switch').count(), 1);
  await visit(page, 'features-search', server);
  await search.fill('nothing like it');
  await page.getByText('No feature name contains').waitFor();
  await search.fill('feature_0999');
  b.check();
});

test('the last feature turned on with one click (by keyboard) is on for the SDK', async () => {
  const toggle = page.getByRole('switch', { name: 'feature_0999 enabled in Staging' });
  const patched = page.waitForResponse((r) => r.request().method() === 'PATCH');
  await toggle.focus();
  await page.keyboard.press('Space');
  assert.equal((await patched).status(), 200);
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  const flags = await sdkFlags(server, at.key);
  assert.equal(Object.keys(flags).length, FEATURES);
  assert.equal(flags.feature_0999.enabled, true);
  assert.equal(flags.feature_0999.feature_state_value, 'v999');
  assert.equal(flags.feature_0998.enabled, false);
  b.check();
});

test("a value changed in the dialog is the SDK's value", async () => {
  await page.getByRole('button', { name: 'Edit value of feature_0999' }).click();
  const dialog = page.getByRole('dialog', { name: 'Value of feature_0999' });
  const value = dialog.getByLabel('Value in Staging');
  assert.equal(await value.inputValue(), 'v999');
  await value.fill('purple');
  await visit(page, 'feature-value', server);
  await dialog.getByRole('button', { name: 'Save value' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByRole('row', { name: /feature_0999/ }).getByText('purple').waitFor();
  const flags = await sdkFlags(server, at.key);
  assert.equal(flags.feature_0999.feature_state_value, 'purple');
  assert.equal(flags.feature_0999.enabled, true);
  b.check();
});

test('the list filters by tag and by state, and sorts by name or age', async () => {
  const tag = await apiCall(server, 'POST', `/api/v1/projects/${at.project}/tags/`, {
    token,
    body: { label: 'checkout', color: '#3d7be0' },
  });
  assert.equal(tag.status, 201, JSON.stringify(tag.body));
  for (const name of ['feature_0500', 'feature_0501']) {
    const id = at.ids[name];
    const r = await apiCall(server, 'PATCH', `/api/v1/projects/${at.project}/features/${id}/`, {
      token,
      body: { tags: [tag.body.id] },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  await page.goto(at.route);
  await page.getByText(`${FEATURES} features`).waitFor();
  const names = async () => page.locator('tbody th[scope="row"] a').allTextContents();

  await page.getByLabel('Tag', { exact: true }).selectOption({ label: 'checkout' });
  await page.getByText(`2 of ${FEATURES} features`).waitFor();
  assert.deepEqual(await names(), ['feature_0500', 'feature_0501']);
  await page.getByLabel('Order', { exact: true }).selectOption({ label: 'Name, Z to A' });
  assert.deepEqual(await names(), ['feature_0501', 'feature_0500']);
  await page.getByLabel('Tag', { exact: true }).selectOption({ label: 'Any tag' });

  // feature_0999 was turned on above; every other feature is off.
  await page.getByLabel('State', { exact: true }).selectOption({ label: 'On' });
  await page.getByText(`1 of ${FEATURES} features`).waitFor();
  assert.deepEqual(await names(), ['feature_0999']);
  await page.getByLabel('State', { exact: true }).selectOption({ label: 'Off' });
  await page.getByText(`${FEATURES - 1} of ${FEATURES} features`).waitFor();
  assert.equal((await names())[0], 'feature_0998', 'Z to A, without the one that is on');
  await page.getByLabel('Order', { exact: true }).selectOption({ label: 'Oldest first' });
  // The first ten were created at once, so any of them may be the oldest.
  assert.match((await names())[0], /^feature_000\d$/);
  await page.getByLabel('Search features by name').fill('feature_09');
  await page.getByText(`99 of ${FEATURES} features`).waitFor();
  await visit(page, 'features-filtered', server);
  b.check();
});
