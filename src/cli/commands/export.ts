import cliProgress from 'cli-progress';
import { exportModel, type ExportStage, type RetrainEpoch } from '../../export/index.js';
import { ConfigError } from '../../core/errors.js';
import { MEMORY_LOCATION, openStorage } from '../../storage/open.js';
import { dbPath } from '../options.js';
import { EXIT, formatNumber, info, printJson, type OutputFlags } from '../output.js';
import { abortOnSignals } from '../signals.js';

export interface ExportFlags extends OutputFlags {
  readonly out: string;
  readonly trial?: string;
  readonly nearLatency?: number;
  readonly latencyMetric?: string;
  readonly retrainEpochs?: number;
  readonly force?: boolean;
  readonly db?: string;
}

/** Progress on stderr: lines, and a bar over the epochs when stderr is a terminal. */
class ExportProgress {
  private bar: cliProgress.SingleBar | undefined;
  constructor(
    private readonly enabled: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  private line(text: string): void {
    if (this.enabled) this.stream.write(`${text}\n`);
  }

  stage(s: ExportStage): void {
    if (s.stage === 'data') this.line(`exporting trial #${s.trialNumber}: ${s.key}; loading the data`);
    else if (s.stage === 'train') {
      const what =
        s.mode === 'reproduce'
          ? `reproducing the trial's training (its evaluator settings and seed)`
          : 'retraining on training + validation data';
      this.line(`${what}: ${s.epochs} epoch${s.epochs === 1 ? '' : 's'} on ${s.samples} samples`);
      if (this.enabled && this.stream.isTTY) {
        this.bar = new cliProgress.SingleBar(
          {
            format: ' {bar} epoch {value}/{total} | loss {loss} | {monitor} {acc} | ETA {eta_formatted}',
            stream: this.stream,
          },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(s.epochs, 0, { loss: '-', acc: '-', monitor: 'accuracy' });
      }
    } else if (s.stage === 'measure') {
      this.bar?.stop();
      this.line(`measuring model.onnx on the ${s.samples} test samples`);
    } else this.line(`writing ${s.out}`);
  }

  epoch(e: RetrainEpoch): void {
    const monitor = e.monitor === 'validation' ? 'valid acc' : 'train acc';
    if (this.bar !== undefined) {
      this.bar.update(e.epoch, { loss: formatNumber(e.trainLoss), acc: formatNumber(e.accuracy), monitor });
      return;
    }
    this.line(
      `  epoch ${e.epoch}/${e.epochs}: train loss ${formatNumber(e.trainLoss)}, ${monitor} ${formatNumber(e.accuracy)}`,
    );
  }

  stop(): void {
    this.bar?.stop();
  }
}

export async function exportCommand(id: string, flags: ExportFlags): Promise<number> {
  // Read-only: exporting never writes to the store, and a running search is not disturbed.
  const db = dbPath(flags.db);
  const storage = openStorage(db, { readonly: db !== MEMORY_LOCATION });
  // Progress is on stderr, so --json (stdout) keeps it; --quiet drops it.
  const progress = new ExportProgress(!flags.quiet);
  try {
    if (flags.trial !== undefined && flags.nearLatency !== undefined) {
      throw new ConfigError('--trial and --near-latency both choose the trial: give one of them');
    }
    const controller = abortOnSignals(() => progress.stop());
    const result = await exportModel(storage, {
      experimentId: id,
      trial:
        flags.nearLatency !== undefined
          ? { nearLatency: flags.nearLatency, latencyMetric: flags.latencyMetric }
          : flags.trial,
      retrainEpochs: flags.retrainEpochs,
      out: flags.out,
      force: flags.force,
      signal: controller.signal,
      onStage: (s) => progress.stage(s),
      onEpoch: (e) => progress.epoch(e),
    });
    progress.stop();
    if (result.status === 'aborted') {
      if (flags.json)
        printJson({ error: { code: 'E_INTERRUPTED', message: 'interrupted: nothing written' } });
      else process.stderr.write(`naslab: interrupted: nothing written to ${flags.out}\n`);
      return EXIT.interrupted;
    }
    const d = result.description;
    if (flags.json) {
      printJson({ files: result.files, description: d });
      return EXIT.ok;
    }
    const t = d.training;
    if (t.matchesTrial === false) {
      process.stderr.write(
        `naslab: warning: the reproduced weights score ${t.validAccuracy} on validation, the trial ` +
          `recorded ${t.trialValidAccuracy}: training did not repeat bit for bit here (another CPU, ` +
          'ONNX Runtime version or thread count); the exported model is a fresh training of the same ' +
          'architecture and settings\n',
      );
    }
    info(
      flags,
      `exported trial #${d.source.trialNumber} of experiment ${d.source.experimentId}: ${d.architecture.key}`,
    );
    info(
      flags,
      `  ${t.mode === 'reproduced' ? 'trained as the trial was' : 'retrained on training + validation data'}: ` +
        `${t.epochs} epoch${t.epochs === 1 ? '' : 's'} on ${t.samples} samples` +
        (t.matchesTrial ? `, validation accuracy ${formatNumber(t.validAccuracy)} (as the trial)` : ''),
    );
    const acc = d.evaluation.testAccuracy;
    info(
      flags,
      acc === null
        ? '  no test split: test accuracy not measured'
        : `  test accuracy of model.onnx: ${formatNumber(acc)} (${d.evaluation.testSamples} samples)`,
    );
    for (const f of result.files) info(flags, `  wrote ${f}`);
    return EXIT.ok;
  } finally {
    progress.stop();
    await storage.close();
  }
}
