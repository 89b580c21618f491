import type { AppError, ConnectionProblem, CurrentRow, VaultErrorKind } from '../bindings';

/** Human-readable description of an AppError, chosen by its `type`. */
export type ErrorDescription = {
  title: string;
  message: string;
  hint: string | null;
};

/** The name a record has now, as a Conflict reports it (null when it is gone). */
export function currentName(current: CurrentRow): string | null {
  switch (current.kind) {
    case 'entity':
    case 'entityType':
    case 'propertyGroup':
    case 'propertyDefinition':
      return current.row.name;
    case 'tagGroup':
      return current.row.name;
    case 'propertyValue':
      return current.row.key;
    case 'relationship':
      return current.row.relationshipType;
    case 'savedView':
    case 'dashboard':
      return current.row.name;
    case 'alert':
      return current.row.message;
    case 'missing':
      return null;
  }
}

/** The title and the way forward of each connection problem. */
const CONNECTION_PROBLEMS: Record<ConnectionProblem, { title: string; hint: string }> = {
  wrongPassword: { title: 'Wrong role or password', hint: 'Check the role and its password.' },
  unreachable: { title: 'Server not reachable', hint: 'Check the host and port, and that the server is running.' },
  tlsMismatch: { title: 'TLS mode does not match the server', hint: 'Pick the connection security the server supports.' },
  missingExtensions: { title: 'Missing database extensions', hint: "Ask the server's administrator to install the extensions Eco Studio needs." },
  poolerSetting: { title: 'The pooler keeps prepared statements', hint: 'Set server_reset_query_always = 1 in pgbouncer.ini, or connect without the transaction pooler option.' },
};

/** The title and the way forward of each vault refusal. */
const VAULT_TITLES: Record<VaultErrorKind, { title: string; hint: string | null }> = {
  locked: { title: 'Vault locked', hint: 'Unlock the vault, then try again.' },
  passphraseRequired: { title: 'Passphrase needed', hint: 'Unlock the vault with its passphrase, then try again.' },
  wrongPassphrase: { title: 'Wrong passphrase', hint: null },
  keyUnavailable: { title: 'Key unavailable', hint: 'The OS keychain or the passphrase that protects this key cannot be reached.' },
  integrity: { title: 'Secret failed its integrity check', hint: 'The stored value or its key was changed outside Eco Studio.' },
  retired: { title: 'Key version retired', hint: 'Versions sealed by a key version below the minimum no longer decrypt.' },
  noKey: { title: 'No key', hint: 'An administrator of the root creates its key on the Vault screen.' },
};

function describeConflict(current: CurrentRow): string {
  const name = currentName(current);
  if (name === null) return 'It has been deleted since you loaded it.';
  return `It is now named "${name}".`;
}

export function describeAppError(error: AppError): ErrorDescription {
  switch (error.type) {
    case 'NotReady':
      return {
        title: 'Database not ready',
        message: 'The database is still starting up.',
        hint: 'Wait a moment and try again.',
      };
    case 'NotFound':
      return {
        title: 'Not found',
        message: `The ${error.data.what} "${error.data.id}" no longer exists.`,
        hint: 'It may have been removed. Refresh the tree.',
      };
    case 'Validation':
      return {
        // A `state` rule refuses what cannot be done now or here (View as
        // through a pooler, a deleted parent): the input itself is fine.
        title: error.data.rule === 'state' ? 'Not possible here' : 'Invalid request',
        message: error.data.message,
        hint: null,
      };
    case 'Conflict':
      return {
        title: 'Changed by someone else',
        message: describeConflict(error.data.current),
        hint: 'Reload to see the current version, then try again.',
      };
    case 'InUse':
      return {
        title: 'Still in use',
        message: error.data.message,
        hint: 'Remove or change what uses it first.',
      };
    case 'Forbidden':
      return {
        title: 'Not allowed',
        message: error.data.message,
        hint: null,
      };
    case 'Cancelled':
      return {
        title: 'Cancelled',
        message: 'The operation was cancelled before it finished; nothing changed.',
        hint: null,
      };
    case 'Database':
      return {
        title: 'Database error',
        message: error.data.message,
        hint: 'Check that the database is reachable, then retry.',
      };
    case 'Connection':
      return {
        title: CONNECTION_PROBLEMS[error.data.problem].title,
        message: error.data.message,
        hint: CONNECTION_PROBLEMS[error.data.problem].hint,
      };
    case 'Vault':
      return {
        title: VAULT_TITLES[error.data.kind].title,
        message: error.data.message,
        hint: VAULT_TITLES[error.data.kind].hint,
      };
    case 'Startup':
      return {
        title: 'Startup failed',
        message: error.data.message,
        hint: 'Check the database configuration and restart Eco Studio.',
      };
    case 'Offline':
      return {
        title: 'Offline',
        message: error.data.message,
        hint: 'This needs the server, or is not kept on this computer. Try again when the server is back.',
      };
    default:
      return assertNever(error);
  }
}

function assertNever(value: never): never {
  throw new Error(`Unhandled AppError: ${JSON.stringify(value)}`);
}

/**
 * Error thrown from query functions when a command returns
 * `{ status: "error" }`, so TanStack Query can carry the typed AppError.
 */
export class CommandError extends Error {
  readonly appError: AppError;

  constructor(appError: AppError) {
    super(describeAppError(appError).message);
    this.name = 'CommandError';
    this.appError = appError;
  }
}

/** The AppError inside anything caught, or null for foreign errors. */
export function appErrorOf(error: unknown): AppError | null {
  return error instanceof CommandError ? error.appError : null;
}

/** True when the error is a Conflict (the record changed since it was read). */
export function isConflict(error: unknown): boolean {
  return appErrorOf(error)?.type === 'Conflict';
}

/** Describe anything caught from a query: AppErrors by type, the rest generically. */
export function describeError(error: unknown): ErrorDescription {
  if (error instanceof CommandError) return describeAppError(error.appError);
  return {
    title: 'Unexpected error',
    message: error instanceof Error ? error.message : String(error),
    hint: null,
  };
}

/** Unwrap a tauri-specta Result, throwing a CommandError on failure. */
export function unwrap<T>(result: { status: 'ok'; data: T } | { status: 'error'; error: AppError }): T {
  if (result.status === 'error') throw new CommandError(result.error);
  return result.data;
}

/**
 * The message of a Validation error that blames `field` (an input of the
 * form), or null: a form shows it under that input instead of as a notice.
 */
export function fieldError(error: unknown, field: string): string | null {
  const appError = appErrorOf(error);
  return appError?.type === 'Validation' && appError.data.field === field ? appError.data.message : null;
}

/** True when the error is a Validation blaming one of `fields` (shown under its input). */
export function isFieldError(error: unknown, fields: readonly string[]): boolean {
  return fields.some((field) => fieldError(error, field) !== null);
}
