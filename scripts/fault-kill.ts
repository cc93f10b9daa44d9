/**
 * The local fault test of crash safety: a tabular search killed with SIGKILL at random moments and resumed
 * each time must end with no lost and no doubled trial, and equal to an uninterrupted run.
 *   npx tsx scripts/fault-kill.ts [--kills 20] [--seed 1] [--trials 3000] [--concurrency 4] [--keep]
 * Exits 1 on any violation. docs/robustness.md records a run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Rng } from '../src/core/rng.js';
import type { StrategyState, TrialRecord } from '../src/core/types.js';
import { loadBenchmark } from '../src/evaluate/tabular/benchmark.js';
import { TabularEvaluator } from '../src/evaluate/tabular/evaluator.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { finished, startCli, type CliResult } from '../test/cli.testkit.js';

export interface FaultKillOptions {
  readonly kills: number;
  readonly seed: number;
  /** The trial budget of the search. */
  readonly trials: number;
  readonly concurrency: number;
  /** Where the databases go (default: a new temporary folder, removed afterwards). */
  readonly dir?: string;
  readonly log?: (line: string) => void;
}

/** One kill: when it landed and what the store held right after it. */
export interface KillRecord {
  readonly command: 'run' | 'resume';
  /** 'startup': a delay from the spawn (config, table, schema, recovery); 'trials': after n trial events. */
  readonly mode: 'startup' | 'trials';
  readonly at: string;
  /** Trials finished in the store after the kill, and trials it left running (evaluated again on resume). */
  readonly finished: number;
  readonly running: number;
}

export interface FaultKillResult {
  readonly kills: readonly KillRecord[];
  /** Kills not made because the search had already finished (the budget was too small for them). */
  readonly missed: number;
  readonly trials: number;
  readonly violations: readonly string[];
  readonly seconds: number;
}

/** A segment may not take longer than this: a resume that hangs is a violation, not a stuck script. */
const SEGMENT_TIMEOUT_MS = 120_000;
/** Share of kills aimed at start-up rather than at the trial loop. */
const STARTUP_SHARE = 0.2;
const STARTUP_WINDOW_MS = 1500;

interface KillPlan {
  readonly mode: 'startup' | 'trials';
  /** startup: ms after the spawn; trials: trial_end events to see first. */
  readonly amount: number;
  /** Extra ms after the event count is reached, so the kill lands anywhere in the write that follows. */
  readonly jitterMs: number;
}

/** Every random draw up front, so the plan depends on the seed alone, never on timing. */
function plan(options: FaultKillOptions): KillPlan[] {
  const rng = Rng.derive(options.seed, 'fault-kill');
  const maxStep = Math.max(1, Math.floor(options.trials / (options.kills + 1)));
  return Array.from({ length: options.kills }, () => {
    const startup = rng.float() < STARTUP_SHARE;
    const amount = startup ? Math.floor(rng.float() * STARTUP_WINDOW_MS) : 1 + rng.int(maxStep);
    return { mode: startup ? 'startup' : 'trials', amount, jitterMs: rng.int(10) };
  });
}

interface Segment {
  readonly result: CliResult;
  readonly killed: boolean;
  readonly timedOut: boolean;
}

/** Runs one CLI invocation; with a plan, kills it with SIGKILL when the plan says. */
async function segment(args: readonly string[], kill: KillPlan | undefined): Promise<Segment> {
  const child = startCli(args);
  const done = finished(child);
  let killed = false;
  const killNow = (): void => {
    if (child.exitCode === null && child.signalCode === null) killed = child.kill('SIGKILL');
  };
  const timers: NodeJS.Timeout[] = [];
  if (kill?.mode === 'startup') timers.push(setTimeout(killNow, kill.amount));
  if (kill?.mode === 'trials') {
    let seen = 0;
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes('"event":"trial_end"')) continue;
        seen++;
        if (seen === kill.amount) timers.push(setTimeout(killNow, kill.jitterMs));
      }
    });
  }
  let timedOut = false;
  timers.push(
    setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, SEGMENT_TIMEOUT_MS),
  );
  const result = await done;
  for (const t of timers) clearTimeout(t);
  return { result, killed: killed && result.signal === 'SIGKILL', timedOut };
}

