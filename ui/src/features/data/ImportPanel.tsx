// Importing rows from a CSV or JSON file, step by step: (1) the file, the
// entity type its rows become and the system their external ids come from,
// read to show its first rows; (2) what each column holds, from the guess or
// a preset, and the options (among them where rows that name no parent go:
// the entity selected in the tree when the import opened, or the top level);
// (3) a preview of what would change (nothing is written); (4) the import
// itself, a background job whose outcome shows here and in the jobs panel.
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Paper,
  Progress,
  Radio,
  ScrollArea,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconDeviceFloppy, IconFileUpload, IconTrash, IconX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type ChangeEvent, type ReactNode } from 'react';
import type { FileFormat, ImportInspect, ImportMode, ImportSource, SyncReport } from '../../bindings';
import { describeAppError, fieldError, isFieldError } from '../../ipc/errors';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { FormDialog } from '../../shared/FormDialog';
import { formatCount } from '../../shared/format';
import { entityTypesQuery } from '../entity-types/api';
import { rowsImportSummary, useJobs, type JobView } from '../jobs';
import { propertyDefinitionsQuery } from '../properties/api';
import { useTreeController } from '../tree';
import { importPresetsQuery, inspectImport, previewImport, startImport, useDeletePreset, useRefreshRuns, useSavePreset } from './api';
import classes from './Data.module.css';
import { buildMapping, choicesFromMapping, importVerdict, previewKey, sourceName, syncOptions, type Choices, type ColumnChoice, type ImportSettings } from './dataModel';
import { ImportDiffView } from './ImportDiffView';
import { IssuesTable } from './IssuesTable';
import { MappingEditor } from './MappingEditor';
import { selectedEntity, UnderField } from './UnderField';

/** A file chosen in the window (it has no path): its text; `serial` tells two choices apart. */
type Picked = { name: string; text: string; size: number; serial: number };

const FORMATS: { value: FileFormat | 'auto'; label: string }[] = [
  { value: 'auto', label: 'From the file’s name' },
  { value: 'csv', label: 'CSV' },
  { value: 'json', label: 'JSON (an array of records)' },
  { value: 'ndjson', label: 'JSON lines (one record a line)' },
];

function Step({ number, title, children, testId }: { number: number; title: string; children: ReactNode; testId?: string }) {
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label={title} data-testid={testId}>
      <Stack gap="sm">
        <Title order={4}>
          {number}. {title}
        </Title>
        {children}
      </Stack>
    </Paper>
  );
}

