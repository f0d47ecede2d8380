// The API's own documentation at /api/v1/docs/: Swagger UI renders the committed document from
// the server alone (no validator badge, nothing from another host), gzipped on the wire.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openBrowser, screensDir, startServer } from './fixture.mjs';

let server;
let b;

before(async () => {
  server = await startServer();
  b = await openBrowser(server);
});

after(async () => {
  await b?.close();
  await server?.stop();
});

test('the docs page shows every tag and operation, from this server alone', async () => {
  const { page } = b;
  const response = await page.goto('/api/v1/docs/');
  assert.equal(response.status(), 200);
  assert.equal((await response.allHeaders())['content-encoding'], 'gzip');
  await page.locator('.opblock-tag').first().waitFor();
  const doc = await (await fetch(`${server.url}/api/v1/swagger.json`)).json();
  const tags = new Set(Object.values(doc.paths).flatMap((item) => Object.values(item).flatMap((op) => op.tags ?? [])));
  assert.equal(await page.locator('.opblock-tag').count(), tags.size);
  // No "valid" badge: it is an image from validator.swagger.io.
  assert.equal(await page.locator('.validator-badge, img[src*="validator"]').count(), 0);
  // An operation opens with its summary, its error answers and their example bodies.
  const login = page.locator('#operations-Accounts-auth_login_create');
  await login.locator('.opblock-summary').click();
  await login.locator('.responses-table').waitFor();
  for (const status of ['200', '400', '429', '503']) {
    assert.equal(await login.locator(`.response[data-code="${status}"]`).count(), 1, `login declares ${status}`);
  }
  mkdirSync(screensDir, { recursive: true });
  await page.screenshot({ path: join(screensDir, `${server.database}-api-docs.png`) });
  b.check();
});
