// Feature owners: the feature page's Owners card adds a member and a group and takes the creator
// off (the API shows it), and the features screen's Owner filter keeps what a member, a group
// or "me" owns.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, install, logIn, openBrowser, startServer, visit } from './fixture.mjs';

let server;
let b;
let page;
let token;
const at = {};

const post = async (path, body, as = token) => {
  const r = await apiCall(server, 'POST', path, { token: as, body });
  assert.ok(r.status === 200 || r.status === 201, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

before(async () => {
  server = await startServer();
  token = await install(server, 'admin@example.com', 'correct horse battery');
  const organisation = await post('/api/v1/organisations/', { name: 'Acme' });
  const project = await post('/api/v1/projects/', { name: 'Shop', organisation: organisation.id });
  const environment = await post('/api/v1/environments/', { name: 'Development', project: project.id });
  const bob = { email: 'bob@example.com', password: 'another horse battery' };
  const signup = await apiCall(server, 'POST', '/api/v1/auth/users/', {
    body: { ...bob, first_name: '', last_name: '', superuser: false, marketing_consent_given: false },
  });
  assert.equal(signup.status, 201, JSON.stringify(signup.body));
  const link = await post(`/api/v1/organisations/${organisation.id}/invite-links/`, {});
  await post(`/api/v1/users/join/link/${link.hash}/`, {}, await logIn(server, bob.email, bob.password));
  const ops = await post(`/api/v1/organisations/${organisation.id}/groups/`, { name: 'Ops' });
  const features = `/api/v1/projects/${project.id}/features/`;
  const checkout = await post(features, { name: 'checkout' });
  await post(features, { name: 'search', owners: [signup.body.id] });
  await post(features, { name: 'banner' });
  Object.assign(at, {
    project: project.id,
    checkout: checkout.id,
    bob: signup.body.id,
    ops: ops.id,
    list: `/organisations/${organisation.id}/projects/${project.id}/environments/${environment.api_key}/features`,
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

const owners = () => page.getByRole('list', { name: 'Owners of this feature' });

test('the Owners card adds a member and a group and takes the creator off', async () => {
  await page.goto(`${at.list}/${at.checkout}`);
  await page.getByRole('heading', { name: 'Owners' }).waitFor();
  await owners().getByText('admin@example.com').waitFor();
  await visit(page, 'feature-owners', server);

  await page.getByLabel('Add an owner').selectOption({ label: 'bob@example.com' });
  await page.getByRole('button', { name: 'Add owner' }).click();
  await page.getByRole('button', { name: 'Remove owner bob@example.com' }).waitFor();
  await page.getByLabel('Add an owner').selectOption({ label: 'Group Ops' });
  await page.getByRole('button', { name: 'Add owner' }).click();
  await page.getByRole('button', { name: 'Remove owner Group Ops' }).waitFor();
  await page.getByRole('button', { name: 'Remove owner admin@example.com' }).click();
  await page.getByRole('status').filter({ hasText: 'admin@example.com no longer owns this feature.' }).waitFor();
  assert.equal(await owners().getByText('admin@example.com').count(), 0);

  const feature = await apiCall(server, 'GET', `/api/v1/projects/${at.project}/features/${at.checkout}/`, { token });
  assert.deepEqual(feature.body.owners.map((o) => o.id), [at.bob]);
  assert.deepEqual(feature.body.group_owners, [{ id: at.ops, name: 'Ops' }]);
  await visit(page, 'feature-owners-changed', server);
});

test("the Owner filter keeps a member's, a group's and my features", async () => {
  await page.goto(at.list);
  const rows = page.getByRole('table').getByRole('rowheader');
  await rows.first().waitFor();
  const names = async () => (await rows.allTextContents()).map((t) => t.trim()).sort();
  const owner = page.getByLabel('Owner', { exact: true });

  await owner.selectOption({ label: 'bob@example.com' });
  await page.getByText('2 of 3 features').waitFor();
  assert.deepEqual(await names(), ['checkout', 'search']);
  await visit(page, 'features-by-owner', server);
  await owner.selectOption({ label: 'Group: Ops' });
  await page.getByText('1 of 3 features').waitFor();
  assert.deepEqual(await names(), ['checkout']);
  await owner.selectOption({ label: 'Owned by me' });
  await page.getByText('1 of 3 features').waitFor();
  assert.deepEqual(await names(), ['banner']);
  await page.getByLabel('Search features by name').fill('search');
  await page.getByText('No feature matches this search and these filters.').waitFor();
  await owner.selectOption({ label: 'Anyone' });
  await page.getByText('1 of 3 features').waitFor();
  assert.deepEqual(await names(), ['search']);
});
