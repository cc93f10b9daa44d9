import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TrialFailedError } from '../../core/errors.js';
import type { Evaluation, Evaluator, TrialHandle } from '../../core/evaluator.js';
import type { Json, Metrics } from '../../core/types.js';
import { TRIAL_FILES, trialDir, type CommandEvaluatorConfig } from './config.js';
import { groupAlive, stopGroup } from './process-group.js';
import { parseProtocolLine, Tail } from './protocol.js';

/** How often a running trial asks its pruner (a queue worker's verdicts arrive between reports). */
const POLL_MS = 250;
/** Stderr lines quoted in a failed trial's error. */
const ERROR_LINES = 10;
/**
 * NASLAB_ARCH_JSON is left out above this size: one environment string may not exceed 128 KiB on Linux
 * (a large network's graph can), and the trial file always has the document.
 */
const MAX_ENV_JSON = 64 * 1024;

/** The architecture as JSON (a graph through its toJSON()), or undefined when it has no JSON form. */
function jsonOf(arch: unknown): Json | undefined {
  try {
    const text = JSON.stringify(arch);
    return text === undefined ? undefined : (JSON.parse(text) as Json);
  } catch {
    return undefined; // a cycle, a BigInt: the sample and key still describe it
  }
}

/** The document a trial's process reads (trial.json, NASLAB_ARCH_JSON). */
export function trialDocument(arch: unknown, trial: TrialHandle, config: CommandEvaluatorConfig): Json {
  const decoded = jsonOf(arch);
  return {
    id: trial.id,
    key: trial.key,
    sample: trial.sample,
    ...(decoded === undefined ? {} : { arch: decoded }),
    signal: config.signal,
    direction: config.direction,
    ...(config.steps === undefined ? {} : { steps: config.steps }),
  };
}

type StopReason = 'pruned' | 'timeout' | 'aborted' | 'malformed';

/** Closes a log file, resolving once what was written is on disk. */
function closeLog(stream: WriteStream): Promise<void> {
  return new Promise((done) => stream.end(done));
}

/**
 * Runs each trial as one process of `run` (docs/command-evaluator.md): the architecture goes in as a
 * JSON file and environment variables, metrics come back as JSON lines on stdout. The process leads a
 * group of its own, so stopping a trial (pruned, timed out, the search stopping) stops everything it
 * started.
 */
export class CommandEvaluator implements Evaluator<unknown> {
  readonly signal: string;
  readonly direction: 'maximize' | 'minimize';
  readonly steps: number | undefined;

  constructor(readonly config: CommandEvaluatorConfig) {
    this.signal = config.signal;
    this.direction = config.direction;
    this.steps = config.steps;
  }

  async evaluate(arch: unknown, trial: TrialHandle, signal: AbortSignal): Promise<Evaluation> {
    if (signal.aborted) throw new TrialFailedError('the search is stopping');
    const { config } = this;
    const dir = trialDir(config, trial.id);
    // A trial run again (resume) reuses its folder: a script may continue from its own checkpoints
    // there; the architecture file and the logs are written afresh.
    mkdirSync(dir, { recursive: true });
    const trialFile = join(dir, TRIAL_FILES.arch);
    const document = JSON.stringify(trialDocument(arch, trial, config));
    writeFileSync(trialFile, document);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...config.env,
      NASLAB_TRIAL_ID: trial.id,
      NASLAB_TRIAL_KEY: trial.key,
      NASLAB_TRIAL_DIR: dir,
      NASLAB_TRIAL_FILE: trialFile,
      NASLAB_SIGNAL: config.signal,
      ...(config.steps === undefined ? {} : { NASLAB_STEPS: String(config.steps) }),
      ...(document.length > MAX_ENV_JSON ? {} : { NASLAB_ARCH_JSON: document }),
    };
    const stdoutPath = join(dir, TRIAL_FILES.stdout);
    const stderrPath = join(dir, TRIAL_FILES.stderr);
    const stdoutLog = createWriteStream(stdoutPath);
    const stderrLog = createWriteStream(stderrPath);
    const stderrTail = new Tail();
    const [program = '', ...args] = config.run;
    const child = spawn(program, args, {
      cwd: config.cwd ?? dir,
      env,
      detached: true, // its own process group: stopping the trial reaches its children too
      stdio: ['ignore', 'pipe', 'pipe'],
    });

