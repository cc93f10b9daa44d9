import { describe, expect, it } from 'vitest';
import { base64ToFloat64, float64ToBase64 } from './blob.js';

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
