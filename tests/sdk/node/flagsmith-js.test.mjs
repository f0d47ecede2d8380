// Flagsmith's official JS client SDK (`flagsmith`, as `flagsmith/isomorphic` runs it in Node).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFlagsmithInstance } from 'flagsmith/isomorphic';
import { admin, apiUrl, eventually, identitiesNamed, state } from './state.mjs';

async function client(options = {}, { storage = false } = {}) {
  const flagsmith = createFlagsmithInstance();
  // In a browser the client has storage; under Node only when its constructor is told so,
  // which createFlagsmithInstance does not do.
  flagsmith.canUseStorage = storage;
  await flagsmith.init({ environmentID: state.client_key, api: apiUrl, ...options });
  return flagsmith;
}

test('environment flags, names as the client keys them', async () => {
  const flagsmith = await client();
  assert.equal(flagsmith.getValue('banner'), 'hello');
  assert.equal(flagsmith.getValue('max_items'), 10);
  assert.equal(flagsmith.hasFeature('beta'), false);
  // The client lower-cases names and turns spaces into underscores.
  assert.equal(flagsmith.hasFeature('dark_mode'), true);
  assert.equal(flagsmith.getValue('server_only'), null);
});

test('identify without traits, then with traits', async () => {
  const flagsmith = await client();
  await flagsmith.identify('ada');
  assert.equal(flagsmith.getValue('banner'), 'hello, Ada');
  assert.equal(flagsmith.getTrait('plan'), 'pro');

  const js = await client();
  await js.identify('js-bea', { plan: 'pro', seats: 4 });
  assert.equal(js.getValue('premium'), 'gold');
  assert.equal(js.getTrait('seats'), 4);
  await js.setTrait('plan', 'free');
  assert.equal(js.getValue('premium'), 'basic');
  assert.equal((await identitiesNamed('js-bea')).length, 1);
});

test('transient identity', async () => {
  const flagsmith = await client();
  await flagsmith.identify('js-ghost', { plan: 'pro' }, true);
  assert.equal(flagsmith.getValue('premium'), 'gold');
  assert.deepEqual(await identitiesNamed('js-ghost'), []);
});

test('analytics are counted', async () => {
  // The client counts evaluations only where it has storage, as in a browser.
  const flagsmith = await client({ enableAnalytics: true }, { storage: true });
  await eventually(() => flagsmith.evaluationEvent !== null);
  for (let n = 0; n < 5; n++) flagsmith.getValue('experiment');
  // What the client's 10 s timer calls; not in its typings, so called by name.
  await flagsmith.analyticsFlags();
  clearInterval(flagsmith.analyticsInterval);
  const feature = state.features.experiment;
  const path =
    `/api/v1/projects/${state.project}/features/${feature}/evaluation-data/` +
    `?environment_id=${state.environment}&period=1d`;
  const counted = await eventually(async () => (await admin(path)).reduce((n, d) => n + d.count, 0) >= 5);
  assert.ok(counted, JSON.stringify(await admin(path)));
});

test('a bad key fails init', async () => {
  const flagsmith = createFlagsmithInstance();
  await assert.rejects(flagsmith.init({ environmentID: 'not-a-key', api: apiUrl }));
});
