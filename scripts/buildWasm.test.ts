import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_PATH, compileKernels, generatedSource } from './buildWasm.js';

describe('WebAssembly kernels', () => {
  it('the committed kernels.generated.ts is what kernels.wat compiles to (run `npm run build:wasm` after editing the .wat)', async () => {
    const bytes = await compileKernels();
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(generatedSource(bytes));
  });
});
