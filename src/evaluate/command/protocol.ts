import type { Metrics } from '../../core/types.js';

/** What one line of a trial's stdout says (docs/command-evaluator.md, "Protocol"). */
export type ProtocolLine =
  | { readonly kind: 'log' }
  | { readonly kind: 'report'; readonly step: number; readonly metrics: Metrics }
  | { readonly kind: 'final'; readonly metrics: Metrics }
  | { readonly kind: 'malformed'; readonly message: string };

const LOG: ProtocolLine = { kind: 'log' };

/**
 * Reads one stdout line. A line that is a JSON object is a protocol line: with "step" (an integer from
 * 1; step 0 holds the strategy's diagnostics) an intermediate report, without it the final metrics.
 * Every other field must be a finite number. Any other line (text, a list, broken JSON) is log.
 */
export function parseProtocolLine(line: string): ProtocolLine {
  const text = line.trim();
  if (!text.startsWith('{')) return LOG;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return LOG;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return LOG;
  const metrics: Record<string, number> = {};
  let step: number | undefined;
  for (const [name, v] of Object.entries(value)) {
    if (name === 'step') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
        return { kind: 'malformed', message: `"step" must be an integer from 1, found ${JSON.stringify(v)}` };
      }
      step = v;
    } else if (typeof v === 'number' && Number.isFinite(v)) {
      metrics[name] = v;
    } else {
      return {
        kind: 'malformed',
        message: `metric "${name}" must be a finite number, found ${JSON.stringify(v)?.slice(0, 60)}`,
      };
    }
  }
  return step === undefined ? { kind: 'final', metrics } : { kind: 'report', step, metrics };
}

/** The last lines of a stream, in at most `maxChars` characters (a trial's stderr for its error). */
export class Tail {
  private text = '';

  constructor(private readonly maxChars = 8192) {}

  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > 2 * this.maxChars) this.text = this.text.slice(-this.maxChars);
  }

  lines(count: number): string[] {
    const lines = this.text.slice(-this.maxChars).split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-count).map((l) => (l.length > 300 ? `${l.slice(0, 300)}...` : l));
  }
}
