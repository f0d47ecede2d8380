// Writes NAME.gz and NAME.br next to every file of a folder, reproducibly: Node's gzip header
// carries no file name and a zero mtime, and both encoders are deterministic at a fixed level.
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/compress.mjs DIR');
  process.exit(2);
}

for (const name of readdirSync(dir).sort()) {
  const path = join(dir, name);
  if (!statSync(path).isFile() || name.endsWith('.gz') || name.endsWith('.br')) continue;
  const body = readFileSync(path);
  writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
  writeFileSync(
    `${path}.br`,
    brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  );
}

// The first load is what index.html names (its script and stylesheet) and every chunk those
// scripts import statically; screens behind a dynamic import() come on their first visit.
const BUDGET = 200 * 1024;
const gzipped = (name) => statSync(join(dir, `${name}.gz`)).size;
const html = readFileSync(join(dir, '..', 'index.html'), 'utf8');
const firstFiles = new Set();
const follow = (name) => {
  if (firstFiles.has(name)) return;
  firstFiles.add(name);
  if (!name.endsWith('.js')) return;
  const code = readFileSync(join(dir, name), 'utf8');
  // `import{a as b}from"./x.js"` and `import"./x.js"`, not `import("./x.js")`.
  for (const m of code.matchAll(/\bimport\s*(?:[^"'`()]*?\bfrom\s*)?["'`]\.\/([^"'`]+\.js)["'`]/g)) follow(m[1]);
};
for (const m of html.matchAll(/(?:src|href)="\.\/static\/([^"]+\.(?:js|css))"/g)) follow(m[1]);
const firstLoad = [...firstFiles].reduce((sum, name) => sum + gzipped(name), 0);
const everything = readdirSync(dir)
  .filter((name) => /\.(js|css)$/.test(name))
  .reduce((sum, name) => sum + gzipped(name), 0);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`first load: ${kib(firstLoad)} gzipped in ${firstFiles.size} files (budget ${BUDGET / 1024} KiB); every screen: ${kib(everything)}`);
if (firstFiles.size === 0) {
  console.error('index.html names no script or stylesheet');
  process.exit(1);
}
if (firstLoad > BUDGET) {
  console.error('over the size budget');
  process.exit(1);
}
