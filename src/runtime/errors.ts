import { NaslabError } from '../core/errors.js';

/**
 * ONNX Runtime failures, by stable code:
 *  - E_SESSION_CREATE: the model bytes were rejected (bad graph, unsupported op, type mismatch);
 *  - E_SESSION_FEED: run() got feeds that do not match the model (missing, unknown, wrong length);
 *  - E_SESSION_RUN: ORT failed while running (a shape mismatch inside the graph, out of memory);
 *  - E_SESSION_DISPOSED: run() after dispose().
 */
export type SessionErrorCode = 'E_SESSION_CREATE' | 'E_SESSION_FEED' | 'E_SESSION_RUN' | 'E_SESSION_DISPOSED';

export class SessionError extends NaslabError {
  declare readonly code: SessionErrorCode;
  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'SessionError';
  }
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
