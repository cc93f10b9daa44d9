import type { ProgressStream } from './bar.js';

/** A stream that keeps what is written, and a clock the test moves. */
export function fakeTerminal(isTTY: boolean, columns = 120): ProgressStream & { text: () => string } {
  let out = '';
  return {
    isTTY,
    columns,
    write(chunk: string) {
      out += chunk;
      return true;
    },
    text: () => out,
  };
}

export function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}
