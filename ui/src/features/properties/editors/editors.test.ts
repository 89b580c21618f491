import { describe, expect, it } from 'vitest';
import type { PropertyValue, Rules, ValueType } from '../../../bindings';
import { compareDecimals, normalizeDecimal } from './decimal';
import { prettyJson } from './json';
import { textOfKeys } from './multiSelect';
import { displayValue, editors } from './registry';

const VALUE_TYPES: ValueType[] = ['text', 'number', 'boolean', 'date', 'json', 'ip_address', 'url', 'secret_reference', 'single_select', 'multi_select'];

const OPTIONS: Rules = {
  options: [
    { key: 'active', label: 'Active', color: '#2f9e44' },
    { key: 'maintenance', label: 'In maintenance', color: '#f08c00' },
    { key: 'retired', label: 'Retired', color: null },
  ],
};

/** Formats a value, parses the text back and expects the same value. */
function roundTrip(value: PropertyValue, rules: Rules = {}) {
  const editor = editors[value.type];
  const text = editor.format(value, rules);
  expect(editor.parse(text, rules)).toEqual({ ok: true, value });
}

function refused(type: ValueType, text: string, rules: Rules = {}): string {
  const parsed = editors[type].parse(text, rules);
  if (parsed.ok) throw new Error(`${type} accepted ${JSON.stringify(text)}`);
  return parsed.error;
}

function parsed(type: ValueType, text: string, rules: Rules = {}): PropertyValue | null {
  const result = editors[type].parse(text, rules);
  if (!result.ok) throw new Error(`${type} refused ${JSON.stringify(text)}: ${result.error}`);
  return result.value;
}

describe('the editor registry', () => {
  it('has an editor filed under each value type, and empty text clears every type', () => {
    for (const type of VALUE_TYPES) {
      expect(editors[type].type).toBe(type);
      expect(editors[type].format(null, {})).toBe('');
      expect(editors[type].parse('', OPTIONS)).toEqual({ ok: true, value: null });
    }
    expect(Object.keys(editors).sort()).toEqual([...VALUE_TYPES].sort());
  });

  it('says values in words, and "none" for no value', () => {
    expect(displayValue('boolean', { type: 'boolean', value: false }, {})).toBe('No');
    expect(displayValue('single_select', { type: 'single_select', value: 'maintenance' }, OPTIONS)).toBe('In maintenance');
    expect(displayValue('multi_select', { type: 'multi_select', value: ['active', 'gone'] }, OPTIONS)).toBe('Active, gone');
    expect(displayValue('secret_reference', { type: 'secret_reference', value: '0190a1b2-0000-7000-8000-000000000001' }, {})).toBe(
      '•••••• (secret 0190a1b2-0000-7000-8000-000000000001)',
    );
    expect(displayValue('text', null, {})).toBe('none');
  });
});

describe('text', () => {
  it('round-trips text exactly, lines and spaces included', () => {
    roundTrip({ type: 'text', value: 'Plant "room" ⚡\nline 2' });
    roundTrip({ type: 'text', value: '  padded  ' });
  });

  it('checks length in characters and the pattern', () => {
    expect(refused('text', 'ABCD', { maxLength: 3 })).toBe('At most 3 characters (4 now)');
    expect(parsed('text', '⚡⚡⚡', { maxLength: 3 })).toEqual({ type: 'text', value: '⚡⚡⚡' });
    expect(refused('text', 'A', { minLength: 2 })).toBe('At least 2 characters');
    expect(refused('text', 'ab', { pattern: '[A-Z]+' })).toBe('Must match [A-Z]+');
    expect(parsed('text', 'AB', { pattern: '[A-Z]+' })).toEqual({ type: 'text', value: 'AB' });
    // A pattern JavaScript cannot read is left to the core.
    expect(parsed('text', 'x', { pattern: '(?P<n>x)' })).toEqual({ type: 'text', value: 'x' });
  });
});

