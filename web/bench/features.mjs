// Times the features screen with 1,000 features in Debian's Chromium, measured in the page: from navigation to the list shown, and from a keystroke in the search box to the filtered list; and the first load's gzipped size.
//
//   FLAGSTAFF_BIN=target/release/flagstaff node web/bench/features.mjs [runs]
//
// The server is the binary FLAGSTAFF_BIN names (default target/debug/flagstaff) on a fresh SQLite
// database, as the browser tests start it. Prints one line per measure: median, min and max in ms.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { apiCall, install, openBrowser, startServer } from '../tests/fixture.mjs';

const FEATURES = 1000;
const runs = Number(process.argv[2] ?? 10);
const assets = resolve(dirname(fileURLToPath(import.meta.url)), '../../assets');

/** The gzipped bytes of index.html's own scripts and stylesheets (what the first load fetches). */
function firstLoad() {
  const html = readFileSync(join(assets, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\.\/(static\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  const preloads = readdirSync(join(assets, 'static')).length;
  const bytes = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(assets, f)), { level: 9 }).length, 0);
  return { files, bytes, preloads };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(0)} ms, min ${s[0].toFixed(0)}, max ${s[s.length - 1].toFixed(0)} (${s.length} runs)`;
};

const server = await startServer();
try {
  const token = await install(server, 'admin@example.com', 'correct horse battery');
  const post = async (path, body) => (await apiCall(server, 'POST', path, { token, body })).body;
  const organisation = await post('/api/v1/organisations/', { name: 'Bench' });
  const project = await post('/api/v1/projects/', { name: 'Many flags', organisation: organisation.id });
  const environment = await post('/api/v1/environments/', { name: 'Staging', project: project.id });
  for (let i = 0; i < FEATURES; i += 20) {
    await Promise.all(
      Array.from({ length: 20 }, (_, j) =>
        post(`/api/v1/projects/${project.id}/features/`, {
          name: `feature_${String(i + j).padStart(4, '0')}`,
          initial_value: `v${i + j}`,
        }),
      ),
    );
  }
  const route = `/organisations/${organisation.id}/projects/${project.id}/environments/${environment.api_key}/features`;
  const b = await openBrowser(server);
  const { page } = b;
  await page.goto('/login');
  await page.evaluate((t) => localStorage.setItem('flagstaff.token', t), token);

  // Navigation to the list shown: performance.now() counts from the navigation's start.
  const shown = [];
  for (let run = 0; run <= runs; run += 1) {
    await page.goto(route);
    const at = await page.waitForFunction(
      (n) => document.body.innerText.includes(`${n} features`) && performance.now(),
      FEATURES,
      { polling: 'raf' },
    );
    if (run > 0) shown.push(await at.jsonValue()); // the first run warms the caches
  }

  // A keystroke to the filtered list: from the keydown to the frame showing the new count.
  const search = page.getByLabel('Search features by name');
  const filtered = [];
  for (let run = 0; run < runs; run += 1) {
    await search.fill('feature_0');
    await page.getByText(`1000 of ${FEATURES} features`).waitFor().catch(() => {});
    await page.evaluate(() => {
      window.__keydown = 0;
      document.addEventListener('keydown', () => (window.__keydown = performance.now()), { once: true, capture: true });
    });
    await search.press('9');
    const took = await page.waitForFunction(
      (n) => document.body.innerText.includes(`100 of ${n} features`) && performance.now() - window.__keydown,
      FEATURES,
      { polling: 'raf' },
    );
    filtered.push(await took.jsonValue());
  }
  b.check();
  await b.close();

  const load = firstLoad();
  console.log(`first load (${load.files.join(', ')}): ${(load.bytes / 1024).toFixed(1)} KiB gzipped`);
  console.log(`${FEATURES} features, navigation to the list shown: ${stats(shown)}`);
  console.log(`${FEATURES} features, keystroke to the filtered list: ${stats(filtered)}`);
} finally {
  await server.stop();
}
