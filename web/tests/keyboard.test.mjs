// The keyboard: Ctrl-K's command palette goes to a feature, a segment, an identity and a screen;
// Escape closes it and gives the focus back; unsaved changes ask "Leave without saving?" on a
// sidebar link and on back, and keep what was typed on Stay. And the first load carries only the
// shell's script: a screen's chunk comes on its first visit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, install, openBrowser, startServer, visit } from './fixture.mjs';

const email = 'admin@example.com';
const password = 'correct horse battery';
let server;
let b;
let page;
const at = {};
/** The script files the page asked for, in order. */
const scripts = [];

before(async () => {
  server = await startServer();
  b = await openBrowser(server);
  page = b.page;
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
  });
  // What is not under test comes through the API.
  const token = await install(server, email, password);
  const call = async (method, path, body) => {
    const r = await apiCall(server, method, path, { token, body });
    assert.ok([200, 201].includes(r.status), `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  at.organisation = (await call('POST', '/api/v1/organisations/', { name: 'Acme' })).id;
  at.project = (await call('POST', '/api/v1/projects/', { name: 'Web shop', organisation: at.organisation })).id;
  at.key = (await call('POST', '/api/v1/environments/', { name: 'Production', project: at.project })).api_key;
  await call('POST', '/api/v1/environments/', { name: 'Staging', project: at.project });
  for (const name of ['checkout_v2', 'dark_mode', 'search_ranking']) {
    await call('POST', `/api/v1/projects/${at.project}/features/`, { name, default_enabled: false });
  }
  at.segment = (
    await call('POST', `/api/v1/projects/${at.project}/segments/`, {
      name: 'Pro customers',
      rules: [{ type: 'ALL', rules: [], conditions: [{ operator: 'EQUAL', property: 'plan', value: 'pro' }] }],
    })
  ).id;
  for (const identifier of ['alice@example.com', 'bob@example.com']) {
    await call('POST', `/api/v1/environments/${at.key}/identities/`, { identifier });
  }
});

after(async () => {
  await b?.close();
  await server?.stop();
});

const heading = (name) => page.getByRole('heading', { level: 1, name });
const path = () => new URL(page.url()).pathname;
const project = () => `/organisations/${at.organisation}/projects/${at.project}`;
const environment = () => `${project()}/environments/${at.key}`;
const palette = () => page.getByRole('dialog', { name: 'Go to' });
const combobox = () => palette().getByRole('combobox', { name: 'Feature, segment, identity or screen' });
const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');
const selected = () => palette().locator('[role="option"][aria-selected="true"]');

/** Ctrl-K, then the combobox has the focus. */
async function openPalette() {
  await page.keyboard.press('Control+k');
  await combobox().waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'palette-input');
}

test('the first load carries only the shell; a screen area loads its chunk on its first visit', async () => {
  await page.goto('/login');
  await heading('Log in').waitFor();
  assert.equal(scripts.length, 1, `scripts on the login screen: ${scripts.join(', ')}`);
  assert.match(scripts[0], /^\/static\/index-[\w-]+\.js$/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await heading(/^Projects/).waitFor();
  assert.ok(scripts.some((s) => /\/static\/projects-[\w-]+\.js$/.test(s)), scripts.join(', '));

  const before = scripts.length;
  await page.getByRole('link', { name: 'Web shop' }).click();
  await heading(/^Environments/).waitFor();
  assert.ok(scripts.slice(before).some((s) => /\/static\/environments-[\w-]+\.js$/.test(s)), scripts.join(', '));
  b.check();
});

test("Ctrl-K opens the palette; part of a feature name and Enter open the feature's page", async () => {
  await page.goto(`${environment()}/identities`);
  await heading(/^Identities/).waitFor();
  await openPalette();
  // With nothing typed, the screens.
  await palette().getByRole('option', { name: /^Screen Audit log/ }).first().waitFor();
  await visit(page, 'palette', server);

  await page.keyboard.type('ckout');
  await palette().getByRole('option', { name: /^Feature checkout_v2 in Production/ }).waitFor();
  assert.match(await selected().textContent(), /checkout_v2/);
  const active = await combobox().getAttribute('aria-activedescendant');
  assert.equal(await selected().getAttribute('id'), active, 'the combobox points at the selected option');
  await visit(page, 'palette-feature', server);
  await page.keyboard.press('Enter');
  await palette().waitFor({ state: 'hidden' });
  await heading('checkout_v2').waitFor();
  assert.match(path(), new RegExp(`^${environment()}/features/\\d+$`));
  b.check();
});

test("a segment's name jumps to the segment; an identity's identifier, searched on the server, to the identity", async () => {
  await openPalette();
  await page.keyboard.type('pro cust');
  await palette().getByRole('option', { name: /^Segment Pro customers/ }).waitFor();
  await page.keyboard.press('Enter');
  await heading(/^Segment/).waitFor();
  assert.equal(path(), `${environment()}/segments/${at.segment}`);
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Pro customers');

  const searches = [];
  const listen = (r) => r.url().includes('/identities/?') && searches.push(new URL(r.url()).searchParams.get('q'));
  page.on('request', listen);
  await openPalette();
  await page.keyboard.type('alice@', { delay: 30 });
  await palette().getByRole('option', { name: /^Identity alice@example\.com/ }).waitFor();
  page.off('request', listen);
  // Debounced: one search for what was typed once typing paused, not one per letter.
  assert.deepEqual(searches, ['alice@']);
  assert.equal(await palette().getByRole('option', { name: /bob@example\.com/ }).count(), 0);
  await page.keyboard.press('Enter');
  await heading(/alice@example\.com/).waitFor();
  assert.match(path(), new RegExp(`^${environment()}/identities/\\d+$`));
  b.check();
});

test('"audit" goes to the audit log; the arrows move through the results', async () => {
  await openPalette();
  await page.keyboard.type('audit');
  await palette().getByRole('option', { name: /^Screen Audit log of the organisation/ }).waitFor();
  assert.match(await selected().textContent(), /^Screen Audit log of Web shop/);
  await page.keyboard.press('ArrowDown');
  assert.match(await selected().textContent(), /Audit log of the organisation/);
  await page.keyboard.press('ArrowUp');
  assert.match(await selected().textContent(), /^Screen Audit log of Web shop/);
  await page.keyboard.press('Enter');
  await heading(/^Audit log of Web shop/).waitFor();
  assert.equal(path(), `${project()}/audit`);
  b.check();
});

test('Escape closes the palette and gives the focus back; so does the top bar button', async () => {
  const link = page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Segments' });
  await link.focus();
  await openPalette();
  await page.keyboard.type('zzz');
  await palette().getByText('Nothing matches “zzz”.').waitFor();
  await page.keyboard.press('Escape');
  await palette().waitFor({ state: 'hidden' });
  assert.equal(path(), `${project()}/audit`);
  assert.equal(await link.evaluate((el) => el === document.activeElement), true, 'focus back on the link');

  const button = page.getByRole('button', { name: /^Search…/ });
  assert.match(await button.textContent(), /Ctrl K/);
  await button.focus();
  await page.keyboard.press('Enter');
  await combobox().waitFor();
  assert.equal(await combobox().inputValue(), '', 'a new search each time');
  await page.keyboard.press('Escape');
  await palette().waitFor({ state: 'hidden' });
  assert.equal(await button.evaluate((el) => el === document.activeElement), true, 'focus back on the button');
  b.check();
});

test('unsaved settings: a sidebar link asks "Leave without saving?"; Stay keeps the text, Leave goes', async () => {
  const nav = page.getByRole('navigation', { name: 'Sections' });
  await nav.getByRole('link', { name: 'Project settings' }).click();
  await heading(/^Project settings/).waitFor();
  const prompt = page.getByRole('dialog', { name: 'Leave without saving?' });
  const unload = () =>
    page.evaluate(() => {
      const event = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    });
  assert.equal(await unload(), false, 'nothing typed: the tab closes without a question');

  const name = page.getByLabel('Name', { exact: true });
  await name.focus();
  await page.keyboard.press('End');
  await page.keyboard.type(' (renamed)');
  assert.equal(await unload(), true, "typed: closing or reloading the tab gets the browser's question");

  await nav.getByRole('link', { name: 'Audit log' }).focus();
  await page.keyboard.press('Enter');
  await prompt.waitFor();
  assert.equal(await focusedId(), '', 'the focus is in the question');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Stay');
  await visit(page, 'leave-prompt', server);
  await page.keyboard.press('Enter');
  await prompt.waitFor({ state: 'hidden' });
  assert.equal(path(), `${project()}/settings`);
  assert.equal(await name.inputValue(), 'Web shop (renamed)');

  await nav.getByRole('link', { name: 'Audit log' }).focus();
  await page.keyboard.press('Enter');
  await prompt.waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Leave');
  await page.keyboard.press('Enter');
  await heading(/^Audit log of Web shop/).waitFor();
  assert.equal(path(), `${project()}/audit`);
  assert.equal(await unload(), false, 'left: nothing unsaved any more');
  b.check();
});

test('a half-typed new feature: back asks first; Stay keeps the dialog and its text, Leave goes back', async () => {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Production' }).click();
  await heading('Features in Production').waitFor();
  await page.getByRole('button', { name: 'Create feature' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Create feature' });
  await dialog.waitFor();
  await page.keyboard.type('half_typed');
  const prompt = page.getByRole('dialog', { name: 'Leave without saving?' });

  // The browser's back (the modal dialog covers the sidebar, so back or Ctrl-K are the ways out).
  await page.evaluate(() => history.back());
  await prompt.waitFor();
  await page.waitForFunction((want) => location.pathname === want, `${environment()}/features`);
  await visit(page, 'leave-prompt-create-feature', server);
  await page.keyboard.press('Escape');
  await prompt.waitFor({ state: 'hidden' });
  assert.equal(path(), `${environment()}/features`);
  assert.equal(await dialog.getByLabel('Name').inputValue(), 'half_typed');

  // Ctrl-K from inside the dialog, to another screen: asked too.
  await openPalette();
  await page.keyboard.type('usage');
  await palette().getByRole('option', { name: /^Screen Usage/ }).waitFor();
  await page.keyboard.press('Enter');
  await prompt.waitFor();
  await page.getByRole('button', { name: 'Stay' }).click();
  await prompt.waitFor({ state: 'hidden' });
  assert.equal(await dialog.getByLabel('Name').inputValue(), 'half_typed');

  await page.evaluate(() => history.back());
  await prompt.waitFor();
  await page.getByRole('button', { name: 'Leave' }).click();
  await heading(/^Audit log of Web shop/).waitFor();
  assert.equal(path(), `${project()}/audit`);
  // Forward again: nothing unsaved now, no question.
  await page.evaluate(() => history.forward());
  await heading('Features in Production').waitFor();
  assert.equal(await prompt.isVisible(), false);
  b.check();
});
