// The identities screens: search an environment's identities, open one made by the SDK, edit a
// trait's value and type, add traits (a bad value keeps what was typed), override a flag with a
// value, and see through the SDK that the identity gets exactly that; create, page and delete.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, install, openBrowser, startServer, visit } from './fixture.mjs';

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
  // What is not under test comes through the API: an organisation, project, environment, two features,
  // a segment (plan = pro) that turns one of them on, and an identity made the way an SDK makes one.
  const token = await install(server, email, password);
  const call = async (method, path, body, status = [200, 201]) => {
    const r = await apiCall(server, method, path, { token, body });
    assert.ok(status.includes(r.status), `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  at.organisation = (await call('POST', '/api/v1/organisations/', { name: 'Acme' })).id;
  at.project = (await call('POST', '/api/v1/projects/', { name: 'Web shop', organisation: at.organisation })).id;
  const environment = await call('POST', '/api/v1/environments/', { name: 'Production', project: at.project });
  at.key = environment.api_key;
  const banner = await call('POST', `/api/v1/projects/${at.project}/features/`, {
    name: 'banner_colour',
    initial_value: 'red',
    default_enabled: false,
  });
  const checkout = await call('POST', `/api/v1/projects/${at.project}/features/`, {
    name: 'checkout_v2',
    default_enabled: false,
  });
  at.banner = banner.id;
  const segment = await call('POST', `/api/v1/projects/${at.project}/segments/`, {
    name: 'Pro customers',
    project: at.project,
    rules: [{ type: 'ALL', rules: [{ type: 'ANY', rules: [], conditions: [{ operator: 'EQUAL', property: 'plan', value: 'pro' }] }], conditions: [] }],
  });
  await call('POST', `/api/v1/environments/${at.key}/features/${checkout.id}/create-segment-override/`, {
    enabled: true,
    feature_state_value: { type: 'unicode', string_value: 'fast' },
    feature_segment: { segment: segment.id },
  });
  const identify = await apiCall(server, 'POST', '/api/v1/identities/', {
    headers: { 'X-Environment-Key': at.key },
    body: {
      identifier: 'alice@example.com',
      traits: [
        { trait_key: 'plan', trait_value: 'pro' },
        { trait_key: 'seats', trait_value: '5' },
      ],
    },
  });
  assert.equal(identify.status, 200);
  for (const identifier of ['bob@example.com', 'carol@example.com']) {
    await call('POST', `/api/v1/environments/${at.key}/identities/`, { identifier });
  }
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { level: 1, name: /^Projects/ }).waitFor();
});

after(async () => {
  await b?.close();
  await server?.stop();
});

const heading = (name) => page.getByRole('heading', { level: 1, name });
const path = () => new URL(page.url()).pathname + new URL(page.url()).search;
const environmentRoute = () => `/organisations/${at.organisation}/projects/${at.project}/environments/${at.key}`;

/** What the SDK gets for an identifier: its traits by key and its flags by feature name. */
async function sdkIdentity(identifier) {
  const r = await apiCall(server, 'GET', `/api/v1/identities/?identifier=${encodeURIComponent(identifier)}`, {
    headers: { 'X-Environment-Key': at.key },
  });
  assert.equal(r.status, 200);
  return {
    traits: Object.fromEntries(r.body.traits.map((t) => [t.trait_key, t.trait_value])),
    flags: Object.fromEntries(r.body.flags.map((f) => [f.feature.name, f])),
  };
}

test('the sidebar leads to the identities, and the search finds one by part of its identifier', async () => {
  await page.goto(`${environmentRoute()}/features`);
  await heading('Features in Production').waitFor();
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Identities' }).click();
  await heading('Identities in Production').waitFor();
  await page.getByText('3 identities').waitFor();
  await visit(page, 'identities', server);

  await page.getByLabel('Search identities by identifier').fill('ALICE');
  await page.getByText('1 identity match “ALICE”').waitFor();
  assert.equal(path(), `${environmentRoute()}/identities?q=ALICE`);
  const rows = page.getByRole('table').getByRole('row');
  assert.equal(await rows.count(), 2, 'the header and alice');
  await visit(page, 'identities-search', server);
  await page.getByRole('link', { name: 'alice@example.com' }).click();
  await heading(/^alice@example.com/).waitFor();
  at.alice = /\/identities\/(\d+)$/.exec(path())?.[1];
  assert.ok(at.alice, path());
  b.check();
});

test("an identity's page shows its traits and every feature with why it gets it", async () => {
  const traits = page.getByRole('table', { name: 'Traits' });
  await traits.getByRole('row', { name: /seats/ }).waitFor();
  assert.match(await traits.getByRole('row', { name: /seats/ }).innerText(), /String\s+5/);
  const flags = page.getByRole('table', { name: 'Features as this identity gets them' });
  await flags.getByRole('row', { name: /checkout_v2/ }).waitFor();
  assert.match(await flags.getByRole('row', { name: /checkout_v2/ }).innerText(), /fast\s+On\s+Segment Pro customers/);
  assert.match(await flags.getByRole('row', { name: /banner_colour/ }).innerText(), /red\s+Off\s+Environment default/);
  await visit(page, 'identity', server);
  b.check();
});

test("editing a trait's value and type, and adding one, reach the SDK as typed values", async () => {
  await page.getByRole('button', { name: 'Edit trait seats' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit trait' });
  await edit.getByLabel('Type').selectOption('int');
  await edit.getByLabel('Value').fill('12');
  await visit(page, 'identity-trait-edit', server);
  await edit.getByRole('button', { name: 'Save trait' }).click();
  await edit.waitFor({ state: 'hidden' });
  const traits = page.getByRole('table', { name: 'Traits' });
  await traits.getByRole('row', { name: /seats\s+Integer\s+12/ }).waitFor();

  await page.getByRole('button', { name: 'Add trait' }).click();
  const add = page.getByRole('dialog', { name: 'Add trait' });
  await add.getByLabel('Key').fill('beta_tester');
  await add.getByLabel('Type').selectOption('bool');
  await add.getByLabel('Value').selectOption('true');
  await add.getByRole('button', { name: 'Add trait' }).click();
  await add.waitFor({ state: 'hidden' });
  await traits.getByRole('row', { name: /beta_tester\s+Boolean\s+true/ }).waitFor();

  const sdk = await sdkIdentity('alice@example.com');
  assert.deepEqual(sdk.traits, { plan: 'pro', seats: 12, beta_tester: true });
  b.check();
});

test('a value that is not of its type gets a message next to the value, and nothing typed is lost', async () => {
  await page.getByRole('button', { name: 'Add trait' }).click();
  const add = page.getByRole('dialog', { name: 'Add trait' });
  await add.getByLabel('Key').fill('score');
  await add.getByLabel('Type').selectOption('int');
  const value = add.getByLabel('Value');
  await value.fill('abc');
  await add.getByRole('button', { name: 'Add trait' }).click();
  const error = add.locator('#trait-value-error');
  await error.waitFor();
  assert.match(await error.textContent(), /whole number/);
  assert.equal(await value.getAttribute('aria-invalid'), 'true');
  assert.equal(await value.getAttribute('aria-describedby'), 'trait-value-error');
  assert.equal(await value.inputValue(), 'abc');
  assert.equal(await add.getByLabel('Key').inputValue(), 'score');
  assert.equal(await add.getByLabel('Type').inputValue(), 'int');
  await visit(page, 'identity-trait-error', server);

  // The API's own message about the value (too long) lands in the same place, and keeps the text.
  const long = 'x'.repeat(2001);
  await add.getByLabel('Type').selectOption('unicode');
  await value.fill(long);
  await add.getByRole('button', { name: 'Add trait' }).click();
  await error.getByText(/no more than 2000 characters/).waitFor();
  assert.equal(await value.inputValue(), long);

  // A key the identity has already would replace that trait: the form says so instead.
  await add.getByLabel('Key').fill('seats');
  await add.getByLabel('Type').selectOption('float');
  await value.fill('4.5');
  await add.getByRole('button', { name: 'Add trait' }).click();
  await add.locator('#trait-trait_key-error').getByText(/has a trait seats/).waitFor();
  await add.getByLabel('Key').fill('score');
  await add.getByRole('button', { name: 'Add trait' }).click();
  await add.waitFor({ state: 'hidden' });
  await page.getByRole('table', { name: 'Traits' }).getByRole('row', { name: /score\s+Float\s+4.5/ }).waitFor();
  assert.equal((await sdkIdentity('alice@example.com')).traits.score, 4.5);
  b.check();
});

test('an identity override with a value is what the SDK serves this identity, and says so', async () => {
  await page.getByRole('button', { name: 'Override of banner_colour' }).click();
  const dialog = page.getByRole('dialog', { name: 'Override banner_colour' });
  assert.equal(await dialog.getByLabel('Value').inputValue(), 'red', 'starts from what the identity gets');
  await dialog.getByLabel('Enabled for this identity').check();
  await dialog.getByLabel('Value').fill('gold');
  await visit(page, 'identity-override', server);
  await dialog.getByRole('button', { name: 'Save override' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const row = page.getByRole('table', { name: 'Features as this identity gets them' }).getByRole('row', { name: /banner_colour/ });
  await row.getByText('Identity override').waitFor();
  assert.match(await row.innerText(), /gold\s+On\s+Identity override/);
  await visit(page, 'identity-overridden', server);

  const alice = await sdkIdentity('alice@example.com');
  assert.equal(alice.flags.banner_colour.enabled, true);
  assert.equal(alice.flags.banner_colour.feature_state_value, 'gold');
  assert.equal(alice.flags.banner_colour.identity, Number(at.alice), 'the identity override is served');
  assert.equal(alice.flags.checkout_v2.feature_state_value, 'fast', 'the segment still applies');
  const bob = await sdkIdentity('bob@example.com');
  assert.equal(bob.flags.banner_colour.feature_state_value, 'red', 'other identities keep the default');

  // Edit it to a number, then remove it (after confirming): the default comes back.
  await page.getByRole('button', { name: 'Edit override of banner_colour' }).click();
  await dialog.getByLabel('Type').selectOption('int');
  await dialog.getByLabel('Value').fill('7');
  await dialog.getByRole('button', { name: 'Save override' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await row.getByText('7', { exact: true }).waitFor();
  assert.equal((await sdkIdentity('alice@example.com')).flags.banner_colour.feature_state_value, 7);

  await page.getByRole('button', { name: 'Remove override of banner_colour' }).click();
  const confirm = page.getByRole('dialog', { name: 'Remove override' });
  await visit(page, 'identity-override-remove', server);
  await confirm.getByRole('button', { name: 'Remove override' }).click();
  await confirm.waitFor({ state: 'hidden' });
  await row.getByText('Environment default').waitFor();
  const after = (await sdkIdentity('alice@example.com')).flags.banner_colour;
  assert.equal(after.feature_state_value, 'red');
  assert.equal(after.identity, null);
  b.check();
});

test("creating an identity that exists gets the API's message; a new one opens; deleting asks for its name", async () => {
  await page.getByRole('link', { name: 'All identities in Production' }).click();
  await heading('Identities in Production').waitFor();
  await page.getByRole('button', { name: 'Create identity' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create identity' });
  const identifier = dialog.getByLabel('Identifier');
  await identifier.fill('bob@example.com');
  await dialog.getByRole('button', { name: 'Create identity' }).click();
  await dialog.locator('#identity-identifier-error').getByText(/already exists/).waitFor();
  assert.equal(await identifier.inputValue(), 'bob@example.com');
  await visit(page, 'identity-create-error', server);
  await identifier.fill('dave@example.com');
  await dialog.getByRole('button', { name: 'Create identity' }).click();
  await heading(/^dave@example.com/).waitFor();
  await page.getByText('No traits.').waitFor();

  await page.getByRole('button', { name: 'Delete identity' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete identity' });
  const button = confirm.getByRole('button', { name: 'Delete identity' });
  assert.equal(await button.isDisabled(), true, 'not until the identifier is typed');
  await confirm.getByLabel('Type dave@example.com to confirm').fill('dave@example.co');
  assert.equal(await button.isDisabled(), true);
  await confirm.getByLabel('Type dave@example.com to confirm').fill('dave@example.com');
  await visit(page, 'identity-delete', server);
  await button.click();
  await heading('Identities in Production').waitFor();
  await page.getByText('3 identities').waitFor();
  const left = await apiCall(server, 'GET', `/api/v1/environments/${at.key}/identities/?q=dave`, {
    token: await page.evaluate(() => localStorage.getItem('flagstaff.token')),
  });
  assert.equal(left.body.count, 0);
  b.check();
});

test('many identities come a page at a time, and the page is in the address', async () => {
  const token = await page.evaluate(() => localStorage.getItem('flagstaff.token'));
  for (let n = 0; n < 20; n += 1) {
    const r = await apiCall(server, 'POST', `/api/v1/environments/${at.key}/identities/`, {
      token,
      body: { identifier: `user-${String(n).padStart(2, '0')}` },
    });
    assert.equal(r.status, 201);
  }
  await page.reload();
  await page.getByText('23 identities').waitFor();
  await page.getByText('Page 1 of 2').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Previous page' }).isDisabled(), true);
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.getByText('Page 2 of 2').waitFor();
  assert.equal(path(), `${environmentRoute()}/identities?page=2`);
  assert.equal(await page.getByRole('table').getByRole('link').count(), 3);
  await visit(page, 'identities-page-2', server);
  await page.goBack();
  await page.getByText('Page 1 of 2').waitFor();
  b.check();
});
