import { StorageError } from '../core/errors.js';
import type { TrialState } from '../core/types.js';

/**
 * Rules and helpers both backends share, so they behave the same (the conformance suite checks it).
 */

/** A trial may be finished or requeued only while it is not finished yet. */
export function isOpenTrialState(state: TrialState): boolean {
  return state === 'queued' || state === 'running';
}

export function alreadyFinished(trialId: string, state: TrialState, action: string): StorageError {
  return new StorageError(
    `cannot ${action} trial ${trialId}: it is already ${state}, and a finished trial is never changed`,
  );
}

/**
 * Serialises a JSON value for storage. Values JSON cannot hold (BigInt, cycles) are a programming
 * error upstream; saying which value was refused saves a debugging session.
 */
export function toJsonText(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new StorageError(
      `${what} is not JSON-serialisable: ${e instanceof Error ? e.message : String(e)}`,
      {
        cause: e,
      },
    );
  }
  if (text === undefined) throw new StorageError(`${what} is not JSON-serialisable (found ${typeof value})`);
  return text;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * An immutable copy of a JSON value (a config, a strategy state), with exactly what a JSON round trip keeps (so the in-memory store
 * answers what SQLite would). Used for configs and strategy states, which are saved rarely.
 */
export function frozenJsonCopy<T>(value: T, what: string): T {
  return deepFreeze(JSON.parse(toJsonText(value, what)) as T);
}
