import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { parseObjectives, toMinimization } from './objectives.js';

function configError(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('objectives', () => {
  it('parses a list of metrics with directions', () => {
    expect(
      parseObjectives(
        [
          { metric: 'acc', direction: 'maximize' },
          { metric: 'latency_ms', direction: 'minimize' },
        ],
        'exp.yaml',
      ),
    ).toEqual([
      { metric: 'acc', direction: 'maximize' },
      { metric: 'latency_ms', direction: 'minimize' },
    ]);
  });

  it('names the bad field', () => {
    const list = [
      { metric: 'acc', direction: 'maximize' },
      { metric: 'lat', direction: 'smaller' },
    ];
    expect(configError(() => parseObjectives(list, 'exp.yaml'))).toMatch(
      /^exp\.yaml: invalid configuration\n {2}objectives\[1\]\.direction: .*"maximize".*"minimize"/,
    );
    expect(configError(() => parseObjectives([{ direction: 'maximize' }], 'x'))).toMatch(
      /objectives\[0\]\.metric: missing/,
    );
    expect(configError(() => parseObjectives([{ metric: 'a', direction: 'minimize', w: 1 }], 'x'))).toMatch(
      /objectives\[0\]: .*"w"/,
    );
    expect(configError(() => parseObjectives([], 'x'))).toMatch(/objectives: .*>=\s*1/);
    expect(
      configError(() =>
        parseObjectives(
          [
            { metric: 'a', direction: 'minimize' },
            { metric: 'a', direction: 'maximize' },
          ],
          'x',
        ),
      ),
    ).toMatch(/objectives\[1\]\.metric: this metric is already an objective/);
  });

  it('maps metrics to a minimisation vector, undefined when one is missing or not finite', () => {
    const objectives = [
      { metric: 'acc', direction: 'maximize' },
      { metric: 'lat', direction: 'minimize' },
    ] as const;
    expect(toMinimization({ acc: 91.5, lat: 3, other: 1 }, objectives)).toEqual([-91.5, 3]);
    expect(toMinimization({ acc: 91.5 }, objectives)).toBeUndefined();
    expect(toMinimization({ acc: NaN, lat: 3 }, objectives)).toBeUndefined();
    expect(toMinimization({ acc: 90, lat: Infinity }, objectives)).toBeUndefined();
  });
});
