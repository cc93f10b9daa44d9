import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../storage/memory.js';
import { parseExperimentConfig } from './config.js';
import { resumeExperiment, startExperiment } from './experiment.js';

const TOY = fileURLToPath(new URL('../evaluate/tabular/fixtures/toy.yaml', import.meta.url));

async function trialsOf(config: unknown): Promise<string[]> {
  const storage = new MemoryStorage();
  const summary = await startExperiment(parseExperimentConfig(config, 'test'), storage);
  return (await storage.trials(summary.experimentId)).map((t) => `${t.key}:${t.state}`);
}

describe('experiments', () => {
  it('one seed makes a run exactly repeatable; another seed changes it', async () => {
    const config = { strategy: 'evolution', budget: { trials: 60 }, seed: 3 };
    const a = await trialsOf(config);
    expect(a).toHaveLength(60);
    expect(await trialsOf(config)).toEqual(a);
    expect(await trialsOf({ ...config, seed: 4 })).not.toEqual(a);
  });

  it('searches a declared sub-space of a user table', async () => {
    const trials = await trialsOf({
      evaluator: { type: 'benchmark', benchmark: TOY },
      space: {
        name: 'toy-subset',
        decisions: [
          { name: 'e0', choices: ['none', 'conv_3x3'] },
          { name: 'e1', choices: ['none', 'skip_connect'] },
        ],
      },
      strategy: 'grid',
      budget: { trials: 100 },
    });
    // The fixture lacks the row (conv_3x3, none): that one is an invalid trial.
    expect(trials).toEqual([
      'e0=none,e1=none:complete',
      'e0=none,e1=skip_connect:complete',
      'e0=conv_3x3,e1=none:invalid',
      'e0=conv_3x3,e1=skip_connect:complete',
    ]);
  });

  it('refuses a declared space over a built-in benchmark, and a mismatched space name', async () => {
    const storage = new MemoryStorage();
    const declared = parseExperimentConfig(
      { space: { decisions: [{ name: 'a', choices: [1, 2] }] } },
      'test',
    );
    await expect(startExperiment(declared, storage)).rejects.toThrow('declared decisions over a user table');
    const named = parseExperimentConfig({ space: 'nasbench-macro' }, 'test');
    await expect(startExperiment(named, storage)).rejects.toThrow(
      'space "nasbench-macro" does not match benchmark nb201',
    );
    expect(await storage.experiments()).toHaveLength(0); // nothing half-created
  });

  it('refuses to resume a complete experiment', async () => {
    const storage = new MemoryStorage();
    const summary = await startExperiment(parseExperimentConfig({ budget: { trials: 3 } }, 'test'), storage);
    await expect(resumeExperiment(summary.experimentId, storage)).rejects.toThrow('already complete');
  });
});