export function ImportPanel({ onShowRuns }: { onShowRuns: () => void }) {
  const types = useQuery(entityTypesQuery(false));
  const definitions = useQuery(propertyDefinitionsQuery());
  const presets = useQuery(importPresetsQuery());
  const { track, jobs } = useJobs();
  const refreshRuns = useRefreshRuns();
  const savePreset = useSavePreset();
  const deletePreset = useDeletePreset();
  const tree = useTreeController();

  // (1) the file and what it becomes
  const [path, setPath] = useState('');
  const [picked, setPicked] = useState<Picked | null>(null);
  const picks = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const [typeKey, setTypeKey] = useState<string | null>(null);
  const [system, setSystem] = useState('csv');
  const [format, setFormat] = useState<FileFormat | null>(null);
  const [inspected, setInspected] = useState<{ sourceId: string; result: ImportInspect } | null>(null);
  const [reading, setReading] = useState(false);
  const [readError, setReadError] = useState<unknown>(null);
  // (2) the mapping and the options
  const [choices, setChoices] = useState<Choices>({});
  const [presetId, setPresetId] = useState<string | null>(null);
  const [presetError, setPresetError] = useState<unknown>(null);
  const [savingPreset, setSavingPreset] = useState(false);
  const [mode, setMode] = useState<ImportMode>('allOrNothing');
  const [deleteMissing, setDeleteMissing] = useState(false);
  // New rows that name no parent go under the entity selected in the tree when the import opened, else the top level.
  const [under, setUnder] = useState<string | null>(() => selectedEntity(tree.selection));
  // (3) the preview
  const [preview, setPreview] = useState<{ key: string; report: SyncReport; serial: number } | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [previewError, setPreviewError] = useState<unknown>(null);
  // (4) the import
  const [started, setStarted] = useState<{ jobId: string; key: string } | null>(null);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<unknown>(null);
  const [ended, setEnded] = useState<JobView | null>(null);

  const source: ImportSource | null = picked ? { kind: 'text', name: picked.name, text: picked.text } : path.trim() !== '' ? { kind: 'path', path: path.trim() } : null;
  const sourceId = picked ? `file:${picked.serial}:${picked.name}` : `path:${path.trim()}`;
  const current = inspected !== null && inspected.sourceId === sourceId ? inspected.result : null;
  const columns = current?.columns ?? [];
  const built = current ? buildMapping(columns, choices) : null;
  const systemName = system.trim();
  const typeName = types.data?.find((t) => t.key === typeKey)?.name ?? typeKey ?? '';
  const settings: ImportSettings | null =
    built?.mapping && typeKey !== null && systemName !== '' ? { typeKey, system: systemName, format, mapping: built.mapping, mode, deleteMissing, under } : null;
  const key = settings ? previewKey(sourceId, settings) : null;
  const previewNow = preview !== null && preview.key === key ? preview.report : null;
  const verdict = previewNow ? importVerdict(previewNow, mode) : null;
  const alreadyStarted = started !== null && started.key === key;
  const job = started ? jobs.find((j) => j.jobId === started.jobId) : undefined;

  const propertyNames = useMemo(() => new Map((definitions.data ?? []).map((d) => [d.key, d.name])), [definitions.data]);
  const typeOptions = useMemo(() => (types.data ?? []).filter((t) => !t.isSystem && t.deletedAt === null).map((t) => ({ value: t.key, label: `${t.name} (${t.key})` })), [types.data]);
  const typePresets = (presets.data ?? []).filter((p) => p.entityType === typeKey);
  const parentColumn = columns.find((c) => choices[c] === 'parentExternalId' || choices[c] === 'parentPathLabel') ?? null;

  // A job that ended: keep its outcome (the jobs panel may be dismissed). One
  // that ended with a report refreshes the run log through the screen; one
  // that failed or was cancelled before it, here.
  useEffect(() => {
    if (job && job.status !== 'running' && ended?.jobId !== job.jobId) {
      setEnded(job);
      if (job.rowsImported === null) void refreshRuns();
    }
  }, [job, ended, refreshRuns]);

  const changeSource = () => {
    setReadError(null);
    setPreviewError(null);
  };

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.currentTarget.files?.[0];
    event.currentTarget.value = '';
    if (!file) return;
    try {
      const text = await file.text();
      picks.current += 1;
      setPicked({ name: file.name, text, size: file.size, serial: picks.current });
      setPath('');
      changeSource();
    } catch (e) {
      setReadError(e);
    }
  };

  const read = async () => {
    if (!source || reading) return;
    setReading(true);
    setReadError(null);
    try {
      const result = await inspectImport(source, typeKey, format);
      setInspected({ sourceId, result });
      setChoices(choicesFromMapping(result.columns, result.mapping));
      setPresetId(null);
      setPreview(null);
    } catch (e) {
      setReadError(e);
    } finally {
      setReading(false);
    }
  };

  const runPreview = async () => {
    if (!source || !settings || !key || previewing) return;
    setPreviewing(true);
    setPreviewError(null);
    try {
      const report = await previewImport(source, syncOptions(settings));
      setPreview((before) => ({ key, report, serial: (before?.serial ?? 0) + 1 }));
    } catch (e) {
      setPreviewError(e);
    } finally {
      setPreviewing(false);
    }
  };

  const runImport = async () => {
    if (!source || !settings || !key || starting) return;
    setStarting(true);
    setStartError(null);
    try {
      const begun = await startImport(source, syncOptions(settings));
      track(begun.jobId, begun.total, `Importing "${sourceName(source)}" as ${typeName}`);
      setStarted({ jobId: begun.jobId, key });
    } catch (e) {
      setStartError(e);
    } finally {
      setStarting(false);
    }
  };

  const setChoice = (column: string, choice: ColumnChoice) => setChoices((before) => ({ ...before, [column]: choice }));

  const pathError = fieldError(readError, 'path') ?? fieldError(previewError, 'path');
  const formatError = fieldError(readError, 'format') ?? fieldError(previewError, 'format');
  const typeError = fieldError(readError, 'typeKey') ?? fieldError(previewError, 'typeKey');
  const systemError = fieldError(previewError, 'source') ?? (systemName === '' ? 'Name the system the external ids come from' : null);
  const underError = fieldError(previewError, 'under') ?? fieldError(startError, 'under');
  const FIELDS = ['path', 'format', 'typeKey', 'source', 'under'] as const;

  const previewBlocked = !source
    ? 'Choose a file first.'
    : typeKey === null
      ? 'Choose the entity type the rows become.'
      : !current
        ? 'Read the file first.'
        : !built?.mapping
          ? 'Complete the mapping first.'
          : systemName === ''
            ? 'Name the source system first.'
            : null;
  const importBlocked =
    previewBlocked ??
    (!previewNow
      ? 'Preview the changes first: the import writes what the preview of this file, mapping and options shows.'
      : verdict?.kind === 'nothingWritten'
        ? verdict.reason
        : alreadyStarted
          ? 'This preview was imported. Change something or preview again to import again.'
          : null);

  return (
    <Stack gap="md" maw={1200} role="form" aria-label="Import a file" data-testid="import-form">
      <Stack gap={2}>
        <Title order={3}>Import a file</Title>
        <Text size="sm" c="dimmed">
          Rows of a CSV or JSON file become entities of one type, matched by their external id in a source system: rows seen before update their entity, new ones
          create one. A view exported with external ids can be edited in a spreadsheet and imported back here.
        </Text>
      </Stack>

      <Step number={1} title="The file" testId="import-step-file">
        <Group align="flex-end" gap="sm" wrap="nowrap">
          <TextInput
            style={{ flex: 1 }}
            label="File path"
            description="The full path of a .csv, .json or .ndjson file on this computer"
            placeholder="/home/me/parts.csv"
            value={path}
            onChange={(e) => {
              setPath(e.currentTarget.value);
              setPicked(null);
              changeSource();
            }}
            error={pathError}
            spellCheck={false}
            data-testid="import-path"
          />
          <Text size="sm" c="dimmed" pb={8}>
            or
          </Text>
          <Button variant="default" leftSection={<IconFileUpload size={16} />} onClick={() => fileInput.current?.click()} data-testid="import-choose-file">
            Choose file…
          </Button>
          <input
            ref={fileInput}
            type="file"
            accept=".csv,.json,.ndjson,.jsonl"
            hidden
            aria-label="File to import"
            onChange={(e) => void choose(e)}
            data-testid="import-file-input"
          />
        </Group>
        {picked && (
          <Group gap="xs" data-testid="import-picked">
            <Badge variant="light" size="lg" color="blue">
              {picked.name}
            </Badge>
            <Text size="xs" c="dimmed">
              {formatCount(picked.size)} bytes
            </Text>
            <ActionIcon
              size="sm"
              variant="subtle"
              color="gray"
              aria-label={`Forget ${picked.name}`}
              onClick={() => {
                setPicked(null);
                changeSource();
              }}
            >
              <IconX size={14} />
            </ActionIcon>
          </Group>
        )}
        <Group align="flex-start" gap="sm" grow>
          <Select
            label="Entity type"
            description="Every row becomes an entity of this type"
            placeholder={types.isPending ? 'Loading types…' : 'Choose a type'}
            data={typeOptions}
            value={typeKey}
            onChange={(value) => {
              setTypeKey(value);
              setPresetId(null);
            }}
            searchable
            nothingFoundMessage="No such type"
            error={typeError ?? (types.isError ? 'The types could not be read' : null)}
            data-testid="import-type"
          />
          <TextInput
            label="Source system"
            description="The system the external ids come from, e.g. erp_sap"
            value={system}
            onChange={(e) => setSystem(e.currentTarget.value)}
            error={systemError}
            spellCheck={false}
            data-testid="import-system"
          />
          <Select
            label="Format"
            description="How the file is written"
            data={FORMATS}
            value={format ?? 'auto'}
            onChange={(value) => setFormat(value === null || value === 'auto' ? null : (value as FileFormat))}
            allowDeselect={false}
            error={formatError}
            data-testid="import-format"
          />
        </Group>
        <Group>
          <Button onClick={() => void read()} loading={reading} disabled={!source} variant={current ? 'default' : 'filled'} data-testid="import-read">
            {current ? 'Read the file again' : 'Read the file'}
          </Button>
          {!source && (
            <Text size="xs" c="dimmed">
              Type a path or choose a file to read it.
            </Text>
          )}
        </Group>
        {readError !== null && !isFieldError(readError, FIELDS) && <ErrorNotice error={readError} subject="The file could not be read" />}
        {inspected !== null && !current && (
          <Text size="sm" c="var(--eco-warning-text)" data-testid="import-stale">
            The file changed since it was read: read it again.
          </Text>
        )}
        {current && <SampleTable inspect={current} />}
      </Step>

      {current && (
        <Step number={2} title="What each column holds" testId="import-step-mapping">
          <Group align="flex-end" gap="sm">
            <Select
              label="Load preset"
              placeholder={typeKey === null ? 'Choose a type first' : typePresets.length === 0 ? 'No presets for this type' : 'Choose a preset'}
              data={typePresets.map((p) => ({ value: p.id, label: p.ownerUserId === null ? `${p.name} (shared)` : p.name }))}
              value={presetId}
              onChange={(id) => {
                setPresetId(id);
                const preset = typePresets.find((p) => p.id === id);
                if (preset) setChoices(choicesFromMapping(columns, preset.mapping));
              }}
              disabled={typePresets.length === 0}
              w={280}
              data-testid="import-preset"
            />
            {presetId !== null && (
              <Tooltip label="Delete this preset">
                <ActionIcon
                  variant="subtle"
                  color="red"
                  size="lg"
                  aria-label="Delete preset"
                  onClick={() => {
                    setPresetError(null);
                    deletePreset(presetId)
                      .then(() => setPresetId(null))
                      .catch(setPresetError);
                  }}
                  data-testid="import-preset-delete"
                >
                  <IconTrash size={16} />
                </ActionIcon>
              </Tooltip>
            )}
            <Button
              variant="default"
              leftSection={<IconDeviceFloppy size={16} />}
              onClick={() => setSavingPreset(true)}
              disabled={!built?.mapping || typeKey === null}
              title={!built?.mapping ? 'Complete the mapping first' : typeKey === null ? 'Choose a type first' : undefined}
              data-testid="import-preset-save"
            >
              Save as preset…
            </Button>
          </Group>
          {presetError !== null && <ErrorNotice error={presetError} compact />}
          <MappingEditor columns={columns} rows={current.rows} choices={choices} onChange={setChoice} definitions={definitions.data ?? []} errors={built?.errors ?? []} />
          <UnderField value={under} onChange={setUnder} parentColumn={parentColumn} error={underError} />
          <Radio.Group label="If rows have errors" value={mode} onChange={(value) => setMode(value as ImportMode)}>
            <Stack gap={6} mt={6}>
              <Radio value="allOrNothing" label="All or nothing (any error and nothing is written)" data-testid="import-mode-all" />
              <Radio value="rowByRow" label="Row by row (skip rows with errors, write the rest)" data-testid="import-mode-rows" />
            </Stack>
          </Radio.Group>
          <Checkbox
            label="Soft-delete entities this source no longer has"
            description={`Entities of this type imported before from "${systemName || '…'}" whose external id is not in the file are deleted (they go to the Trash).`}
            checked={deleteMissing}
            onChange={(e) => setDeleteMissing(e.currentTarget.checked)}
            data-testid="import-delete-missing"
          />
        </Step>
      )}

      {current && (
        <Step number={3} title="Preview the changes" testId="import-step-preview">
          <Group>
            <Button onClick={() => void runPreview()} loading={previewing} disabled={previewBlocked !== null} data-testid="import-preview">
              Preview changes
            </Button>
            <Text size="xs" c="dimmed">
              {previewBlocked ?? 'Nothing is written: the preview shows what the import would do.'}
            </Text>
          </Group>
          {previewError !== null && !isFieldError(previewError, FIELDS) && <ErrorNotice error={previewError} subject="No preview" />}
          {preview !== null && !previewNow && (
            <Text size="sm" c="var(--eco-warning-text)" data-testid="import-preview-stale">
              The file, mapping or options changed since the last preview: preview again.
            </Text>
          )}
          {previewNow && <ImportDiffView key={preview?.serial} report={previewNow} propertyNames={propertyNames} />}
        </Step>
      )}

      {current && (
        <Step number={4} title="Import" testId="import-step-import">
          {verdict?.kind === 'nothingWritten' && (
            <Alert color="red" variant="light" title="Nothing would be written" icon={<IconAlertTriangle size={18} />} role="alert" data-testid="import-blocked">
              {verdict.reason}
            </Alert>
          )}
          {verdict?.kind === 'skipRows' && (
            <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} data-testid="import-skips">
              {formatCount(verdict.rows)} {verdict.rows === 1 ? 'row' : 'rows'} with errors will be skipped; the others are written.
            </Alert>
          )}
          <Group>
            <Button onClick={() => void runImport()} loading={starting} disabled={importBlocked !== null} data-testid="import-start">
              Import
            </Button>
            <Text size="xs" c="dimmed" data-testid="import-start-hint">
              {importBlocked ?? `Imports "${source ? sourceName(source) : ''}" as ${typeName} in the background; follow it in the jobs panel.`}
            </Text>
          </Group>
          {startError !== null && !isFieldError(startError, ['under']) && <ErrorNotice error={startError} subject="The import did not start" />}
          {started && job?.status === 'running' && (
            <Stack gap={4} data-testid="import-running">
              <Text size="sm">Importing… you can leave this screen; the jobs panel follows it.</Text>
              <Progress value={job.total > 0 ? Math.min(100, (job.done / job.total) * 100) : 0} animated aria-label="Import progress" />
            </Stack>
          )}
          {started && ended?.jobId === started.jobId && <ImportOutcome job={ended} onShowRuns={onShowRuns} />}
        </Step>
      )}

      {savingPreset && built?.mapping && typeKey !== null && (
        <SavePresetDialog
          onClose={() => setSavingPreset(false)}
          onSave={async (name, shared) => {
            const saved = await savePreset(name, typeKey, built.mapping!, shared);
            setPresetId(saved.id);
          }}
        />
      )}
    </Stack>
  );
}

