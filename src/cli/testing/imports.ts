import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Every module loaded when `file` is imported, following static imports only (`import type`
 * loads nothing; a dynamic `await import()` loads only when it runs). Repository files as
 * paths from the repository root, packages by name.
 */
export function staticImports(file: string): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string) => {
    const key = relative(ROOT, path);
    if (seen.has(key)) return;
    seen.add(key);
    const text = readFileSync(path, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
      if (m[1]) continue;
      const spec = m[2];
      if (!spec.startsWith('.')) {
        seen.add(spec.startsWith('node:') ? spec : spec.split('/')[0]);
        continue;
      }
      const target = resolve(dirname(path), spec.replace(/\.js$/, '.ts'));
      if (existsSync(target)) visit(target);
    }
  };
  visit(resolve(ROOT, file));
  return seen;
}
