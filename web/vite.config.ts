import { defineConfig } from 'vite';

// The server the dev server sends API calls to (`npm run dev`).
const api = process.env.FLAGSTAFF_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  // Relative URLs: index.html's <base href> (rewritten by the server under a sub-path) decides.
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../assets',
    emptyOutDir: true,
    assetsDir: 'static',
    // Every asset is a file with a hashed name: the CSP allows no data: scripts or styles.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    // The polyfill would be an inline script, which the CSP forbids.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        entryFileNames: 'static/[name]-[hash].js',
        chunkFileNames: 'static/[name]-[hash].js',
        assetFileNames: 'static/[name]-[hash][extname]',
      },
    },
  },
  server: {
    proxy: Object.fromEntries(
      ['/api', '/health', '/version', '/ofrep', '/sse', '/metrics'].map((p) => [p, api]),
    ),
  },
});
