import { describe, expect, it } from 'vitest';
import { checkSource, formatViolation, type Rule } from './test/architecture';

// Every TypeScript source under src, as text (bindings.ts is generated).
const sources = Object.fromEntries(
  Object.entries(
    import.meta.glob<string>(['./**/*.{ts,tsx}', '!./bindings.ts'], { query: '?raw', import: 'default', eager: true }),
  ).map(([path, text]) => [path.replace(/^\.\//, ''), text]),
);

function violationsOf(rule: Rule): string[] {
  return Object.entries(sources)
    .flatMap(([file, text]) => checkSource(file, text))
    .filter((v) => v.rule === rule)
    .map(formatViolation);
}

/** The rules a fake file breaks. */
const rulesBroken = (file: string, source: string) => checkSource(file, source).map((v) => `${v.rule}:${v.line}`);

describe('source layout', () => {
  it('reads the whole source tree', () => {
    expect(Object.keys(sources)).toEqual(expect.arrayContaining(['main.tsx', 'app/App.tsx', 'features/tree/api.ts', 'live/applyChange.ts', 'test/architecture.ts']));
    expect(Object.keys(sources)).not.toContain('bindings.ts');
  });

  it('only features/*/api.ts (and the startup reader) use commands from the bindings', () => {
    expect(violationsOf('commands')).toEqual([]);
  });

  it('features import each other only through api.ts or index.ts', () => {
    expect(violationsOf('feature-boundary')).toEqual([]);
  });

  it('ipc, shared, live and features never import upwards', () => {
    expect(violationsOf('layer')).toEqual([]);
  });
});

describe('the layout checker', () => {
  it('flags a component importing and calling commands', () => {
    const source = `import { commands } from '../../bindings';\n\nexport const load = () => commands.listRoots();\n`;
    expect(rulesBroken('features/tree/RegistryTree.tsx', source)).toEqual(['commands:1', 'commands:3']);
    expect(checkSource('features/tree/RegistryTree.tsx', source)[1].message).toBe('calls commands.listRoots');
  });

  it('follows an aliased import, element access and calls split over lines', () => {
    const source = `import { commands as c } from '../bindings';\nc['purgeEntity']('x');\nc\n  .listTrash(5);\n`;
    expect(rulesBroken('shared/x.ts', source)).toEqual(['commands:1', 'commands:2', 'commands:3']);
  });

  it('flags a namespace import, a dynamic import and a re-export of the bindings', () => {
    expect(rulesBroken('live/x.ts', `import * as b from '../bindings';`)).toEqual(['commands:1']);
    expect(rulesBroken('app/x.ts', `export const f = () => import('../bindings');`)).toEqual(['commands:1']);
    expect(rulesBroken('ipc/index.ts', `export * from '../bindings';`)).toEqual(['commands:1']);
    expect(rulesBroken('features/tree/api.ts', `export { commands } from '../../bindings';`)).toEqual(['commands:1']);
  });

  it('allows commands in a feature api.ts, types and events anywhere, and commands in tests', () => {
    expect(rulesBroken('features/trash/api.ts', `import { commands } from '../../bindings';\ncommands.purgeEntity('x');`)).toEqual([]);
    expect(rulesBroken('features/trash/TrashView.tsx', `import { events, type TrashItem } from '../../bindings';\nimport type { commands } from '../../bindings';`)).toEqual([]);
    expect(rulesBroken('features/trash/TrashView.test.tsx', `import { commands } from '../../bindings';\ncommands.purgeEntity('x');`)).toEqual([]);
  });

  it('lets the startup reader call startupStatus only', () => {
    const file = 'app/startup/useStartupStatus.ts';
    expect(rulesBroken(file, `import { commands } from '../../bindings';\ncommands.startupStatus();`)).toEqual([]);
    expect(rulesBroken(file, `import { commands } from '../../bindings';\ncommands.listRoots();`)).toEqual(['commands:2']);
  });

  it('ignores comments and strings', () => {
    expect(rulesBroken('shared/x.ts', `// commands.listRoots()\nconst s = "import { commands } from '../bindings'";\n/* commands.getEntity */`)).toEqual([]);
  });

  it('flags an import of another feature other than its api.ts or index.ts', () => {
    expect(rulesBroken('features/details/EntityOverview.tsx', `import { NodeIcon } from '../tree/TreeRowViews';`)).toEqual(['feature-boundary:1']);
    expect(rulesBroken('app/workspace/DialogHost.tsx', `import { CommandPalette } from '../../features/palette/CommandPalette';`)).toEqual(['feature-boundary:1']);
    expect(rulesBroken('features/details/x.test.tsx', `import classes from '../tree/RegistryTree.module.css';`)).toEqual(['feature-boundary:1']);
    expect(rulesBroken('features/details/x.ts', `export { useTreeController } from '../tree/TreeController';`)).toEqual(['feature-boundary:1']);
  });

  it('allows another feature through api.ts, index.ts or its folder, and a feature its own files', () => {
    const source = `import { entityQuery } from '../details/api';\nimport { useJobs } from '../jobs';\nimport { TrashView } from '../trash/index';\nimport { planReveal } from './reveal';`;
    expect(rulesBroken('features/tree/TreeController.tsx', source)).toEqual([]);
  });

  it('flags imports against the layers', () => {
    expect(rulesBroken('features/tree/x.ts', `import { App } from '../../app/App';`)).toEqual(['layer:1']);
    expect(rulesBroken('shared/x.ts', `import { useChangeApplier } from '../live/LiveUpdates';`)).toEqual(['layer:1']);
    expect(rulesBroken('live/x.ts', `import { TrashView } from '../features/trash';`)).toEqual(['layer:1']);
    expect(rulesBroken('ipc/x.ts', `import { formatCount } from '../shared/format';`)).toEqual(['layer:1']);
    expect(rulesBroken('shared/x.ts', `import { renderApp } from '../test/app';`)).toEqual(['layer:1']);
  });

  it('lets test files use the test helpers, and the app use everything', () => {
    expect(rulesBroken('shared/x.test.ts', `import { makeNode } from '../test/fixtures';`)).toEqual([]);
    expect(rulesBroken('app/App.tsx', `import { Workspace } from './workspace/Workspace';\nimport { TypesView } from '../features/entity-types';\nimport { queryKeys } from '../shared/queryKeys';`)).toEqual([]);
  });
});
