// Every node type with how the editor shows it, its outcomes, the settings a
// new node starts with and its settings form.
import {
  IconAlertTriangle,
  IconArrowsMove,
  IconBell,
  IconCircleCheck,
  IconGitBranch,
  IconHourglass,
  IconPencil,
  IconRepeat,
  IconSquarePlus,
  IconTag,
  IconTagOff,
  IconUserCheck,
  IconWorldUpload,
  type TablerIcon,
} from '@tabler/icons-react';
import type { ComponentType } from 'react';
import { NODE_OUTCOMES, type NodeConfig, type NodeType } from './documentModel';
import {
  ApprovalForm,
  ConditionForm,
  CreateChildForm,
  DelayForm,
  HttpRequestForm,
  LoopForm,
  MoveForm,
  NotifyForm,
  RaiseAlertForm,
  ResolveAlertForm,
  SetPropertyForm,
  TagForm,
  type NodeFormProps,
} from './nodeForms';

/** Where the palette lists a type. */
export type NodeGroup = 'flow' | 'entity' | 'alerts' | 'outside';

export const NODE_GROUPS: { group: NodeGroup; label: string }[] = [
  { group: 'flow', label: 'Flow' },
  { group: 'entity', label: 'Entity' },
  { group: 'alerts', label: 'Alerts' },
  { group: 'outside', label: 'People and services' },
];

export type NodeModule<T extends NodeType = NodeType> = {
  type: T;
  label: string;
  description: string;
  group: NodeGroup;
  icon: TablerIcon;
  /** A Mantine colour name. */
  color: string;
  outcomes: readonly string[];
  /** The settings of a new node (a fresh object each call). */
  defaults: () => NodeConfig<T>;
  Form: ComponentType<NodeFormProps<NodeConfig<T>>>;
};

export const nodeRegistry: { [T in NodeType]: NodeModule<T> } = {
  condition: {
    type: 'condition',
    label: 'Condition',
    description: 'Branches on whether the entity matches a filter.',
    group: 'flow',
    icon: IconGitBranch,
    color: 'violet',
    outcomes: NODE_OUTCOMES.condition,
    defaults: () => ({ filter: { all: [] } }),
    Form: ConditionForm,
  },
  loop: {
    type: 'loop',
    label: 'Loop',
    description: 'Repeats the steps on its “again” branch a bounded number of times.',
    group: 'flow',
    icon: IconRepeat,
    color: 'grape',
    outcomes: NODE_OUTCOMES.loop,
    defaults: () => ({ maxIterations: 10 }),
    Form: LoopForm,
  },
  delay: {
    type: 'delay',
    label: 'Delay',
    description: 'Waits before going on.',
    group: 'flow',
    icon: IconHourglass,
    color: 'gray',
    outcomes: NODE_OUTCOMES.delay,
    defaults: () => ({ seconds: 60 }),
    Form: DelayForm,
  },
  approval: {
    type: 'approval',
    label: 'Approval',
    description: 'Waits for people to approve or reject.',
    group: 'flow',
    icon: IconUserCheck,
    color: 'teal',
    outcomes: NODE_OUTCOMES.approval,
    defaults: () => ({ title: 'Approve {{ workflow.name }} for {{ entity.name }}', approvers: [], capability: 'write', required: 1, deadlineHours: 24, onDeadline: 'rejected' }),
    Form: ApprovalForm,
  },
  setProperty: {
    type: 'setProperty',
    label: 'Set property',
    description: 'Sets or clears a property of the entity.',
    group: 'entity',
    icon: IconPencil,
    color: 'blue',
    outcomes: NODE_OUTCOMES.setProperty,
    defaults: () => ({ property: '', value: '' }),
    Form: SetPropertyForm,
  },
  addTag: {
    type: 'addTag',
    label: 'Add tag',
    description: 'Tags the entity.',
    group: 'entity',
    icon: IconTag,
    color: 'cyan',
    outcomes: NODE_OUTCOMES.addTag,
    defaults: () => ({ tag: '' }),
    Form: TagForm,
  },
  removeTag: {
    type: 'removeTag',
    label: 'Remove tag',
    description: 'Removes a tag from the entity.',
    group: 'entity',
    icon: IconTagOff,
    color: 'cyan',
    outcomes: NODE_OUTCOMES.removeTag,
    defaults: () => ({ tag: '' }),
    Form: TagForm,
  },
  createChild: {
    type: 'createChild',
    label: 'Create child',
    description: 'Creates an entity under the entity.',
    group: 'entity',
    icon: IconSquarePlus,
    color: 'indigo',
    outcomes: NODE_OUTCOMES.createChild,
    defaults: () => ({ typeKey: '', name: '' }),
    Form: CreateChildForm,
  },
  move: {
    type: 'move',
    label: 'Move',
    description: 'Moves the entity under another.',
    group: 'entity',
    icon: IconArrowsMove,
    color: 'indigo',
    outcomes: NODE_OUTCOMES.move,
    defaults: () => ({ parent: '' }),
    Form: MoveForm,
  },
  raiseAlert: {
    type: 'raiseAlert',
    label: 'Raise alert',
    description: 'Raises an alert on the entity.',
    group: 'alerts',
    icon: IconAlertTriangle,
    color: 'orange',
    outcomes: NODE_OUTCOMES.raiseAlert,
    defaults: () => ({ level: 'warning', message: '{{ entity.name }} needs attention' }),
    Form: RaiseAlertForm,
  },
  resolveAlert: {
    type: 'resolveAlert',
    label: 'Resolve alert',
    description: 'Resolves an alert, or every open alert of the entity.',
    group: 'alerts',
    icon: IconCircleCheck,
    color: 'green',
    outcomes: NODE_OUTCOMES.resolveAlert,
    defaults: () => ({ alert: null }),
    Form: ResolveAlertForm,
  },
  httpRequest: {
    type: 'httpRequest',
    label: 'HTTP request',
    description: 'Calls a web service.',
    group: 'outside',
    icon: IconWorldUpload,
    color: 'pink',
    outcomes: NODE_OUTCOMES.httpRequest,
    defaults: () => ({ method: 'POST', url: '', headers: { 'Content-Type': 'application/json' }, body: '{"entity": "{{ entity.id }}"}', authSecret: null, signingSecret: null }),
    Form: HttpRequestForm,
  },
  notify: {
    type: 'notify',
    label: 'Notify',
    description: 'Sends people an in-app notification.',
    group: 'outside',
    icon: IconBell,
    color: 'yellow',
    outcomes: NODE_OUTCOMES.notify,
    defaults: () => ({ to: [], message: '{{ workflow.name }}: {{ entity.name }}' }),
    Form: NotifyForm,
  },
};

export const NODE_TYPES = Object.keys(nodeRegistry) as NodeType[];

/** The module of a node type, typed loosely for code that handles any node. */
export function nodeModule(type: NodeType): NodeModule {
  return nodeRegistry[type] as unknown as NodeModule;
}
