import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** In development the client runs on Vite's server and reaches a Confab started with `npm start`. */
const confab = process.env.CONFAB_DEV_SERVER ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/api': confab,
      '/sync': { target: confab, ws: true },
    },
  },
});
