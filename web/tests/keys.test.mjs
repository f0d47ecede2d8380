// SDK keys, "Connect your app", organisation API keys, the audit log and usage, as a person
// would use them; every effect is checked through the API an SDK or a script would call.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, install, openBrowser, sdkFlags, startServer, visit } from './fixture.mjs';

const email = 'admin@example.com';
const password = 'correct horse battery';
let server;
let b;
let page;
let token;
const at = {};

before(async () => {
  server = await startServer();
  token = await install(server, email, password);
  const call = async (method, path, body) => {
    const r = await apiCall(server, method, path, { token, body });
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  at.call = call;
  at.organisation = (await call('POST', '/api/v1/organisations/', { name: 'Acme' })).id;
  at.project = (await call('POST', '/api/v1/projects/', { name: 'Web shop', organisation: at.organisation })).id;
  const production = await call('POST', '/api/v1/environments/', { name: 'Production', project: at.project });
  at.environment = production.api_key;
  at.environmentId = production.id;
  await call('POST', `/api/v1/projects/${at.project}/features/`, { name: 'checkout', default_enabled: true, initial_value: 'blue' });
  b = await openBrowser(server);
  page = b.page;
  await b.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
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
const sidebar = () => page.getByRole('navigation', { name: 'Sections' });
const environmentRoute = () => `/organisations/${at.organisation}/projects/${at.project}/environments/${at.environment}`;

test('the keys screen shows the client-side key and snippets with this server and that key', async () => {
  await page.goto(`${environmentRoute()}/features`);
  await heading('Features in Production').waitFor();
  await sidebar().getByRole('link', { name: 'SDK keys' }).click();
  await heading('SDK keys of Production').waitFor();
  const client = page.getByRole('region', { name: 'Client-side key' });
  assert.equal(await client.locator('code').textContent(), at.environment);
  await client.getByRole('button', { name: 'Copy client-side key' }).click();
  await client.getByRole('status').getByText('Copied').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), at.environment);

  const connect = page.getByRole('region', { name: 'Connect your app' });
  const python = await connect.getByRole('tabpanel').locator('pre').textContent();
  assert.match(python, new RegExp(`environment_key="${at.environment}"`));
  assert.ok(python.includes(`api_url="${server.url}/api/v1/"`), python);
  await visit(page, 'keys', server);

  // Arrow keys move between the tabs (one tab stop, as WAI-ARIA tabs do).
  await connect.getByRole('tab', { name: 'Python' }).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await connect.getByRole('tab', { name: 'Node.js' }).getAttribute('aria-selected'), 'true');
  assert.match(await connect.getByRole('tabpanel').textContent(), /environmentKey: '.+'/);
  await page.keyboard.press('End');
  assert.equal(await connect.getByRole('tab', { name: 'curl' }).getAttribute('aria-selected'), 'true');

  const curl = await connect.getByRole('tabpanel').locator('pre').textContent();
  await connect.getByRole('button', { name: 'Copy curl snippet' }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), curl);
  // Run the snippet as it reads: its header and its URL.
  const [, header, value, url] = /curl -H "([^:]+): ([^"]+)" (\S+)/.exec(curl);
  assert.equal(value, at.environment);
  const response = await fetch(url, { headers: { [header]: value } });
  assert.equal(response.status, 200);
  const flags = await response.json();
  assert.deepEqual(
    flags.map((f) => [f.feature.name, f.enabled, f.feature_state_value]),
    [['checkout', true, 'blue']],
  );

  await connect.getByRole('tab', { name: 'OpenFeature (OFREP)' }).click();
  const ofrep = await connect.getByRole('tabpanel').locator('pre').textContent();
  const ofrepUrl = /curl -X POST (\S+)/.exec(ofrep)[1];
  assert.equal(ofrepUrl, `${server.url}/ofrep/v1/evaluate/flags`);
  const evaluated = await fetch(ofrepUrl, {
    method: 'POST',
    headers: { 'X-API-Key': /X-API-Key: ([^"]+)"/.exec(ofrep)[1], 'Content-Type': 'application/json' },
    body: /-d '([^']+)'/.exec(ofrep)[1],
  });
  assert.equal(evaluated.status, 200);
  const bulk = await evaluated.json();
  assert.deepEqual(bulk.flags.map((f) => [f.key, f.value]), [['checkout', 'blue']]);
  b.check();
});

