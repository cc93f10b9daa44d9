/**
 * How numbers, durations and dates read in the dashboard. Pure functions: the browser test formats the
 * values it expects with them.
 */

/** Five significant digits, trailing zeros dropped; integers as they are; null as a dash. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) >= 1e5) return value.toFixed(0);
  return String(Number(value.toPrecision(5)));
}

/**
 * Wall seconds as ms, s, min or h, whichever reads best; rounded to the unit shown before it is split,
 * so 179.6 s reads "3 min 0 s" (not "2 min 60 s").
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  const ms = Math.round(seconds * 1000);
  if (ms < 1000) return `${ms} ms`;
  const tenths = Math.round(seconds * 10);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const wholeSeconds = Math.round(seconds);
  if (wholeSeconds < 3600) return `${Math.floor(wholeSeconds / 60)} min ${wholeSeconds % 60} s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Epoch milliseconds as local `YYYY-MM-DD HH:MM`. */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** The unit a time axis reads best in for a span of seconds. */
export function timeUnit(spanSeconds: number): { readonly label: string; readonly seconds: number } {
  if (spanSeconds >= 3 * 3600) return { label: 'hours', seconds: 3600 };
  if (spanSeconds >= 3 * 60) return { label: 'minutes', seconds: 60 };
  return { label: 'seconds', seconds: 1 };
}
