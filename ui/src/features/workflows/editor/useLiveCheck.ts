import { useEffect, useRef, useState } from 'react';
import type { WfValidationError, WorkflowDocument } from '../types';
import { toProblems, type Problem } from './problems';

export const CHECK_DELAY_MS = 300;

type LiveCheck = {
  /** The problems last reported (possibly for an earlier version of the document while a check is due). */
  problems: Problem[];
  /** Whether `problems` are those of the document as it is now. */
  upToDate: boolean;
  /** Why the last check could not run, or null. */
  error: unknown;
};

/** Checks the document a moment after each edit; the answer to an older version is dropped. */
export function useLiveCheck(document: WorkflowDocument, check: (document: WorkflowDocument) => Promise<WfValidationError[]>, delayMs = CHECK_DELAY_MS): LiveCheck {
  // The latest function, so a caller passing a new one on each render does not restart the wait.
  const checkRef = useRef(check);
  useEffect(() => {
    checkRef.current = check;
  });
  const [result, setResult] = useState<{ document: WorkflowDocument; problems: Problem[] } | null>(null);
  const [failure, setFailure] = useState<{ document: WorkflowDocument; error: unknown } | null>(null);

  useEffect(() => {
    let stale = false;
    const timer = setTimeout(() => {
      checkRef.current(document).then(
        (errors) => {
          if (stale) return;
          setResult({ document, problems: toProblems(errors, document) });
          setFailure(null);
        },
        (error: unknown) => {
          if (!stale) setFailure({ document, error });
        },
      );
    }, delayMs);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [document, delayMs]);

  return { problems: result?.problems ?? [], upToDate: result?.document === document, error: failure?.error ?? null };
}
