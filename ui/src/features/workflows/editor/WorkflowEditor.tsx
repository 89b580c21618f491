// The workflow editor: name and actions on top; trigger and palette on the
// left; the canvas in the middle; the selected step, the problems, a test
// run and the published versions on the right.
import { Alert, Badge, Button, Divider, Group, ScrollArea, Stack, Switch, Tabs, Text, Textarea, TextInput, Title, Tooltip } from '@mantine/core';
import { IconDeviceFloppy, IconPlayerPlay, IconRefresh, IconRocket } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { fieldError, isConflict } from '../../../ipc/errors';
import { showActionUnavailable } from '../../../shared/actionNotice';
import { ErrorNotice } from '../../../shared/ErrorNotice';
import { useActionRequests } from '../../../shared/WorkspaceContext';
import type { WorkflowDetail, WorkflowDocument, WorkflowNode, WorkflowSummary, WorkflowVersionInfo } from '../types';
import { removeEdge, removeNode, replaceNode, type NodeType } from './documentModel';
import type { EditorApi } from './editorApi';
import classes from './Editor.module.css';
import { EdgeInspector, NodeInspector, ProblemsList } from './Inspector';
import { NodePalette, withNewStep } from './NodePalette';
import { messagesByNode, problemsOfEdge, problemsOfNode, triggerFieldProblems, type Problem } from './problems';
import { TestRunPanel } from './TestRunPanel';
import { TriggerForm } from './TriggerForm';
import { useLiveCheck } from './useLiveCheck';
import { useWorkflowDraft, type SavedFields } from './useWorkflowDraft';
import { VersionsPanel, type ViewedVersion } from './VersionsPanel';
import { WorkflowCanvas, type CanvasSelection } from './WorkflowCanvas';

export type { EditorApi } from './editorApi';

type Props = {
  detail: WorkflowDetail;
  api: EditorApi;
  /**
   * Asked to fetch the workflow again (after someone else saved it). A newer
   * `detail` replaces the draft whenever there are no unsaved changes.
   */
  onReload?: () => void;
  /** Whether the editor is the screen shown: only then does Ctrl+S save. */
  active?: boolean;
};

type PanelTab = 'inspect' | 'test' | 'versions';

