import type { AppError } from './bindings';

/** Human-readable description of an AppError, chosen by its `type`. */
export type ErrorDescription = {
  title: string;
  message: string;
  hint: string | null;
};

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
        title: 'Invalid request',
        message: error.data.message,
        hint: null,
      };
    case 'Database':
      return {
        title: 'Database error',
        message: error.data.message,
        hint: 'Check that the database is reachable, then retry.',
      };
    case 'Startup':
      return {
        title: 'Startup failed',
        message: error.data.message,
        hint: 'Check the database configuration and restart Eco Studio.',
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
