import { describe, expect, it } from 'vitest';
import type { AppError } from '../bindings';
import { makeNode, makeType } from '../test/fixtures';
import { appErrorOf, CommandError, currentName, describeAppError, describeError, fieldError, isConflict, isFieldError, unwrap } from './errors';

describe('describeAppError', () => {
  it.each<[AppError, string, RegExp]>([
    [{ type: 'NotReady' }, 'Database not ready', /still starting/],
    [{ type: 'NotFound', data: { what: 'entity', id: 'e-42' } }, 'Not found', /entity "e-42"/],
    [{ type: 'Validation', data: { message: 'name is empty', field: 'name', rule: 'required' } }, 'Invalid request', /^name is empty$/],
    [{ type: 'Validation', data: { message: 'View as needs a server session', field: null, rule: 'state' } }, 'Not possible here', /^View as needs/],
    [{ type: 'Database', data: { message: 'connection refused' } }, 'Database error', /^connection refused$/],
    [{ type: 'Startup', data: { message: 'initdb failed' } }, 'Startup failed', /^initdb failed$/],
    [{ type: 'Offline', data: { message: 'this entity is not kept on this computer' } }, 'Offline', /^this entity is not kept/],
    [{ type: 'Conflict', data: { message: 'stale', current: { kind: 'entity', row: makeNode({ id: 'x', name: 'Hall B' }) } } }, 'Changed by someone else', /now named "Hall B"/],
    [{ type: 'Conflict', data: { message: 'stale', current: { kind: 'missing' } } }, 'Changed by someone else', /deleted since/],
    [{ type: 'InUse', data: { message: '12 live entities use this type' } }, 'Still in use', /^12 live entities/],
    [{ type: 'Forbidden', data: { message: 'system type' } }, 'Not allowed', /^system type$/],
    [{ type: 'Cancelled' }, 'Cancelled', /nothing changed/],
    [{ type: 'Vault', data: { kind: 'locked', message: 'the vault is locked' } }, 'Vault locked', /^the vault is locked$/],
    [{ type: 'Vault', data: { kind: 'wrongPassphrase', message: 'wrong passphrase' } }, 'Wrong passphrase', /^wrong passphrase$/],
    [{ type: 'Connection', data: { problem: 'unreachable', message: 'connection refused' } }, 'Server not reachable', /^connection refused$/],
  ])('%o', (error, title, message) => {
    const description = describeAppError(error);
    expect(description.title).toBe(title);
    expect(description.message).toMatch(message);
  });

  it('depends on the type, not on the message text', () => {
    const a = describeAppError({ type: 'Database', data: { message: 'NotFound' } });
    expect(a.title).toBe('Database error');
  });
});

describe('unwrap / describeError', () => {
  it('returns ok data and throws a CommandError carrying the AppError', () => {
    expect(unwrap({ status: 'ok', data: 5 })).toBe(5);
    const appError: AppError = { type: 'NotReady' };
    let caught: unknown;
    try {
      unwrap({ status: 'error', error: appError });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CommandError);
    expect((caught as CommandError).appError).toBe(appError);
    expect(describeError(caught).title).toBe('Database not ready');
  });

  it('describes foreign errors generically', () => {
    expect(describeError(new Error('kaput'))).toEqual({ title: 'Unexpected error', message: 'kaput', hint: null });
  });
});

describe('conflict helpers', () => {
  it('currentName reads entities and types, null when missing', () => {
    expect(currentName({ kind: 'entity', row: makeNode({ id: 'x', name: 'N' }) })).toBe('N');
    expect(currentName({ kind: 'entityType', row: makeType({ key: 'k', name: 'Kind' }) })).toBe('Kind');
    expect(currentName({ kind: 'missing' })).toBeNull();
  });

  it('isConflict / appErrorOf look inside CommandErrors only', () => {
    const conflict = new CommandError({ type: 'Conflict', data: { message: 'm', current: { kind: 'missing' } } });
    expect(isConflict(conflict)).toBe(true);
    expect(isConflict(new CommandError({ type: 'NotReady' }))).toBe(false);
    expect(isConflict(new Error('Conflict'))).toBe(false);
    expect(appErrorOf(conflict)?.type).toBe('Conflict');
    expect(appErrorOf('x')).toBeNull();
  });
});

describe('fieldError', () => {
  const invalid = (field: string | null) =>
    new CommandError({ type: 'Validation', data: { message: `bad ${field}`, field, rule: 'format' } });

  it('gives the message to the input the error blames, and to no other', () => {
    expect(fieldError(invalid('key'), 'key')).toBe('bad key');
    expect(fieldError(invalid('key'), 'name')).toBeNull();
    expect(isFieldError(invalid('key'), ['name', 'key'])).toBe(true);
  });

  it('leaves errors without a field, other kinds and foreign errors to the notice', () => {
    expect(fieldError(invalid(null), 'key')).toBeNull();
    expect(fieldError(new CommandError({ type: 'Forbidden', data: { message: 'no' } }), 'key')).toBeNull();
    expect(fieldError(new Error('boom'), 'key')).toBeNull();
    expect(isFieldError(null, ['key'])).toBe(false);
  });
});
