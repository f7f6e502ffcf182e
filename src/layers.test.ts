import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The folders are the pipeline, and a folder imports only from folders below it:
 * utils → envs, nn, data → rl → prefs → store → server, queue → oversight, demos → cli. (envs, nn and data,
 * datasets such as MNIST, are side by side, and server and queue: neither imports the other.) Tests
 * may reach up for fixtures; code may not.
 */
const LAYERS: Record<string, number> = { utils: 0, envs: 1, nn: 1, data: 1, rl: 2, prefs: 3, store: 4, server: 5, queue: 5, oversight: 6, demos: 6, cli: 7 };

const SRC = dirname(fileURLToPath(import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'ui' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !path.includes(`${sep}testing${sep}`) ? [path] : [];
  });
}

/** Relative imports of a file (static and dynamic, type-only included). */
function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]);
  return specs.map((s) => resolve(dirname(path), s));
}

const layerOf = (path: string) => relative(SRC, path).split(sep)[0];

describe('layers', () => {
  it('every folder under src/ imports only from folders below it (the browser pages aside)', () => {
    const upward: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const from = layerOf(file);
      if (!(from in LAYERS)) continue;
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (to === from || !(to in LAYERS)) continue;
        if (LAYERS[to] >= LAYERS[from]) upward.push(`${relative(SRC, file)} imports ${relative(SRC, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('knows every folder', () => {
    const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
    expect(folders.sort()).toEqual(Object.keys(LAYERS).sort());
  });
});
