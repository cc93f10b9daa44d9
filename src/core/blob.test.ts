import { describe, expect, it } from 'vitest';
import { base64ToFloat64, float64ToBase64, packFloat32, unpackFloat32 } from './blob.js';

describe('float64 blobs', () => {
  it('round-trips values bit for bit, including subnormals, infinities and -0', () => {
    const values = new Float64Array([0, -0, 1.5, -2e-310, Math.PI, Infinity, -Infinity, 1e300]);
    const back = base64ToFloat64(float64ToBase64(values), values.length);
    expect(Array.from(back)).toEqual(Array.from(values));
    expect(Object.is(back[1], -0)).toBe(true);
  });

  it('handles arrays larger than one encoding chunk and views into larger buffers', () => {
    const big = new Float64Array(20_000).map((_, i) => i / 7);
    expect(Array.from(base64ToFloat64(float64ToBase64(big)))).toEqual(Array.from(big));
    const view = big.subarray(5, 9);
    expect(Array.from(base64ToFloat64(float64ToBase64(view)))).toEqual(Array.from(view));
  });

  it('refuses a blob of the wrong size', () => {
    expect(() => base64ToFloat64(float64ToBase64(new Float64Array(3)), 4)).toThrow(
      'expected 4 values, found 3',
    );
    expect(() => base64ToFloat64(btoa('abc'))).toThrow('multiple of 8');
  });
});

describe('base64 encoding', () => {
  it('matches the standard encoding for every padding case', () => {
    for (const text of ['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar', '\u00ff\u00fe\u0000\u0080']) {
      const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
      const padded = new Uint8Array(Math.ceil(bytes.length / 8) * 8);
      padded.set(bytes);
      const blob = float64ToBase64(new Float64Array(padded.buffer));
      expect(blob).toBe(btoa(String.fromCharCode(...padded)));
    }
  });

  it('refuses characters outside the alphabet', () => {
    expect(() => base64ToFloat64('AAAA*AAAAAA=')).toThrow('invalid character at 4');
  });
});

describe('float32 packing', () => {
  it('round-trips arrays bit for bit, odd totals included', () => {
    const arrays = [
      Float32Array.from([0, -0, 1.5, Math.fround(1e-40), Infinity]),
      new Float32Array(0),
      Float32Array.from([-3.25, NaN]),
    ];
    const back = unpackFloat32(packFloat32(arrays), [5, 0, 2]);
    expect(back.map((a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)))).toEqual(
      arrays.map((a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length))),
    );
  });

  it('is the float64 encoding of the float32 bytes, padded with one zero value to whole float64s', () => {
    const odd = Float32Array.from([1, 2, 3]);
    const padded = Float32Array.from([1, 2, 3, 0]);
    expect(packFloat32([odd.subarray(0, 1), odd.subarray(1)])).toBe(
      float64ToBase64(new Float64Array(padded.buffer)),
    );
  });

  it('returns copies that do not share the decoded buffer', () => {
    const [a, b] = unpackFloat32(packFloat32([Float32Array.from([1, 2]), Float32Array.from([3, 4])]), [2, 2]);
    a![0] = 9;
    expect(Array.from(b!)).toEqual([3, 4]);
    expect(a!.buffer).not.toBe(b!.buffer);
  });

  it('refuses a blob that holds another total', () => {
    const blob = packFloat32([Float32Array.from([1, 2, 3, 4])]);
    expect(() => unpackFloat32(blob, [2, 4])).toThrow(RangeError);
    expect(() => unpackFloat32(blob, [1])).toThrow('expected 1 values, found 2');
  });
});
