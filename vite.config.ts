import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The labeling UI: src/server/ui -> dist/ui, served by `overseer serve` and `overseer prefs --teacher human`.
export default defineConfig({
  root: fileURLToPath(new URL('./src/server/ui', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./dist/ui', import.meta.url)),
    emptyOutDir: true,
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('./src/server/ui/index.html', import.meta.url)),
        dashboard: fileURLToPath(new URL('./src/server/ui/dashboard.html', import.meta.url)),
        attention: fileURLToPath(new URL('./src/server/ui/attention.html', import.meta.url)),
        debate: fileURLToPath(new URL('./src/server/ui/debate.html', import.meta.url)),
      },
    },
  },
});
