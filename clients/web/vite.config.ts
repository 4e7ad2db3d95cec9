import { defineConfig } from 'vite';

// The build goes where wijkboekd serves it from: WIJKBOEK_WEB_OUT (set by CMake to
// ${CMAKE_BINARY_DIR}/web), else ./dist. In development, `npm run dev` proxies the API, the live
// feed and the login to a running wijkboekd (WIJKBOEK_HTTP, default http://127.0.0.1:8080).
const server = process.env.WIJKBOEK_HTTP ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  build: {
    outDir: process.env.WIJKBOEK_WEB_OUT ?? 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      '/api': { target: server, changeOrigin: false },
      '/login': { target: server, changeOrigin: false },
      '/logout': { target: server, changeOrigin: false },
      '/healthz': { target: server, changeOrigin: false },
    },
  },
});