describe('number', () => {
  it('keeps every digit and the scale', () => {
    roundTrip({ type: 'number', value: '-12345678901234567890.123456789000' });
    roundTrip({ type: 'number', value: '12.500' });
    roundTrip({ type: 'number', value: '0' });
  });

  it('tidies what people type', () => {
    expect(parsed('number', ' +007.50 ')).toEqual({ type: 'number', value: '7.50' });
    expect(parsed('number', '.5')).toEqual({ type: 'number', value: '0.5' });
    expect(parsed('number', '5.')).toEqual({ type: 'number', value: '5' });
    expect(parsed('number', '-0.00')).toEqual({ type: 'number', value: '0.00' });
    expect(normalizeDecimal('abc')).toBe('abc');
  });

  it('refuses what is not a plain decimal, and applies integer and bounds exactly', () => {
    expect(refused('number', '1e5')).toBe('Write the number without an exponent');
    expect(refused('number', '1,5')).toBe('Use a point for decimals and no thousands separators');
    expect(refused('number', 'twelve')).toBe('Not a number');
    expect(refused('number', 'NaN')).toBe('Not a number');
    expect(refused('number', '1'.repeat(101))).toBe('At most 100 characters');
    expect(refused('number', '2.5', { integer: true })).toBe('Must be a whole number');
    expect(refused('number', '100.51', { min: '0', max: '100.5' })).toBe('Must be at most 100.5');
    expect(refused('number', '-0.001', { min: '0' })).toBe('Must be at least 0');
    expect(parsed('number', '100.500', { max: '100.5' })).toEqual({ type: 'number', value: '100.500' });
    expect(parsed('number', '12345678901234567890.000000000000000001', { min: '12345678901234567890' })).not.toBeNull();
  });

  it('compares decimals without floating point', () => {
    expect(compareDecimals('10', '9.999')).toBe(1);
    expect(compareDecimals('-10', '-9.999')).toBe(-1);
    expect(compareDecimals('1.50', '1.5')).toBe(0);
    expect(compareDecimals('0', '-0.0')).toBe(0);
    expect(compareDecimals('0.6', '0.51')).toBe(1);
  });

  it('describes the bounds', () => {
    expect(editors.number.hint({ integer: true, min: '0', max: '10' })).toBe('Whole number, from 0 to 10');
    expect(editors.number.hint({ min: '-5' })).toBe('-5 or more');
    expect(editors.number.hint({})).toBeNull();
  });
});

describe('boolean', () => {
  it('round-trips both values and refuses anything else', () => {
    roundTrip({ type: 'boolean', value: true });
    roundTrip({ type: 'boolean', value: false });
    expect(refused('boolean', 'yes')).toBe('Not yes or no');
  });
});

describe('date', () => {
  it('round-trips a day', () => {
    roundTrip({ type: 'date', value: '2026-03-01' });
    expect(editors.date.format({ type: 'date', value: '2026-03-01' }, {})).toBe('2026-03-01');
  });

  it('refuses days off the calendar, times without withTime, and days out of bounds', () => {
    expect(refused('date', '2020-02-30')).toBe('Not a date on the calendar');
    expect(refused('date', '03/01/2026')).toBe('Not a date like 2026-03-01');
    expect(refused('date', '2026-03-01T10:00')).toBe('Not a date like 2026-03-01');
    expect(refused('date', '2019-12-31', { min: '2020-01-01' })).toBe('Must be on or after 2020-01-01');
    expect(refused('date', '2031-01-01', { max: '2030-12-31' })).toBe('Must be on or before 2030-12-31');
  });

  it('with a time: shows the local time and sends it back with the local offset (the same instant)', () => {
    const rules: Rules = { withTime: true };
    const stored = '2026-03-01T09:30:15+01:00';
    const text = editors.date.format({ type: 'date', value: stored }, rules);
    expect(text).toMatch(/^2026-03-0[12]T\d{2}:30:15$/);
    const back = parsed('date', text, rules);
    expect(back?.type).toBe('date');
    const value = (back as { value: string }).value;
    expect(value).toMatch(/^2026-03-0[12]T\d{2}:30:15[+-]\d{2}:\d{2}$/);
    expect(new Date(value).getTime()).toBe(new Date(stored).getTime());
    // Whole minutes show without seconds, as the browser's input holds them.
    expect(editors.date.format({ type: 'date', value: '2026-03-01T09:30:00Z' }, rules)).toMatch(/T\d{2}:30$/);
    // A stored day shows at midnight; a typed full RFC 3339 time is taken as it is.
    expect(editors.date.format({ type: 'date', value: '2026-03-01' }, rules)).toBe('2026-03-01T00:00');
    roundTrip({ type: 'date', value: '2026-03-01' }, {});
    expect(parsed('date', '2026-03-01T09:30:00+01:00', rules)).toEqual({ type: 'date', value: '2026-03-01T09:30:00+01:00' });
    expect(refused('date', '2026-03-01T25:00', rules)).toBe('Not a time on the calendar');
    expect(refused('date', 'soon', rules)).toBe('Not a date and time like 2026-03-01 09:30');
  });
});

describe('json', () => {
  it('shows JSON indented without touching a digit, and parses it back to the same document', () => {
    const value = '{"a": [1, 2.50, 12345678901234567890123], "b": {}, "c": "x, [y]: \\"z\\""}';
    const text = editors.json.format({ type: 'json', value }, {});
    expect(text).toBe('{\n  "a": [1, 2.50, 12345678901234567890123],\n  "b": {},\n  "c": "x, [y]: \\"z\\""\n}');
    const nested = '{"zones":[{"id":1,"name":"North wing, level 2","setpoint":21.50},{"id":2,"name":"South wing","tags":[]}]}';
    expect(prettyJson(nested)).toBe(
      '{\n  "zones": [\n    {"id": 1, "name": "North wing, level 2", "setpoint": 21.50},\n    {"id": 2, "name": "South wing", "tags": []}\n  ]\n}',
    );
    const back = parsed('json', text);
    expect(back?.type).toBe('json');
    expect(prettyJson((back as { value: string }).value)).toBe(text);
    roundTrip({ type: 'json', value: '42' });
    roundTrip({ type: 'json', value: '[]' });
  });

  it('refuses text that is not JSON, too big or too deep', () => {
    expect(refused('json', '{')).toMatch(/^Not valid JSON: \S/);
    expect(refused('json', '[[[1]]]', { maxDepth: 2 })).toBe('Nested more than 2 levels');
    expect(refused('json', '"abcdef"', { maxBytes: 4 })).toBe('At most 4 bytes (8 now)');
    expect(refused('json', '"a\\u0000"')).toBe('Cannot contain a NUL character');
    expect(parsed('json', '[[1]]', { maxDepth: 2 })).toEqual({ type: 'json', value: '[[1]]' });
  });
});

