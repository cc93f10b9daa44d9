import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { showCommand } from '../../cli/commands/show.js';
import { ConfigError, TrialFailedError } from '../../core/errors.js';
import type { TrialHandle } from '../../core/evaluator.js';
import type { Metrics } from '../../core/types.js';
import { parseExperimentConfig } from '../../runner/config.js';
import { loadConfigFile } from '../../runner/config-file.js';
import { startExperiment } from '../../runner/experiment.js';
import { MemoryStorage } from '../../storage/memory.js';
import { openStorage } from '../../storage/open.js';
import {
  parseCommandEvaluatorConfig,
  resolveCommandPaths,
  type CommandEvaluatorConfigInput,
} from './config.js';
import { CommandEvaluator } from './evaluator.js';
import { parseProtocolLine } from './protocol.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-command-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A trial handle that records reports and says stop once `stopAfter` reports arrived. */
function handle(id: string, stopAfter = Infinity) {
  const reports: { step: number; metrics: Metrics }[] = [];
  const trial: TrialHandle = {
    id,
    sample: { x: 1 },
    key: 'x=1',
    report: (step, metrics) => {
      reports.push({ step, metrics });
      return Promise.resolve();
    },
    shouldStop: () => reports.length >= stopAfter,
  };
  return { trial, reports };
}

/** An evaluator running `node -e <script>`. */
function nodeEvaluator(script: string, extra: Partial<CommandEvaluatorConfigInput> = {}) {
  const config = parseCommandEvaluatorConfig({
    type: 'command',
    run: [process.execPath, '-e', script],
    workDir: join(dir, 'trials'),
    killGrace: 1,
    ...extra,
  });
  return new CommandEvaluator(config);
}

describe('command evaluator config', () => {
  it('has defaults and refuses bad fields by name', () => {
    expect(parseCommandEvaluatorConfig({ type: 'command', run: ['python3', 'train.py'] })).toEqual({
      type: 'command',
      run: ['python3', 'train.py'],
      env: {},
      signal: 'valid_acc',
      direction: 'maximize',
      workDir: 'naslab-trials',
      killGrace: 5,
    });
    expect(parseCommandEvaluatorConfig({ type: 'command', run: ['x'], env: { SEED: 3 } }).env).toEqual({
      SEED: '3',
    });
    expect(() => parseCommandEvaluatorConfig({ type: 'command', run: [] })).toThrow(/run/);
    expect(() => parseCommandEvaluatorConfig({ type: 'command', run: ['x'], env: { 'A-B': '1' } })).toThrow(
      /env\.A-B: Invalid key/,
    );
    expect(() => parseCommandEvaluatorConfig({ type: 'command', run: ['x'], timeout: 0 })).toThrow(/timeout/);
    expect(() => parseCommandEvaluatorConfig({ type: 'command', run: ['x'], script: 'y' })).toThrow(/script/);
  });

  it('resolves the script, cwd and workDir against the config file, leaving names and flags', () => {
    writeFileSync(join(dir, 'train.py'), '');
    const config = parseCommandEvaluatorConfig({
      type: 'command',
      run: ['python3', 'train.py', '--lr', '0.1', 'missing.py', './bin/tool'],
      cwd: '.',
    });
    expect(resolveCommandPaths(config, dir)).toMatchObject({
      run: ['python3', join(dir, 'train.py'), '--lr', '0.1', 'missing.py', './bin/tool'],
      cwd: dir,
      workDir: join(dir, 'naslab-trials'),
    });
    const tool = parseCommandEvaluatorConfig({ type: 'command', run: ['./bin/tool'] });
    expect(resolveCommandPaths(tool, dir).run).toEqual([join(dir, 'bin/tool')]);
    const file = join(dir, 'search.yaml');
    writeFileSync(file, 'space: nb201\nevaluator: { type: command, run: [python3, train.py] }\n');
    expect(loadConfigFile(file).evaluator).toMatchObject({ run: ['python3', join(dir, 'train.py')] });
  });

  it('refuses a missing executable before anything is stored', async () => {
    const storage = new MemoryStorage();
    for (const program of ['naslab-no-such-program', join(dir, 'train.py')]) {
      const config = parseExperimentConfig(
        { space: 'nb201', evaluator: { type: 'command', run: [program] }, budget: { trials: 1 } },
        'test',
      );
      await expect(startExperiment(config, storage)).rejects.toThrow(ConfigError);
    }
    expect(await storage.experiments()).toEqual([]);
  });
});