test('a server-side key is shown once, reads the environment document, and stops working when revoked', async () => {
  const section = page.getByRole('region', { name: 'Server-side keys' });
  await section.getByRole('button', { name: 'Create key' }).click();
  await section.locator('#server-key-name-error').getByText('This field may not be blank.').waitFor();
  assert.equal(await section.getByLabel('Name').getAttribute('aria-invalid'), 'true');

  await section.getByLabel('Name').fill('backend');
  await section.getByLabel('Expires on (optional)').fill('2031-06-30');
  await section.getByRole('button', { name: 'Create key' }).click();
  const secret = section.locator('.secret code');
  await secret.waitFor();
  const key = await secret.textContent();
  assert.match(key, /^ser\./);
  const row = section.getByRole('row', { name: /backend/ });
  assert.match(await row.textContent(), /2031/);
  assert.ok(!(await row.textContent()).includes(key), 'the list shows only the start of the key');
  await visit(page, 'keys-server-created', server);

  const document = () =>
    apiCall(server, 'GET', '/api/v1/environment-document/', { headers: { 'X-Environment-Key': key } });
  assert.equal((await document()).status, 200);

  await section.getByRole('button', { name: 'Done' }).click();
  assert.equal(await section.locator('.secret').count(), 0, 'not shown again');
  await row.getByRole('button', { name: 'Revoke backend' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke server-side key' });
  await visit(page, 'keys-server-revoke', server);
  await dialog.getByRole('button', { name: 'Revoke key' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await row.getByText('Revoked').waitFor();
  assert.ok([401, 403].includes((await document()).status));

  await row.getByRole('button', { name: 'Delete backend' }).click();
  await page.getByRole('dialog', { name: 'Delete server-side key' }).getByRole('button', { name: 'Delete key' }).click();
  await section.getByText('No server-side key yet.').waitFor();
  b.check();
});

test('an organisation API key is shown once, calls the admin API, and stops when revoked', async () => {
  await sidebar().getByRole('link', { name: 'API keys' }).click();
  await heading('API keys of Acme').waitFor();
  await page.getByLabel('Name').fill('ci');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = await page.locator('.secret code').textContent();
  const organisations = () =>
    apiCall(server, 'GET', '/api/v1/organisations/', { headers: { Authorization: `Api-Key ${key}` } });
  assert.equal((await organisations()).status, 200);
  await visit(page, 'organisation-keys', server);

  await page.getByRole('button', { name: 'Revoke ci' }).click();
  await page.getByRole('dialog', { name: 'Revoke API key' }).getByRole('button', { name: 'Revoke key' }).click();
  await page.getByRole('row', { name: /ci/ }).getByText('Revoked').waitFor();
  assert.equal((await organisations()).status, 401);
  b.check();
});

test('the audit log lists a feature created and toggled, with who and what changed, and filters', async () => {
  const feature = await at.call('POST', `/api/v1/projects/${at.project}/features/`, { name: 'audit_me' });
  const listed = await at.call('GET', `/api/v1/projects/${at.project}/features/?environment=${at.environmentId}`);
  const state = listed.results.find((f) => f.id === feature.id).environment_feature_state;
  await at.call('PATCH', `/api/v1/environments/${at.environment}/featurestates/${state.id}/`, { enabled: true });
  assert.equal((await sdkFlags(server, at.environment)).audit_me.enabled, true);

  await page.goto(`${environmentRoute()}/features`);
  await sidebar().getByRole('link', { name: 'Audit log' }).click();
  await heading('Audit log of Web shop').waitFor();
  const rows = page.getByRole('table', { name: 'Audit log, newest first' }).locator(':scope > tbody > tr');
  const first = rows.first();
  assert.match(await first.textContent(), /updated for feature: audit_me/);
  assert.match(await first.textContent(), new RegExp(email));
  assert.match(await rows.nth(1).textContent(), /created: audit_me/);
  await first.getByText('1 change').click();
  const change = first.getByRole('table', { name: 'Changed fields' }).getByRole('row', { name: /enabled/ });
  assert.deepEqual(await change.locator('code').allTextContents(), ['false', 'true']);
  await visit(page, 'audit', server);

  await page.getByLabel('Search the log').fill('audit_me');
  await page.getByLabel('Search the log').press('Enter');
  await page.getByText('Entries 1–2 of 2').waitFor();
  assert.match(new URL(page.url()).search, /search=audit_me/);
  assert.equal(await rows.count(), 2);

  await page.getByLabel('Filter by environment').selectOption({ label: 'Production' });
  await page.getByText('Entries 1–1 of 1').waitFor();
  assert.match(await rows.first().textContent(), /updated for feature: audit_me/);

  await page.getByLabel('Filter by project').selectOption({ label: 'All projects' });
  await heading('Audit log of the organisation').waitFor();
  // The organisation's log is its projects' (as upstream's), without organisation-level entries.
  await page.getByLabel('Search the log').fill('New Project');
  await page.getByLabel('Search the log').press('Enter');
  await rows.filter({ hasText: 'New Project created: Web shop' }).first().waitFor();
  await page.getByText('Entries 1–1 of 1').waitFor();
  b.check();
});

test('usage shows the evaluations an SDK reported', async () => {
  const reported = await apiCall(server, 'POST', '/api/v1/analytics/flags/', {
    headers: { 'X-Environment-Key': at.environment },
    body: { checkout: 5 },
  });
  assert.equal(reported.status, 200);
  await page.goto(`${environmentRoute()}/features`);
  await sidebar().getByRole('link', { name: 'Usage' }).click();
  await heading('Usage in Production').waitFor();
  await page.getByLabel('Feature').selectOption({ label: 'checkout' });
  await page.getByText('5 evaluations').waitFor();
  const chart = page.getByRole('img', { name: /Evaluations of checkout in Production/ });
  await chart.waitFor();
  assert.equal(await chart.locator('rect.chart-bar').count(), 1);
  await page.getByText('Show as a table').click();
  const today = new Date().toISOString().slice(0, 10);
  assert.equal(await page.getByRole('row', { name: new RegExp(today) }).getByRole('cell').textContent(), '5');
  await visit(page, 'usage', server);

  await page.getByLabel('Period').selectOption({ label: 'Last 30 days' });
  await page.getByText('5 evaluations').waitFor();
  assert.match(new URL(page.url()).search, /period=30d/);
  await page.getByLabel('Feature').selectOption({ label: 'audit_me' });
  await page.getByText('0 evaluations').waitFor();
  b.check();
});
