import { ConfigError } from '../../core/errors.js';
import { parseCsvRows } from '../../files/csv-rows.js';
import { readDataFile } from '../../files/data-file.js';
import { formatBytes } from '../../files/regular-file.js';

function isMissing(cell: string): boolean {
  return cell === '' || cell.toLowerCase() === 'nan';
}

function rowLabel(row: number, line: number | undefined): string {
  return line === undefined ? `row ${row + 1}` : `row ${row + 1} (line ${line})`;
}

/**
 * A CSV table held as columns of cell text. Numeric columns are parsed on first use and cached, so a
 * wide table (nb201 has 29 columns) only pays for the columns a benchmark reads.
 */
export class Table {
  /** Where the table came from, for messages. */
  readonly source: string;
  readonly columns: readonly string[];
  readonly rowCount: number;
  private readonly cells: ReadonlyMap<string, readonly string[]>;
  private readonly lines: readonly number[];
  private readonly parsed = new Map<string, Float64Array>();

  constructor(
    source: string,
    header: readonly string[],
    rows: readonly (readonly string[])[],
    lines: readonly number[],
  ) {
    this.source = source;
    this.columns = header;
    this.rowCount = rows.length;
    this.lines = lines;
    const cells = new Map<string, string[]>();
    header.forEach((name, c) =>
      cells.set(
        name,
        rows.map((row) => row[c] as string),
      ),
    );
    this.cells = cells;
  }

  has(column: string): boolean {
    return this.cells.has(column);
  }

  /** "row 3 (line 4)": the data row (1-based, header excluded) and its line in the file. */
  where(row: number): string {
    return rowLabel(row, this.lines[row]);
  }

  /** The raw cell text of a column. */
  text(column: string): readonly string[] {
    const cells = this.cells.get(column);
    if (cells === undefined) {
      throw new ConfigError(`${this.source}: no column "${column}" (columns: ${this.columns.join(', ')})`);
    }
    return cells;
  }

  /** A column as numbers; an empty or `nan` cell is NaN, any other non-number is an error. */
  numbers(column: string): Float64Array {
    const cached = this.parsed.get(column);
    if (cached !== undefined) return cached;
    const cells = this.text(column);
    const out = new Float64Array(cells.length);
    for (let r = 0; r < cells.length; r++) {
      const cell = cells[r] as string;
      const value = isMissing(cell) ? NaN : Number(cell);
      if (Number.isNaN(value) && !isMissing(cell)) {
        throw new ConfigError(
          `${this.source}: column "${column}", ${this.where(r)}: expected a number, found ${JSON.stringify(cell)} ` +
            '(leave the cell empty or write nan for a missing value)',
        );
      }
      out[r] = value;
    }
    this.parsed.set(column, out);
    return out;
  }
}

/** Parses CSV text (with a header row) into a Table. */
export function parseTable(text: string, source: string): Table {
  const { records, lines } = parseCsvRows(text, source);
  const [header, ...rows] = records;
  if (header === undefined || rows.length === 0) {
    throw new ConfigError(`${source}: the table is empty; expected a header line and at least one row`);
  }
  const seen = new Set<string>();
  header.forEach((name, c) => {
    if (name === '') throw new ConfigError(`${source}: the header's column ${c + 1} has no name`);
    if (seen.has(name)) throw new ConfigError(`${source}: the header names column "${name}" twice`);
    seen.add(name);
  });
  const rowLines = lines.slice(1);
  rows.forEach((row, r) => {
    if (row.length !== header.length) {
      throw new ConfigError(
        `${source}: ${rowLabel(r, rowLines[r])} has ${row.length} cells, but the header has ${header.length} columns`,
      );
    }
  });
  return new Table(source, header, rows, rowLines);
}

/** The longest string V8 makes (2^29 - 24 characters); UTF-8 text of at most this many bytes fits. */
const MAX_TEXT_BYTES = 2 ** 29 - 24;

/** Reads a .csv or .csv.gz file (gzip is detected by its magic bytes, not the name). */
export async function loadTable(path: string): Promise<Table> {
  const bytes = await readDataFile(path, 'table');
  if (bytes.length > MAX_TEXT_BYTES) {
    throw new ConfigError(
      `${path}: the table is ${formatBytes(bytes.length)} of text, over the ${formatBytes(MAX_TEXT_BYTES)} naslab can read as one table`,
    );
  }
  return parseTable(new TextDecoder().decode(bytes), path);
}