interface StoreView {
  readonly exists: boolean;
  readonly state?: string;
  readonly trials: readonly TrialRecord[];
  readonly strategy?: StrategyState;
}

async function readStore(db: string): Promise<StoreView> {
  let storage: SqliteStorage;
  try {
    storage = SqliteStorage.open(db, { readonly: true });
  } catch {
    return { exists: false, trials: [] }; // killed before the schema was written: `run` starts over
  }
  try {
    const [experiment] = await storage.experiments();
    if (experiment === undefined) return { exists: false, trials: [] };
    return {
      exists: true,
      state: experiment.state,
      trials: await storage.trials(experiment.id),
      strategy: await storage.loadStrategyState(experiment.id),
    };
  } finally {
    await storage.close();
  }
}

const sameNumber = (a: number | undefined, b: number | undefined) =>
  Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/** Everything the store must hold after any number of kills; each problem as one line. */
async function checkStore(view: StoreView, budget: number, reference: StoreView): Promise<string[]> {
  const problems: string[] = [];
  if (!view.exists) return ['the store holds no experiment'];
  if (view.state !== 'complete') problems.push(`the experiment is ${view.state}, not complete`);
  const { trials } = view;
  if (trials.length !== budget) problems.push(`${trials.length} trials stored, the budget is ${budget}`);
  const numbers = trials.map((t) => t.number).sort((a, b) => a - b);
  const wrong = numbers.findIndex((n, i) => n !== i);
  if (wrong >= 0)
    problems.push(`trial numbers are not 0..${trials.length - 1}: #${wrong} is ${numbers[wrong]}`);
  const open = trials.filter((t) => t.state === 'running' || t.state === 'queued');
  if (open.length > 0)
    problems.push(`${open.length} trials left ${open[0]?.state} (first: #${open[0]?.number})`);
  const keys = new Set<string>();
  const benchmark = await loadBenchmark('nb201', { dataset: 'cifar10' });
  const table = benchmark.evaluator instanceof TabularEvaluator ? benchmark.evaluator : undefined;
  for (const t of trials) {
    if (keys.has(t.key)) problems.push(`trial #${t.number}: architecture ${t.key} evaluated twice`);
    keys.add(t.key);
    const row = table?.lookup(t.key);
    if (t.state !== 'complete' || row === undefined) {
      problems.push(`trial #${t.number}: ${t.state}, expected complete with the table's row`);
      continue;
    }
    const names = new Set([...Object.keys(row.metrics), ...Object.keys(t.metrics)]);
    const off = [...names].filter((m) => !sameNumber(t.metrics[m], row.metrics[m]));
    if (off.length > 0 || !sameNumber(t.cost, row.cost)) {
      problems.push(`trial #${t.number}: stored result differs from the table (${off.join(', ') || 'cost'})`);
    }
  }
  const view1 = (t: TrialRecord) => JSON.stringify([t.number, t.key, t.state, t.score, t.cost]);
  const byNumber = (list: readonly TrialRecord[]) => [...list].sort((a, b) => a.number - b.number).map(view1);
  const ours = byNumber(trials);
  const theirs = byNumber(reference.trials);
  const first = ours.findIndex((line, i) => line !== theirs[i]);
  if (first >= 0 || ours.length !== theirs.length) {
    problems.push(`trials differ from the uninterrupted run from #${first >= 0 ? first : theirs.length}`);
  }
  if (JSON.stringify(view.strategy) !== JSON.stringify(reference.strategy)) {
    problems.push('the stored strategy state differs from the uninterrupted run');
  }
  return problems.slice(0, 20);
}

function describeFailure(what: string, s: Segment): string {
  if (s.timedOut) return `${what} hung (killed after ${SEGMENT_TIMEOUT_MS / 1000} s)`;
  const tail = s.result.stderr.trim().split('\n').slice(-3).join(' | ');
  return `${what} exited with ${s.result.code ?? s.result.signal}: ${tail}`;
}

