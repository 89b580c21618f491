import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Tauri expects a fixed dev-server port and serves the production build from
// ui/dist through its custom protocol.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  base: '/',
  server: {
    port: 1420,
    strictPort: true,
    watch: {
      // The Rust side lives next to ui/; do not watch it.
      ignored: ['**/src-tauri/**', '**/target/**'],
    },
  },
  envPrefix: ['VITE_', 'TAURI_ENV_'],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Tauri uses WebKitGTK on Linux and WKWebView on macOS.
    target: 'safari15',
    sourcemap: false,
    // The bundle is read from local disk by the app, not downloaded: one
    // ~500 kB chunk is fine, so only warn well above that.
    chunkSizeWarningLimit: 1024,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: true,
    restoreMocks: true,
    // A test that renders a screen and types into it takes about a second
    // alone, but several times that on two cores shared with other work
    // (CI's): the guard is for a test that hangs, not for a slow machine.
    testTimeout: 20_000,
  },
});
