export { loadBenchmark, BUILTIN_BENCHMARK_NAMES, type Benchmark } from './benchmark.js';
export { TabularEvaluator, type MetricColumn, type TabularEvaluatorOptions } from './evaluator.js';
export { loadTable, parseTable, Table } from './table.js';
export { loadUserTable, readUserTableConfig, type UserTableConfig } from './user-table.js';
export { bundledTablePath } from './builtin.js';