export async function runFaultKill(options: FaultKillOptions): Promise<FaultKillResult> {
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'naslab-fault-kill-'));
  const db = join(dir, 'killed.db');
  const search = ['--benchmark', 'nb201', '--strategy', 'evolution', '--trials', String(options.trials)];
  const runArgs = [
    'run',
    ...search,
    ...['--seed', String(options.seed), '--concurrency', String(options.concurrency), '--json'],
  ];
  const violations: string[] = [];
  const kills: KillRecord[] = [];
  let missed = 0;
  try {
    const reference = await segment([...runArgs, '--db', join(dir, 'reference.db')], undefined);
    if (reference.result.code !== 0) throw new Error(describeFailure('the uninterrupted run', reference));
    const plans = plan(options);
    let view = await readStore(db);
    for (const [i, kill] of plans.entries()) {
      const command = view.exists ? 'resume' : 'run';
      const args = view.exists ? ['resume', '1', '--json'] : runArgs;
      const s = await segment([...args, '--db', db], kill);
      view = await readStore(db);
      if (!s.killed) {
        if (s.result.code === 0 && view.state === 'complete') {
          missed = plans.length - i;
          log(`kill ${i + 1}: the search finished first; ${missed} kills not made (raise --trials)`);
          break;
        }
        violations.push(describeFailure(`${command} before kill ${i + 1}`, s));
        break;
      }
      const done = view.trials.filter((t) => t.finishedAt !== undefined).length;
      const running = view.trials.filter((t) => t.state === 'running').length;
      const at =
        kill.mode === 'startup' ? `${kill.amount} ms` : `${kill.amount} trials + ${kill.jitterMs} ms`;
      kills.push({ command, mode: kill.mode, at, finished: done, running });
      log(
        `kill ${String(i + 1).padStart(2)}: ${command} at ${at}: ${done} finished, ${running} left running`,
      );
    }
    if (violations.length === 0 && view.state !== 'complete') {
      const args = view.exists ? ['resume', '1', '--json'] : runArgs;
      const last = await segment([...args, '--db', db], undefined);
      if (last.result.code !== 0) violations.push(describeFailure('the final resume', last));
    }
    if (violations.length === 0) {
      const final = await readStore(db);
      violations.push(
        ...(await checkStore(final, options.trials, await readStore(join(dir, 'reference.db')))),
      );
    }
    const trials = (await readStore(db)).trials.length;
    return { kills, missed, trials, violations, seconds: (performance.now() - started) / 1000 };
  } finally {
    if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      kills: { type: 'string', default: '20' },
      seed: { type: 'string', default: '1' },
      trials: { type: 'string', default: '3000' },
      concurrency: { type: 'string', default: '4' },
      keep: { type: 'boolean', default: false },
    },
  });
  const dir = values.keep ? mkdtempSync(join(tmpdir(), 'naslab-fault-kill-')) : undefined;
  const options = {
    kills: Number(values.kills),
    seed: Number(values.seed),
    trials: Number(values.trials),
    concurrency: Number(values.concurrency),
    dir,
    log: (line: string) => console.log(line),
  };
  console.log(
    `fault-kill: nb201 evolution, ${options.trials} trials, concurrency ${options.concurrency}, ` +
      `seed ${options.seed}, ${options.kills} kills (SIGKILL)`,
  );
  const result = await runFaultKill(options);
  const startup = result.kills.filter((k) => k.mode === 'startup').length;
  const leftRunning = result.kills.reduce((n, k) => n + k.running, 0);
  console.log(
    `\n${result.kills.length} kills (${startup} in start-up), ${leftRunning} trials caught running, ` +
      `${result.trials} trials stored, ${result.seconds.toFixed(1)} s` +
      (dir === undefined ? '' : `\ndatabases kept in ${dir}`),
  );
  if (result.violations.length === 0 && result.missed > 0) {
    console.log(`FAILED: only ${result.kills.length} of ${options.kills} kills landed; raise --trials`);
    return 1;
  }
  if (result.violations.length === 0) {
    console.log('OK: no lost or doubled trial; trials and strategy state equal the uninterrupted run');
    return 0;
  }
  console.log(`FAILED: ${result.violations.length} violation(s)`);
  for (const v of result.violations) console.log(`  - ${v}`);
  return 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
