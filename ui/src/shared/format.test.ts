import { describe, expect, it } from 'vitest';
import { entitiesLabel, formatCount, formatRelative, matchesLabel } from './format';

describe('format', () => {
  it('counts', () => {
    expect(formatCount(100000)).toBe('100,000');
    expect(entitiesLabel(1)).toBe('1 entity');
    expect(entitiesLabel(1234)).toBe('1,234 entities');
  });

  it('matches, capped or exact', () => {
    expect(matchesLabel(1000, true)).toBe('1,000+ matches');
    expect(matchesLabel(0, false)).toBe('No matches');
    expect(matchesLabel(1, false)).toBe('1 match');
    expect(matchesLabel(42, false)).toBe('42 matches');
  });

  it('relative times', () => {
    const now = Date.parse('2025-03-01T12:00:00Z');
    expect(formatRelative('2025-03-01T11:57:00Z', now)).toBe('3 minutes ago');
    expect(formatRelative('2025-02-28T12:00:00Z', now)).toBe('yesterday');
    expect(formatRelative('2025-03-01T11:59:50Z', now)).toBe('just now');
    expect(formatRelative('2025-03-08T12:00:00Z', now)).toBe('next week');
    expect(formatRelative('nonsense', now)).toBe('nonsense');
  });
});
