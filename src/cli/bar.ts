import { formatDuration } from './output.js';

/** What a progress bar writes to: process.stderr, or a fake stream in tests. */
export interface ProgressStream {
  write(chunk: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface BarOptions {
  /** Units of work in all; the bar is full at this value. */
  readonly total: number;
  readonly stream?: ProgressStream;
  /** What the units are ("runs", "repeats"): shown as `21/50 runs`; omitted: a percentage only. */
  readonly unit?: string;
  /** Milliseconds; injectable so tests need no timers. */
  readonly now?: () => number;
  /**
   * Not a terminal (a log file, CI): one plain line at most this often. A redrawn bar would fill a
   * log with carriage returns, and a line per update with noise; a command shorter than this prints none.
   */
  readonly lineIntervalMs?: number;
  /** A terminal: redraws at most this often (the last update of the bar always draws). */
  readonly redrawIntervalMs?: number;
}

export const DEFAULT_LINE_INTERVAL_MS = 10_000;
/** Seconds between progress lines when stderr is not a terminal (a CI log may want more or fewer). */
export const LINE_INTERVAL_ENV = 'NASLAB_PROGRESS_SECONDS';
const DEFAULT_REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 24;
const MIN_BAR_WIDTH = 8;

/** $NASLAB_PROGRESS_SECONDS in milliseconds; the default when unset or not a number >= 0. */
export function lineIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[LINE_INTERVAL_ENV];
  const seconds = text === undefined || text.trim() === '' ? NaN : Number(text);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : DEFAULT_LINE_INTERVAL_MS;
}

/**
 * Seconds left at the average rate since the reference point (linear: stable from the first update,
 * unlike a moving window, and right for budgets that are linear in work or in time); undefined until
 * some progress is made.
 */
export function estimateEta(elapsedMs: number, done: number, remaining: number): number | undefined {
  if (!(done > 0) || !(elapsedMs >= 0) || !Number.isFinite(remaining)) return undefined;
  return Math.max(0, remaining) * (elapsedMs / done / 1000);
}

export interface ProgressState {
  readonly value: number;
  readonly total: number;
  readonly unit?: string;
  /** Free text for the command: `12 trials | best acc 91.2`. */
  readonly detail?: string;
  readonly elapsedSeconds: number;
  readonly etaSeconds?: number;
}

/**
 * One line of progress: plain words for a log, or with `barWidth` a bar of that many glyphs (a
 * terminal; 0 draws none).
 */
export function renderProgress(s: ProgressState, barWidth?: number): string {
  const bar = barWidth !== undefined;
  const fraction = s.total > 0 ? Math.min(1, Math.max(0, s.value / s.total)) : 1;
  const percent = ` ${`${Math.floor(fraction * 100)}%`.padStart(4)}`;
  const count = s.unit === undefined ? '' : ` ${s.value}/${s.total} ${s.unit}`;
  const eta = s.etaSeconds === undefined ? '-' : formatDuration(s.etaSeconds);
  const time = `${formatDuration(s.elapsedSeconds)}${bar ? '' : ' elapsed'}, ETA ${eta}`;
  const detail = s.detail ? ` | ${s.detail}` : '';
  if (!bar) return `progress:${percent}${count}${detail} | ${time}`;
  const filled = Math.round(fraction * barWidth);
  const glyphs = barWidth > 0 ? ` ${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}` : '';
  return `${glyphs}${percent}${count}${detail} | ${time}`;
}

/**
 * A progress bar on stderr with an ETA. On a terminal it redraws one line in place; elsewhere it
 * writes a plain line every `lineIntervalMs`, never a carriage return.
 */
export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly tty: boolean;
  private readonly startedAt: number;
  private base: { at: number; value: number };
  private value = 0;
  private detail = '';
  private lastWrite: number;
  private drawn = false;
  private finished = false;
  /** A terminal's skipped redraw, done when the interval is up: the bar never shows a stale state. */
  private trailing: NodeJS.Timeout | undefined;

  constructor(private readonly options: BarOptions) {
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? (() => performance.now());
    this.tty = this.stream.isTTY === true;
    this.startedAt = this.now();
    this.base = { at: this.startedAt, value: 0 };
    // A terminal shows the empty bar at once; a log's first line waits a full interval.
    this.lastWrite = this.startedAt;
    if (this.tty) this.draw();
  }

  /**
   * Measure the ETA's rate from here on: a resumed search starts part-way, and the work done before
   * this process says nothing about its speed.
   */
  rebase(): void {
    this.base = { at: this.now(), value: this.value };
  }

  update(value: number, detail?: string): void {
    if (this.finished || (value === this.value && (detail === undefined || detail === this.detail))) return;
    this.value = value;
    if (detail !== undefined) this.detail = detail;
    const now = this.now();
    const interval = this.tty
      ? (this.options.redrawIntervalMs ?? DEFAULT_REDRAW_INTERVAL_MS)
      : (this.options.lineIntervalMs ?? lineIntervalFromEnv());
    const wait = interval - (now - this.lastWrite);
    if (wait <= 0 || (this.tty && value >= this.options.total)) this.draw();
    else if (this.tty && this.trailing === undefined) {
      this.trailing = setTimeout(() => this.draw(), wait);
      this.trailing.unref();
    }
  }

  /** Writes a line of text above the bar (a terminal's bar is redrawn below it). */
  log(text: string): void {
    if (this.tty && this.drawn && !this.finished) {
      this.stream.write(`\r\x1b[K${text}\n`);
      this.draw();
    } else this.stream.write(`${text}\n`);
  }

  /** Ends the bar: a terminal keeps its final state on its own line; a log gets nothing more. */
  finish(): void {
    if (this.finished) return;
    clearTimeout(this.trailing);
    if (this.tty) {
      this.draw();
      this.stream.write('\n');
    }
    this.finished = true;
  }

  state(): ProgressState {
    const now = this.now();
    return {
      value: this.value,
      total: this.options.total,
      ...(this.options.unit === undefined ? {} : { unit: this.options.unit }),
      detail: this.detail,
      elapsedSeconds: (now - this.startedAt) / 1000,
      etaSeconds: estimateEta(
        now - this.base.at,
        this.value - this.base.value,
        this.options.total - this.value,
      ),
    };
  }

  private draw(): void {
    clearTimeout(this.trailing);
    this.trailing = undefined;
    if (this.finished) return;
    this.lastWrite = this.now();
    this.drawn = true;
    const state = this.state();
    if (!this.tty) {
      this.stream.write(`${renderProgress(state)}\n`);
      return;
    }
    // A line longer than the terminal wraps, and `\r` then redraws only its last part: the bar
    // narrows to fit the words, then the words are cut. Some terminals report no width (0).
    const width = (this.stream.columns || 80) - 1;
    const words = renderProgress(state, 0).length;
    const barWidth = Math.min(BAR_WIDTH, width - words - 1);
    const line = renderProgress(state, barWidth >= MIN_BAR_WIDTH ? barWidth : 0);
    this.stream.write(`\r${line.length > width ? line.slice(0, width) : line}\x1b[K`);
  }
}
