// Account, settings, people and permissions: change the password (old one refused, new one works),
// rename a project, clone an environment and delete one after typing its name, invite a second
// user who then appears in People, change their role, put them in a group, and grant them
// VIEW_PROJECT, proven with their own token.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, install, logIn, openBrowser, sdkFlags, startServer, visit } from './fixture.mjs';

const email = 'admin@example.com';
const password = 'correct horse battery';
const newPassword = 'a much better secret 42';
const second = { email: 'bea@example.com', password: 'plum tractor velvet 7' };
let server;
let b;
let page;
let token;
const at = {};

before(async () => {
  server = await startServer();
  token = await install(server, email, password);
  const post = async (path, body) => {
    const r = await apiCall(server, 'POST', path, { token, body });
    assert.equal(r.status, 201, `${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  at.organisation = (await post('/api/v1/organisations/', { name: 'Acme' })).id;
  at.project = (await post('/api/v1/projects/', { name: 'Web shop', organisation: at.organisation })).id;
  at.production = await post('/api/v1/environments/', { name: 'Production', project: at.project });
  await post(`/api/v1/projects/${at.project}/features/`, { name: 'checkout_v2', initial_value: 'blue', default_enabled: true });
  const signup = await apiCall(server, 'POST', '/api/v1/auth/users/', {
    body: { ...second, first_name: 'Bea', last_name: 'Second', superuser: false, marketing_consent_given: false },
  });
  assert.equal(signup.status, 201, JSON.stringify(signup.body));
  at.secondId = signup.body.id;
  at.secondToken = await logIn(server, second.email, second.password);
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
const sections = () => page.getByRole('navigation', { name: 'Sections' });
const orgRoute = () => `/organisations/${at.organisation}`;
const projectRoute = () => `${orgRoute()}/projects/${at.project}`;

test('changing the password: errors at their fields, then the new one logs in and the old one does not', async () => {
  await page.goto(orgRoute());
  await heading(/^Projects/).waitFor();
  await page.getByRole('link', { name: `Your account: ${email}` }).click();
  await heading('Your account').waitFor();
  await visit(page, 'account', server);

  await page.getByLabel('Current password').fill(password);
  await page.getByLabel('New password', { exact: true }).fill('short');
  await page.getByLabel('Repeat the new password').fill('short');
  await page.getByRole('button', { name: 'Change password' }).click();
  const tooShort = page.locator('#account-new_password-error');
  await tooShort.waitFor();
  assert.match(await tooShort.textContent(), /too short/);
  assert.equal(await page.getByLabel('New password', { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('Current password').inputValue(), password, 'nothing typed is lost');
  await visit(page, 'account-error', server);

  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Repeat the new password').fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.locator('#account-current_password-error').waitFor();
  assert.match(await page.locator('#account-current_password-error').textContent(), /Invalid password/);

  await page.getByLabel('Current password').fill(password);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByRole('status').getByText('Your password is changed').waitFor();
  assert.equal(await page.locator('[aria-invalid="true"]').count(), 0);
  assert.equal(await page.getByLabel('Current password').inputValue(), '', 'the form is cleared');

  await page.getByRole('button', { name: 'Log out' }).click();
  await heading('Log in').waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').waitFor();
  const old = await apiCall(server, 'POST', '/api/v1/auth/login/', { body: { email, password } });
  assert.equal(old.status, 400, 'the old password is refused');
  await page.getByLabel('Password').fill(newPassword);
  await page.getByRole('button', { name: 'Log in' }).click();
  await heading(/^Projects/).waitFor();
  token = await page.evaluate(() => localStorage.getItem('flagstaff.token'));
  assert.ok(token);
  b.check();
});

test('project settings: rename and feature-name rules reach the API; a bad pattern gets its field error', async () => {
  await page.goto(projectRoute());
  await sections().getByRole('link', { name: 'Project settings' }).click();
  await heading(/^Project settings/).waitFor();
  await visit(page, 'project-settings', server);
  await page.getByLabel('Feature name pattern').fill('[a-');
  await page.getByRole('button', { name: 'Save settings' }).click();
  const regexError = page.locator('#project-feature_name_regex-error');
  await regexError.waitFor();
  assert.match(await regexError.textContent(), /Invalid regular expression/);

  await page.getByLabel('Name', { exact: true }).fill('Online shop');
  await page.getByLabel('Feature name pattern').fill('^[a-z_0-9]+$');
  await page.getByLabel('Hide disabled flags from the SDKs').check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('status').getByText('Saved.').waitFor();
  await heading('Project settings of Online shop').waitFor();
  const project = await apiCall(server, 'GET', `/api/v1/projects/${at.project}/`, { token });
  assert.equal(project.body.name, 'Online shop');
  assert.equal(project.body.feature_name_regex, '^[a-z_0-9]+$');
  assert.equal(project.body.hide_disabled_flags, true);
  assert.equal(await page.locator('#switch-project option:checked').textContent(), 'Online shop', 'the switcher follows');
  b.check();
});

test('cloning an environment copies its features; deleting one needs its name typed', async () => {
  await page.goto(projectRoute());
  await page.getByRole('row', { name: /Production/ }).getByRole('link', { name: 'Settings' }).click();
  await heading('Environment settings of Production').waitFor();
  await visit(page, 'environment-settings', server);
  await page.getByLabel('Name of the copy').fill('Staging');
  await page.getByRole('button', { name: 'Clone environment' }).click();
  await heading('Features in Staging').waitFor();
  await page.getByRole('switch', { name: 'checkout_v2 enabled in Staging' }).waitFor();
  const staging = /\/environments\/([^/]+)\/features$/.exec(new URL(page.url()).pathname)?.[1];
  assert.ok(staging && staging !== at.production.api_key);
  const flags = await sdkFlags(server, staging);
  assert.equal(flags.checkout_v2.enabled, true);
  assert.equal(flags.checkout_v2.feature_state_value, 'blue');

  await page.goto(`${projectRoute()}/environments/${staging}/settings`);
  await heading('Environment settings of Staging').waitFor();
  await page.getByRole('button', { name: 'Delete environment…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete environment' });
  const confirm = dialog.getByRole('button', { name: 'Delete environment' });
  assert.equal(await confirm.isDisabled(), true, 'disabled before typing');
  await dialog.getByLabel('Type Staging to confirm').fill('staging');
  assert.equal(await confirm.isDisabled(), true, 'disabled with the wrong name');
  await dialog.getByLabel('Type Staging to confirm').fill('Staging');
  assert.equal(await confirm.isDisabled(), false);
  await visit(page, 'environment-delete', server);
  await confirm.click();
  await heading(/^Environments/).waitFor();
  await page.getByRole('cell', { name: 'Production', exact: true }).waitFor();
  assert.equal(await page.getByRole('cell', { name: 'Staging', exact: true }).count(), 0);
  const gone = await apiCall(server, 'GET', `/api/v1/environments/${staging}/`, { token });
  assert.equal(gone.status, 404);
  assert.equal((await sdkFlags(server, at.production.api_key)).checkout_v2.enabled, true, 'Production untouched');
  b.check();
});

test('an invited user appears in People; their role changes; a group takes them in', async () => {
  await page.goto(orgRoute());
  await sections().getByRole('link', { name: 'People' }).click();
  await heading('People in Acme').waitFor();
  await page.getByLabel('Email address to invite').fill(second.email);
  await page.getByRole('button', { name: 'Invite', exact: true }).click();
  const row = page.getByRole('row', { name: new RegExp(second.email) });
  await row.waitFor();
  const link = await row.locator('code').textContent();
  const hash = /\/join\/([^/]+)$/.exec(link)?.[1];
  assert.ok(hash, link);
  assert.equal((await apiCall(server, 'GET', `/api/v1/projects/${at.project}/`, { token: at.secondToken })).status, 404, 'not a member yet');
  const joined = await apiCall(server, 'POST', `/api/v1/users/join/${hash}/`, { token: at.secondToken });
  assert.equal(joined.status, 200, JSON.stringify(joined.body));

  await page.reload();
  const role = page.getByLabel(`Role of ${second.email}`);
  await role.waitFor();
  assert.equal(await page.getByRole('row', { name: new RegExp(second.email) }).count(), 1, 'the invite became a member');
  await visit(page, 'people', server);
  const members = () => apiCall(server, 'GET', `/api/v1/organisations/${at.organisation}/users/`, { token });
  await role.selectOption('ADMIN');
  await page.getByRole('status').getByText('Bea Second is now an administrator.').waitFor();
  assert.equal((await members()).body.find((m) => m.id === at.secondId).role, 'ADMIN');
  await role.selectOption('USER');
  await page.getByRole('status').getByText('Bea Second is now a user.').waitFor();
  assert.equal((await members()).body.find((m) => m.id === at.secondId).role, 'USER');

  await page.locator('#new-group-name').fill('Developers');
  await page.getByRole('button', { name: 'Create group' }).click();
  await page.getByRole('heading', { level: 3, name: 'Developers' }).waitFor();
  await page.getByLabel('Add a member to Developers').selectOption({ label: 'Bea Second' });
  await page.getByRole('button', { name: 'Add to Developers' }).click();
  await page.getByRole('button', { name: 'Make group admin for Bea Second' }).click();
  await page.getByRole('button', { name: 'Remove group admin for Bea Second' }).waitFor();
  const groups = await apiCall(server, 'GET', `/api/v1/organisations/${at.organisation}/groups/`, { token });
  const inGroup = groups.body.results[0].users.map(({ id, email, group_admin }) => ({ id, email, group_admin }));
  assert.deepEqual(inGroup, [{ id: at.secondId, email: 'bea@example.com', group_admin: true }]);
  await visit(page, 'people-groups', server);
  b.check();
});

test('granting VIEW_PROJECT lets the second user read the project', async () => {
  const read = () => apiCall(server, 'GET', `/api/v1/projects/${at.project}/`, { token: at.secondToken });
  assert.equal((await read()).status, 403, 'no access before the grant');
  await sections().getByRole('link', { name: 'Permissions' }).click();
  await heading('Permissions in Acme').waitFor();
  await page.getByRole('heading', { name: 'Access to the organisation Acme' }).waitFor();
  await page.getByLabel('Grant on').selectOption({ label: 'Project Online shop' });
  await page.getByRole('heading', { name: 'Access to the project Online shop' }).waitFor();
  const give = page.getByRole('form', { name: 'Give access' });
  await give.getByLabel('Person or group').selectOption({ label: `Bea Second (${second.email})` });
  await give.getByLabel('View project').check();
  await visit(page, 'permissions', server);
  await give.getByRole('button', { name: 'Grant access' }).click();
  await page.getByRole('status').getByText('Bea Second now has access to the project Online shop.').waitFor();
  assert.equal((await read()).status, 200, 'VIEW_PROJECT reads the project');
  const grants = await apiCall(server, 'GET', `/api/v1/projects/${at.project}/user-permissions/`, { token });
  assert.deepEqual(grants.body.find((g) => g.user.id === at.secondId).permissions, ['VIEW_PROJECT']);

  const bea = page.getByRole('group', { name: 'Bea Second' });
  await bea.getByLabel('View project').uncheck();
  await page.getByRole('button', { name: 'Save permissions of Bea Second' }).click();
  await page.getByRole('status').getByText('Saved the permissions of Bea Second.').waitFor();
  assert.equal((await read()).status, 403, 'unticked: no access again');
  b.check();
});

test('organisation settings rename it; deleting the project needs its name typed', async () => {
  await sections().getByRole('link', { name: 'Organisation settings' }).click();
  await heading(/^Organisation settings/).waitFor();
  await page.getByLabel('Name', { exact: true }).fill('Acme Inc');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await heading('Organisation settings of Acme Inc').waitFor();
  const org = await apiCall(server, 'GET', `/api/v1/organisations/${at.organisation}/`, { token });
  assert.equal(org.body.name, 'Acme Inc');
  await visit(page, 'organisation-settings', server);

  await page.goto(`${projectRoute()}/settings`);
  await heading('Project settings of Online shop').waitFor();
  await page.getByRole('button', { name: 'Delete project…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete project' });
  await dialog.getByLabel('Type Online shop to confirm').fill('Online shop');
  await dialog.getByRole('button', { name: 'Delete project' }).click();
  await heading(/^Projects/).waitFor();
  await page.getByText('This organisation has no project yet.').waitFor();
  assert.equal((await apiCall(server, 'GET', `/api/v1/projects/${at.project}/`, { token })).status, 404);
  b.check();
});
