import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sample } from '../../core/types.js';
import { configToJson, parseExperimentConfig } from '../../runner/config.js';
import { SqliteStorage } from '../../storage/sqlite.js';

/** A chain network's sample and what the viewer must draw for it. */
export const CHAIN_SAMPLE: Sample = { layer_0: 'conv', kernel_0: 3, layer_1: 'conv', kernel_1: 5 };
export const CHAIN_LABELS = [
  'input 1x28x28',
  'conv 3x3 8',
  'relu',
  'conv 5x5 8',
  'relu',
  'flatten',
  'dense 10',
];

export const NB201_SAMPLE: Sample = {
  edge_1_0: 'nor_conv_3x3',
  edge_2_0: 'none',
  edge_2_1: 'skip_connect',
  edge_3_0: 'avg_pool_3x3',
  edge_3_1: 'nor_conv_1x1',
  edge_3_2: 'nor_conv_3x3',
};

const CHAIN_CONFIG = configToJson(
  parseExperimentConfig(
    {
      name: 'chain-seeded',
      space: {
        type: 'chain',
        input: [1, 28, 28],
        classes: 10,
        maxLayers: 2,
        poolKinds: ['max'],
        convFilters: [8],
      },
      evaluator: { type: 'train', data: { type: 'fashion-mnist' }, epochs: 1 },
      strategy: 'random',
      budget: { trials: 3 },
    },
    'seed',
  ),
);

const NB201_CONFIG = configToJson(
  parseExperimentConfig(
    {
      name: 'nb201-moo',
      evaluator: { type: 'benchmark', benchmark: 'nb201' },
      strategy: {
        name: 'nsga2',
        options: {
          objectives: [
            { metric: 'valid_acc_200ep', direction: 'maximize' },
            { metric: 'params_M', direction: 'minimize' },
          ],
        },
      },
      budget: { trials: 4 },
    },
    'seed',
  ),
);

export interface Seeded {
  readonly file: string;
  readonly dir: string;
  readonly chain: { readonly id: string; readonly trialIds: readonly string[] };
  readonly nb201: { readonly id: string; readonly trialIds: readonly string[] };
}

/**
 * A database with two experiments, written through SqliteStorage (no training, no table):
 * - chain (train evaluator, signal valid_acc): 3 trials, complete 0.5 then 0.7, the third running;
 *   the first reports a learning curve and enas-style controller statistics (reward, entropy).
 * - nb201 (nsga2 on valid_acc_200ep up, params_M down): 4 complete trials, one dominated.
 */
export async function seedDatabase(): Promise<Seeded> {
  const dir = mkdtempSync(join(tmpdir(), 'naslab-ui-'));
  const file = join(dir, 'runs.db');
  const storage = SqliteStorage.open(file);
  try {
    const chain = await storage.createExperiment('chain-seeded', CHAIN_CONFIG);
    const chainIds: string[] = [];
    const accs = [0.5, 0.7];
    for (let i = 0; i < 3; i++) {
      const kernel = i === 0 ? 3 : 1;
      const t = await storage.createTrial(chain.id, {
        sample: { ...CHAIN_SAMPLE, kernel_0: kernel },
        key: `C(8,${kernel},1)-C(8,5,1)-T`,
      });
      chainIds.push(t.id);
      const acc = accs[i];
      if (acc === undefined) continue;
      await storage.report(t.id, 1, { valid_acc: acc - 0.2, reward: 0.3 + i, entropy: 1.5 });
      await storage.report(t.id, 2, { valid_acc: acc, reward: 0.4 + i, entropy: 1.2 });
      await storage.finish(t.id, { state: 'complete', metrics: { valid_acc: acc }, score: acc, cost: 0 });
    }

    const nb201 = await storage.createExperiment('nb201-moo', NB201_CONFIG);
    const nbIds: string[] = [];
    const points = [
      { acc: 90, params: 1.0, edge: 'nor_conv_3x3' },
      { acc: 85, params: 0.5, edge: 'nor_conv_1x1' },
      { acc: 80, params: 0.8, edge: 'avg_pool_3x3' }, // dominated by the second
      { acc: 92, params: 1.2, edge: 'skip_connect' },
    ];
    for (const p of points) {
      const sample = { ...NB201_SAMPLE, edge_1_0: p.edge };
      const t = await storage.createTrial(nb201.id, { sample, key: `nb-${p.edge}` });
      nbIds.push(t.id);
      await storage.finish(t.id, {
        state: 'complete',
        metrics: { c10valid_xvalid_acc_12ep: p.acc - 10, valid_acc_200ep: p.acc, params_M: p.params },
        score: p.acc - 10,
        cost: 100,
      });
    }
    await storage.setExperimentState(nb201.id, 'complete');
    return {
      file,
      dir,
      chain: { id: chain.id, trialIds: chainIds },
      nb201: { id: nb201.id, trialIds: nbIds },
    };
  } finally {
    await storage.close();
  }
}

/** A stand-in for the built dashboard: index.html and one script. */
export function writeAssets(dir: string): string {
  const assets = join(dir, 'assets-root');
  mkdirSync(join(assets, 'assets'), { recursive: true });
  writeFileSync(join(assets, 'index.html'), '<!doctype html><title>naslab</title><div id="app"></div>');
  writeFileSync(join(assets, 'assets', 'app.js'), 'console.log("naslab");');
  return assets;
}
