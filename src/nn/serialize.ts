import { Mlp, type MlpSpec } from './mlp.js';
import type { DType } from './params.js';
import { assertActivation } from './activations.js';
import { decodeFloats, encodeFloats } from '../utils/floats.js';

/** A saved MLP: architecture plus parameters as base64 little-endian floats. */
export interface MlpJson {
  format: 'overseer.mlp';
  version: 1;
  sizes: number[];
  activation: string;
  outputActivation: string;
  dtype: DType;
  params: string;
}

export function saveMlp(mlp: Mlp): MlpJson {
  const spec = mlp.spec();
  return {
    format: 'overseer.mlp',
    version: 1,
    sizes: spec.sizes,
    activation: spec.activation,
    outputActivation: spec.outputActivation,
    dtype: spec.dtype,
    params: encodeFloats(mlp.params),
  };
}

function checkJson(json: unknown, name: string): MlpJson {
  const j = json as Partial<MlpJson> | null;
  if (!j || typeof j !== 'object' || j.format !== 'overseer.mlp') throw new Error(`${name}: not a saved MLP (format is not 'overseer.mlp')`);
  if (j.version !== 1) throw new Error(`${name}: unsupported MLP format version ${String(j.version)} (this build reads version 1)`);
  if (!Array.isArray(j.sizes) || typeof j.params !== 'string' || (j.dtype !== 'float32' && j.dtype !== 'float64')) {
    throw new Error(`${name}: saved MLP is missing sizes, params or dtype`);
  }
  return j as MlpJson;
}

/** Builds a network from a saved one. */
export function loadMlp(json: unknown, name = 'MLP'): Mlp {
  const j = checkJson(json, name);
  const spec: MlpSpec = {
    sizes: j.sizes,
    activation: assertActivation(j.activation, `${name} activation`),
    outputActivation: assertActivation(j.outputActivation, `${name} output activation`),
    dtype: j.dtype,
  };
  const mlp = new Mlp(spec);
  loadMlpInto(mlp, j, name);
  return mlp;
}

/** Copies saved parameters into an existing network; any mismatch in shape or activation is an error naming both. */
export function loadMlpInto(mlp: Mlp, json: unknown, name = 'MLP'): void {
  const j = checkJson(json, name);
  const want = mlp.spec();
  if (j.sizes.length !== want.sizes.length || j.sizes.some((s, i) => s !== want.sizes[i])) {
    throw new Error(`${name}: saved layer sizes [${j.sizes.join(', ')}] do not match the network's [${want.sizes.join(', ')}]`);
  }
  if (j.activation !== want.activation || j.outputActivation !== want.outputActivation) {
    throw new Error(`${name}: saved activations ${j.activation}/${j.outputActivation} do not match the network's ${want.activation}/${want.outputActivation}`);
  }
  const params = decodeFloats(j.params, j.dtype);
  if (params.length !== mlp.params.length) {
    throw new Error(`${name}: saved parameter count ${params.length} does not match the network's ${mlp.params.length}`);
  }
  mlp.params.set(params);
}
