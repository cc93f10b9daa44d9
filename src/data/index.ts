export {
  dataConfigSchema,
  loadDataset,
  parseDataConfig,
  type DataConfig,
  type LoadedData,
  type LoadOptions,
} from './config.js';
export { parseCsvDataset, readCsvDataset, type CsvDataOptions } from './csv.js';
export { classCounts, makeDataset, sampleSize, subset, type Dataset } from './dataset.js';
export {
  DownloadError,
  FASHION_MNIST_SOURCE,
  downloadIdxFiles,
  type DownloadOptions,
  type DownloadSource,
  type Fetcher,
} from './download.js';
export {
  FASHION_MNIST_CLASSES,
  SYSTEM_FASHION_MNIST_DIR,
  bundledFashionMnistDir,
  defaultCacheDir,
  defaultFashionMnistSearch,
  loadBundledFashionMnist,
  loadFashionMnist,
  locateFashionMnist,
  type FashionMnistSearch,
} from './fashion-mnist.js';
export { encodeIdx, parseIdx, type IdxArray } from './idx.js';
export {
  IDX_FILES,
  idxFilesIn,
  loadIdxFiles,
  loadIdxFolder,
  type IdxPaths,
  type IdxSplits,
} from './idx-folder.js';
export {
  applyNormalization,
  computeNormalization,
  normalizeSplits,
  type Normalization,
} from './normalize.js';
export { splitDataset, splitIndices, type SplitIndices, type SplitOptions, type Splits } from './split.js';
