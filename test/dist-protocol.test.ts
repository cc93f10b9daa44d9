import { describe, expect, it } from 'vitest';
import { ConfigError, FatalError, InvalidArchitectureError, NaslabError } from '../src/core/errors.js';
import { parseQueueUrl } from '../src/dist/connection.js';
import {
  errorFromInfo,
  identityMismatch,
  identityOf,
  jobIdOf,
  newCoordinatorId,
  parseOutcome,
  parseProgress,
  runKeyOf,
} from '../src/dist/protocol.js';

describe('queue URLs', () => {
  it('accepts redis:// and rediss:// with a password and a database, and masks the password', () => {
    const l = parseQueueUrl('rediss://:p%40ss@queue.example:6380/2');
    expect(l.tls).toBe(true);
    expect(l.display).toBe('rediss://:***@queue.example:6380/2');
    expect(l.url).toContain('p%40ss');
    expect(parseQueueUrl('redis://127.0.0.1:6379').tls).toBe(false);
  });
  it('rejects what is not a Redis URL, naming the flag', () => {
    expect(() => parseQueueUrl('localhost:6379')).toThrow(ConfigError);
    expect(() => parseQueueUrl('http://h:1')).toThrow(/--queue: expected a redis:\/\/ or rediss:\/\//);
    expect(() => parseQueueUrl('redis://h:1/jobs')).toThrow(/database number/);
  });
});

describe('the wire format', () => {
  it('job ids hold no colon and name the coordinator, so two stores never share one', () => {
    const a = newCoordinatorId();
    const b = newCoordinatorId();
    expect(a).not.toBe(b);
    expect(jobIdOf(a, '1', '17', 1)).toBe(`e1-t17-${a}-1`);
    expect(jobIdOf(a, '1', '17', 1)).not.toBe(jobIdOf(b, '1', '17', 1));
    expect(jobIdOf(a, '1', '17', 1)).not.toBe(jobIdOf(a, '1', '17', 2));
    expect(jobIdOf(a, '1', '17', 1)).not.toContain(':');
    expect(() => jobIdOf('a:b', '1', '1', 1)).toThrow();
  });
  it('the resume index differs between stores whose experiment ids are the same', () => {
    const config = { seed: 3 };
    expect(runKeyOf('1', '1700000000000@/a.db', config)).not.toBe(
      runKeyOf('1', '1700000000000@/b.db', config),
    );
    expect(runKeyOf('1', 't', config)).not.toBe(runKeyOf('1', 't', { seed: 4 }));
    expect(runKeyOf('1', 't', config)).toBe(runKeyOf('1', 't', { seed: 3 }));
  });
  it('answers and reports name their job; a mismatch or a missing name is found', () => {
    const job = {
      experimentId: '1',
      trialId: '5',
      sample: {},
      key: 'k',
      config: {},
      runTag: 'r',
      coordinator: 'c0',
      attempts: 3,
    };
    const mine = identityOf('e1-t5-c0-1', job);
    const outcome = parseOutcome({ kind: 'ok', metrics: { a: 1 }, cost: 0, trial: mine });
    expect(outcome.trial).toEqual(mine);
    expect(identityMismatch(mine, outcome.trial)).toBeUndefined();
    const other = identityOf('e1-t5-c1-1', { ...job, coordinator: 'c1', runTag: 's' });
    expect(identityMismatch(mine, other)).toMatch(/coordinator "c1".*runTag "s"/);
    expect(identityMismatch(mine, parseOutcome({ kind: 'ok', metrics: {}, cost: 0 }).trial)).toMatch(
      /names no trial/,
    );
    expect(parseProgress({ step: 1, seq: 1, metrics: {}, trial: other })?.trial).toEqual(other);
  });
  it('reads answers, NaN metrics included, and refuses garbage', () => {
    expect(parseOutcome('{"kind":"ok","metrics":{"a":1,"b":null},"cost":2}')).toEqual({
      kind: 'ok',
      metrics: { a: 1, b: Number.NaN },
      cost: 2,
    });
    expect(parseOutcome({ kind: 'aborted' })).toEqual({ kind: 'aborted' });
    expect(parseOutcome({ kind: 'ok', metrics: { a: 'x' }, cost: 0 }).kind).toBe('error');
    expect(parseProgress({ step: 1, seq: 1, metrics: { loss: 0.5 } })).toEqual({
      step: 1,
      seq: 1,
      metrics: { loss: 0.5 },
    });
    expect(parseProgress({ step: 'x' })).toBeUndefined();
  });
  it('turns error codes back into the classes the runner branches on', () => {
    expect(errorFromInfo({ code: 'E_INVALID_ARCH', message: 'm' })).toBeInstanceOf(InvalidArchitectureError);
    expect(errorFromInfo({ code: 'E_FATAL', message: 'm' })).toBeInstanceOf(FatalError);
    const other = errorFromInfo({ code: 'E_UNKNOWN', message: 'boom' });
    expect(other).toBeInstanceOf(NaslabError);
    expect((other as NaslabError).code).toBe('E_UNKNOWN');
  });
});
