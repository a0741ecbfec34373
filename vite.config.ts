// Builds the browser app: web/ -> dist/web/ (served by the server, with /api and /ws on the same origin).
import { defineConfig } from 'vite';

/** Where `vite` (dev) forwards /api, /ws and /healthz: the real server or web/dev/fakeServer.ts. */
const backend = process.env.KAFKALAB_DEV_BACKEND ?? 'http://127.0.0.1:3000';

/** The build and dev-server config (a default export because that is what Vite loads). */
export default defineConfig({
  root: 'web',
  publicDir: false,
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    // Monaco's lazy chunk is legitimately large; the first-load budget is checked separately.
    chunkSizeWarningLimit: 4000,
  },
  worker: { format: 'es' },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': backend,
      '/healthz': backend,
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
});
