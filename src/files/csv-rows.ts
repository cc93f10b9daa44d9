import { CsvError, parse } from 'csv-parse/sync';
import { ConfigError } from '../core/errors.js';

export interface CsvRows {
  readonly records: string[][];
  /** The 1-based line of each record in the file, for messages. */
  readonly lines: number[];
}

/**
 * Parses CSV text into string records with their line numbers. Ragged rows are let through: callers
 * check the column count with a message that names the row and what the columns mean.
 */
export function parseCsvRows(text: string, source: string): CsvRows {
  const lines: number[] = [];
  try {
    const records = parse(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      on_record: (record: string[], context: { lines: number }) => {
        lines.push(context.lines);
        return record;
      },
    }) as string[][];
    return { records, lines };
  } catch (e) {
    if (e instanceof CsvError) throw new ConfigError(`${source}: not valid CSV: ${e.message}`);
    throw e;
  }
}
