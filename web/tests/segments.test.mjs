// Segments and segment overrides in the browser: a segment with nested rules built from the
// keyboard and mouse, our checks and the API's errors at the fields, an override of a feature in
// one environment, reordering two overrides, and each effect proven through the SDK.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, install, openBrowser, startServer, visit } from './fixture.mjs';

let server;
let b;
let page;
let token;
const at = {};

const call = async (method, path, body) => {
  const r = await apiCall(server, method, path, { token, body });
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

/** The value the SDK serves `identifier` (with these traits) for `feature`, in an environment. */
async function served(environmentKey, identifier, traits, feature = 'banner') {
  const headers = { 'X-Environment-Key': environmentKey };
  const posted = await apiCall(server, 'POST', '/api/v1/identities/', { headers, body: { identifier, traits } });
  assert.equal(posted.status, 200, JSON.stringify(posted.body));
  const got = await apiCall(server, 'GET', `/api/v1/identities/?identifier=${identifier}`, { headers });
  assert.equal(got.status, 200);
  const flag = got.body.flags.find((f) => f.feature.name === feature);
  const fromPost = posted.body.flags.find((f) => f.feature.name === feature);
  assert.equal(flag.feature_state_value, fromPost.feature_state_value, 'GET and POST agree');
  return flag.feature_state_value;
}

const u1 = [
  { trait_key: 'plan', trait_value: 'pro' },
  { trait_key: 'age', trait_value: 30 },
  { trait_key: 'country', trait_value: 'fr' },
];
const u2 = [
  { trait_key: 'plan', trait_value: 'free' },
  { trait_key: 'age', trait_value: 30 },
  { trait_key: 'country', trait_value: 'fr' },
];

before(async () => {
  server = await startServer();
  token = await install(server, 'admin@example.com', 'correct horse battery');
  // The walk (walk.test.mjs) covers creating these in the browser; here they are set up directly.
  const organisation = await call('POST', '/api/v1/organisations/', { name: 'Acme' });
  const project = await call('POST', '/api/v1/projects/', { name: 'Web shop', organisation: organisation.id });
  const development = await call('POST', '/api/v1/environments/', { name: 'Development', project: project.id });
  const production = await call('POST', '/api/v1/environments/', { name: 'Production', project: project.id });
  const banner = await call('POST', `/api/v1/projects/${project.id}/features/`, {
    name: 'banner',
    initial_value: 'default',
    default_enabled: true,
  });
  await call('POST', `/api/v1/projects/${project.id}/features/`, { name: 'checkout', default_enabled: false });
  Object.assign(at, { organisation, project, development, production, banner });
  at.base = `/organisations/${organisation.id}/projects/${project.id}/environments/${production.api_key}`;
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
const group = (name) => page.getByRole('group', { name, exact: true });

async function fillCondition(name, property, operator, value) {
  const g = group(name);
  if (property !== null) await g.getByLabel('Trait').fill(property);
  await g.getByLabel('Operator').selectOption(operator);
  if (value !== null) await g.getByLabel('Value', { exact: true }).fill(value);
}

test('the sidebar leads from an environment to the project’s segments, none yet', async () => {
  await page.goto(`${at.base}/features`);
  await heading('Features in Production').waitFor();
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Segments' }).click();
  await heading('Segments').waitFor();
  await page.getByText('No segments yet.').waitFor();
  assert.equal(new URL(page.url()).pathname, `${at.base}/segments`);
  await visit(page, 'segments-empty', server);
  b.check();
});

test('a segment with nested rules: bad MODULO and REGEX values are caught at their fields', async () => {
  const posts = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith(`/projects/${at.project.id}/segments/`)) posts.push(r.url());
  });
  await page.getByRole('link', { name: 'Create segment' }).click();
  await heading('New segment').waitFor();
  await page.getByLabel('Name').fill('pro users');
  await page.getByLabel('Description').fill('Paying adults in the UK or France');

  // ALL[ plan EQUAL pro, ANY[ age GREATER_THAN 18, country IN uk,fr ] ]
  assert.equal(await group('Rules').getByLabel('Match when').first().inputValue(), 'ALL');
  await fillCondition('Rules, condition 1', 'plan', 'EQUAL', 'pro');
  await page.getByRole('button', { name: 'Add group to Rules' }).click();
  // Focus moves to the new group, so the keyboard carries on from there.
  await page.waitForFunction(() => document.activeElement?.closest('fieldset')?.querySelector('legend')?.textContent === 'Group 1');
  await group('Group 1').getByLabel('Match when').selectOption('ANY');
  await fillCondition('Group 1, condition 1', 'age', 'GREATER_THAN', '18');
  await page.getByRole('button', { name: 'Add condition to Group 1' }).click();
  await page.waitForFunction(() => document.activeElement?.closest('fieldset')?.querySelector('legend')?.textContent === 'Group 1, condition 2');
  await fillCondition('Group 1, condition 2', 'country', 'IN', 'uk,fr');
  await group('Group 1, condition 2').getByText(/comma-separated list/).waitFor();

  await page.getByRole('button', { name: 'Add condition to Rules' }).click();
  await fillCondition('Rules, condition 2', 'n', 'MODULO', '2');
  await page.getByRole('button', { name: 'Add condition to Rules' }).click();
  await fillCondition('Rules, condition 3', 'email', 'REGEX', '([a-z]+');
  await page.getByRole('button', { name: 'Create segment' }).click();
  const modulo = group('Rules, condition 2').getByLabel('Value', { exact: true });
  const regex = group('Rules, condition 3').getByLabel('Value', { exact: true });
  await group('Rules, condition 2').getByText('Enter two numbers as divisor|remainder, e.g. 2|0.').waitFor();
  await group('Rules, condition 3').getByText('This is not a valid regular expression.').waitFor();
  assert.equal(await modulo.getAttribute('aria-invalid'), 'true');
  assert.equal(await regex.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid')), 'true', 'focus on the first bad field');
  assert.deepEqual(posts, [], 'nothing sent while our checks fail');
  await visit(page, 'segment-validation', server);

  // Python's and Rust's regex refuse a look-behind the browser accepts: the API's message lands at the field.
  await modulo.fill('2|0');
  await regex.fill('(?<=@)example');
  await page.getByRole('button', { name: 'Create segment' }).click();
  await group('Rules, condition 3').getByText('Enter a valid regular expression.').waitFor();
  assert.equal(posts.length, 1);
  assert.equal(await page.getByLabel('Name').inputValue(), 'pro users', 'nothing typed is lost');

  await page.getByRole('button', { name: 'Remove Rules, condition 3' }).click();
  await page.getByRole('button', { name: 'Remove Rules, condition 2' }).click();
  await page.getByRole('button', { name: 'Create segment' }).click();
  await heading('Segment pro users').waitFor();
  at.segment = Number(/\/segments\/(\d+)$/.exec(new URL(page.url()).pathname)?.[1]);
  const saved = await call('GET', `/api/v1/projects/${at.project.id}/segments/${at.segment}/`);
  const strip = (rules) =>
    rules.map((r) => ({
      type: r.type,
      conditions: r.conditions.map(({ property, operator, value }) => ({ property, operator, value })),
      // A nested rule holds conditions only, as upstream answers it.
      ...(r.rules ? { rules: strip(r.rules) } : {}),
    }));
  assert.deepEqual(strip(saved.rules), [
    {
      type: 'ALL',
      conditions: [{ property: 'plan', operator: 'EQUAL', value: 'pro' }],
      rules: [
        {
          type: 'ANY',
          conditions: [
            { property: 'age', operator: 'GREATER_THAN', value: '18' },
            { property: 'country', operator: 'IN', value: 'uk,fr' },
          ],
        },
      ],
    },
  ]);
  b.check();
});

test('semver, IS_SET and PERCENTAGE_SPLIT conditions have their own fields and checks', async () => {
  await page.getByRole('button', { name: 'Add condition to Rules' }).click();
  await fillCondition('Rules, condition 2', 'app_version', 'GREATER_THAN_INCLUSIVE', '1.2');
  await group('Rules, condition 2').getByLabel(/Compare as versions/).check();
  await page.getByRole('button', { name: 'Save segment' }).click();
  await group('Rules, condition 2').getByText(/Enter a semantic version/).waitFor();
  await group('Rules, condition 2').getByLabel('Value', { exact: true }).fill('1.2.0');
  await page.getByRole('button', { name: 'Add condition to Rules' }).click();
  await fillCondition('Rules, condition 3', 'plan', 'IS_SET', null);
  assert.equal(await group('Rules, condition 3').getByLabel('Value', { exact: true }).count(), 0, 'IS_SET takes no value');
  await page.getByRole('button', { name: 'Add condition to Rules' }).click();
  await fillCondition('Rules, condition 4', null, 'PERCENTAGE_SPLIT', '101');
  assert.equal(await group('Rules, condition 4').getByLabel('Trait').count(), 0, 'a split has no trait');
  await page.getByRole('button', { name: 'Save segment' }).click();
  await group('Rules, condition 4').getByText('Enter a percentage from 0 to 100.').waitFor();
  await group('Rules, condition 4').getByLabel('Value', { exact: true }).fill('100');
  await page.getByRole('button', { name: 'Save segment' }).click();
  await page.getByText('Saved', { exact: true }).waitFor();
  const saved = await call('GET', `/api/v1/projects/${at.project.id}/segments/${at.segment}/`);
  assert.deepEqual(
    saved.rules[0].conditions.slice(1).map(({ property, operator, value }) => [property, operator, value]),
    [
      ['app_version', 'GREATER_THAN_INCLUSIVE', '1.2.0:semver'],
      ['plan', 'IS_SET', null],
      [null, 'PERCENTAGE_SPLIT', '100'],
    ],
  );
  // Back to the rules the rest of this file relies on (u1 has no app_version).
  for (const n of [4, 3, 2]) await page.getByRole('button', { name: `Remove Rules, condition ${n}` }).click();
  await page.getByRole('button', { name: 'Save segment' }).click();
  await page.getByText('Saved', { exact: true }).waitFor();
  const back = await call('GET', `/api/v1/projects/${at.project.id}/segments/${at.segment}/`);
  assert.equal(back.rules[0].conditions.length, 1);
  b.check();
});

test('an override of banner for the segment in Production reaches matching identities only', async () => {
  await page.getByRole('heading', { name: 'Overrides in Production' }).waitFor();
  await page.getByText('This segment overrides no feature in Production yet.').waitFor();
  await page.getByRole('button', { name: 'Add override' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add override' });
  await dialog.getByLabel('Feature').selectOption({ label: 'banner' });
  await dialog.getByLabel('Value').fill('pro-banner');
  assert.equal(await dialog.getByLabel('Enabled for pro users').isChecked(), true);
  await visit(page, 'segment-override-add', server);
  await dialog.getByRole('button', { name: 'Add override' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const row = page.getByRole('row', { name: /banner/ });
  await row.getByText('pro-banner').waitFor();
  await row.getByText('1 of 1').waitFor();
  await visit(page, 'segment', server);

  assert.equal(await served(at.production.api_key, 'u1', u1), 'pro-banner');
  assert.equal(await served(at.production.api_key, 'u2', u2), 'default', 'plan free is not in the segment');
  assert.equal(await served(at.development.api_key, 'u1', u1), 'default', 'only Production has the override');
  b.check();
});

test('reordering two overrides changes which segment decides', async () => {
  // A second segment that holds everyone, with its own override, last in order.
  const everyone = await call('POST', `/api/v1/projects/${at.project.id}/segments/`, {
    name: 'everyone',
    rules: [{ type: 'ALL', conditions: [{ operator: 'PERCENTAGE_SPLIT', value: '100' }] }],
  });
  await call('POST', `/api/v1/environments/${at.production.api_key}/features/${at.banner.id}/create-segment-override/`, {
    enabled: true,
    feature_state_value: { type: 'unicode', string_value: 'everyone-banner' },
    feature_segment: { segment: everyone.id },
  });
  assert.equal(await served(at.production.api_key, 'u1', u1), 'pro-banner', 'pro users comes first');
  assert.equal(await served(at.production.api_key, 'u2', u2), 'everyone-banner');

  await page.reload();
  const row = page.getByRole('row', { name: /banner/ });
  await row.getByText('1 of 2').waitFor();
  await row.getByRole('button', { name: "Change order of banner's overrides" }).click();
  const dialog = page.getByRole('dialog', { name: 'Order of overrides' });
  await dialog.getByText(/the first segment that matches, top to bottom, decides/).waitFor();
  const names = () => dialog.locator('.order-name').allTextContents();
  assert.deepEqual(await names(), ['pro users (this segment)', 'everyone']);
  // From the keyboard: focus "Move up everyone" and press Enter.
  await dialog.getByRole('button', { name: 'Move up everyone' }).focus();
  await page.keyboard.press('Enter');
  assert.deepEqual(await names(), ['everyone', 'pro users (this segment)']);
  // Focus follows the moved item once the list has re-rendered.
  await page.waitForFunction(() => document.activeElement?.textContent === 'Move down everyone');
  await visit(page, 'segment-order', server);
  await dialog.getByRole('button', { name: 'Save order' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await row.getByText('2 of 2').waitFor();

  const order = await call('GET', `/api/v1/features/feature-segments/?environment=${at.production.id}&feature=${at.banner.id}`);
  assert.deepEqual(
    order.results.map((o) => o.segment_name),
    ['everyone', 'pro users'],
  );
  assert.equal(await served(at.production.api_key, 'u1', u1), 'everyone-banner', 'everyone now decides');
  b.check();
});

test('editing and removing the override; deleting a segment asks for its name', async () => {
  const row = page.getByRole('row', { name: /banner/ });
  await row.getByRole('button', { name: 'Edit value of banner' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit override' });
  assert.equal(await edit.getByLabel('Value').inputValue(), 'pro-banner');
  await edit.getByLabel('Value').fill('42');
  await edit.getByRole('button', { name: 'Save override' }).click();
  await edit.waitFor({ state: 'hidden' });
  await row.getByText('42', { exact: true }).waitFor();
  const toggle = page.getByRole('switch', { name: 'banner enabled for pro users in Production' });
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  await toggle.click();
  await page.getByRole('status').filter({ hasText: 'banner is off for pro users in Production.' }).waitFor();
  const states = await call('GET', `/api/v1/features/featurestates/?environment=${at.production.id}&feature=${at.banner.id}`);
  const ours = states.results.find((s) => s.feature_segment !== null && s.feature_state_value.integer_value === 42);
  assert.ok(ours, JSON.stringify(states.results));
  assert.equal(ours.feature_state_value.type, 'int');
  assert.equal(ours.enabled, false);

  await row.getByRole('button', { name: 'Remove override of banner' }).click();
  const remove = page.getByRole('dialog', { name: 'Remove override' });
  await visit(page, 'segment-override-remove', server);
  await remove.getByRole('button', { name: 'Remove override' }).click();
  await remove.waitFor({ state: 'hidden' });
  await page.getByText('This segment overrides no feature in Production yet.').waitFor();
  const order = await call('GET', `/api/v1/features/feature-segments/?environment=${at.production.id}&feature=${at.banner.id}`);
  assert.deepEqual(order.results.map((o) => o.segment_name), ['everyone']);

  await page.getByRole('link', { name: 'Back to segments' }).click();
  await heading('Segments').waitFor();
  await page.getByLabel('Search segments by name').fill('PRO');
  await page.getByText('1 of 2 segments').waitFor();
  await visit(page, 'segments', server);
  await page.getByRole('button', { name: 'Delete pro users' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete segment' });
  await confirm.getByLabel('Type pro users to confirm').fill('pro');
  await confirm.getByRole('button', { name: 'Delete segment' }).click();
  await confirm.getByText('Type the name exactly as shown.').waitFor();
  await visit(page, 'segment-delete', server);
  await confirm.getByLabel('Type pro users to confirm').fill('pro users');
  await confirm.getByRole('button', { name: 'Delete segment' }).click();
  await confirm.waitFor({ state: 'hidden' });
  await page.getByText('0 of 1 segment').waitFor();
  const left = await call('GET', `/api/v1/projects/${at.project.id}/segments/`);
  assert.deepEqual(left.results.map((s) => s.name), ['everyone']);
  b.check();
});

test('a condition on another flag’s state: chosen in the builder, kept on reload, served by the SDK', async () => {
  // checkout is off by default; pro plans get it on in Production through a segment of their own.
  const features = await call('GET', `/api/v1/projects/${at.project.id}/features/`);
  const checkout = features.results.find((f) => f.name === 'checkout');
  const promo = await call('POST', `/api/v1/projects/${at.project.id}/features/`, {
    name: 'promo',
    initial_value: 'none',
    default_enabled: true,
  });
  const proPlan = await call('POST', `/api/v1/projects/${at.project.id}/segments/`, {
    name: 'pro plan',
    rules: [{ type: 'ALL', rules: [], conditions: [{ property: 'plan', operator: 'EQUAL', value: 'pro' }] }],
  });
  const override = (feature, segment, value) =>
    call('POST', `/api/v1/environments/${at.production.api_key}/features/${feature}/create-segment-override/`, {
      enabled: true,
      feature_state_value: { type: 'unicode', string_value: value },
      feature_segment: { segment },
    });
  await override(checkout.id, proPlan.id, '');

  await page.goto(`${at.base}/segments`);
  await page.getByRole('link', { name: 'Create segment' }).click();
  await heading('New segment').waitFor();
  await page.getByLabel('Name').fill('checkout users');
  const condition = group('Rules, condition 1');
  await condition.getByLabel('Test', { exact: true }).selectOption('flag');
  assert.equal(await condition.getByLabel('Trait').count(), 0, 'a flag condition has no trait');
  await page.getByRole('button', { name: 'Create segment' }).click();
  await condition.getByText('Choose the flag to test.').waitFor();
  await condition.getByLabel('Flag').selectOption('checkout');
  assert.equal(await condition.getByLabel('State').inputValue(), 'true', 'is on by default');
  await visit(page, 'segment-flag-condition', server);
  await page.getByRole('button', { name: 'Create segment' }).click();
  await heading('Segment checkout users').waitFor();
  const id = Number(/\/segments\/(\d+)$/.exec(new URL(page.url()).pathname)?.[1]);
  const saved = await call('GET', `/api/v1/projects/${at.project.id}/segments/${id}/`);
  const [{ property, operator, value }] = saved.rules[0].conditions;
  assert.deepEqual({ property, operator, value }, { property: "$.flags['checkout'].enabled", operator: 'EQUAL', value: 'true' });

  await page.reload();
  await heading('Segment checkout users').waitFor();
  assert.equal(await condition.getByLabel('Test', { exact: true }).inputValue(), 'flag');
  assert.equal(await condition.getByLabel('Flag').inputValue(), 'checkout');

  await override(promo.id, id, 'with-checkout');
  const pro = [{ trait_key: 'plan', trait_value: 'pro' }];
  const free = [{ trait_key: 'plan', trait_value: 'free' }];
  assert.equal(await served(at.production.api_key, 'u5', pro, 'promo'), 'with-checkout', 'checkout is on for pro');
  assert.equal(await served(at.production.api_key, 'u6', free, 'promo'), 'none', 'checkout is off for free');
  b.check();
});
