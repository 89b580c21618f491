// The problems `checkWorkflow` reports, tied to what they blame: a node (by
// id, read from the document that was checked), an edge, the trigger, or the
// document as a whole.
import type { WfValidationError, WorkflowDocument } from '../types';

export type ProblemTarget = { kind: 'node'; nodeId: string } | { kind: 'edge'; index: number } | { kind: 'trigger' } | { kind: 'document' };

export type Problem = {
  message: string;
  target: ProblemTarget;
  /** The path inside the target ("config.url", "events"), or null for the target itself. */
  path: string | null;
};

/** Messages by field: the first segment of their path ("headers" for "headers.Accept"). */
export type FieldProblems = Record<string, string>;

const NODE_PATH = /^nodes\[(\d+)\](?:\.(.+))?$/;
const EDGE_PATH = /^edges\[(\d+)\](?:\.(.+))?$/;
const TRIGGER_PATH = /^trigger(?:\.(.+))?$/;

function locate(field: string | null, checked: WorkflowDocument): Pick<Problem, 'target' | 'path'> {
  if (field === null) return { target: { kind: 'document' }, path: null };
  const node = NODE_PATH.exec(field);
  if (node) {
    const found = checked.nodes[Number(node[1])];
    return found ? { target: { kind: 'node', nodeId: found.id }, path: node[2] ?? null } : { target: { kind: 'document' }, path: field };
  }
  const edge = EDGE_PATH.exec(field);
  if (edge) return { target: { kind: 'edge', index: Number(edge[1]) }, path: edge[2] ?? null };
  const trigger = TRIGGER_PATH.exec(field);
  if (trigger) return { target: { kind: 'trigger' }, path: trigger[1] ?? null };
  return { target: { kind: 'document' }, path: field };
}

/** The problems of `checked` (the document they were reported for). */
export function toProblems(errors: readonly WfValidationError[], checked: WorkflowDocument): Problem[] {
  return errors.map((error) => ({ message: error.message, ...locate(error.field, checked) }));
}

export function problemsOfNode(problems: readonly Problem[], nodeId: string): Problem[] {
  return problems.filter((p) => p.target.kind === 'node' && p.target.nodeId === nodeId);
}

export function problemsOfEdge(problems: readonly Problem[], index: number): Problem[] {
  return problems.filter((p) => p.target.kind === 'edge' && p.target.index === index);
}

export function problemsOfTrigger(problems: readonly Problem[]): Problem[] {
  return problems.filter((p) => p.target.kind === 'trigger');
}

/** Node ids with their problems' messages (for marking nodes on the canvas). */
export function messagesByNode(problems: readonly Problem[]): Map<string, string[]> {
  const byNode = new Map<string, string[]>();
  for (const problem of problems) {
    if (problem.target.kind !== 'node') continue;
    const list = byNode.get(problem.target.nodeId) ?? [];
    list.push(problem.message);
    byNode.set(problem.target.nodeId, list);
  }
  return byNode;
}

/** The first segment of a path: "headers" of "headers.Accept", "approvers" of "approvers[1]". */
function firstSegment(path: string): string {
  return path.split(/[.[]/)[0];
}

/**
 * A node's problems split for its forms: `config` keyed by config field,
 * `common` by common field (name, retry, timeoutMs, id), `general` the rest.
 */
export function splitNodeProblems(problems: readonly Problem[]): { config: FieldProblems; common: FieldProblems; general: string[] } {
  const config: FieldProblems = {};
  const common: FieldProblems = {};
  const general: string[] = [];
  const add = (into: FieldProblems, key: string, message: string) => {
    into[key] = into[key] ? `${into[key]} ${message}` : message;
  };
  for (const problem of problems) {
    const path = problem.path;
    if (path === null || path === 'type' || path === 'config') general.push(problem.message);
    else if (path.startsWith('config.')) add(config, firstSegment(path.slice('config.'.length)), problem.message);
    else add(common, firstSegment(path), problem.message);
  }
  return { config, common, general };
}

/** Trigger problems keyed by field; those that blame the trigger itself under "kind". */
export function triggerFieldProblems(problems: readonly Problem[]): FieldProblems {
  const fields: FieldProblems = {};
  for (const problem of problemsOfTrigger(problems)) {
    const key = problem.path === null ? 'kind' : firstSegment(problem.path);
    fields[key] = fields[key] ? `${fields[key]} ${problem.message}` : problem.message;
  }
  return fields;
}
