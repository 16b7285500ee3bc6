import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

/**
 * The admin console's build (docs/console.md). Served by Oryne at /console;
 * the output goes to tmp/console (git-ignored). Preact through esbuild's JSX,
 * no babel: the build stays a couple of seconds.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  logLevel: 'warn',
  publicDir: false,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('../tmp/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    reportCompressedSize: false,
    modulePreload: { polyfill: false },
  },
})