    let stop: { reason: StopReason; message?: string } | undefined;
    let stopping: Promise<void> | undefined;
    const requestStop = (reason: StopReason, message?: string): void => {
      if (stop !== undefined || child.pid === undefined) return;
      stop = { reason, message };
      stopping = stopGroup(child.pid, config.killGrace * 1000);
    };

    let final: Metrics | undefined;
    let lastReport: Metrics | undefined;
    let reportError: unknown;
    // Reports are stored in order, one at a time; the pruner is asked after each.
    let reports = Promise.resolve();
    const onLine = (line: string): void => {
      const parsed = parseProtocolLine(line);
      if (parsed.kind === 'final') final = parsed.metrics;
      else if (parsed.kind === 'malformed')
        requestStop('malformed', `malformed metrics line: ${parsed.message}`);
      else if (parsed.kind === 'report') {
        const { step, metrics } = parsed;
        reports = reports.then(async () => {
          if (stop !== undefined || reportError !== undefined) return;
          try {
            await trial.report(step, metrics);
            if (metrics[config.signal] !== undefined) lastReport = metrics;
            if (trial.shouldStop()) requestStop('pruned');
          } catch (e) {
            reportError = e;
            requestStop('aborted');
          }
        });
      }
    };

    child.stdout.pipe(stdoutLog);
    child.stderr.pipe(stderrLog);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderrTail.push(chunk));
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on('line', onLine);
    const stdoutDone = new Promise<void>((done) => lines.once('close', done));

    const onAbort = (): void => requestStop('aborted');
    signal.addEventListener('abort', onAbort);
    const poll = setInterval(() => {
      if (trial.shouldStop()) requestStop('pruned');
    }, POLL_MS);
    const timer =
      config.timeout === undefined
        ? undefined
        : setTimeout(() => requestStop('timeout'), config.timeout * 1000);

    let exit: { code: number | null; signal: NodeJS.Signals | null } | { error: Error };
    try {
      exit = await new Promise((done) => {
        child.once('error', (error) => done({ error }));
        child.once('exit', (code, sig) => done({ code, signal: sig }));
      });
      // Whatever the trial's process left running in its group is stopped with it.
      if (stopping === undefined && child.pid !== undefined && groupAlive(child.pid)) {
        await stopGroup(child.pid, config.killGrace * 1000);
      }
      await stopping;
      // Its stdout closes once no process holds it; one that left the group could hold it for ever.
      await Promise.race([stdoutDone, new Promise((done) => setTimeout(done, 2000).unref())]);
      lines.close();
      await reports;
    } finally {
      clearInterval(poll);
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      child.stdout.destroy();
      child.stderr.destroy();
      await Promise.all([closeLog(stdoutLog), closeLog(stderrLog)]);
    }

    const fail = (reason: string): TrialFailedError => {
      const tail = stderrTail.lines(ERROR_LINES);
      const quoted =
        tail.length === 0 ? ' (stderr is empty)' : `; last lines of ${stderrPath}:\n  ${tail.join('\n  ')}`;
      return new TrialFailedError(`trial ${trial.id}: ${reason}${quoted}`);
    };
    if (reportError !== undefined) throw reportError;
    if ('error' in exit) throw fail(`cannot start ${JSON.stringify(program)}: ${exit.error.message}`);
    const finalMetrics = (): Metrics => {
      if (final === undefined) {
        throw fail(
          `printed no final metrics line (a JSON object without "step", e.g. {"${config.signal}": 0.9}) on stdout (${stdoutPath})`,
        );
      }
      if (final[config.signal] === undefined) {
        throw fail(`its final metrics line has no "${config.signal}" (evaluator.signal)`);
      }
      return final;
    };
    switch (stop?.reason) {
      case 'aborted':
        throw new TrialFailedError(`trial ${trial.id}: stopped, the search is stopping`);
      case 'timeout':
        throw fail(`timed out after ${config.timeout} s (evaluator.timeout)`);
      case 'malformed':
        throw fail(stop.message ?? 'malformed metrics line');
      case 'pruned': {
        // A pruned trial keeps what it reached: its final metrics if it printed them in time, else its
        // last report of the signal.
        const reached = final?.[config.signal] !== undefined ? final : lastReport;
        if (reached === undefined) throw fail(`pruned before it reported "${config.signal}"`);
        return { metrics: reached };
      }
      case undefined:
        break;
    }
    if (exit.signal !== null) throw fail(`its process was killed by ${exit.signal}`);
    if (exit.code !== 0) throw fail(`its process exited with code ${exit.code}`);
    return { metrics: finalMetrics() };
  }
}
