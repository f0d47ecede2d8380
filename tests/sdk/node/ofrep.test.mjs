// OpenFeature's JS SDKs with the OFREP providers: the server one (single-flag endpoint) and the
// web one (bulk endpoint, ETag).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
import { ErrorCode, OpenFeature, StandardResolutionReasons } from '@openfeature/server-sdk';
import { OpenFeature as WebFeature } from '@openfeature/web-sdk';
import { state } from './state.mjs';

test('server provider: values, reasons, targeting, errors', async () => {
  await OpenFeature.setProviderAndWait(
    'flagstaff',
    new OFREPProvider({ baseUrl: state.base, headers: [['X-API-Key', state.client_key]] }),
  );
  const client = OpenFeature.getClient('flagstaff');
  const banner = await client.getStringDetails('banner', 'fallback');
  assert.equal(banner.value, 'hello');
  assert.equal(banner.reason, StandardResolutionReasons.STATIC);
  assert.equal(await client.getNumberValue('max_items', 0), 10);
  assert.equal(await client.getBooleanValue('Dark Mode', false), true);

  const pro = await client.getStringDetails('premium', 'fallback', { targetingKey: 'of-1', plan: 'pro' });
  assert.equal(pro.value, 'gold');
  assert.equal(pro.reason, StandardResolutionReasons.TARGETING_MATCH);
  assert.equal(await client.getStringValue('banner', 'x', { targetingKey: 'ada' }), 'hello, Ada');

  const missing = await client.getStringDetails('no_such_flag', 'fallback');
  assert.equal(missing.value, 'fallback');
  assert.equal(missing.errorCode, ErrorCode.FLAG_NOT_FOUND);
  const mismatch = await client.getNumberDetails('banner', 7);
  assert.equal(mismatch.value, 7);
  assert.equal(mismatch.errorCode, ErrorCode.TYPE_MISMATCH);

  // Bearer works as well as X-API-Key.
  await OpenFeature.setProviderAndWait(
    'bearer',
    new OFREPProvider({ baseUrl: state.base, headers: [['Authorization', `Bearer ${state.client_key}`]] }),
  );
  assert.equal(await OpenFeature.getClient('bearer').getStringValue('banner', 'x'), 'hello');

  await OpenFeature.setProviderAndWait(
    'bad',
    new OFREPProvider({ baseUrl: state.base, headers: [['X-API-Key', 'nope']] }),
  );
  const bad = await OpenFeature.getClient('bad').getStringDetails('banner', 'fallback');
  assert.equal(bad.value, 'fallback');
  assert.notEqual(bad.errorCode, undefined);
  await OpenFeature.close();
});

test('web provider: the bulk endpoint', async () => {
  await WebFeature.setContext('web', { targetingKey: 'web-1', plan: 'pro' });
  await WebFeature.setProviderAndWait(
    'web',
    new OFREPWebProvider({ baseUrl: state.base, headers: [['X-API-Key', state.client_key]] }),
  );
  const client = WebFeature.getClient('web');
  assert.equal(client.getStringValue('premium', 'fallback'), 'gold');
  assert.equal(client.getStringValue('banner', 'fallback'), 'hello');
  assert.equal(client.getNumberValue('max_items', 0), 10);
  const missing = client.getStringDetails('no_such_flag', 'fallback');
  assert.equal(missing.value, 'fallback');
  assert.equal(missing.errorCode, 'FLAG_NOT_FOUND');
  // A new context is a new bulk evaluation.
  await WebFeature.setContext('web', { targetingKey: 'web-1', plan: 'free' });
  assert.equal(client.getStringValue('premium', 'fallback'), 'basic');
  await WebFeature.close();
});
