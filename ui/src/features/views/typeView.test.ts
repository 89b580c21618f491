import { describe, expect, it } from 'vitest';
import type { ViewDocument } from '../../bindings';
import { typeKeyOf } from './api';

const doc = (filter: ViewDocument['filter']): ViewDocument => ({ version: 2, filter });

describe('typeKeyOf', () => {
  it('names the one type a document is about', () => {
    expect(typeKeyOf(doc({ type: ['pump'] }))).toBe('pump');
    expect(typeKeyOf(doc({ all: [{ text: 'a' }, { type: ['pump'] }] }))).toBe('pump');
  });

  it('names none for several types, no type, or a type condition under any/not', () => {
    expect(typeKeyOf(doc(null))).toBeNull();
    expect(typeKeyOf(doc({ type: ['pump', 'fan'] }))).toBeNull();
    expect(typeKeyOf(doc({ all: [{ type: ['pump'] }, { type: ['fan'] }] }))).toBeNull();
    expect(typeKeyOf(doc({ any: [{ type: ['pump'] }] }))).toBeNull();
    expect(typeKeyOf(doc({ not: { type: ['pump'] } }))).toBeNull();
  });
});
