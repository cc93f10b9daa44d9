export { SessionError, type SessionErrorCode } from './errors.js';
export { FeedbackRunner } from './feedback.js';
export { Session, createSession, type SessionOptions } from './session.js';
export type { Feeds, Outputs } from './tensors.js';
