// Vite builds the browser pages (the TV wallboard now, the agent console
// later) from wallboard/ into dist/wallboard/, which the server serves at /.
// vitest reads vitest.config.ts (which takes precedence), not this file.

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const page = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
/** Where `npm run dev` forwards API and WebSocket calls (the Fastify server). */
const backend = process.env.ATENDE_BACKEND ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: page('./wallboard'),
  base: '/',
  publicDir: false,
  build: {
    outDir: page('./dist/wallboard'),
    emptyOutDir: true,
    target: 'es2022',
    // One entry per page: the wallboard at /, the agent console at /agent/, the supervisor's screen at /supervisor/.
    rollupOptions: {
      input: {
        index: page('./wallboard/index.html'),
        agent: page('./wallboard/agent/index.html'),
        supervisor: page('./wallboard/supervisor/index.html'),
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: backend, changeOrigin: true },
      '/ws': { target: backend, ws: true, changeOrigin: true },
    },
  },
  preview: {
    proxy: {
      '/api': { target: backend, changeOrigin: true },
      '/ws': { target: backend, ws: true, changeOrigin: true },
    },
  },
});
