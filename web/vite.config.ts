/**
 * Build of the hypervisor page. Run from the repository root:
 *   npx vite build --config web/vite.config.ts   → web/dist (served by the API at / and /epci/{siren})
 *   npx vite --config web/vite.config.ts         → dev server; API calls proxied to the hub on :3000
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

// Resolved from this file, not from the working directory, so the build works from anywhere.
const webDir = fileURLToPath(new URL('.', import.meta.url))
const hub = process.env.TERRITOIRE_HUB_URL ?? 'http://localhost:3000'

export default defineConfig({
  root: webDir,
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // maplibre-gl alone is about 1 MB minified: the default 500 kB warning says nothing useful here.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // The hub builds TileJSON's absolute tile URLs from the Host header. Keeping the dev
    // server's Host makes them point back through this proxy (same origin, no CORS needed).
    // Hence the object form: Vite's string shorthand turns changeOrigin on.
    proxy: {
      '/api': { target: hub, changeOrigin: false },
      '/tiles': { target: hub, changeOrigin: false },
      '/health': { target: hub, changeOrigin: false },
      // The staff sign-in: its session cookie is the dev server's (same origin), as in production.
      '/auth': { target: hub, changeOrigin: false },
    },
  },
})
