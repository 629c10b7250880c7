/**
 * The LSTM forecaster: trained by `prescale train`, saved as a TensorFlow.js layers model with
 * metadata, loaded at run time and handed to the engine as an extra model (ForecastOptions.extraModels).
 * Importing this module loads TensorFlow.js; the CLI imports it only when a command needs it.
 */
export { initBackend, type BackendInfo } from './backend.js';
export { minTrainingSamples, windowFor } from './features.js';
export {
  lstmForecaster,
  trainLstm,
  type HoldoutScores,
  type TrainedLstm,
  type TrainingReport,
  type TrainOptions,
} from './model.js';
export { describeLstm, loadLstm, saveLstm, type LoadedLstm, type LstmMetadata, type MetadataExtras } from './store.js';
