import type * as ort from 'onnxruntime-node';
import type { TensorData } from '../graph/onnx/index.js';
import { SessionError } from './errors.js';
import type { Session } from './session.js';
import { fromOrtTensor, toOrtTensor, type Feeds, type Outputs } from './tensors.js';

/**
 * Training-style reuse: some outputs are the next step's inputs (updated weights, optimiser moments,
 * the step counter). `loop` maps output name -> input name; `initial` holds every looped input's first
 * value. step() feeds the current state plus the step's own feeds (a batch), keeps the looped outputs
 * as the new state and returns the fetched outputs.
 *
 * The state stays in ORT tensors between steps: each run's looped outputs are fed back as they are
 * (onnxruntime-node returns every output in a fresh JS buffer, so nothing is copied here, and a buffer
 * handed out by state() is never written again). Names are checked once, here and per fetch list,
 * so a step costs little beyond the run itself.
 */
export class FeedbackRunner {
  private current: Record<string, ort.Tensor> = {};
  private readonly loop: ReadonlyArray<readonly [output: string, input: string]>;
  /** The inputs step() must feed: every model input that is not looped. */
  private readonly stepInputs: readonly string[];
  /** The last fetch list and what is run for it (the list plus the looped outputs). */
  private wanted: { readonly fetches: readonly string[] | undefined; readonly names: readonly string[] };

  constructor(
    private readonly session: Session,
    loop: Readonly<Record<string, string>>,
    initial: Feeds,
  ) {
    this.loop = Object.entries(loop);
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
      this.current[input] = toOrtTensor(input, value);
    }
    this.stepInputs = session.inputNames.filter((n) => !Object.hasOwn(this.current, n));
    this.wanted = { fetches: undefined, names: session.outputNames };
  }

  /** The looped inputs' current values (e.g. the trained weights after the last step). */
  state(): Readonly<Record<string, TensorData>> {
    const out: Record<string, TensorData> = {};
    for (const [name, t] of Object.entries(this.current)) out[name] = fromOrtTensor(name, t);
    return out;
  }

  /** Runs one step; returns the outputs in `fetches` (default: every output, the looped ones included). */
  async step(feeds: Feeds = {}, fetches?: readonly string[]): Promise<Outputs> {
    const ortFeeds: Record<string, ort.Tensor> = { ...this.current };
    for (const [name, t] of Object.entries(feeds)) {
      if (Object.hasOwn(this.current, name)) {
        throw new SessionError(
          'E_SESSION_FEED',
          `feedback: '${name}' is looped state; do not feed it to step()`,
        );
      }
      if (!this.stepInputs.includes(name)) {
        throw new SessionError(
          'E_SESSION_FEED',
          `feed '${name}' is not a model input; the inputs are ${this.session.inputNames.join(', ')}`,
        );
      }
      ortFeeds[name] = toOrtTensor(name, t);
    }
    const missing = this.stepInputs.filter((n) => !Object.hasOwn(feeds, n));
    if (missing.length > 0) {
      throw new SessionError('E_SESSION_FEED', `missing feed(s) ${missing.map((n) => `'${n}'`).join(', ')}`);
    }
    const names = this.namesFor(fetches);
    const out = await this.session.runTensors(ortFeeds, names);
    const next: Record<string, ort.Tensor> = {};
    for (const [output, input] of this.loop) next[input] = out[output] as ort.Tensor;
    this.current = next;
    const result: Outputs = {};
    for (const name of fetches ?? names) result[name] = fromOrtTensor(name, out[name] as ort.Tensor);
    return result;
  }

  /** The outputs to run for `fetches`: they and the looped outputs, or the state could not advance. */
  private namesFor(fetches: readonly string[] | undefined): readonly string[] {
    if (fetches !== this.wanted.fetches) {
      if (fetches !== undefined) this.session.checkFetches(fetches);
      const names =
        fetches === undefined
          ? this.session.outputNames
          : [...new Set([...fetches, ...this.loop.map(([o]) => o)])];
      this.wanted = { fetches, names };
    }
    return this.wanted.names;
  }
}
