// Background jobs are followed through `job-progress` events (JobsProvider);
// the one command is asking a job to stop.
import { commands } from '../../bindings';

/** Asks a running job to stop before it commits. False when it had finished already. */
export function cancelJob(jobId: string): Promise<boolean> {
  return commands.cancelJob(jobId);
}
