import { describe, expect, it } from 'vitest';
import { coalesce } from './refresh.js';

describe('coalesce', () => {
  it('runs one refresh at a time and one more for any calls made meanwhile', async () => {
    let runs = 0;
    let release: (() => void) | undefined;
    const refresh = coalesce(async () => {
      runs += 1;
      await new Promise<void>((resolve) => (release = resolve));
    });
    const first = refresh();
    void refresh();
    void refresh();
    expect(runs).toBe(1);
    release!();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2); // the two calls made while running became one
    release!();
    await first;
    expect(runs).toBe(2);
    void refresh();
    expect(runs).toBe(3); // idle again: a new call runs at once
    release!();
  });
});
