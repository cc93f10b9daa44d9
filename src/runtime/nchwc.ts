import { NCHWC_DOMAIN } from '../graph/lower/nchwc.js';
import { ModelBuilder, float32 } from '../graph/onnx/index.js';
import { Session, type SessionOptions } from './session.js';

/** Set to `off` (or 0) to train with plain ONNX ops only: for comparisons, or a runtime that misbehaves. */
export const NCHWC_ENV = 'NASLAB_NCHWC';

let probed: Promise<number | undefined> | undefined;

/**
 * ONNX Runtime's NCHWc channel block on this machine (16 with AVX-512, 8 with AVX2), or undefined where
 * its blocked convolutions are unavailable (not x86, or NASLAB_NCHWC=off). Found once per process by
 * running ReorderInput on 4 channels (its least): its output pads the channels to one whole block.
 */
export function nchwcBlockSize(): Promise<number | undefined> {
  const setting = (process.env[NCHWC_ENV] ?? '').toLowerCase();
  if (setting === 'off' || setting === '0' || setting === 'false') return Promise.resolve(undefined);
  probed ??= probe();
  return probed;
}

/**
 * The block a training graph for these session options should use: the machine's, unless the session
 * prefers another execution provider (CUDA), which has no NCHWc kernels: blocked convs would run on the
 * CPU provider there, with copies between the devices around each.
 */
export function trainingNchwcBlock(session?: SessionOptions): Promise<number | undefined> {
  const first = session?.executionProviders?.[0];
  return first === undefined || first === 'cpu' ? nchwcBlockSize() : Promise.resolve(undefined);
}

async function probe(): Promise<number | undefined> {
  const mb = new ModelBuilder({ name: 'naslab-nchwc-probe' });
  mb.input('x', 'float32', [1, 4, 1, 1]);
  mb.output(mb.op('ReorderInput', ['x'], {}, { domain: NCHWC_DOMAIN }), 'float32');
  let session: Session | undefined;
  try {
    session = await Session.create(mb.toBytes(), { intraOpNumThreads: 1 });
    const out = Object.values(await session.run({ x: float32([1, 4, 1, 1], [1, 2, 3, 4]) }))[0];
    const block = out?.dims[1];
    return typeof block === 'number' && block >= 4 && Number.isInteger(block) ? block : undefined;
  } catch {
    // No NCHWc kernels in this build or on this CPU: plain convs it is.
    return undefined;
  } finally {
    await session?.dispose();
  }
}
