import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { compression } from 'vite-plugin-compression2';

// The console is served by the API at /console (one process, one port); `vite` in development
// proxies the API's routes to a running API (PORT, 3000 by default).
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/console/',
  resolve: { alias: { '@app/api-client': here('../../libs/api-client/src') } },
  // Brotli and gzip copies of each asset beside it, served by the API as the browser accepts
  // (@fastify/static preCompressed): a third of the bytes on the first load, no CPU per request.
  plugins: [compression({ algorithms: ['brotliCompress', 'gzip'] })],
  // React's automatic JSX runtime (no `import React` in every file).
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: here('../../dist/console'),
    emptyOutDir: true,
    // The budget is 250 KB gzipped for the first load; Vite reports each chunk's gzip size.
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      // TanStack marks its modules "use client" for React Server Components; a client-only
      // bundle has nothing to preserve, and the warning would bury real ones.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      // Timings are advice for plugin authors, printed whenever the machine is busy: not news
      // for someone running `npm start`.
      checks: { bundlerTimings: false },
    },
  },
  server: { proxy: { '/api': `http://localhost:${process.env.PORT ?? 3000}` } },
});
