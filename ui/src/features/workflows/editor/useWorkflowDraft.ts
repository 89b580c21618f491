import { useCallback, useState } from 'react';
import type { WorkflowDetail, WorkflowDocument } from '../types';
import { sameJson } from './sameJson';

/** What a save sent. */
export type SavedFields = { draft: WorkflowDocument; name: string; description: string | null };

type DraftState = {
  /** The workflow as last read or written. */
  base: WorkflowDetail;
  /** The document `base` holds (kept as our own object when the server's copy is equal, so it is not checked again). */
  savedDraft: WorkflowDocument;
  draft: WorkflowDocument;
  name: string;
  description: string | null;
};

function fromDetail(detail: WorkflowDetail): DraftState {
  return { base: detail, savedDraft: detail.draft, draft: detail.draft, name: detail.summary.name, description: detail.summary.description };
}

/** The draft being edited next to the workflow it was read from, and whether it has unsaved changes. */
export function useWorkflowDraft(detail: WorkflowDetail) {
  const [state, setState] = useState(() => fromDetail(detail));
  const dirty = state.draft !== state.savedDraft || state.name !== state.base.summary.name || state.description !== state.base.summary.description;

  const edit = useCallback((change: (document: WorkflowDocument) => WorkflowDocument) => setState((s) => ({ ...s, draft: change(s.draft) })), []);
  const setName = useCallback((name: string) => setState((s) => ({ ...s, name })), []);
  const setDescription = useCallback((description: string | null) => setState((s) => ({ ...s, description })), []);

  /** Starts over from `next`, dropping unsaved changes. */
  const adopt = useCallback((next: WorkflowDetail) => setState(fromDetail(next)), []);

  /** A save succeeded: what was sent is now the saved state; edits made meanwhile stay unsaved. */
  const saved = useCallback(
    (result: WorkflowDetail, sent: SavedFields) =>
      setState((s) => {
        const savedDraft = sameJson(result.draft, sent.draft) ? sent.draft : result.draft;
        return {
          base: result,
          savedDraft,
          draft: s.draft === sent.draft ? savedDraft : s.draft,
          name: s.name === sent.name ? result.summary.name : s.name,
          description: s.description === sent.description ? result.summary.description : s.description,
        };
      }),
    [],
  );

  /** Publishing or switching on/off changed the record but not its draft. */
  const updated = useCallback((result: WorkflowDetail) => setState((s) => ({ ...s, base: result })), []);

  return { ...state, dirty, edit, setName, setDescription, adopt, saved, updated };
}
