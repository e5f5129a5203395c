import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import { tanstackRouter } from '@tanstack/router-plugin/vite';
import { fileURLToPath } from 'node:url';

// In development the SPA runs on Vite's server and the engine (npm run dev starts both) answers
// the API; in production the engine serves the built SPA from the same origin.
const engine = process.env.HOPDECK_ENGINE_URL ?? 'http://127.0.0.1:7070';

export default defineConfig({
  plugins: [tanstackRouter({ target: 'react', autoCodeSplitting: true }), react(), tailwindcss()],
  resolve: {
    alias: {
      '@contract': fileURLToPath(new URL('./contract', import.meta.url)),
      '@': fileURLToPath(new URL('./src', import.meta.url)),
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/v1': engine,
      '/auth': engine,
      '/health': engine,
    },
  },
  build: { outDir: 'dist/web', sourcemap: true, chunkSizeWarningLimit: 4096 },
});
