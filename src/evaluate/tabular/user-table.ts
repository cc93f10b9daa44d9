import { basename, dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { regularFileProblem } from '../../files/regular-file.js';
import { readYamlFile } from '../../files/yaml.js';
import type { Choice, Decision } from '../../core/types.js';
import { parseConfig } from '../../core/validate.js';
import { unknownFields } from '../../core/config-hints.js';
import { DeclaredSpace, declaredDecisionsSchema } from '../../space/declared.js';
import { walk } from '../../space/walk.js';
import type { Benchmark } from './benchmark.js';
import { TabularEvaluator } from './evaluator.js';
import { loadTable, type Table } from './table.js';

const FIELDS = ['table', 'decisions', 'signal', 'report', 'direction', 'cost'] as const;

const userTableSchema = z.object({
  table: z.string().min(1, 'expected the path of a .csv or .csv.gz file'),
  decisions: declaredDecisionsSchema,
  signal: z.string().min(1, 'expected the name of the column to optimise'),
  report: z
    .union(
      [
        z
          .string()
          .min(1)
          .transform((column) => [column]),
        z.array(z.string().min(1)).min(1, 'expected at least one column name'),
      ],
      { error: 'expected a column name or a list of column names' },
    )
    .optional(),
  direction: z.enum(['maximize', 'minimize']).default('maximize'),
  cost: z
    .union([z.number().finite().min(0), z.string().min(1)], {
      error: 'expected simulated seconds per evaluation (a number >= 0) or the name of a cost column',
    })
    .default(1),
});

export type UserTableConfig = z.output<typeof userTableSchema>;

/** What a user table YAML is called in messages. */
export const USER_TABLE_WHAT = 'benchmark table config';

/** Parses and validates a user table YAML file (the table itself is checked by loadUserTable). */
export async function readUserTableConfig(file: string): Promise<UserTableConfig> {
  return userTableConfig(file);
}

function userTableConfig(file: string): UserTableConfig {
  const raw = readYamlFile(file, USER_TABLE_WHAT);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${file}: expected a mapping with the fields ${FIELDS.join(', ')}`);
  }
  // Checked before the schema so a typo ("sigal") is named even though "signal" is then missing too.
  const unknown = unknownFields(raw as Record<string, unknown>, FIELDS);
  if (unknown.length > 0) {
    throw new ConfigError(
      `${file}: invalid configuration\n  ${unknown.map((u) => `${u.key}: ${u.message}`).join('\n  ')}`,
    );
  }
  return parseConfig(userTableSchema, raw, file);
}

/** A name or cell from the user's files, cut short: a 100,000-character header must not become the message. */
function shown(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}

/** The table's columns for a message: the first dozen, each cut short. */
function columnList(table: Table): string {
  const names = table.columns.slice(0, 12).map((c) => shown(c, 40));
  const more = table.columns.length > 12 ? `, and ${table.columns.length - 12} more` : '';
  return `${names.join(', ')}${more}`;
}

/** Cell text -> choice: exact text first, then numeric equality ("16.0" is the choice 16). */
function choiceMatcher(choices: readonly Choice[]): (cell: string) => Choice | undefined {
  const byText = new Map<string, Choice>(choices.map((c) => [String(c), c]));
  const numeric = choices.filter((c): c is number => typeof c === 'number');
  return (cell) => {
    const exact = byText.get(cell);
    if (exact !== undefined || numeric.length === 0 || cell === '') return exact;
    const value = Number(cell);
    return numeric.find((c) => c === value);
  };
}

/** Each row's architecture key, checking every cell a row's decisions read. */
function rowKeys(file: string, table: Table, space: DeclaredSpace): string[] {
  const matchers = new Map<string, (cell: string) => Choice | undefined>();
  const columnOf = (d: Decision): readonly string[] => {
    if (!table.has(d.name)) {
      throw new ConfigError(
        `${file}: decisions: the table ${table.source} has no column "${shown(d.name)}" for decision ` +
          `"${shown(d.name)}" (columns: ${columnList(table)})`,
      );
    }
    return table.text(d.name);
  };
  const keys: string[] = [];
  const firstRow = new Map<string, number>();
  for (let r = 0; r < table.rowCount; r++) {
    const sample = walk(space, (d) => {
      const cell = columnOf(d)[r] as string;
      let match = matchers.get(d.name);
      if (match === undefined) matchers.set(d.name, (match = choiceMatcher(d.choices)));
      const choice = match(cell);
      if (choice === undefined) {
        const found = cell === '' ? 'an empty cell' : JSON.stringify(shown(cell));
        throw new ConfigError(
          `${file}: table ${table.source}, ${table.where(r)}, column "${shown(d.name)}": found ${found}, ` +
            `expected one of the choices of decision "${shown(d.name)}": ${shown(d.choices.join(', '), 200)}`,
        );
      }
      return choice;
    });
    const key = space.key(sample);
    const earlier = firstRow.get(key);
    if (earlier !== undefined) {
      throw new ConfigError(
        `${file}: table ${table.source}: ${table.where(earlier)} and ${table.where(r)} are the same ` +
          `architecture (${key}); keep one row per architecture`,
      );
    }
    firstRow.set(key, r);
    keys.push(key);
  }
  return keys;
}

function requireColumn(file: string, field: string, table: Table, column: string): Float64Array {
  // Column names become metric names, the keys of each trial's metrics object.
  if (column === '__proto__') {
    throw new ConfigError(
      `${file}: ${field}: "__proto__" cannot name a metric (JavaScript reserves it); rename the column`,
    );
  }
  if (!table.has(column)) {
    throw new ConfigError(
      `${file}: ${field}: the table ${table.source} has no column "${shown(column)}" (columns: ${columnList(table)})`,
    );
  }
  try {
    return table.numbers(column);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${file}: ${field}: ${e.message}`);
    throw e;
  }
}

