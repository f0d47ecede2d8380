// Flagsmith's JS client SDK (`flagsmith`) with `realtime: true`, in Chromium as in a browser:
// it hears the change on Flagstaff's stream and fetches the flags again, without polling.
// The page comes from an origin of its own, so the client's requests and its EventSource are
// cross-origin, as on a real site.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { admin, adminWrite, apiUrl, report, state } from './state.mjs';

// The package's browser build (its `main`), as a site would load it.
const bundle = readFileSync(createRequire(import.meta.url).resolve('flagsmith'));
let site;
let browser;
let page;

before(async () => {
  site = createServer((request, response) => {
    if (request.url === '/flagsmith.js') {
      response.writeHead(200, { 'Content-Type': 'text/javascript' });
      response.end(bundle);
    } else {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<!doctype html><title>shop</title><script src="/flagsmith.js"></script>');
    }
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`http://127.0.0.1:${site.address().port}/`);
  assert.deepEqual(problems, []);
});

after(async () => {
  await browser?.close();
  site?.close();
});

test('realtime: a change reaches the client through the stream', async () => {
  const enabled = await page.evaluate(
    async ({ environmentID, api, eventSourceUrl }) => {
      const flagsmith = window.index.default;
      await flagsmith.init({ environmentID, api, realtime: true, eventSourceUrl });
      window.flagsmith = flagsmith;
      return flagsmith.hasFeature('realtime');
    },
    { environmentID: state.client_key, api: apiUrl, eventSourceUrl: `${state.base}/` },
  );
  // The stream is open once its first event has come.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const feature = state.features.realtime;
  const states = await admin(`/api/v1/environments/${state.client_key}/featurestates/?feature=${feature}`);
  const path = `/api/v1/environments/${state.client_key}/featurestates/${states.results[0].id}/`;
  const changed = performance.now();
  await adminWrite('PATCH', path, { enabled: !enabled });
  await page.waitForFunction((was) => window.flagsmith.hasFeature('realtime') !== was, enabled, {
    polling: 5,
    timeout: 10_000,
  });
  const delay = performance.now() - changed;
  report(`flagsmith (JS, Chromium), realtime: the change seen after ${delay.toFixed(0)} ms`);
});
