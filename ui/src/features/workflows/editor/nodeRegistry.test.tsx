import { fireEvent, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../../../test/fixtures';
import type { WorkflowNode } from '../types';
import { CommonNodeFields, DEFAULT_RETRY } from './CommonNodeFields';
import { NODE_OUTCOMES, type NodeConfig, type NodeType } from './documentModel';
import { ALERT_LEVELS, CAPABILITIES, HTTP_METHODS } from './nodeForms';
import { NODE_TYPES, nodeModule, nodeRegistry } from './nodeRegistry';
import { step } from './testFixtures';

// Rendering Mantine and React Flow in jsdom is slow when the whole suite runs.
const SLOW = { timeout: 20_000 };

/** The settings of each type, as the contract names them. */
const CONFIG_KEYS: Record<NodeType, string[]> = {
  condition: ['filter'],
  setProperty: ['property', 'value'],
  addTag: ['tag'],
  removeTag: ['tag'],
  createChild: ['name', 'typeKey'],
  move: ['parent'],
  raiseAlert: ['level', 'message'],
  resolveAlert: ['alert'],
  httpRequest: ['authSecret', 'body', 'headers', 'method', 'signingSecret', 'url'],
  approval: ['approvers', 'capability', 'deadlineHours', 'onDeadline', 'required', 'title'],
  delay: ['seconds'],
  notify: ['message', 'to'],
  loop: ['maxIterations'],
};

describe('node registry', () => {
  it('has the 13 node types', () => {
    expect([...NODE_TYPES].sort()).toEqual(Object.keys(CONFIG_KEYS).sort());
  });

  it.each(NODE_TYPES)('%s: a fresh default config of the right shape, and its outcomes', (type) => {
    const module = nodeRegistry[type];
    const config = module.defaults();
    expect(module.type).toBe(type);
    expect(module.label).not.toBe('');
    expect(Object.keys(config).sort()).toEqual(CONFIG_KEYS[type]);
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
    expect(module.defaults()).not.toBe(config);
    expect(module.defaults()).toEqual(config);
    expect(module.outcomes).toEqual(NODE_OUTCOMES[type]);
  });

  it('defaults that need no input keep within the rules', () => {
    expect(nodeRegistry.condition.defaults().filter).toEqual({ all: [] });
    expect(ALERT_LEVELS).toContain(nodeRegistry.raiseAlert.defaults().level);
    expect(HTTP_METHODS).toContain(nodeRegistry.httpRequest.defaults().method);
    const approval = nodeRegistry.approval.defaults();
    expect(CAPABILITIES).toContain(approval.capability);
    expect(approval.required).toBeGreaterThanOrEqual(1);
    expect(nodeRegistry.delay.defaults().seconds).toBeGreaterThanOrEqual(1);
    expect(nodeRegistry.loop.defaults().maxIterations).toBeGreaterThanOrEqual(1);
  });

  it('outcomes: condition true/false, approval approved/rejected, loop again/done, the rest done', () => {
    expect(nodeRegistry.condition.outcomes).toEqual(['true', 'false']);
    expect(nodeRegistry.approval.outcomes).toEqual(['approved', 'rejected']);
    expect(nodeRegistry.loop.outcomes).toEqual(['again', 'done']);
    for (const type of NODE_TYPES.filter((t) => !['condition', 'approval', 'loop'].includes(t))) {
      expect(nodeRegistry[type].outcomes).toEqual(['done']);
    }
  });
});

function Harness({ type, onChange, initial }: { type: NodeType; onChange: (c: NodeConfig) => void; initial?: NodeConfig }) {
  const module = nodeModule(type);
  const [config, setConfig] = useState<NodeConfig>(() => initial ?? module.defaults());
  const Form = module.Form;
  return (
    <Form
      config={config}
      problems={{}}
      onChange={(next) => {
        setConfig(next);
        onChange(next);
      }}
    />
  );
}

function show<T extends NodeType>(type: T, initial?: NodeConfig<T>) {
  const onChange = vi.fn<(c: NodeConfig) => void>();
  renderWithProviders(<Harness type={type} onChange={onChange} initial={initial} />);
  return { onChange, user: userEvent.setup() };
}

const type = (testId: string, value: string) => fireEvent.change(screen.getByTestId(testId), { target: { value } });

async function choose(user: ReturnType<typeof userEvent.setup>, testId: string, option: string) {
  await user.click(screen.getByTestId(testId));
  await user.click(await screen.findByRole('option', { name: option }));
}

describe('node forms', SLOW, () => {
  it('condition: the filter is read from JSON when the field is left; bad JSON is refused', () => {
    const { onChange } = show('condition');
    const field = screen.getByTestId('wf-config-filter');
    expect(field).toHaveValue('{\n  "all": []\n}');
    fireEvent.change(field, { target: { value: '{"property": {"key": "status", "op": "eq", "value": "fault"}' } });
    fireEvent.blur(field);
    expect(onChange).not.toHaveBeenCalled();
    expect(screen.getByText(/Not valid JSON/)).toBeInTheDocument();
    fireEvent.change(field, { target: { value: '{"property": {"key": "status", "op": "eq", "value": "fault"}}' } });
    fireEvent.blur(field);
    expect(onChange).toHaveBeenLastCalledWith({ filter: { property: { key: 'status', op: 'eq', value: 'fault' } } });
    expect(screen.queryByText(/Not valid JSON/)).not.toBeInTheDocument();
  });

  it('condition: a filter is required and is an object', () => {
    const { onChange } = show('condition');
    const field = screen.getByTestId('wf-config-filter');
    fireEvent.change(field, { target: { value: '' } });
    fireEvent.blur(field);
    expect(screen.getByText(/Write a filter/)).toBeInTheDocument();
    fireEvent.change(field, { target: { value: '[1]' } });
    fireEvent.blur(field);
    expect(screen.getByText(/A filter is a JSON object/)).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
  });

  it('setProperty: key and value template, or clearing', async () => {
    const { onChange, user } = show('setProperty');
    type('wf-config-property', 'status');
    type('wf-config-value', '{{ entity.name }}');
    expect(onChange).toHaveBeenLastCalledWith({ property: 'status', value: '{{ entity.name }}' });
    await user.click(screen.getByTestId('wf-config-clear'));
    expect(onChange).toHaveBeenLastCalledWith({ property: 'status', value: null });
    expect(screen.queryByTestId('wf-config-value')).not.toBeInTheDocument();
  });

  it.each(['addTag', 'removeTag'] as const)('%s: the tag key', (nodeType) => {
    const { onChange } = show(nodeType);
    type('wf-config-tag', 'needs_review');
    expect(onChange).toHaveBeenLastCalledWith({ tag: 'needs_review' });
  });

  it('createChild: type key and name', () => {
    const { onChange } = show('createChild');
    type('wf-config-type-key', 'device');
    type('wf-config-name', 'Meter of {{ entity.name }}');
    expect(onChange).toHaveBeenLastCalledWith({ typeKey: 'device', name: 'Meter of {{ entity.name }}' });
  });

  it('move: the parent', () => {
    const { onChange } = show('move');
    type('wf-config-parent', 'site.archive');
    expect(onChange).toHaveBeenLastCalledWith({ parent: 'site.archive' });
  });

  it('raiseAlert: level and message', async () => {
    const { onChange, user } = show('raiseAlert');
    await choose(user, 'wf-config-level', 'Critical');
    type('wf-config-message', 'Pressure high');
    expect(onChange).toHaveBeenLastCalledWith({ level: 'critical', message: 'Pressure high' });
  });

  it('resolveAlert: an alert template, empty for every open alert', () => {
    const { onChange } = show('resolveAlert');
    type('wf-config-alert', '{{ trigger.alert.id }}');
    expect(onChange).toHaveBeenLastCalledWith({ alert: '{{ trigger.alert.id }}' });
    type('wf-config-alert', '');
    expect(onChange).toHaveBeenLastCalledWith({ alert: null });
  });

  it('httpRequest: method, URL, header rows, body and secrets', async () => {
    const { onChange, user } = show('httpRequest', { method: 'POST', url: '', headers: {}, body: null, authSecret: null, signingSecret: null });
    await choose(user, 'wf-config-method', 'PUT');
    type('wf-config-url', 'https://example.com/hook');
    await user.click(screen.getByTestId('wf-config-header-add'));
    type('wf-config-header-key-0', 'X-Source');
    type('wf-config-header-value-0', 'eco');
    type('wf-config-body', '{"id": "x"}');
    type('wf-config-auth-secret', 'secret-1');
    type('wf-config-signing-secret', 'secret-2');
    expect(onChange).toHaveBeenLastCalledWith({
      method: 'PUT',
      url: 'https://example.com/hook',
      headers: { 'X-Source': 'eco' },
      body: '{"id": "x"}',
      authSecret: 'secret-1',
      signingSecret: 'secret-2',
    });
    await user.click(screen.getByRole('button', { name: 'Remove header 1' }));
    type('wf-config-body', '');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ headers: {}, body: null }));
  });

  it('approval: approvers, capability, approvals required, deadline', async () => {
    const { onChange, user } = show('approval');
    await user.type(screen.getByTestId('wf-config-approvers'), 'person-a,person-b,');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ approvers: ['person-a', 'person-b'] }));
    await choose(user, 'wf-config-capability', 'admin');
    type('wf-config-required', '2');
    type('wf-config-deadline-hours', '48');
    await choose(user, 'wf-config-on-deadline', 'The run fails');
    expect(onChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ approvers: ['person-a', 'person-b'], capability: 'admin', required: 2, deadlineHours: 48, onDeadline: 'failed' }),
    );
    type('wf-config-deadline-hours', '');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ deadlineHours: null }));
  });

  it('delay: seconds', () => {
    const { onChange } = show('delay');
    type('wf-config-seconds', '300');
    expect(onChange).toHaveBeenLastCalledWith({ seconds: 300 });
  });

  it('notify: message and recipients', async () => {
    const { onChange, user } = show('notify');
    type('wf-config-message', 'Done: {{ entity.name }}');
    await user.type(screen.getByTestId('wf-config-to'), 'person-a{Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ message: 'Done: {{ entity.name }}', to: ['person-a'] });
  });

  it('loop: the most iterations', () => {
    const { onChange } = show('loop');
    type('wf-config-max-iterations', '5');
    expect(onChange).toHaveBeenLastCalledWith({ maxIterations: 5 });
  });

  it('shows the checker problems under their fields', () => {
    const Form = nodeRegistry.httpRequest.Form;
    renderWithProviders(<Form config={nodeRegistry.httpRequest.defaults()} onChange={() => {}} problems={{ url: 'url is required' }} />);
    expect(screen.getByTestId('wf-config-url')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByTestId('wf-config-url')).toHaveAccessibleDescription(/url is required/);
  });
});

