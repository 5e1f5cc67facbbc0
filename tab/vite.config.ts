import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The Compliance tab: a static page the bot serves under /tab/ (same origin as its API).
 * Output in dist/tab, next to the compiled server; `npm run build` and the tests build it.
 */
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/tab/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/tab', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
  },
});
