export {
  commandEvaluatorConfigSchema,
  parseCommandEvaluatorConfig,
  resolveCommandPaths,
  trialDir,
  TRIAL_FILES,
  type CommandEvaluatorConfig,
  type CommandEvaluatorConfigInput,
} from './config.js';
export { CommandEvaluator, trialDocument } from './evaluator.js';
export { checkProgram, commandEvaluatorEntry, commandSpace } from './entry.js';
export { groupAlive, stopGroup } from './process-group.js';
export { parseProtocolLine, type ProtocolLine } from './protocol.js';
