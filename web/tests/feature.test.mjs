// A feature's own page: opened from the list; description; a JSON value (a syntax error stays at
// the field, then a valid one reaches the SDK); variations with weights (over 100 is refused
// before sending, and identities get both variations and the control); tags; archive; the
// feature in every environment with a switch that reaches that environment's SDK; delete after
// typing the name; and the project's naming rules in the create form.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, install, openBrowser, sdkFlags, startServer, visit } from './fixture.mjs';

let server;
let b;
let page;
let token;
const at = {};

const post = async (path, body) => {
  const r = await apiCall(server, 'POST', path, { token, body });
  assert.equal(r.status, 201, `${path}: ${JSON.stringify(r.body)}`);
  return r.body;
};

before(async () => {
  server = await startServer();
  token = await install(server, 'admin@example.com', 'correct horse battery');
  const organisation = await post('/api/v1/organisations/', { name: 'Acme' });
  const project = await post('/api/v1/projects/', { name: 'Shop', organisation: organisation.id });
  const patched = await apiCall(server, 'PATCH', `/api/v1/projects/${project.id}/`, {
    token,
    body: { feature_name_regex: '[a-z0-9_]+' },
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  const development = await post('/api/v1/environments/', { name: 'Development', project: project.id });
  const production = await post('/api/v1/environments/', { name: 'Production', project: project.id });
  const checkout = await post(`/api/v1/projects/${project.id}/features/`, { name: 'checkout_v2', initial_value: 'blue' });
  await post(`/api/v1/projects/${project.id}/features/`, { name: 'banner', initial_value: 'plain' });
  Object.assign(at, {
    project: project.id,
    checkout: checkout.id,
    development: development.api_key,
    production: production.api_key,
    list: `/organisations/${organisation.id}/projects/${project.id}/environments/${development.api_key}/features`,
  });
  b = await openBrowser(server);
  page = b.page;
  await page.goto('/login');
  await page.evaluate((t) => localStorage.setItem('flagstaff.token', t), token);
});

after(async () => {
  await b?.close();
  await server?.stop();
});

const heading = (name) => page.getByRole('heading', { level: 1, name });
const feature = async () =>
  (await apiCall(server, 'GET', `/api/v1/projects/${at.project}/features/${at.checkout}/`, { token })).body;

/** Records the API writes the page makes from now on. */
function writes() {
  const seen = [];
  const listener = (r) => {
    if (r.method() !== 'GET' && new URL(r.url()).pathname.startsWith('/api/')) seen.push(`${r.method()} ${new URL(r.url()).pathname}`);
  };
  page.on('request', listener);
  return { seen, stop: () => page.off('request', listener) };
}

async function openFromList(name) {
  await page.goto(at.list);
  await page.getByRole('link', { name, exact: true }).click();
  await heading(`${name} in Development`).waitFor();
}

test("a feature's page opens from the list; the description is saved", async () => {
  await openFromList('checkout_v2');
  assert.match(new URL(page.url()).pathname, new RegExp(`/features/${at.checkout}$`));
  await page.getByRole('heading', { name: 'In every environment' }).waitFor();
  await page.getByRole('cell', { name: 'Production' }).waitFor();
  await visit(page, 'feature', server);
  await page.getByLabel('Description').fill('The new checkout, step by step');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved the settings.').waitFor();
  assert.equal((await feature()).description, 'The new checkout, step by step');
  await page.locator('.lead').getByText('The new checkout, step by step').waitFor();
  b.check();
});

test('a JSON value with a syntax error stays at the field and is not sent; a valid one reaches the SDK', async () => {
  await page.getByLabel('Kind of value').selectOption('json');
  const value = page.getByLabel('Value (JSON)');
  const broken = '{"colour": "blue", "sizes": [1, 2,]}';
  await value.fill(broken);
  const sent = writes();
  await page.getByRole('button', { name: 'Save value' }).click();
  const error = page.locator('#value-feature_state_value-error');
  await error.waitFor();
  assert.match(await error.textContent(), /not valid JSON/);
  assert.equal(await value.getAttribute('aria-invalid'), 'true');
  assert.equal(await value.inputValue(), broken, 'nothing typed is lost');
  assert.deepEqual(sent.seen, [], 'nothing was sent');
  sent.stop();
  await visit(page, 'feature-json-error', server);

  const good = '{"colour": "blue", "sizes": [1, 2]}';
  await value.fill(good);
  await page.getByRole('button', { name: 'Save value' }).click();
  await page.getByText('Saved the value in Development.').waitFor();
  assert.equal(await page.locator('#value-feature_state_value-error').count(), 0);
  const flags = await sdkFlags(server, at.development);
  assert.equal(flags.checkout_v2.feature_state_value, good);
  assert.deepEqual(JSON.parse(flags.checkout_v2.feature_state_value), { colour: 'blue', sizes: [1, 2] });
  assert.equal((await sdkFlags(server, at.production)).checkout_v2.feature_state_value, 'blue', 'only Development');
  b.check();
});

test('a number is checked and served as a number', async () => {
  await page.getByLabel('Kind of value').selectOption('number');
  const value = page.getByLabel('Value (number)');
  await value.fill('12abc');
  await page.getByRole('button', { name: 'Save value' }).click();
  await page.locator('#value-feature_state_value-error').getByText('Enter a number').waitFor();
  await value.fill('42');
  await page.getByRole('button', { name: 'Save value' }).click();
  await page.getByText('Saved the value in Development.').waitFor();
  assert.equal((await sdkFlags(server, at.development)).checkout_v2.feature_state_value, 42);
  b.check();
});

test('variations with weights 30 and 50 leave 20 to the control; 60 and 50 are refused before sending', async () => {
  await openFromList('banner');
  for (const value of ['red', 'green']) {
    await page.getByLabel('New variation').fill(value);
    await page.getByRole('button', { name: 'Add variation' }).click();
    await page.getByLabel(`Weight of variation ${value === 'red' ? 1 : 2} (${value}), %`).waitFor();
  }
  const red = page.getByLabel('Weight of variation 1 (red), %');
  const green = page.getByLabel('Weight of variation 2 (green), %');
  await red.fill('30');
  await green.fill('50');
  await page.getByText('Control (remaining): 20%').waitFor();
  await visit(page, 'feature-weights', server);

  await red.fill('60');
  await page.getByText('Control (remaining): 0%').waitFor();
  const sent = writes();
  await page.getByRole('button', { name: 'Save weights' }).click();
  const total = page.locator('#weights-total-error');
  await total.waitFor();
  assert.match(await total.textContent(), /add up to 110%/);
  assert.equal(await red.getAttribute('aria-invalid'), 'true');
  assert.deepEqual(sent.seen, [], 'nothing was sent');
  sent.stop();
  await visit(page, 'feature-weights-error', server);

  await red.fill('30');
  await page.getByText('Control (remaining): 20%').waitFor();
  assert.equal(await total.count(), 0);
  await page.getByRole('button', { name: 'Save weights' }).click();
  await page.getByText('Saved the weights in Development.').waitFor();
  await page.getByRole('switch', { name: 'banner enabled in Development' }).click();
  await page.getByText('banner is on in Development.').waitFor();

  const served = new Map();
  for (let i = 0; i < 50; i += 1) {
    const r = await apiCall(server, 'GET', `/api/v1/identities/?identifier=visitor-${i}`, {
      headers: { 'X-Environment-Key': at.development },
    });
    assert.equal(r.status, 200);
    const flag = r.body.flags.find((f) => f.feature.name === 'banner');
    assert.equal(flag.enabled, true);
    served.set(flag.feature_state_value, (served.get(flag.feature_state_value) ?? 0) + 1);
  }
  console.log(`# 50 identities: ${JSON.stringify(Object.fromEntries(served))}`);
  assert.deepEqual([...served.keys()].sort(), ['green', 'plain', 'red']);
  assert.equal((await sdkFlags(server, at.development)).banner.feature_state_value, 'plain', 'no identity: the control');
  b.check();
});

test('a tag created on the page is on the feature and in the list', async () => {
  await openFromList('checkout_v2');
  await page.getByLabel('New tag').fill('beta');
  await page.getByRole('button', { name: 'Create and add tag' }).click();
  await page.getByRole('button', { name: 'Remove tag beta' }).waitFor();
  const tags = (await apiCall(server, 'GET', `/api/v1/projects/${at.project}/tags/`, { token })).body.results;
  assert.deepEqual(tags.map((t) => t.label), ['beta']);
  assert.deepEqual((await feature()).tags, [tags[0].id]);
  await visit(page, 'feature-tagged', server);
  await page.getByRole('link', { name: 'All features in Development' }).click();
  await heading('Features in Development').waitFor();
  await page.getByRole('row', { name: /checkout_v2/ }).getByText('beta').waitFor();
  assert.equal(await page.getByRole('row', { name: /banner/ }).getByText('beta').count(), 0);
  await visit(page, 'features-tagged', server);
  b.check();
});

test('archiving marks the feature, here and in the list', async () => {
  await page.getByRole('link', { name: 'checkout_v2', exact: true }).click();
  await page.getByRole('button', { name: 'Archive feature' }).click();
  await page.getByRole('button', { name: 'Unarchive feature' }).waitFor();
  await page.locator('.page-head').getByText('Archived').waitFor();
  assert.equal((await feature()).is_archived, true);
  await page.goto(at.list);
  await page.getByRole('row', { name: /checkout_v2/ }).getByText('Archived').waitFor();
  b.check();
});

test('side by side: every environment, and its switch reaches that environment’s SDK', async () => {
  await page.getByRole('link', { name: 'checkout_v2', exact: true }).click();
  const production = page.getByRole('switch', { name: 'Enabled in Production' });
  assert.equal(await production.getAttribute('aria-checked'), 'false');
  await production.focus();
  await page.keyboard.press('Space');
  await page.getByText('checkout_v2 is on in Production.').waitFor();
  assert.equal(await production.getAttribute('aria-checked'), 'true');
  assert.equal((await sdkFlags(server, at.production)).checkout_v2.enabled, true);
  assert.equal((await sdkFlags(server, at.development)).checkout_v2.enabled, false);
  await page.getByRole('row', { name: /Production/ }).getByText('blue').waitFor();
  await visit(page, 'feature-everywhere', server);
  await page.getByRole('link', { name: 'Production', exact: true }).last().click();
  await heading('checkout_v2 in Production').waitFor();
  assert.equal(await page.getByRole('switch', { name: 'checkout_v2 enabled in Production' }).getAttribute('aria-checked'), 'true');
  b.check();
});

test('delete asks for the name; the SDK no longer lists the feature', async () => {
  await page.getByRole('button', { name: 'Delete feature' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete feature' });
  const confirm = dialog.getByRole('button', { name: 'Delete feature' });
  assert.equal(await confirm.isDisabled(), true);
  await dialog.getByLabel('Type checkout_v2 to confirm').fill('checkout');
  assert.equal(await confirm.isDisabled(), true, 'not the whole name');
  await visit(page, 'feature-delete', server);
  await dialog.getByLabel('Type checkout_v2 to confirm').fill('checkout_v2');
  assert.equal(await confirm.isDisabled(), false);
  await confirm.click();
  await heading('Features in Production').waitFor();
  await page.getByRole('link', { name: 'banner', exact: true }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'checkout_v2', exact: true }).count(), 0);
  assert.equal((await sdkFlags(server, at.production)).checkout_v2, undefined);
  assert.equal((await sdkFlags(server, at.development)).checkout_v2, undefined);
  assert.ok((await sdkFlags(server, at.development)).banner);
  b.check();
});

test("the create form keeps to the project's naming rules, at the name field", async () => {
  await page.goto(at.list);
  await heading('Features in Development').waitFor();
  await page.getByRole('button', { name: 'Create feature' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create feature' });
  const name = dialog.getByLabel('Name');
  const sent = writes();
  await name.fill('New_Checkout');
  await dialog.getByRole('button', { name: 'Create feature' }).click();
  const error = dialog.locator('#feature-name-error');
  await error.getByText('lower-case feature names only: try “new_checkout”').waitFor();
  assert.equal(await name.inputValue(), 'New_Checkout');
  await visit(page, 'feature-create-lower-case', server);
  await name.fill('new-checkout');
  await dialog.getByRole('button', { name: 'Create feature' }).click();
  await error.getByText('must match [a-z0-9_]+').waitFor();
  assert.deepEqual(sent.seen, [], 'nothing was sent');
  sent.stop();
  await name.fill('new_checkout');
  await dialog.getByRole('button', { name: 'Create feature' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByRole('link', { name: 'new_checkout', exact: true }).waitFor();
  b.check();
});
