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

// The first load is every script and stylesheet (there is no code splitting yet): keep it small.
const BUDGET = 200 * 1024;
const firstLoad = readdirSync(dir)
  .filter((name) => /\.(js|css)\.gz$/.test(name))
  .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
console.log(`first load: ${(firstLoad / 1024).toFixed(1)} KiB gzipped (budget ${BUDGET / 1024} KiB)`);
if (firstLoad > BUDGET) {
  console.error('over the size budget');
  process.exit(1);
}
