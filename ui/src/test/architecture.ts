// The source layout rules of ui/src, checked on the syntax tree of each file
// (comments and strings never count). Paths are relative to src, with '/'.
//
// 1. commands: only features/<name>/api.ts may use `commands` from the
//    bindings; the app's startup reader may call `commands.startupStatus`
//    and nothing else. Nothing re-exports `commands`. Test files are exempt.
// 2. feature boundary: outside features/<name>/, a file imports that feature
//    only through its api.ts or its index.ts (or the folder itself).
// 3. layers: ipc/ imports only the bindings; shared/ adds ipc/; live/ adds
//    shared/; features/ may use all of those and each other, never app/.
//    Test files may import test/ too; test/ itself may import anything.
import ts from 'typescript';

export type Rule = 'commands' | 'feature-boundary' | 'layer';

export type Violation = { file: string; line: number; rule: Rule; message: string };

const STARTUP_READER = 'app/startup/useStartupStatus.ts';
const STARTUP_COMMANDS: ReadonlySet<string> = new Set(['startupStatus']);
const FEATURE_API = /^features\/[^/]+\/api\.ts$/;

type Area = 'bindings' | 'ipc' | 'shared' | 'live' | 'features' | 'app' | 'test' | 'root';

/** Which areas a non-test file of an area may import from. */
const LAYERS: Record<Area, readonly Area[] | 'any'> = {
  bindings: [],
  ipc: ['bindings', 'ipc'],
  shared: ['bindings', 'ipc', 'shared'],
  live: ['bindings', 'ipc', 'shared', 'live'],
  features: ['bindings', 'ipc', 'shared', 'live', 'features'],
  app: 'any',
  test: 'any',
  root: 'any',
};

export function isTestFile(file: string): boolean {
  return /\.test\.tsx?$/.test(file) || file.startsWith('test/');
}

export function areaOf(path: string): Area {
  if (path === 'bindings') return 'bindings';
  const top = path.split('/')[0];
  switch (top) {
    case 'ipc':
    case 'shared':
    case 'live':
    case 'features':
    case 'app':
    case 'test':
      return top;
    default:
      return 'root';
  }
}

/** The feature a path lies in ('tree' for features/tree/...), or null. */
function featureOf(path: string): string | null {
  const match = /^features\/([^/]+)(\/|$)/.exec(path);
  return match ? match[1] : null;
}

/**
 * The src-relative module a relative specifier names, without a .ts/.tsx
 * extension ('features/tree/api'); null for packages.
 */
export function resolveSpecifier(fromFile: string, specifier: string): string | null {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return null;
  const parts = fromFile.split('/').slice(0, -1);
  for (const segment of specifier.split('/')) {
    if (segment === '.' || segment === '') continue;
    if (segment === '..') parts.pop();
    else parts.push(segment);
  }
  return parts.join('/').replace(/\.tsx?$/, '');
}

/** A module of feature `name` that other code may import: the folder, index or api. */
function isPublicModule(target: string, name: string): boolean {
  const rest = target.slice(`features/${name}`.length);
  return rest === '' || rest === '/index' || rest === '/api';
}

function scriptKindOf(file: string): ts.ScriptKind {
  return file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
}

/** Every violation of the rules in one source file. */
export function checkSource(file: string, source: string): Violation[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, scriptKindOf(file));
  const violations: Violation[] = [];
  const test = isTestFile(file);
  const area = areaOf(file);
  const ownFeature = featureOf(file);
  const mayUseCommands = FEATURE_API.test(file);
  const isStartupReader = file === STARTUP_READER;
  /** Local names `commands` is bound to in this file. */
  const commandNames = new Set(['commands']);

  const report = (node: ts.Node, rule: Rule, message: string) => {
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    violations.push({ file, line: line + 1, rule, message });
  };

  const checkModuleReference = (node: ts.Node, specifier: string) => {
    const target = resolveSpecifier(file, specifier);
    if (target === null) return;
    const feature = featureOf(target);
    if (feature !== null && feature !== ownFeature && !isPublicModule(target, feature)) {
      report(node, 'feature-boundary', `imports ${target} (outside features/${feature}, use its api.ts or index.ts)`);
    }
    const allowed = test && area !== 'test' ? withTest(LAYERS[area]) : LAYERS[area];
    const targetArea = areaOf(target);
    if (allowed !== 'any' && !allowed.includes(targetArea)) {
      report(node, 'layer', `${area}/ may not import from ${targetArea === 'root' ? target : `${targetArea}/`}`);
    }
  };

  const commandUse = (node: ts.Node, name: string | null) => {
    if (test || mayUseCommands) return;
    if (isStartupReader && name !== null && STARTUP_COMMANDS.has(name)) return;
    report(node, 'commands', name === null ? 'uses commands from the bindings' : `calls commands.${name}`);
  };

  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const specifier = node.moduleSpecifier.text;
      checkModuleReference(node, specifier);
      const clause = node.importClause;
      if (resolveSpecifier(file, specifier) === 'bindings' && clause && !clause.isTypeOnly) {
        const bindings = clause.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) {
          commandUse(node, null);
        } else if (bindings && ts.isNamedImports(bindings)) {
          for (const element of bindings.elements) {
            if (element.isTypeOnly || (element.propertyName ?? element.name).text !== 'commands') continue;
            commandNames.add(element.name.text);
            if (!isStartupReader) commandUse(element, null);
          }
        }
      }
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      checkModuleReference(node, node.moduleSpecifier.text);
      if (resolveSpecifier(file, node.moduleSpecifier.text) === 'bindings' && !node.isTypeOnly && !test) {
        const clause = node.exportClause;
        const reexportsCommands =
          clause === undefined ||
          ts.isNamespaceExport(clause) ||
          clause.elements.some((e) => !e.isTypeOnly && (e.propertyName ?? e.name).text === 'commands');
        if (reexportsCommands) report(node, 'commands', 're-exports commands from the bindings');
      }
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteral(argument)) {
        checkModuleReference(node, argument.text);
        if (resolveSpecifier(file, argument.text) === 'bindings') commandUse(node, null);
      }
    } else if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && commandNames.has(node.expression.text)) {
      commandUse(node, node.name.text);
    } else if (ts.isElementAccessExpression(node) && ts.isIdentifier(node.expression) && commandNames.has(node.expression.text)) {
      const key = node.argumentExpression;
      commandUse(node, ts.isStringLiteral(key) ? key.text : null);
    }
    ts.forEachChild(node, visit);
  };

  visit(sf);
  return violations;
}

function withTest(allowed: readonly Area[] | 'any'): readonly Area[] | 'any' {
  return allowed === 'any' ? allowed : [...allowed, 'test'];
}

export function formatViolation(v: Violation): string {
  return `${v.file}:${v.line} [${v.rule}] ${v.message}`;
}