describe('command evaluator protocol', () => {
  it('reads reports, final metrics, log and malformed lines', () => {
    expect(parseProtocolLine('{"step": 2, "valid_acc": 0.5}')).toEqual({
      kind: 'report',
      step: 2,
      metrics: { valid_acc: 0.5 },
    });
    expect(parseProtocolLine(' {"valid_acc": 0.5, "loss": 1} ')).toEqual({
      kind: 'final',
      metrics: { valid_acc: 0.5, loss: 1 },
    });
    for (const line of ['epoch 1 done', '[1, 2]', '{"broken": ', '{not json}']) {
      expect(parseProtocolLine(line)).toEqual({ kind: 'log' });
    }
    expect(parseProtocolLine('{"step": 0, "a": 1}')).toMatchObject({ kind: 'malformed' });
    expect(parseProtocolLine('{"step": 1.5}')).toMatchObject({ kind: 'malformed' });
    expect(parseProtocolLine('{"a": null}')).toMatchObject({ kind: 'malformed', message: /"a"/ });
  });

  it('hands the architecture as a file and variables, and reads the metrics back', async () => {
    const script = `
      const fs = require('node:fs');
      const doc = JSON.parse(fs.readFileSync(process.env.NASLAB_TRIAL_FILE, 'utf8'));
      const same = process.env.NASLAB_ARCH_JSON === fs.readFileSync(process.env.NASLAB_TRIAL_FILE, 'utf8');
      console.log('a log line');
      console.log(JSON.stringify({ step: 1, valid_acc: 0.25 }));
      console.log(JSON.stringify({ valid_acc: doc.sample.x / 2, same: same ? 1 : 0, extra: Number(process.env.EXTRA),
        dir: process.env.NASLAB_TRIAL_DIR === process.cwd() ? 1 : 0, id: Number(process.env.NASLAB_TRIAL_ID) }));`;
    const evaluator = nodeEvaluator(script, { env: { EXTRA: 7 }, steps: 3 });
    const { trial, reports } = handle('41');
    const result = await evaluator.evaluate(
      { kind: 'decisions', nodes: [] },
      trial,
      new AbortController().signal,
    );
    expect(result.metrics).toEqual({ valid_acc: 0.5, same: 1, extra: 7, dir: 1, id: 41 });
    expect(reports).toEqual([{ step: 1, metrics: { valid_acc: 0.25 } }]);
    const doc = JSON.parse(readFileSync(join(dir, 'trials', '41', 'trial.json'), 'utf8')) as object;
    expect(doc).toEqual({
      id: '41',
      key: 'x=1',
      sample: { x: 1 },
      arch: { kind: 'decisions', nodes: [] },
      signal: 'valid_acc',
      direction: 'maximize',
      steps: 3,
    });
    expect(readFileSync(join(dir, 'trials', '41', 'stdout.log'), 'utf8')).toMatch(/^a log line\n/);
  });

  it('fails a trial that crashes, is killed, or prints no final metrics, quoting its stderr', async () => {
    const cases: [string, RegExp][] = [
      [
        'console.error("bad input"); process.exit(2)',
        /exited with code 2; last lines of .*stderr.log:\n {2}bad input/,
      ],
      ['process.kill(process.pid, "SIGSEGV")', /killed by SIGSEGV/],
      ['console.log(JSON.stringify({ step: 1, valid_acc: 1 }))', /no final metrics line/],
      ['console.log(JSON.stringify({ loss: 1 }))', /no "valid_acc" \(evaluator.signal\)/],
    ];
    for (const [i, [script, message]] of cases.entries()) {
      const run = nodeEvaluator(script).evaluate({}, handle(`f${i}`).trial, new AbortController().signal);
      await expect(run).rejects.toThrow(TrialFailedError);
      await expect(run).rejects.toThrow(message);
    }
  });

  it('stops a pruned trial at once and keeps its last report', async () => {
    const script = `
      let step = 0;
      setInterval(() => { step++; console.log(JSON.stringify({ step, valid_acc: step / 10 })); }, 50);`;
    const { trial, reports } = handle('p', 2);
    const result = await nodeEvaluator(script).evaluate({}, trial, new AbortController().signal);
    expect(result.metrics).toEqual({ valid_acc: 0.2 });
    expect(reports).toHaveLength(2);
  });

  it('stops the process when the search stops', async () => {
    const abort = new AbortController();
    const run = nodeEvaluator('console.log("started"); setInterval(() => {}, 1000)').evaluate(
      {},
      handle('a').trial,
      abort.signal,
    );
    setTimeout(() => abort.abort(), 300);
    await expect(run).rejects.toThrow(/the search is stopping/);
  });
});

describe('naslab show --trial', () => {
  it("prints a command trial's record and the ends of its logs", async () => {
    const db = join(dir, 'show.db');
    const storage = openStorage(db);
    const script = 'console.error("warming up"); console.log(JSON.stringify({ valid_acc: 0.75 }))';
    const config = parseExperimentConfig(
      {
        space: { decisions: [{ name: 'x', choices: [1, 2] }] },
        evaluator: { type: 'command', run: [process.execPath, '-e', script], workDir: join(dir, 'show') },
        strategy: 'grid',
        budget: { trials: 1 },
      },
      'test',
    );
    const { experimentId } = await startExperiment(config, storage);
    await storage.close();
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      expect(await showCommand(experimentId, { db, trial: '#0' })).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(out).toMatch(/trial \d+ \(#0\) of experiment .*: complete/);
    expect(out).toMatch(/valid_acc: 0\.75/);
    expect(out).toMatch(/stderr\.log \(last 20 lines\):\n {2}warming up/);
  });
});
