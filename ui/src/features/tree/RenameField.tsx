import { Loader } from '@mantine/core';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { TreeNode } from '../../bindings';
import { describeError, isConflict } from '../../ipc/errors';
import { useRenameEntity } from './api';
import classes from './RegistryTree.module.css';

type Props = {
  node: TreeNode;
  /** Done (saved or cancelled): leave edit mode and give the focus back to the tree. */
  onDone: () => void;
  /** After a Conflict: refetch the current version. */
  onReload: (node: TreeNode) => void;
};

/** Inline rename inside a tree row: Enter saves (with the row's version), Escape cancels. */
export function RenameField({ node, onDone, onReload }: Props) {
  const [value, setValue] = useState(node.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const rename = useRenameEntity();

  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, []);

  const save = async () => {
    const name = value.trim();
    if (name === node.name) return onDone();
    if (name === '') {
      setError(new Error('The name cannot be empty.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await rename(node, name);
      onDone();
    } catch (e) {
      setError(e);
      setBusy(false);
      inputRef.current?.focus();
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    // Keys typed here are not tree commands.
    event.stopPropagation();
    if (event.key === 'Enter') {
      event.preventDefault();
      if (!busy) void save();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      onDone();
    }
  };

  const description = error === null ? null : describeError(error);
  const conflict = isConflict(error);
  return (
    <span className={classes.rename} onClick={(e) => e.stopPropagation()} onDoubleClick={(e) => e.stopPropagation()}>
      <input
        ref={inputRef}
        className={classes.renameInput}
        value={value}
        onChange={(e) => setValue(e.currentTarget.value)}
        onKeyDown={onKeyDown}
        onBlur={() => {
          if (!busy && error === null) onDone();
        }}
        disabled={busy}
        aria-label={`Rename ${node.name}`}
        aria-invalid={error !== null}
        data-testid="rename-input"
      />
      {busy && <Loader size={12} />}
      {description && (
        <span className={classes.renameError} role="alert" data-testid="rename-error" title={description.message}>
          {description.title}: {description.message}
          {conflict && (
            <button
              type="button"
              className={classes.linkButton}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => {
                onReload(node);
                onDone();
              }}
              data-testid="conflict-reload"
            >
              Reload
            </button>
          )}
        </span>
      )}
    </span>
  );
}