describe('ip address', () => {
  it('round-trips addresses and, when allowed, networks', () => {
    roundTrip({ type: 'ip_address', value: '10.0.0.1' });
    roundTrip({ type: 'ip_address', value: 'fd00::1' });
    roundTrip({ type: 'ip_address', value: '::ffff:10.0.0.1' });
    roundTrip({ type: 'ip_address', value: '10.0.0.0/8' }, { cidr: true });
  });

  it('refuses malformed addresses and forms the rules leave out', () => {
    expect(refused('ip_address', '10.0.0.256')).toBe('Not an IP address; for example 10.0.0.1 or fd00::1');
    expect(refused('ip_address', '010.0.0.1')).toMatch(/^Not an IP address/);
    expect(refused('ip_address', 'fd00::1::2')).toMatch(/^Not an IP address/);
    expect(refused('ip_address', 'fe80::1%eth0')).toMatch(/^Not an IP address/);
    expect(refused('ip_address', '10.0.0.0/8')).toBe('An address, not a network (no /prefix)');
    expect(refused('ip_address', '10.0.0.0/33', { cidr: true })).toBe('The prefix length is 0 to 32');
    expect(refused('ip_address', '::1', { ipv6: false })).toBe('Must be an IPv4 address');
    expect(refused('ip_address', '10.0.0.1', { ipv4: false })).toBe('Must be an IPv6 address');
  });

  it('hints at the accepted forms', () => {
    expect(editors.ip_address.hint({})).toBe('IPv4 or IPv6 address, e.g. 10.0.0.1 or fd00::1');
    expect(editors.ip_address.hint({ ipv6: false, cidr: true })).toBe('IPv4 address or network, e.g. 10.0.0.0/24');
  });
});

describe('url', () => {
  it('round-trips URLs as typed', () => {
    roundTrip({ type: 'url', value: 'https://fw.example/v1?x=1#top' });
    roundTrip({ type: 'url', value: 'sftp://files.example/in' }, { schemes: ['sftp'] });
  });

  it('refuses what is not a URL, and schemes the rules leave out', () => {
    expect(refused('url', 'example.org')).toBe('Not a URL; start with the scheme, e.g. http://');
    expect(refused('url', 'ftp://x')).toBe('Must start with http:// or https://');
    expect(refused('url', `https://x.example/${'a'.repeat(4100)}`)).toBe('At most 4,096 characters');
    expect(editors.url.hint({ schemes: ['https'] })).toBe('A URL starting with https://, e.g. https://example.org/');
  });
});

describe('secret reference', () => {
  it('round-trips the referenced id and refuses anything else', () => {
    roundTrip({ type: 'secret_reference', value: '0190a1b2-0000-7000-8000-000000000001' });
    expect(refused('secret_reference', 'hunter2')).toBe('Not a secret id (a UUID like 0190…-…)');
  });
});

describe('single select', () => {
  it('round-trips an option key and refuses other keys', () => {
    roundTrip({ type: 'single_select', value: 'maintenance' }, OPTIONS);
    expect(refused('single_select', 'broken', OPTIONS)).toBe('Not one of the options');
  });
});

describe('multi select', () => {
  it('round-trips the chosen keys in order, including none chosen', () => {
    roundTrip({ type: 'multi_select', value: ['retired', 'active'] }, OPTIONS);
    roundTrip({ type: 'multi_select', value: [] }, OPTIONS);
    roundTrip({ type: 'multi_select', value: ['a,b', 'c"d'] }, { options: [{ key: 'a,b', label: 'AB', color: null }, { key: 'c"d', label: 'CD', color: null }] });
  });

  it('writes chosen keys in the options order, and none chosen as no value', () => {
    expect(textOfKeys(['retired', 'active'], OPTIONS)).toBe('["active","retired"]');
    expect(textOfKeys([], OPTIONS)).toBe('');
  });

  it('refuses unknown, repeated and too many options', () => {
    expect(refused('multi_select', '["active","gone"]', OPTIONS)).toBe('"gone" is not one of the options');
    expect(refused('multi_select', '["active","active"]', OPTIONS)).toBe('An option is chosen twice');
    expect(refused('multi_select', '["active","retired"]', { ...OPTIONS, maxItems: 1 })).toBe('Choose at most 1');
    expect(refused('multi_select', 'active', OPTIONS)).toBe('Not a list of options');
  });
});
