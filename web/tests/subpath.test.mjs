// Behind a reverse proxy under /flags/ (public_url set, the proxy strips the prefix): every
// asset, API call and route of the dashboard stays under /flags/, and deep links work there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { install, openBrowser, startServer, visit } from './fixture.mjs';

const email = 'admin@example.com';
const password = 'correct horse battery';
let proxy;
let server;
let b;
const seen = [];

/** A reverse proxy that serves `target` under /flags/ and answers 404 for anything else. */
function startProxy() {
  const state = { target: null };
  const listener = createServer((req, res) => {
    seen.push(req.url);
    if (!req.url.startsWith('/flags/')) {
      res.writeHead(404).end('outside the sub-path');
      return;
    }
    const upstream = new URL(state.target);
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url.slice('/flags'.length), headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  return new Promise((ok) =>
    listener.listen(0, '127.0.0.1', () => ok({ state, url: `http://127.0.0.1:${listener.address().port}`, listener })),
  );
}

before(async () => {
  proxy = await startProxy();
  server = await startServer({ env: { FLAGSTAFF_PUBLIC_URL: `${proxy.url}/flags/` } });
  proxy.state.target = server.url;
  await install(server, email, password);
  // The browser talks to the proxy only; the fixture's host check is against it.
  b = await openBrowser({ ...server, url: proxy.url });
});

after(async () => {
  await b?.close();
  await server?.stop();
  await new Promise((r) => proxy?.listener.close(r));
});

test('under /flags/, login, navigation and deep links stay under the sub-path', async () => {
  const { page } = b;
  await page.goto('/flags/organisations');
  await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/flags/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Organisations' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/flags/organisations');

  await page.getByLabel('Name').fill('Proxied');
  await page.getByRole('button', { name: 'Create organisation' }).click();
  await page.getByRole('heading', { level: 1, name: /^Projects/ }).waitFor();
  assert.match(new URL(page.url()).pathname, /^\/flags\/organisations\/\d+$/);
  await page.getByLabel('Name').fill('Site');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('heading', { level: 1, name: /^Environments/ }).waitFor();
  await page.getByLabel('Name').fill('Live');
  await page.getByRole('button', { name: 'Create environment' }).click();
  await page.getByRole('heading', { level: 1, name: 'Features in Live' }).waitFor();
  const deep = new URL(page.url()).pathname;
  assert.match(deep, /^\/flags\/organisations\/\d+\/projects\/\d+\/environments\/[^/]+\/features$/);

  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Features in Live' }).waitFor();
  await page.goBack();
  await page.getByRole('heading', { level: 1, name: /^Environments/ }).waitFor();
  await visit(page, 'subpath-environments', server);

  const outside = seen.filter((url) => !url.startsWith('/flags/'));
  assert.deepEqual(outside, [], 'every request under /flags/');
  assert.ok(seen.some((url) => url.startsWith('/flags/api/v1/')), 'API calls went through the sub-path');
  assert.ok(seen.some((url) => url.startsWith('/flags/static/')), 'assets went through the sub-path');
  b.check();
});
