import { describe, expect, it } from 'vitest';
import { ConfigError, FatalError, InvalidArchitectureError, NaslabError } from '../src/core/errors.js';
import { parseQueueUrl } from '../src/dist/connection.js';
import { errorFromInfo, jobIdOf, parseOutcome, parseProgress } from '../src/dist/protocol.js';

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
  it('job ids hold no colon', () => expect(jobIdOf('3', '17')).toBe('e3-t17'));
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
