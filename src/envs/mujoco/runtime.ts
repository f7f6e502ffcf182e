/**
 * The MuJoCo WebAssembly runtime, loaded once per thread (top-level await), plus safe model
 * loading: XML errors surface as Errors with MuJoCo's own message instead of bare C++
 * exceptions.
 */
import loadMujoco, { type MainModule, type MjData, type MjModel } from 'mujoco-js';

export type { MjData, MjModel };

const stderrLines: string[] = [];

/** The thread's MuJoCo module. Never touch unexported Emscripten symbols on it: that aborts the runtime. */
export const mujoco: MainModule = await loadMujoco({
  print: () => {},
  printErr: (line: string) => {
    stderrLines.push(line);
    if (stderrLines.length > 50) stderrLines.shift();
  },
});

const FS = (mujoco as unknown as { FS: { mkdir(p: string): void; writeFile(p: string, d: string): void; unlink(p: string): void } }).FS;
FS.mkdir('/overseer');

// A tiny model kept alive so that WASM memory can be read (for exception messages) through one
// of its views: the runtime does not export HEAPU8, and asking for it aborts the module.
FS.writeFile('/overseer/probe.xml', '<mujoco><worldbody><body><joint type="slide"/><geom type="sphere" size="1"/></body></worldbody></mujoco>');
const probe = mujoco.MjModel.loadFromXML('/overseer/probe.xml');
FS.unlink('/overseer/probe.xml');

let fileCounter = 0;

export class MujocoXmlError extends Error {
  override name = 'MujocoXmlError';
}

/** The NUL-terminated string at a WASM address. */
function readCString(ptr: number): string {
  const heap = new Uint8Array((probe.qpos0 as Float64Array).buffer);
  let s = '';
  for (let i = ptr; i < heap.length && i < ptr + 2000 && heap[i] !== 0; i++) s += String.fromCharCode(heap[i]);
  return s;
}

/** Compiles MJCF text; `name` labels errors ("Hopper-v5 model: XML Error: ..."). */
export function loadModelFromXml(xml: string, name: string): MjModel {
  const path = `/overseer/model-${fileCounter++}.xml`;
  FS.writeFile(path, xml);
  stderrLines.length = 0;
  let model: MjModel | null = null;
  try {
    model = mujoco.MjModel.loadFromXML(path);
  } catch (e) {
    const ptr = (e as { excPtr?: number }).excPtr;
    const detail = typeof ptr === 'number' ? readCString(ptr).trim() : String(e);
    throw new MujocoXmlError(`${name}: ${detail || 'MuJoCo rejected the model'}`);
  } finally {
    FS.unlink(path);
  }
  if (!model) {
    throw new MujocoXmlError(`${name}: ${stderrLines.join(' ').trim() || 'MuJoCo could not parse the XML'}`);
  }
  return model;
}

/** Bytes of WASM memory currently reserved by this thread's MuJoCo runtime. */
export function wasmMemoryBytes(): number {
  return (probe.qpos0 as Float64Array).buffer.byteLength;
}

/** MuJoCo's name for object `id` of type `objType` (mjOBJ_*), or '' when unnamed. */
export function nameOf(model: MjModel, objType: number, id: number): string {
  return mujoco.mj_id2name(model, objType, id) ?? '';
}

export const mjOBJ = { BODY: 1, JOINT: 3, GEOM: 5, SITE: 6, ACTUATOR: 19 } as const;