function CommonHarness({ initial, onChange }: { initial: WorkflowNode; onChange: (node: WorkflowNode) => void }) {
  const [node, setNode] = useState(initial);
  return (
    <CommonNodeFields
      node={node}
      onChange={(next) => {
        setNode(next);
        onChange(next);
      }}
      idProblem={(id) => (id === 'taken' ? 'Another step is already called "taken".' : null)}
      problems={{}}
    />
  );
}

describe('common node fields', SLOW, () => {
  it('name, retry policy, timeout and id', async () => {
    const onChange = vi.fn<(node: WorkflowNode) => void>();
    const user = userEvent.setup();
    renderWithProviders(<CommonHarness initial={step({ id: 'hook', type: 'delay', config: { seconds: 1 } })} onChange={onChange} />);
    type('wf-node-name', 'Wait a bit');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ name: 'Wait a bit' }));
    await user.click(screen.getByTestId('wf-retry'));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ retry: DEFAULT_RETRY }));
    type('wf-retry-attempts', '5');
    type('wf-retry-backoff', '2000');
    type('wf-retry-factor', '1.5');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ retry: { ...DEFAULT_RETRY, maxAttempts: 5, backoffMs: 2000, factor: 1.5 } }));
    type('wf-node-timeout', '5000');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ timeoutMs: 5000 }));

    const id = screen.getByTestId('wf-node-id');
    fireEvent.change(id, { target: { value: 'taken' } });
    expect(screen.getByText('Another step is already called "taken".')).toBeInTheDocument();
    fireEvent.blur(id);
    expect(onChange).not.toHaveBeenCalledWith(expect.objectContaining({ id: 'taken' }));
    fireEvent.change(id, { target: { value: 'pause' } });
    fireEvent.blur(id);
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ id: 'pause' }));
  });
});
