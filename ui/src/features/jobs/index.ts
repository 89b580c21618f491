export { JobsPanel } from './JobsPanel';
export { JobsProvider, useJobs } from './JobsProvider';
export { rowsImportSummary, type JobView } from './jobsModel';
