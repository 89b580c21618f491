// Bulk edit: a preview (what an edit would do; nothing is changed) and the
// edit itself, all or nothing. One that is done at once is applied to this
// window as `bulkEdited`; a large one runs as a background job, followed in
// the jobs panel like a large move.
import { useCallback } from 'react';
import { commands, type BulkEdit, type BulkPreview, type BulkStarted } from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { useChangeApplier } from '../../live/LiveUpdates';
import { useJobs } from '../jobs';

/** What the edit would do: how many entities it targets and changes, and some of them before and after. */
export async function previewBulkEdit(edit: BulkEdit): Promise<BulkPreview> {
  return unwrap(await commands.bulkPreview(edit));
}

/**
 * Applies an edit. Done at once: the change is applied to this window.
 * In the background: the job is handed to the jobs panel under `jobLabel(total)`.
 */
export function useApplyBulkEdit() {
  const applier = useChangeApplier();
  const jobs = useJobs();
  return useCallback(
    async (edit: BulkEdit, jobLabel: (total: number) => string): Promise<BulkStarted> => {
      const started = unwrap(await commands.bulkEdit(edit));
      if (started.kind === 'background') jobs.track(started.jobId, started.total, jobLabel(started.total));
      else if (started.outcome.changed > 0) applier.applyLocal({ kind: 'bulkEdited', count: started.outcome.changed });
      return started;
    },
    [applier, jobs],
  );
}
