import { describe, expect, it } from 'vitest';
import '../envs/builtins.js';
import { registeredIds } from '../envs/registry.js';
import { ALGOS, BUILTIN_ENV_IDS } from './choices.js';
import { staticImports } from './testing/imports.js';
import { ALGOS as TRAIN_ALGOS } from './train.js';

describe('the lists the CLI shows without loading its commands', () => {
  it('name every built-in env and algorithm', () => {
    expect(registeredIds()).toEqual([...BUILTIN_ENV_IDS]);
    expect(ALGOS).toEqual(TRAIN_ALGOS);
  });

  it('building the CLI loads no env and no command module', () => {
    const loaded = staticImports('src/cli/program.ts');
    for (const heavy of ['src/envs/builtins.ts', 'mujoco-js', 'src/cli/train.ts', 'src/cli/prefs.ts', 'src/cli/serve.ts', 'src/server/app.ts', 'fastify', 'better-sqlite3']) expect(loaded.has(heavy), heavy).toBe(false);
  });
});
