export { JobsPanel } from './JobsPanel';
export { JobsProvider, useJobs } from './JobsProvider';