/** Whether `a` was written after `b` (timestamps of the same record). */
function isNewer(a: WorkflowSummary, b: WorkflowSummary): boolean {
  return Date.parse(a.updatedAt) > Date.parse(b.updatedAt);
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Why the saved draft cannot be published now, or null when it can. */
function publishBlocker(summary: WorkflowSummary, dirty: boolean, check: { problems: Problem[]; upToDate: boolean; error: unknown }): string | null {
  if (dirty) return 'Save your changes first: publishing publishes the saved draft.';
  if (!check.upToDate) return check.error !== null ? 'The workflow could not be checked.' : 'Checking the workflow…';
  if (check.problems.length > 0) return `Fix ${plural(check.problems.length, 'problem', 'problems')} first.`;
  if (summary.publishedVersion !== null && !summary.hasUnpublishedChanges) return `Version ${summary.publishedVersion} is published; nothing has changed since.`;
  return null;
}

function nextVersion(versions: readonly WorkflowVersionInfo[]): number {
  return versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
}

export function WorkflowEditor({ detail, api, onReload, active = true }: Props) {
  const draft = useWorkflowDraft(detail);
  const { base, dirty, adopt } = draft;
  const summary = base.summary;
  const check = useLiveCheck(draft.draft, (document) => api.check(document));
  const [selection, setSelection] = useState<CanvasSelection>(null);
  const [tab, setTab] = useState<PanelTab>('inspect');
  const [viewing, setViewing] = useState<ViewedVersion | null>(null);
  const [testEntityId, setTestEntityId] = useState('');

  // Someone else's save reaches us as a newer detail: taken unless it would drop unsaved changes.
  const changedElsewhere = isNewer(detail.summary, summary);
  useEffect(() => {
    if (changedElsewhere && !dirty) adopt(detail);
  }, [changedElsewhere, dirty, adopt, detail]);

  const save = useMutation({
    mutationFn: ({ id, expectedUpdatedAt, sent }: { id: string; expectedUpdatedAt: string; sent: SavedFields }) => api.save({ id, expectedUpdatedAt, ...sent }),
    onSuccess: (result, { sent }) => draft.saved(result, sent),
  });
  const publish = useMutation({
    mutationFn: (input: { id: string; expectedUpdatedAt: string }) => api.publish(input),
    onSuccess: draft.updated,
  });
  const enable = useMutation({
    mutationFn: (input: { id: string; expectedUpdatedAt: string; enabled: boolean }) => api.setEnabled(input),
    onSuccess: draft.updated,
  });
  const testRun = useMutation({ mutationFn: (input: { document: WorkflowDocument; entityId: string | null }) => api.testRun(input) });

  const busy = save.isPending || publish.isPending || enable.isPending;
  const actionError = save.error ?? publish.error ?? enable.error;

  const saveNow = () => {
    if (!dirty || busy) return;
    save.mutate({ id: summary.id, expectedUpdatedAt: summary.updatedAt, sent: { draft: draft.draft, name: draft.name, description: draft.description } });
  };
  const saveRef = useRef(saveNow);
  useEffect(() => {
    saveRef.current = saveNow;
  });
  useEffect(() => {
    if (!active) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
        event.preventDefault();
        saveRef.current();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [active]);

  // The palette's commands on the open workflow, as its buttons do them.
  useActionRequests('workflows', {
    save: active ? () => (dirty ? saveNow() : showActionUnavailable('The draft has no unsaved changes.')) : undefined,
    publish: active
      ? () => {
          const why = publishBlocker(summary, dirty, check);
          if (why !== null || busy) showActionUnavailable(why ?? 'Wait for the change under way to finish.');
          else publish.mutate({ id: summary.id, expectedUpdatedAt: summary.updatedAt });
        }
      : undefined,
    'test-run': active ? () => runTest() : undefined,
  });

  const reload = () => {
    adopt(detail);
    save.reset();
    publish.reset();
    enable.reset();
    setSelection(null);
    onReload?.();
  };

  const runTest = () => {
    setTab('test');
    testRun.mutate({ document: draft.draft, entityId: testEntityId.trim() === '' ? null : testEntityId.trim() });
  };

  const select = useCallback((next: CanvasSelection) => {
    setSelection(next);
    if (next !== null) setTab('inspect');
  }, []);

  const addStep = (type: NodeType) => {
    const selectedId = selection?.kind === 'node' ? selection.id : null;
    const added = withNewStep(draft.draft, type, selectedId);
    draft.edit(() => added.document);
    select({ kind: 'node', id: added.id });
  };

  const changeNode = (id: string, next: WorkflowNode) => {
    draft.edit((doc) => replaceNode(doc, id, next));
    if (next.id !== id) setSelection({ kind: 'node', id: next.id });
  };

  const nodeProblems = useMemo(() => messagesByNode(check.problems), [check.problems]);
  const edgeProblems = useMemo(() => new Set(check.problems.flatMap((p) => (p.target.kind === 'edge' ? [p.target.index] : []))), [check.problems]);
  const blocker = publishBlocker(summary, dirty, check);
  // Published and unchanged: nothing to fix, so the hint is no warning.
  const upToDate = !dirty && summary.publishedVersion !== null && !summary.hasUnpublishedChanges;
  const selectedNode = selection?.kind === 'node' ? draft.draft.nodes.find((n) => n.id === selection.id) : undefined;
  const selectedEdge = selection?.kind === 'edge' ? draft.draft.edges[selection.index] : undefined;

  return (
    <div className={classes.editor} data-testid="wf-editor">
      <header className={classes.topBar}>
        <TextInput
          aria-label="Workflow name"
          value={draft.name}
          onChange={(e) => draft.setName(e.currentTarget.value)}
          error={fieldError(save.error, 'name')}
          w={280}
          data-testid="wf-name"
        />
        <Badge variant="light" color={dirty ? 'yellow' : 'gray'} data-testid="wf-save-state">
          {dirty ? 'Unsaved changes' : 'Saved'}
        </Badge>
        {summary.publishedVersion !== null && (
          <Badge variant="light" color="teal">
            Published: version {summary.publishedVersion}
          </Badge>
        )}
        <div style={{ flex: 1 }} />
        <Tooltip label="Save the draft (Ctrl+S)" withArrow openDelay={400}>
          <Button size="xs" leftSection={<IconDeviceFloppy size={14} />} onClick={saveNow} disabled={!dirty} loading={save.isPending} data-testid="wf-save">
            Save
          </Button>
        </Tooltip>
        <Button
          size="xs"
          variant="light"
          leftSection={<IconRocket size={14} />}
          onClick={() => publish.mutate({ id: summary.id, expectedUpdatedAt: summary.updatedAt })}
          disabled={blocker !== null || busy}
          loading={publish.isPending}
          data-testid="wf-publish"
        >
          Publish
        </Button>
        <Text size="xs" c={blocker === null || upToDate ? 'dimmed' : 'var(--eco-warning-text)'} maw={240} data-testid="wf-publish-hint">
          {blocker ?? `Publishes the saved draft as version ${nextVersion(base.versions)}.`}
        </Text>
        <Tooltip label="Publish a version before switching it on." disabled={summary.publishedVersion !== null} withArrow>
          <div>
            <Switch
              label="Enabled"
              checked={summary.enabled}
              onChange={(e) => enable.mutate({ id: summary.id, expectedUpdatedAt: summary.updatedAt, enabled: e.currentTarget.checked })}
              disabled={summary.publishedVersion === null || busy}
              data-testid="wf-enabled"
            />
          </div>
        </Tooltip>
        <Button size="xs" variant="default" leftSection={<IconPlayerPlay size={14} />} onClick={runTest} loading={testRun.isPending} data-testid="wf-test-run">
          Test run
        </Button>
      </header>

      {(actionError !== null || (changedElsewhere && dirty) || check.error !== null) && (
        <div className={classes.notices}>
          {actionError !== null && (
            <Stack gap={4}>
              <ErrorNotice error={actionError} subject={summary.name} onReload={reload} />
              {isConflict(actionError) && (
                <Text size="xs" c="dimmed" data-testid="wf-conflict-hint">
                  Someone else saved this workflow after you opened it. Reload to see their version; your unsaved changes will be dropped.
                </Text>
              )}
            </Stack>
          )}
          {actionError === null && changedElsewhere && dirty && (
            <Alert color="orange" variant="light" title="Changed by someone else" data-testid="wf-changed-elsewhere">
              <Group justify="space-between">
                <Text size="sm">Someone else saved this workflow while you were editing. Saving now would be refused.</Text>
                <Button size="compact-sm" variant="light" color="orange" leftSection={<IconRefresh size={14} />} onClick={reload} data-testid="wf-reload">
                  Reload their version
                </Button>
              </Group>
            </Alert>
          )}
          {check.error !== null && <ErrorNotice error={check.error} subject="Checking the workflow" compact />}
        </div>
      )}

      <div className={classes.body}>
        <aside className={classes.left} aria-label="Trigger and steps">
          <ScrollArea className={classes.panelScroll}>
            <Stack gap="sm" p="sm">
              <Textarea
                label="Description"
                autosize
                minRows={1}
                maxRows={4}
                value={draft.description ?? ''}
                onChange={(e) => draft.setDescription(e.currentTarget.value === '' ? null : e.currentTarget.value)}
                data-testid="wf-description"
              />
              <Divider />
              <Title order={6}>Trigger</Title>
              <TriggerForm trigger={draft.draft.trigger} onChange={(trigger) => draft.edit((doc) => ({ ...doc, trigger }))} problems={triggerFieldProblems(check.problems)} />
              <Divider />
              <Title order={6}>Add a step</Title>
              <Text size="xs" c="dimmed">
                A new step follows the selected one when it has a free outcome.
              </Text>
              <NodePalette onAdd={addStep} disabled={viewing !== null} />
            </Stack>
          </ScrollArea>
        </aside>

        <section className={classes.centre} aria-label="Canvas">
          {viewing !== null ? (
            <>
              <div className={classes.versionBanner} data-testid="wf-version-banner">
                <Text size="sm">
                  Version {viewing.info.version}, published by {viewing.info.publishedByName} — read only.
                </Text>
                <Button size="compact-sm" variant="light" onClick={() => setViewing(null)} data-testid="wf-version-close">
                  Back to the draft
                </Button>
              </div>
              <WorkflowCanvas key={viewing.info.id} document={viewing.document} />
            </>
          ) : (
            <WorkflowCanvas
              document={draft.draft}
              nodeProblems={nodeProblems}
              edgeProblems={edgeProblems}
              selection={selection}
              onSelect={select}
              onChange={draft.edit}
            />
          )}
        </section>

        <aside className={classes.right} aria-label="Details">
          <Tabs value={tab} onChange={(value) => value && setTab(value as PanelTab)} className={classes.tabs}>
            <Tabs.List grow>
              <Tabs.Tab value="inspect" data-testid="wf-tab-inspect">
                {selectedNode ? 'Step' : selectedEdge ? 'Connection' : 'Problems'}
                {check.problems.length > 0 && (
                  <Badge size="xs" color="red" ml={6} circle>
                    {check.problems.length}
                  </Badge>
                )}
              </Tabs.Tab>
              <Tabs.Tab value="test" data-testid="wf-tab-test">
                Test run
              </Tabs.Tab>
              <Tabs.Tab value="versions" data-testid="wf-tab-versions">
                Versions
              </Tabs.Tab>
            </Tabs.List>
            <ScrollArea className={classes.panelScroll}>
              <Tabs.Panel value="inspect" p="sm">
                {selectedNode ? (
                  <NodeInspector
                    node={selectedNode}
                    document={draft.draft}
                    problems={problemsOfNode(check.problems, selectedNode.id)}
                    onChange={(next) => changeNode(selectedNode.id, next)}
                    onRemove={() => {
                      draft.edit((doc) => removeNode(doc, selectedNode.id));
                      setSelection(null);
                    }}
                  />
                ) : selectedEdge && selection?.kind === 'edge' ? (
                  <EdgeInspector
                    edge={selectedEdge}
                    document={draft.draft}
                    problems={problemsOfEdge(check.problems, selection.index)}
                    onRemove={() => {
                      draft.edit((doc) => removeEdge(doc, selection.index));
                      setSelection(null);
                    }}
                  />
                ) : (
                  <ProblemsList problems={check.problems} document={draft.draft} upToDate={check.upToDate} onSelect={select} />
                )}
              </Tabs.Panel>
              <Tabs.Panel value="test" p="sm">
                <TestRunPanel
                  entityId={testEntityId}
                  onEntityIdChange={setTestEntityId}
                  onRun={runTest}
                  running={testRun.isPending}
                  result={testRun.data ?? null}
                  error={testRun.error}
                  onSelectNode={(id) => {
                    setViewing(null);
                    select({ kind: 'node', id });
                  }}
                />
              </Tabs.Panel>
              <Tabs.Panel value="versions" p="sm">
                <VersionsPanel key={base.versions.length} versions={base.versions} api={api} viewingId={viewing?.info.id ?? null} onView={setViewing} />
              </Tabs.Panel>
            </ScrollArea>
          </Tabs>
        </aside>
      </div>
    </div>
  );
}
