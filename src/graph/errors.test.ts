import { describe, expect, it } from 'vitest';
import { InvalidArchitectureError } from '../core/errors.js';
import { GraphBuilder } from './builder.js';
import { BATCH, type Value } from './types.js';

function image(c: number, h: number): { b: GraphBuilder; x: Value } {
  const b = new GraphBuilder();
  return { b, x: b.input('x', [BATCH, c, h, h]) };
}

/** Runs `build` and returns the InvalidArchitectureError's message (fails the test if none is thrown). */
function message(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArchitectureError);
    return (e as Error).message;
  }
  throw new Error('expected an InvalidArchitectureError');
}

describe('shape errors name the op, the node and the problem', () => {
  it('a kernel that does not fit', () => {
    const { b, x } = image(1, 3);
    expect(message(() => b.conv2d(x, { name: 'c3', outChannels: 4, kernel: 5 }))).toBe(
      "conv2d 'c3': kernel 5 with padding 0 does not fit input 3x3",
    );
    expect(message(() => b.conv2d(x, { name: 'd', outChannels: 4, kernel: 3, dilation: 2 }))).toBe(
      "conv2d 'd': kernel 3 (dilation 2) with padding 0 does not fit input 3x3",
    );
    expect(message(() => b.maxPool(x, { name: 'p', kernel: [4, 2] }))).toBe(
      "maxPool 'p': kernel 4x2 with padding 0 does not fit input 3x3",
    );
  });

  it('add of different shapes', () => {
    const b = new GraphBuilder();
    const a = b.input('a', [1, 16, 8, 8]);
    const c = b.input('c', [1, 32, 8, 8]);
    expect(message(() => b.add([a, c]))).toBe("add 'add_1': shapes [1,16,8,8] and [1,32,8,8] differ");
  });

  it('concat of different spatial sizes', () => {
    const { b, x } = image(4, 8);
    const p = b.maxPool(x, { kernel: 2 });
    expect(message(() => b.concat([x, p], { name: 'cat' }))).toBe(
      "concat 'cat': shapes [N,4,8,8] and [N,4,4,4] differ outside the channel axis",
    );
  });

  it('groups that do not divide the channels', () => {
    const { b, x } = image(6, 8);
    expect(message(() => b.conv2d(x, { name: 'g', outChannels: 8, kernel: 1, groups: 4 }))).toBe(
      "conv2d 'g': input channels 6 are not divisible by groups 4",
    );
    expect(message(() => b.conv2d(x, { name: 'g', outChannels: 8, kernel: 1, groups: 3 }))).toBe(
      "conv2d 'g': outChannels 8 is not divisible by groups 3",
    );
  });

  it('wrong ranks and dtypes', () => {
    const { b, x } = image(2, 4);
    expect(message(() => b.dense(x, { name: 'fc', outFeatures: 10 }))).toBe(
      "dense 'fc': expects [N, features] (flatten first), got 'x' [N,2,4,4]",
    );
    const f = b.flatten(x, { name: 'f' });
    expect(message(() => b.conv2d(f, { name: 'c', outChannels: 1, kernel: 1, padding: 'same' }))).toBe(
      "conv2d 'c': expects an NCHW input (rank 4), got 'f' [N,32]",
    );
    const labels = b.input('y', [BATCH], 'int64');
    expect(message(() => b.relu(labels, { name: 'r' }))).toBe(
      "relu 'r': input 'y' [N] is int64; expected float32",
    );
    expect(message(() => b.softmaxCrossEntropy(f, f, { name: 'loss' }))).toBe(
      "softmaxCrossEntropy 'loss': expects int64 labels [N], got 'f' [N,32] float32",
    );
    const fixed = b.input('y8', [8], 'int64');
    expect(message(() => b.softmaxCrossEntropy(f, fixed, { name: 'loss' }))).toBe(
      "softmaxCrossEntropy 'loss': batch of logits 'f' [N,32] and labels 'y8' [8] differ",
    );
  });

  it('bad attributes', () => {
    const { b, x } = image(2, 8);
    expect(message(() => b.conv2d(x, { name: 'c', outChannels: 0, kernel: 3 }))).toBe(
      "conv2d 'c': outChannels must be a positive integer, got 0",
    );
    expect(message(() => b.conv2d(x, { name: 'c', outChannels: 2, kernel: 1.5 }))).toBe(
      "conv2d 'c': kernel must be a positive integer or two of them, got [1.5,1.5]",
    );
    expect(message(() => b.conv2d(x, { name: 'c', outChannels: 2, kernel: 3, padding: -1 }))).toBe(
      "conv2d 'c': padding must be 4 non-negative integers [top,left,bottom,right], got [-1,-1,-1,-1]",
    );
    expect(message(() => b.maxPool(x, { name: 'p', kernel: 2, padding: 2 }))).toBe(
      "maxPool 'p': padding 2 must be smaller than the kernel 2",
    );
    expect(message(() => b.dropout(x, { name: 'd', rate: 1 }))).toBe(
      "dropout 'd': rate must be in [0, 1), got 1",
    );
    expect(message(() => b.batchNorm(x, { name: 'bn', epsilon: 0 }))).toBe(
      "batchNorm 'bn': epsilon must be a positive number, got 0",
    );
  });

  it('reshape that does not preserve the size', () => {
    const { b, x } = image(32, 7);
    expect(message(() => b.reshape(x, { name: 'r', shape: [1500] }))).toBe(
      "reshape 'r': cannot reshape [N,32,7,7] (1568 values per sample) to [N,1500] (1500)",
    );
    expect(message(() => b.reshape(x, { name: 'r', shape: [-1, 5] }))).toBe(
      "reshape 'r': cannot reshape [N,32,7,7] to [N,-1,5]: 1568 values per sample do not divide by 5",
    );
    expect(message(() => b.reshape(x, { name: 'r', shape: [-1, -1] }))).toContain(
      'at most one dimension may be -1',
    );
  });

  it('names, arity and foreign values', () => {
    const { b, x } = image(2, 4);
    expect(message(() => b.relu(x, { name: 'x' }))).toBe("relu 'x': the name is already used");
    expect(message(() => b.relu(x, { name: 'a.b' }))).toContain("relu 'a.b': a name is letters");
    expect(message(() => b.add([], { name: 's' }))).toBe("add 's': expects at least 1 input(s), got 0");
    const other = new GraphBuilder().input('z', [BATCH, 2, 4, 4]);
    expect(message(() => b.relu(other, { name: 'r' }))).toBe(
      "relu 'r': input 'z' is not a value of this graph",
    );
    expect(message(() => b.input('bad', [BATCH, 0, 3]))).toContain("input 'bad': shape must be");
    expect(message(() => b.input('bad', [1, BATCH]))).toContain("input 'bad': shape must be");
    expect(message(() => b.build([]))).toBe('graph: build() needs at least one output');
  });
});
