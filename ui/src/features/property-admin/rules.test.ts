import { describe, expect, it } from 'vitest';
import { moveItem } from './reorder';
import { compareDecimals, describeRules, isIsoDate, isPlainDecimal, normalizeRules, relabel, ruleProblems, RULES_OF, rulesForType, sameRules, VALUE_TYPES, withRule } from './rules';

describe('rules by value type', () => {
  it('lists every value type, each with the rules the core allows', () => {
    expect(VALUE_TYPES.map((t) => t.value)).toEqual(Object.keys(RULES_OF));
    expect(RULES_OF.text).toEqual(['minLength', 'maxLength', 'pattern']);
    expect(RULES_OF.multi_select).toEqual(['options', 'maxItems']);
    expect(RULES_OF.boolean).toEqual([]);
  });

  it('leaves out absent and empty rules and switches at their default', () => {
    let rules = withRule({}, 'maxLength', 20);
    rules = withRule(rules, 'pattern', '');
    rules = withRule(rules, 'integer', false);
    rules = withRule(rules, 'ipv4', true);
    rules = withRule(rules, 'cidr', true);
    rules = withRule(rules, 'schemes', []);
    expect(rules).toEqual({ maxLength: 20, cidr: true });
    expect(withRule(rules, 'maxLength', undefined)).toEqual({ cidr: true });
  });

  it('keeps only the rules of the type', () => {
    expect(normalizeRules('number', { min: '1', maxLength: 4, integer: true, withTime: null })).toEqual({ min: '1', integer: true });
  });

  it('carries rules the new type has too, but never bounds between numbers and dates', () => {
    const options = [{ key: 'a', label: 'A', color: null }];
    expect(rulesForType({ options, maxItems: 2 }, 'multi_select', 'single_select')).toEqual({ options });
    expect(rulesForType({ min: '5', integer: true }, 'number', 'date')).toEqual({});
    expect(rulesForType({ maxLength: 5 }, 'text', 'json')).toEqual({});
  });

  it('compares rules by meaning', () => {
    expect(sameRules('number', { integer: false }, {})).toBe(true);
    expect(sameRules('number', { min: '1', max: '2' }, { max: '2', min: '1' })).toBe(true);
    expect(sameRules('number', { min: '1' }, { min: '1.0' })).toBe(false);
  });

  it('checks formats and bounds before sending', () => {
    expect(ruleProblems('number', { min: '1e3', max: '5' })).toEqual({ min: 'A decimal number like -12.5' });
    expect(ruleProblems('number', { min: '10', max: '9.5' })).toEqual({ min: 'Above the maximum' });
    expect(ruleProblems('date', { min: '2026-02-30' })).toEqual({ min: 'A date like 2026-03-01' });
    expect(ruleProblems('date', { min: '2026-03-02', max: '2026-03-01' })).toEqual({ min: 'After the latest date' });
    expect(ruleProblems('text', { minLength: 5, maxLength: 2 })).toEqual({ minLength: 'Above the maximum length' });
    expect(ruleProblems('json', { maxBytes: 2_000_000, maxDepth: 0 })).toEqual({ maxBytes: 'At most 1,048,576 (1 MiB)', maxDepth: 'At least 1' });
    expect(ruleProblems('ip_address', { ipv4: false, ipv6: false })).toEqual({ ipv6: 'Allow IPv4, IPv6 or both' });
    expect(ruleProblems('url', { schemes: ['https', 'Bad Scheme'] })).toEqual({ schemes: '"Bad Scheme" is not a URL scheme' });
    const options = [
      { key: 'on', label: 'On', color: '#00aa00' },
      { key: 'on', label: '', color: 'green' },
    ];
    expect(ruleProblems('multi_select', { options, maxItems: 0 })).toEqual({
      'options.1.key': 'Listed twice',
      'options.1.label': 'Needs a label',
      'options.1.color': 'A colour like #1c7ed6',
      maxItems: 'At least 1',
    });
    expect(ruleProblems('text', { minLength: 1, maxLength: 3, pattern: '[a-z]+' })).toEqual({});
  });

  it('reads decimals and dates as the core does', () => {
    for (const ok of ['0', '-12.5', '100', '0.001']) expect(isPlainDecimal(ok)).toBe(true);
    for (const bad of ['', '-', '1.', '.5', '01', '1e5', '+1', '1,5']) expect(isPlainDecimal(bad)).toBe(false);
    expect(compareDecimals('10', '9.999')).toBe(1);
    expect(compareDecimals('-10', '-9.999')).toBe(-1);
    expect(compareDecimals('1.50', '1.5')).toBe(0);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
  });

  it('a new option takes its key from its label; a stored key never follows', () => {
    const fresh = relabel(relabel({ key: '', label: '', color: null }, 'O', new Set()), 'Out of order', new Set());
    expect(fresh).toEqual({ key: 'out_of_order', label: 'Out of order', color: null });
    expect(relabel({ key: 'on', label: 'On', color: null }, 'Online', new Set(['on']))).toEqual({ key: 'on', label: 'Online', color: null });
    expect(relabel({ key: 'custom', label: 'On', color: null }, 'Online', new Set())).toEqual({ key: 'custom', label: 'Online', color: null });
  });

  it('describes rules in a few words', () => {
    expect(describeRules('number', { min: '0', max: '100', integer: true })).toBe('0 – 100, whole numbers');
    expect(describeRules('number', { min: '-1250.5', max: '12345678901234567890.125' })).toBe('-1,250.5 – 12,345,678,901,234,567,890.125');
    expect(describeRules('text', { maxLength: 10_000 })).toBe('≤ 10,000 characters');
    expect(describeRules('date', { min: '2020-01-01' })).toBe('≥ 2020-01-01');
    expect(describeRules('ip_address', { ipv6: false, cidr: true })).toBe('IPv4, CIDR');
    expect(describeRules('single_select', { options: [{ key: 'a', label: 'A', color: null }] })).toBe('1 option');
    expect(describeRules('boolean', {})).toBe('');
  });

  it('moves an item within a list', () => {
    expect(moveItem(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
    expect(moveItem(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b'], 0, 5)).toEqual(['a', 'b']);
  });
});
