export { MEASURE_SESSION, exportedAccuracy } from './accuracy.js';
export { concatDatasets, fileValues, loadExportData, type ExportData } from './data.js';
export {
  DESCRIPTION_FORMAT,
  DESCRIPTION_VERSION,
  type ExportDescription,
  type Preprocessing,
} from './description.js';
export { exportModel, type ExportOptions, type ExportResult, type ExportStage } from './export.js';
export { DESCRIPTION_FILE, ExportWriteError, MODEL_FILE, checkOutDir, writeExportFiles } from './files.js';
export { buildExportModel, type ExportModelOptions, type ExportedModel, type TensorInfo } from './model.js';
export {
  MONITOR_SAMPLES,
  retrain,
  type RetrainEpoch,
  type RetrainPlan,
  type RetrainResult,
} from './retrain.js';
export { exportSource, type ExportSource } from './source.js';
export { naslabVersion } from './version.js';