function costOf(file: string, config: UserTableConfig, table: Table): number | Float64Array {
  if (typeof config.cost === 'number') return config.cost;
  const values = requireColumn(file, 'cost', table, config.cost);
  const bad = values.findIndex((v) => !(v >= 0));
  if (bad >= 0) {
    throw new ConfigError(
      `${file}: cost: column "${shown(config.cost)}", ${table.where(bad)}: expected simulated seconds >= 0, ` +
        `found ${shown(table.text(config.cost)[bad] ?? '') || 'an empty cell'}`,
    );
  }
  return values;
}

/** "my_table.csv.gz" -> "my_table": the dataset name a user table reports. */
function stem(path: string): string {
  return basename(path).replace(/(\.csv)?(\.gz)?$/i, '');
}

function datasetMismatch(file: string, dataset: string, requested: string): string {
  return `benchmark ${file} has one dataset, "${shown(dataset)}" (its table); got dataset "${shown(requested)}": leave it out`;
}

/**
 * Why a user table cannot be searched with dataset `requested` (its one dataset is its table's name),
 * or undefined; reads the YAML only, not the table.
 */
export function userTableDatasetProblem(yamlPath: string, requested: string): string | undefined {
  const file = resolve(yamlPath);
  const dataset = stem(resolve(dirname(file), userTableConfig(file).table));
  return dataset === requested ? undefined : datasetMismatch(file, dataset, requested);
}

/**
 * A benchmark over any table: a YAML file naming the table (relative to the YAML file), the decisions
 * (one column each), the signal column, the report columns, the direction and the cost per evaluation.
 * Rows the table lacks are invalid architectures at evaluation time.
 */
export async function loadUserTable(
  yamlPath: string,
  options: { dataset?: string } = {},
): Promise<Benchmark> {
  const file = resolve(yamlPath);
  const config = await readUserTableConfig(file);
  const name = basename(file).replace(/\.ya?ml$/i, '');
  const tablePath = resolve(dirname(file), config.table);
  const problem = regularFileProblem(tablePath);
  if (problem !== undefined) {
    // The field, then the problem: "table /dev/zero: not a regular file (...)", "table: no such file: ...".
    const what = problem.startsWith('not a regular file')
      ? `table ${shown(tablePath, 300)}: ${problem}`
      : `table: ${problem}: ${shown(tablePath, 300)}`;
    throw new ConfigError(
      `${file}: ${what} (from "${shown(config.table)}", a path relative to the YAML file)`,
    );
  }
  const dataset = stem(tablePath);
  if (options.dataset !== undefined && options.dataset !== dataset) {
    throw new ConfigError(datasetMismatch(file, dataset, options.dataset));
  }
  const table = await loadTable(tablePath);
  const space = new DeclaredSpace(name, config.decisions);
  const report = config.report ?? [config.signal];
  const signal = requireColumn(file, 'signal', table, config.signal);
  const metrics = report.map((column, i) => ({
    name: column,
    values: requireColumn(file, `report[${i}]`, table, column),
  }));
  const evaluator = new TabularEvaluator({
    benchmark: name,
    keys: rowKeys(file, table, space),
    signal: { name: config.signal, values: signal },
    direction: config.direction,
    metrics,
    cost: costOf(file, config, table),
  });
  return {
    name,
    dataset,
    space,
    evaluator,
    signal: config.signal,
    direction: config.direction,
    report,
  };
}
