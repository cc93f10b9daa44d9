/**
 * A pool worker for tests that crashes on purpose: trial key 'crash:throw' raises an uncaught error in
 * the worker, 'crash:exit' ends its thread with process.exit(3). Other keys train as usual.
 */
import { serveTrials } from './serve.js';

serveTrials({
  beforeTrial(task) {
    if (task.key === 'crash:throw') {
      setImmediate(() => {
        throw new Error('boom from the test worker');
      });
    }
    if (task.key === 'crash:exit') process.exit(3);
  },
});
