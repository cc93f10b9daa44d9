/** The pool's worker thread entry (see pool.ts); compiled to worker.js beside it. */
import { serveTrials } from './serve.js';

serveTrials();
