import { ConfigError } from '../core/errors.js';
import { parseCsvRows } from '../files/csv-rows.js';
import { readDataFile } from '../files/data-file.js';
import { type Dataset, makeDataset } from './dataset.js';

export interface CsvDataOptions {
  /** The label column: an index (negative counts from the end) or, with a header, its name. */
  readonly label: number | string;
  /** Whether the first row names the columns. */
  readonly header: boolean;
  /**
   * Reshapes each row's features: [height, width, channels] (the order of images stored as rows),
   * [height, width] (one channel) or [features]. Images are loaded as [C, H, W].
   */
  readonly shape?: readonly number[];
}

function labelColumn(
  label: number | string,
  header: readonly string[] | undefined,
  columns: number,
  source: string,
): number {
  if (typeof label === 'string') {
    if (header === undefined) {
      throw new ConfigError(
        `${source}: data.label "${label}" names a column, but data.header is false; set header: true or give the column's index`,
      );
    }
    const at = header.indexOf(label);
    if (at < 0)
      throw new ConfigError(`${source}: data.label: no column "${label}" (columns: ${header.join(', ')})`);
    return at;
  }
  const at = label < 0 ? columns + label : label;
  if (!Number.isInteger(label) || at < 0 || at >= columns) {
    throw new ConfigError(
      `${source}: data.label ${label} is outside the ${columns} columns (use 0..${columns - 1}, or -1..-${columns} from the end)`,
    );
  }
  return at;
}

/** [H, W, C] / [H, W] / [F] from the config -> the sample shape, checked against the feature count. */
function sampleShape(shape: readonly number[] | undefined, features: number, source: string): number[] {
  if (shape === undefined) return [features];
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== features) {
    throw new ConfigError(
      `${source}: data.shape [${shape.join(', ')}] holds ${size} values, but each row has ${features} features`,
    );
  }
  if (shape.length === 3) return [shape[2] as number, shape[0] as number, shape[1] as number];
  if (shape.length === 2) return [1, shape[0] as number, shape[1] as number];
  return [...shape];
}

/** Labels -> 0..K-1. All-numeric labels sort by value ("2" before "10"); others sort as text. */
function classIndex(cells: readonly string[]): { classes: string[]; y: Int32Array } {
  const numeric = cells.every((c) => Number.isFinite(Number(c)));
  const keys = numeric ? cells.map((c) => String(Number(c))) : cells;
  const distinct = [...new Set(keys)];
  const classes = numeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort();
  const index = new Map(classes.map((name, i) => [name, i]));
  return { classes, y: Int32Array.from(keys, (k) => index.get(k) as number) };
}

/** Parses CSV text into a Dataset; `source` names the file in errors. */
export function parseCsvDataset(text: string, source: string, options: CsvDataOptions): Dataset {
  const { records, lines } = parseCsvRows(text, source);
  const header = options.header ? records[0] : undefined;
  const rows = options.header ? records.slice(1) : records;
  const rowLines = options.header ? lines.slice(1) : lines;
  if (rows.length === 0)
    throw new ConfigError(`${source}: no data rows${options.header ? ' after the header' : ''}`);
  const columns = (header ?? rows[0] ?? []).length;
  if (columns < 2) {
    throw new ConfigError(
      `${source}: ${columns} column(s); a dataset needs at least one feature and a label`,
    );
  }
  const where = (r: number) => `row ${r + 1} (line ${rowLines[r]})`;
  const name = (c: number) => (header === undefined ? `column ${c + 1}` : `column ${c + 1} ("${header[c]}")`);
  const labelAt = labelColumn(options.label, header, columns, source);
  const features = columns - 1;
  const shape = sampleShape(options.shape, features, source);
  const x = new Float32Array(rows.length * features);
  const labels: string[] = [];
  // Where feature f of a row goes inside its sample: HWC rows are laid out as CHW.
  const [channels, height, width] =
    shape.length === 3 ? (shape as [number, number, number]) : [1, 1, features];
  const target = Int32Array.from({ length: features }, (_, f) => {
    const c = f % channels;
    const pixel = Math.floor(f / channels);
    return c * height * width + pixel;
  });
  rows.forEach((row, r) => {
    if (row.length !== columns) {
      throw new ConfigError(`${source}: ${where(r)} has ${row.length} cells, expected ${columns}`);
    }
    let f = 0;
    row.forEach((cell, c) => {
      if (c === labelAt) {
        if (cell === '') throw new ConfigError(`${source}: ${where(r)}, ${name(c)}: the label is empty`);
        labels.push(cell);
        return;
      }
      const value = cell === '' ? NaN : Number(cell);
      if (!Number.isFinite(value)) {
        throw new ConfigError(
          `${source}: ${where(r)}, ${name(c)}: expected a number, found ${JSON.stringify(cell)} (features must be numeric, with no missing values)`,
        );
      }
      x[r * features + (target[f] as number)] = value;
      f++;
    });
  });
  const { classes, y } = classIndex(labels);
  if (classes.length < 2) {
    throw new ConfigError(
      `${source}: the label ${name(labelAt)} has a single value (${classes[0]}); classification needs at least two classes`,
    );
  }
  return makeDataset({ source, shape, x, y, classes, inputScale: 1 });
}

/** Reads a .csv or .csv.gz file (gzip detected by its magic bytes). */
export async function readCsvDataset(path: string, options: CsvDataOptions): Promise<Dataset> {
  const bytes = await readDataFile(path, 'CSV data');
  return parseCsvDataset(new TextDecoder().decode(bytes), path, options);
}
