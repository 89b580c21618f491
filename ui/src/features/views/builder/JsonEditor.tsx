import { Button, CopyButton, Group, Loader, Stack, Text, Textarea } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import type { ViewDocument } from '../../../bindings';
import { appErrorOf, describeError } from '../../../ipc/errors';
import { checkView, docKey } from '../api';

/** How long typing pauses before the text is checked. */
export const JSON_CHECK_DELAY_MS = 400;

type Props = {
  document: ViewDocument;
  onChange: (document: ViewDocument) => void;
};

type Status = { state: 'idle' } | { state: 'checking' } | { state: 'valid' } | { state: 'invalid'; message: string; field: string | null };

export const pretty = (document: ViewDocument) => JSON.stringify(document, null, 2);

/**
 * The document as JSON. Edits are checked by the server (parsed, older
 * versions brought up to date, checked against the schema) once typing
 * pauses; a valid one replaces the document.
 */
export function JsonEditor({ document, onChange }: Props) {
  const [text, setText] = useState(() => pretty(document));
  const [status, setStatus] = useState<Status>({ state: 'idle' });
  const [dirty, setDirty] = useState(false);
  // The document this editor applied last: its echo through the props leaves the text alone.
  const applied = useRef(docKey(document));
  // Only the answer for the latest text counts.
  const sequence = useRef(0);

  const key = docKey(document);
  useEffect(() => {
    if (key === applied.current) return;
    applied.current = key;
    setText(pretty(document));
    setDirty(false);
    setStatus({ state: 'idle' });
  }, [key]);

  useEffect(() => {
    if (!dirty) return;
    const mine = ++sequence.current;
    setStatus({ state: 'checking' });
    const timer = setTimeout(() => {
      checkView(text).then(
        (checked) => {
          if (mine !== sequence.current) return;
          setStatus({ state: 'valid' });
          const next = docKey(checked);
          if (next !== applied.current) {
            applied.current = next;
            onChange(checked);
          }
        },
        (error: unknown) => {
          if (mine !== sequence.current) return;
          const appError = appErrorOf(error);
          setStatus({ state: 'invalid', message: describeError(error).message, field: appError?.type === 'Validation' ? appError.data.field : null });
        },
      );
    }, JSON_CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, dirty]);

  const error =
    status.state === 'invalid' ? (
      <span data-testid="builder-json-error">
        {status.field && (
          <Text span ff="monospace" size="xs" fw={600} data-testid="builder-json-error-path">
            {status.field}
          </Text>
        )}
        {status.field ? ': ' : ''}
        <span data-testid="builder-json-error-message">{status.message}</span>
      </span>
    ) : null;

  return (
    <Stack gap="xs">
      <Textarea
        label="View document"
        description="Edit or paste a document; it is checked as you type and applied when valid."
        value={text}
        onChange={(e) => {
          setText(e.currentTarget.value);
          setDirty(true);
        }}
        error={error}
        autosize
        minRows={12}
        maxRows={30}
        spellCheck={false}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
        data-testid="builder-json"
      />
      <Group gap="sm">
        <CopyButton value={text}>
          {({ copied, copy }) => (
            <Button size="compact-sm" variant="light" leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />} onClick={copy} data-testid="builder-json-copy">
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
        <Text size="xs" c={status.state === 'invalid' ? 'red' : 'dimmed'} role="status" data-testid="builder-json-status" data-state={status.state}>
          {status.state === 'checking' && (
            <>
              <Loader size={10} mr={4} />
              Checking…
            </>
          )}
          {status.state === 'valid' && 'Valid: applied to the view.'}
          {status.state === 'invalid' && 'Not applied: fix the error above.'}
        </Text>
      </Group>
    </Stack>
  );
}
