/**
 * Errors carry a stable `code` so callers (the CLI, the runner, scripts reading --json output) can branch
 * on the kind of failure without parsing messages.
 */
export class NaslabError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'NaslabError';
  }
}

/** Bad user input: a config, a table, a CLI option. The message names the field and the fix. */
export class ConfigError extends NaslabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_CONFIG', message, options);
    this.name = 'ConfigError';
  }
}

/** This one trial failed; the search goes on. */
export class TrialFailedError extends NaslabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_TRIAL_FAILED', message, options);
    this.name = 'TrialFailedError';
  }
}

/** The architecture cannot be built or evaluated (e.g. no row in a benchmark table). */
export class InvalidArchitectureError extends NaslabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_INVALID_ARCH', message, options);
    this.name = 'InvalidArchitectureError';
  }
}

/** The whole search must stop (storage gone, evaluator misconfigured for every trial...). */
export class FatalError extends NaslabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_FATAL', message, options);
    this.name = 'FatalError';
  }
}

/** A named thing (experiment, trial, strategy, space) does not exist. */
export class NotFoundError extends NaslabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_NOT_FOUND', message, options);
    this.name = 'NotFoundError';
  }
}

/** The storage backend failed (disk full, read-only, corrupt). */
export class StorageError extends NaslabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_STORAGE', message, options);
    this.name = 'StorageError';
  }
}

export function isNaslabError(e: unknown): e is NaslabError {
  return e instanceof NaslabError;
}

export function errorInfo(e: unknown): { code: string; message: string } {
  if (e instanceof NaslabError) return { code: e.code, message: e.message };
  if (e instanceof Error) return { code: 'E_UNKNOWN', message: e.message };
  return { code: 'E_UNKNOWN', message: String(e) };
}
