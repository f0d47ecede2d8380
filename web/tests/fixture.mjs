// The browser tests' fixture: a fresh Flagstaff server (fresh SQLite, or a fresh PostgreSQL
// database when FLAGSTAFF_TEST_DATABASE_URL is set), Debian's Chromium through playwright-core,
// and the checks every test makes: no console or page errors, no request to another host, no
// serious or critical axe violations, and screenshots of every screen in both themes.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const web = resolve(here, '..');
const binary = resolve(web, process.env.FLAGSTAFF_BIN ?? '../target/debug/flagstaff');
export const screensDir = resolve(web, '../target/screens');
const axeSource = readFileSync(join(web, 'node_modules/axe-core/axe.min.js'), 'utf8');

function freePort() {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Stopped by a signal, exit normally, so the 'exit' handlers below end the servers started here.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

/** A fresh PostgreSQL database on FLAGSTAFF_TEST_DATABASE_URL's server, or null. */
function freshDatabase() {
  const admin = process.env.FLAGSTAFF_TEST_DATABASE_URL;
  if (!admin) return null;
  const name = `flagstaff_web_${process.pid}_${Date.now()}`;
  execFileSync('psql', [admin, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`], { stdio: 'inherit' });
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop: () =>
      execFileSync('psql', [admin, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`], { stdio: 'inherit' }),
  };
}

/** Starts `flagstaff serve` on a free port with fresh data; resolves when it is ready. */
export async function startServer({ env: extra = {} } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'flagstaff-web-'));
  const database = freshDatabase();
  const env = { ...process.env, FLAGSTAFF_DATA_DIR: dataDir, FLAGSTAFF_LOG_LEVEL: 'warn', ...extra };
  delete env.FLAGSTAFF_DATABASE_URL;
  delete env.DATABASE_URL;
  if (database) env.FLAGSTAFF_DATABASE_URL = database.url;
  let child;
  let url;
  for (let attempt = 0; ; attempt += 1) {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(binary, ['serve', '--bind', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    // A test run that is stopped (or ends without its after hook) does not leave the server behind.
    const orphan = child;
    process.once('exit', () => {
      orphan.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    });
    if (await ready(child, url)) break;
    child.kill('SIGKILL');
    if (attempt === 2) throw new Error(`${binary} did not become ready`);
  }
  return {
    url,
    database: database ? 'postgres' : 'sqlite',
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function ready(child, url) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    try {
      if ((await fetch(`${url}/health/readiness/`)).status === 200) return true;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  return false;
}

/** Calls the API from node (setup data and checks outside the browser). */
export async function apiCall(server, method, path, { token, body, headers = {} } = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token ? { Authorization: `Token ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: response.status, body: json };
}

const launchArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A browser page on the server with the checks attached: call `check()` after each test.
 */
export async function openBrowser(server) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: launchArgs });
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
  const origin = new URL(server.url).origin;
  const foreign = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    foreign.push(url);
    return route.abort('blockedbyclient');
  });
  const problems = [];
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // The browser reports every 4xx answer as "Failed to load resource". The API answers 4xx on
    // purpose (404 from the install form once a user exists, 400 for a bad name, 401 when a
    // session expires); those are the app's to show, not errors in the page.
    const at = message.location().url ?? '';
    const api = at.startsWith(`${origin}/`) && new URL(at).pathname.includes('/api/');
    if (api && /Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) return;
    problems.push(`console error: ${message.text()} (${at})`);
  });
  return {
    browser,
    context,
    page,
    /** Nothing went wrong in the page so far, and no other host was asked for anything. */
    check() {
      assert.deepEqual(foreign, [], 'requests to other hosts');
      assert.deepEqual(problems.splice(0), [], 'console or page errors');
    },
    close: () => browser.close(),
  };
}

/** Runs axe on the page as it is (and, when a dialog is open, on it): no serious or critical violations. */
export async function checkAccessibility(page, name) {
  // page.evaluate runs through the DevTools protocol, which the page's CSP does not govern.
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!loaded) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `accessibility of ${name}`);
}

/** Screenshots the page in the light and the dark theme, and checks accessibility in both. */
export async function visit(page, name, server) {
  mkdirSync(screensDir, { recursive: true });
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    await checkAccessibility(page, `${name} (${colorScheme})`);
    await page.screenshot({ path: join(screensDir, `${server.database}-${name}-${colorScheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** The first administrator through the install form, logged in: resolves to the token. */
export async function install(server, email, password) {
  const form = await fetch(`${server.url}/api/v1/users/config/init/`);
  const token = /name="token" value="([^"]*)"/.exec(await form.text())?.[1];
  assert.ok(token, 'install form token');
  const created = await fetch(`${server.url}/api/v1/users/config/init/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password, site_name: 'Flagstaff', site_domain: 'localhost', token }),
  });
  assert.equal(created.status, 201);
  return logIn(server, email, password);
}

export async function logIn(server, email, password) {
  const login = await apiCall(server, 'POST', '/api/v1/auth/login/', { body: { email, password } });
  assert.equal(login.status, 200);
  return login.body.key;
}

/** The flags an environment's SDK key gets from GET /api/v1/flags/, by feature name. */
export async function sdkFlags(server, environmentKey) {
  const flags = await apiCall(server, 'GET', '/api/v1/flags/', { headers: { 'X-Environment-Key': environmentKey } });
  assert.equal(flags.status, 200);
  return Object.fromEntries(flags.body.map((f) => [f.feature.name, f]));
}
