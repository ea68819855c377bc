// The sampling heap profile API: read a .heapprofile, build its report, render it, or sample a live process.
export { type CaptureOptions, type CaptureResult, captureProfile, sampleTarget } from './capture.js';
export { renderSampleHtml } from './html.js';
export { buildModel, type Frame, frameText, isUserFrame, type SampleModel } from './model.js';
export type { CallFrame, HeapProfile, ProfileMeta, ProfileNode, ProfileSample } from './profile.js';
export { DEFAULT_INTERVAL_BYTES } from './profile.js';
export { MAX_PROFILE_BYTES, parseHeapProfile, readHeapProfile } from './reader.js';
export {
  buildSampleReport,
  type GrowthReport,
  type ReportMeta,
  SAMPLE_SCHEMA,
  type SampleReport,
  type SiteRow,
  type TimedProfile,
} from './report.js';
export { renderSampleText } from './text.js';