/** The first rows of the file as the importer reads them, and problems met in them. */
function SampleTable({ inspect }: { inspect: ImportInspect }) {
  return (
    <Stack gap="xs">
      <Text size="sm">
        {inspect.format.toUpperCase()} file with {formatCount(inspect.columns.length)} {inspect.columns.length === 1 ? 'column' : 'columns'}; the first{' '}
        {formatCount(inspect.rows.length)} {inspect.rows.length === 1 ? 'row' : 'rows'}:
      </Text>
      <ScrollArea type="auto" offsetScrollbars>
        <Table withTableBorder striped verticalSpacing={2} fz="xs" data-testid="import-sample">
          <Table.Thead>
            <Table.Tr>
              {inspect.columns.map((column) => (
                <Table.Th key={column}>{column}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {inspect.rows.map((row, index) => (
              <Table.Tr key={index}>
                {inspect.columns.map((column, i) => (
                  <Table.Td key={column} className={classes.cell} title={row[i]}>
                    {row[i] ?? ''}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      {inspect.issues.length > 0 && <IssuesTable issues={inspect.issues} caption="Problems in these rows" testId="import-sample-issues" />}
    </Stack>
  );
}

function ImportOutcome({ job, onShowRuns }: { job: JobView; onShowRuns: () => void }) {
  const report = job.rowsImported;
  const runs = (
    <Button size="compact-sm" variant="light" onClick={onShowRuns} data-testid="import-show-runs">
      See the import runs
    </Button>
  );
  if (report) {
    const written = report.status === 'completed';
    return (
      <Alert
        color={written ? 'teal' : 'red'}
        variant="light"
        title={written ? 'Import finished' : 'Nothing was written'}
        icon={written ? <IconCircleCheck size={18} /> : <IconAlertTriangle size={18} />}
        role={written ? 'status' : 'alert'}
        data-testid="import-outcome"
        data-status={report.status}
      >
        <Stack gap="xs">
          <Text size="sm">{rowsImportSummary(report)}</Text>
          {report.diff.errors.length > 0 && (
            <IssuesTable issues={report.diff.errors} caption={written ? 'These rows were skipped' : 'Fix these in the file, then preview and import again'} testId="import-outcome-errors" />
          )}
          <Group>{runs}</Group>
        </Stack>
      </Alert>
    );
  }
  const message = job.status === 'cancelled' ? 'The import was cancelled: nothing was written.' : job.error ? describeAppError(job.error).message : 'The import ended without a report.';
  return (
    <Alert color={job.status === 'cancelled' ? 'gray' : 'red'} variant="light" title={job.status === 'cancelled' ? 'Import cancelled' : 'Import failed'} role="alert" data-testid="import-outcome" data-status={job.status}>
      <Stack gap="xs">
        <Text size="sm">{message}</Text>
        <Group>{runs}</Group>
      </Stack>
    </Alert>
  );
}

function SavePresetDialog({ onClose, onSave }: { onClose: () => void; onSave: (name: string, shared: boolean) => Promise<void> }) {
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  return (
    <FormDialog
      title="Save the mapping as a preset"
      fields={['name', 'shared']}
      canSubmit={name.trim() !== ''}
      onSubmit={() => onSave(name.trim(), shared)}
      onClose={onClose}
      submitLabel="Save preset"
      submitTestId="import-preset-confirm"
    >
      {(error) => (
        <>
          <TextInput
            label="Name"
            description="Saving under a name you used before replaces that preset"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(error, 'name')}
            data-autofocus
            data-testid="import-preset-name"
          />
          <Checkbox
            label="Shared with everyone"
            description="Everyone can load a shared preset (only administrators save them)"
            checked={shared}
            onChange={(e) => setShared(e.currentTarget.checked)}
            error={fieldError(error, 'shared')}
            data-testid="import-preset-shared"
          />
        </>
      )}
    </FormDialog>
  );
}
