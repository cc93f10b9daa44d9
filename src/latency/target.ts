import { ConfigError } from '../core/errors.js';
import type { SearchSpace, SpaceSpec } from '../core/space.js';
import type { Storage } from '../core/storage.js';
import type { Sample } from '../core/types.js';
import { exportSource } from '../export/source.js';
import { readYamlFile } from '../files/yaml.js';
import { Graph } from '../graph/graph.js';
import { evaluatorLabel } from '../runner/config.js';
import { storedConfig } from '../runner/experiment.js';
import { createSpace } from '../space/registry.js';

/** The network a latency measurement runs, and where it came from. */
export interface LatencyTarget {
  readonly key: string;
  /** The space's name, e.g. "chain". */
  readonly space: string;
  readonly graph: Graph;
  /** Set when the architecture is a stored trial's. */
  readonly experimentId?: string;
  readonly trialNumber?: number;
}

const NETWORK_SPACES = 'chain, macro, cell or nb201-net';

type KeyedSpace = SearchSpace<unknown> & { sampleFromKey(key: string): Sample };

function hasKeys(space: SearchSpace<unknown>): space is KeyedSpace {
  return typeof (space as Partial<KeyedSpace>).sampleFromKey === 'function';
}

/**
 * The space spec in a YAML file: an experiment config's `space:`, or a space spec alone
 * (`type: chain` and its parameters).
 */
export function readSpaceSpec(path: string): SpaceSpec {
  const raw = readYamlFile(path, 'space config');
  const isMapping = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  const spec = isMapping(raw) && isMapping(raw['space']) ? raw['space'] : raw;
  if (!isMapping(spec) || typeof spec['type'] !== 'string') {
    throw new ConfigError(
      `${path}: expected an experiment config with a \`space:\` mapping, or a space spec with a \`type\` ` +
        `(${NETWORK_SPACES}), e.g. "space: { type: chain, input: [1, 28, 28], classes: 10 }"`,
    );
  }
  return spec as SpaceSpec;
}

/** An architecture given by its key (as `naslab show` prints it) in the space of a YAML file. */
export function targetFromKey(key: string, spacePath: string): LatencyTarget {
  const space = createSpace(readSpaceSpec(spacePath));
  if (!hasKeys(space)) {
    throw new ConfigError(
      `space "${space.name}" (${spacePath}) reads no architecture keys: measure one of its experiments' ` +
        `trials by experiment id instead, or use a ${NETWORK_SPACES} space`,
    );
  }
  const sample = space.sampleFromKey(key);
  const graph = space.decode(sample);
  if (!(graph instanceof Graph)) {
    throw new ConfigError(
      `space "${space.name}" (${spacePath}) does not decode to a network, so there is nothing to run; ` +
        `use a ${NETWORK_SPACES} space (for nb201 cells: type nb201-net)`,
    );
  }
  return { key: space.key(sample), space: space.name, graph };
}

/**
 * A stored trial's network (default the best complete trial; `trial` is an id or #N, as for export).
 * A tabular experiment is refused: its trials are table rows, not networks.
 */
export async function targetFromExperiment(
  storage: Storage,
  experimentId: string,
  trial?: string,
): Promise<LatencyTarget> {
  const config = storedConfig((await storage.experiment(experimentId)).config, experimentId);
  if (config.evaluator.type === 'benchmark') {
    throw new ConfigError(
      `experiment ${experimentId} searched the tabular benchmark ${evaluatorLabel(config.evaluator)}: its ` +
        'trials are table rows, not networks to run. nb201 trials carry HW-NAS-Bench latencies as metrics ' +
        '(latency_edgegpu_ms, latency_pixel3_ms...: naslab show --json); to time the network of a cell ' +
        'here, give its key and an nb201-net space: naslab latency "<arch_str>" --space <config.yaml>',
    );
  }
  const source = await exportSource(storage, experimentId, trial);
  return {
    key: source.trial.key,
    space: source.space.name,
    graph: source.graph,
    experimentId,
    trialNumber: source.trial.number,
  };
}
