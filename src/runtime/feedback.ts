import type { TensorData } from '../graph/onnx/index.js';
import { SessionError } from './errors.js';
import type { Session } from './session.js';
import type { Feeds, Outputs } from './tensors.js';

/**
 * Training-style reuse: some outputs are the next step's inputs (updated weights, optimiser moments,
 * the step counter). `loop` maps output name -> input name; `initial` holds every looped input's first
 * value. step() feeds the current state plus the step's own feeds (a batch), keeps the looped outputs
 * as the new state and returns all fetched outputs. No copies: each run returns fresh arrays.
 */
export class FeedbackRunner {
  private current: Record<string, TensorData>;
  private readonly loop: ReadonlyArray<readonly [output: string, input: string]>;

  constructor(
    private readonly session: Session,
    loop: Readonly<Record<string, string>>,
    initial: Feeds,
  ) {
    this.loop = Object.entries(loop);
    this.current = {};
    for (const [output, input] of this.loop) {
      if (!session.outputNames.includes(output)) {
        throw new SessionError('E_SESSION_FEED', `feedback: '${output}' is not a model output`);
      }
      if (!session.inputNames.includes(input)) {
        throw new SessionError(
          'E_SESSION_FEED',
          `feedback: '${input}' (fed by '${output}') is not a model input`,
        );
      }
      const value = initial[input];
      if (value === undefined) {
        throw new SessionError('E_SESSION_FEED', `feedback: no initial value for looped input '${input}'`);
      }
      this.current[input] = value;
    }
  }

  /** The looped inputs' current values (e.g. the trained weights after the last step). */
  state(): Readonly<Record<string, TensorData>> {
    return { ...this.current };
  }

  async step(feeds: Feeds = {}, fetches?: readonly string[]): Promise<Outputs> {
    for (const name of Object.keys(feeds)) {
      if (Object.hasOwn(this.current, name)) {
        throw new SessionError(
          'E_SESSION_FEED',
          `feedback: '${name}' is looped state; do not feed it to step()`,
        );
      }
    }
    // Looped outputs are always fetched, or the state could not advance.
    const wanted =
      fetches === undefined ? undefined : [...new Set([...fetches, ...this.loop.map(([o]) => o)])];
    const out = await this.session.run({ ...feeds, ...this.current }, wanted);
    const next: Record<string, TensorData> = {};
    for (const [output, input] of this.loop) {
      const value = out[output];
      if (value === undefined)
        throw new SessionError('E_SESSION_RUN', `feedback: output '${output}' missing`);
      next[input] = value;
    }
    this.current = next;
    return out;
  }
}
