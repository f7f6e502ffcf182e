import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MNIST_FILES, defaultMnistDir, imagesAsFloat, loadMnist, parseIdxImages, parseIdxLabels } from './mnist.js';

function idxImages(count: number, rows: number, cols: number, magic = 2051): Uint8Array {
  const buf = new Uint8Array(16 + count * rows * cols);
  const v = new DataView(buf.buffer);
  [magic, count, rows, cols].forEach((x, i) => v.setUint32(4 * i, x, false));
  for (let i = 16; i < buf.length; i++) buf[i] = i % 256;
  return buf;
}

function idxLabels(labels: number[], magic = 2049): Uint8Array {
  const buf = new Uint8Array(8 + labels.length);
  const v = new DataView(buf.buffer);
  v.setUint32(0, magic, false);
  v.setUint32(4, labels.length, false);
  buf.set(labels, 8);
  return buf;
}

const tmp = mkdtempSync(join(tmpdir(), 'mnist-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeSet(dir: string, images: Uint8Array, labels: Uint8Array): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MNIST_FILES.test.images), images);
  writeFileSync(join(dir, MNIST_FILES.test.labels), labels);
  return dir;
}

describe('IDX parsing', () => {
  it('reads a well-formed file', () => {
    const p = parseIdxImages(idxImages(3, 2, 2), 'x');
    expect([p.count, p.rows, p.cols, p.images.length]).toEqual([3, 2, 2, 12]);
    expect(Array.from(parseIdxLabels(idxLabels([1, 9, 0]), 'y'))).toEqual([1, 9, 0]);
  });

  it('names the file and the problem', () => {
    expect(() => parseIdxImages(idxImages(3, 2, 2, 2049), 'a.idx')).toThrow(/a\.idx: bad magic number 2049.*expected 2051/);
    expect(() => parseIdxImages(idxImages(3, 2, 2).subarray(0, 20), 'b.idx')).toThrow(/b\.idx: truncated: 20 bytes, but 3 images of 2x2 need 28/);
    expect(() => parseIdxImages(new Uint8Array(7), 'c.idx')).toThrow(/c\.idx: truncated IDX header/);
    expect(() => parseIdxLabels(idxLabels([1, 12]), 'd.idx')).toThrow(/d\.idx: label 1 is 12/);
    expect(() => parseIdxLabels(idxLabels([1, 2, 3]).subarray(0, 10), 'e.idx')).toThrow(/e\.idx: truncated/);
  });

  it('loadMnist refuses missing, truncated, bad-magic and mismatched files on disk', () => {
    const missing = join(tmp, 'missing');
    expect(() => loadMnist('test', { dir: missing })).toThrow(new RegExp(`${MNIST_FILES.test.images}: MNIST file is missing`));
    const truncated = writeSet(join(tmp, 'truncated'), idxImages(4, 28, 28).subarray(0, 16 + 3 * 784 + 5), idxLabels([1, 2, 3, 4]));
    expect(() => loadMnist('test', { dir: truncated, count: null })).toThrow(/t10k-images-idx3-ubyte: truncated/);
    const magic = writeSet(join(tmp, 'magic'), idxImages(4, 28, 28, 0x1f8b0808), idxLabels([1, 2, 3, 4]));
    expect(() => loadMnist('test', { dir: magic, count: null })).toThrow(/t10k-images-idx3-ubyte: bad magic number/);
    const mismatch = writeSet(join(tmp, 'mismatch'), idxImages(4, 28, 28), idxLabels([1, 2, 3]));
    expect(() => loadMnist('test', { dir: mismatch, count: null })).toThrow(/3 labels, but .* has 4 images/);
    const small = writeSet(join(tmp, 'small'), idxImages(4, 28, 28), idxLabels([1, 2, 3, 4]));
    expect(() => loadMnist('test', { dir: small })).toThrow(/4 images, expected 10000/);
    expect(loadMnist('test', { dir: small, count: 4 }).count).toBe(4);
    // Cached now, but a later call's count is still checked: the cache does not waive it.
    expect(() => loadMnist('test', { dir: small })).toThrow(/4 images, expected 10000/);
    expect(() => loadMnist('test', { dir: small, count: 5 })).toThrow(/4 images, expected 5/);
    expect(loadMnist('test', { dir: small, count: null }).count).toBe(4);
  });
});

describe('the real MNIST', () => {
  it('has 60k + 10k 28x28 images with digit labels, cached per process', () => {
    const train = loadMnist('train');
    const test = loadMnist('test');
    expect([train.count, train.rows, train.cols, test.count]).toEqual([60_000, 28, 28, 10_000]);
    expect(loadMnist('train')).toBe(train);
    // The first training digit is a 5, the first test digit a 7 (LeCun's files).
    expect([train.labels[0], test.labels[0]]).toEqual([5, 7]);
    const x = imagesAsFloat(train, [0]);
    expect(Math.max(...x)).toBe(1);
    expect(Math.min(...x)).toBe(0);
    expect(readFileSync(join(defaultMnistDir(), MNIST_FILES.train.labels)).length).toBe(60_008);
  });
});
