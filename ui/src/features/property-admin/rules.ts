// The rules of a property by value type, as the core checks them
// (`Rules::check` in studio-core/src/properties/kinds.rs): which rules a type
// has, their defaults, and the checks the form can make before sending.
import type { Rules, SelectOption, ValueType } from '../../bindings';

export type RuleKey = keyof Rules;

export const VALUE_TYPES: { value: ValueType; label: string }[] = [
  { value: 'text', label: 'Text' },
  { value: 'number', label: 'Number' },
  { value: 'boolean', label: 'Yes / no' },
  { value: 'date', label: 'Date' },
  { value: 'json', label: 'JSON' },
  { value: 'ip_address', label: 'IP address' },
  { value: 'url', label: 'URL' },
  { value: 'secret_reference', label: 'Secret reference' },
  { value: 'single_select', label: 'Single select' },
  { value: 'multi_select', label: 'Multi select' },
];

export function valueTypeLabel(type: ValueType): string {
  return VALUE_TYPES.find((t) => t.value === type)?.label ?? type;
}

/** The rules each value type has; any other rule is refused by the core. */
export const RULES_OF: Record<ValueType, readonly RuleKey[]> = {
  text: ['minLength', 'maxLength', 'pattern'],
  number: ['min', 'max', 'integer'],
  boolean: [],
  date: ['min', 'max', 'withTime'],
  json: ['maxBytes', 'maxDepth'],
  ip_address: ['ipv4', 'ipv6', 'cidr'],
  url: ['schemes'],
  secret_reference: [],
  single_select: ['options'],
  multi_select: ['options', 'maxItems'],
};

/** What an absent switch means. A switch set to its default is left out. */
export const SWITCH_DEFAULTS = { integer: false, withTime: false, ipv4: true, ipv6: true, cidr: false } as const;
export type SwitchRule = keyof typeof SWITCH_DEFAULTS;

export const DEFAULT_MAX_TEXT = 10_000;
export const DEFAULT_MAX_JSON_BYTES = 65_536;
export const DEFAULT_MAX_JSON_DEPTH = 32;
export const MAX_JSON_BYTES = 1 << 20;
export const DEFAULT_SCHEMES = ['http', 'https'];

const isAbsent = (value: unknown) => value === undefined || value === null;

/** `rules` with `key` set to `value`, or without it when the value is absent, empty or a switch's default. */
export function withRule<K extends RuleKey>(rules: Rules, key: K, value: Rules[K] | undefined): Rules {
  const next: Rules = { ...rules };
  const empty = isAbsent(value) || value === '' || (Array.isArray(value) && value.length === 0);
  const isDefault = key in SWITCH_DEFAULTS && value === SWITCH_DEFAULTS[key as SwitchRule];
  if (empty || isDefault) delete next[key];
  else next[key] = value;
  return next;
}

/** The value a switch shows: the rule when set, else its default. */
export function switchValue(rules: Rules, key: SwitchRule): boolean {
  return rules[key] ?? SWITCH_DEFAULTS[key];
}

/** Only the rules `type` has, without absent ones and switches at their default. */
export function normalizeRules(type: ValueType, rules: Rules): Rules {
  let result: Rules = {};
  for (const key of RULES_OF[type]) result = withRule(result, key, rules[key]);
  return result;
}

/** The rules kept when a property changes type: those the new type has too (bounds only between the same kind). */
export function rulesForType(rules: Rules, from: ValueType, to: ValueType): Rules {
  if (from === to) return rules;
  let kept = normalizeRules(to, rules);
  if (from === 'number' || from === 'date' || to === 'number' || to === 'date') {
    kept = withRule(withRule(kept, 'min', undefined), 'max', undefined);
  }
  return kept;
}

function stable(rules: Rules): string {
  const keys = Object.keys(rules).sort() as RuleKey[];
  return JSON.stringify(keys.map((key) => [key, rules[key]]));
}

/** Same rules for a property of `type` (ignoring absent rules and switches at their default). */
export function sameRules(type: ValueType, a: Rules, b: Rules): boolean {
  return stable(normalizeRules(type, a)) === stable(normalizeRules(type, b));
}

/** A plain decimal as the core accepts it: -12.5, 0, 100 (no exponent, no leading zeros). */
export function isPlainDecimal(text: string): boolean {
  return /^-?(0|[1-9]\d*)(\.\d+)?$/.test(text);
}

/** A real YYYY-MM-DD date. */
export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

export function isHexColour(text: string): boolean {
  return /^#[0-9a-fA-F]{6}$/.test(text);
}

export function compareDecimals(a: string, b: string): number {
  const parts = (s: string) => {
    const negative = s.startsWith('-');
    const [int, frac = ''] = (negative ? s.slice(1) : s).split('.');
    const i = int.replace(/^0+/, '');
    const f = frac.replace(/0+$/, '');
    return { negative: negative && (i !== '' || f !== ''), i, f };
  };
  const x = parts(a);
  const y = parts(b);
  const magnitude = (p: typeof x, q: typeof x) => {
    if (p.i.length !== q.i.length) return p.i.length < q.i.length ? -1 : 1;
    if (p.i !== q.i) return p.i < q.i ? -1 : 1;
    const width = Math.max(p.f.length, q.f.length);
    const pf = p.f.padEnd(width, '0');
    const qf = q.f.padEnd(width, '0');
    return pf === qf ? 0 : pf < qf ? -1 : 1;
  };
  if (x.negative !== y.negative) return x.negative ? -1 : 1;
  return x.negative ? magnitude(y, x) : magnitude(x, y);
}

/** A problem the form can see in one rule (shown under its input), by rule key or `options.<i>.<field>`. */
export type RuleProblems = Partial<Record<string, string>>;

/** What is wrong with the rules before they are sent: formats and bounds in order. */
export function ruleProblems(type: ValueType, rules: Rules): RuleProblems {
  const problems: RuleProblems = {};
  switch (type) {
    case 'text':
      if (!isAbsent(rules.minLength) && !isAbsent(rules.maxLength) && rules.minLength! > rules.maxLength!) {
        problems.minLength = 'Above the maximum length';
      }
      break;
    case 'number':
      for (const key of ['min', 'max'] as const) {
        const bound = rules[key];
        if (!isAbsent(bound) && !isPlainDecimal(bound!)) problems[key] = 'A decimal number like -12.5';
      }
      if (!problems.min && !problems.max && rules.min && rules.max && compareDecimals(rules.min, rules.max) > 0) {
        problems.min = 'Above the maximum';
      }
      break;
    case 'date':
      for (const key of ['min', 'max'] as const) {
        const bound = rules[key];
        if (!isAbsent(bound) && !isIsoDate(bound!)) problems[key] = 'A date like 2026-03-01';
      }
      if (!problems.min && !problems.max && rules.min && rules.max && rules.min > rules.max) {
        problems.min = 'After the latest date';
      }
      break;
    case 'json':
      if (rules.maxBytes === 0) problems.maxBytes = 'At least 1';
      else if (!isAbsent(rules.maxBytes) && rules.maxBytes! > MAX_JSON_BYTES) problems.maxBytes = `At most ${MAX_JSON_BYTES.toLocaleString('en-US')} (1 MiB)`;
      if (rules.maxDepth === 0) problems.maxDepth = 'At least 1';
      break;
    case 'ip_address':
      if (!switchValue(rules, 'ipv4') && !switchValue(rules, 'ipv6')) problems.ipv6 = 'Allow IPv4, IPv6 or both';
      break;
    case 'url':
      for (const scheme of rules.schemes ?? []) {
        if (!/^[a-z0-9+.-]+$/.test(scheme)) problems.schemes = `"${scheme}" is not a URL scheme`;
      }
      break;
    case 'single_select':
    case 'multi_select': {
      const seen = new Set<string>();
      (rules.options ?? []).forEach((option, i) => {
        if (option.key.trim() === '') problems[`options.${i}.key`] = 'Needs a key';
        else if (seen.has(option.key)) problems[`options.${i}.key`] = 'Listed twice';
        seen.add(option.key);
        if (option.label.trim() === '') problems[`options.${i}.label`] = 'Needs a label';
        if (option.color !== null && !isHexColour(option.color)) problems[`options.${i}.color`] = 'A colour like #1c7ed6';
      });
      if (type === 'multi_select' && rules.maxItems === 0) problems.maxItems = 'At least 1';
      break;
    }
    case 'boolean':
    case 'secret_reference':
      break;
  }
  return problems;
}

/** A plain decimal with its whole part grouped by thousands, every digit kept: 1234567.50 → 1,234,567.50. */
export function groupDigits(decimal: string): string {
  const [whole, fraction] = decimal.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** A short reading of the rules for the definitions table ("0 – 100, whole numbers"). */
export function describeRules(type: ValueType, rules: Rules): string {
  const parts: string[] = [];
  // Counts and decimals read better grouped (10,000; -1,250.5); dates are shown as written.
  const shown = (bound: string | number) => (typeof bound === 'number' ? bound.toLocaleString('en-US') : isPlainDecimal(bound) ? groupDigits(bound) : bound);
  const range = (min?: string | number | null, max?: string | number | null, unit = '') => {
    if (!isAbsent(min) && !isAbsent(max)) parts.push(`${shown(min!)} – ${shown(max!)}${unit}`);
    else if (!isAbsent(min)) parts.push(`≥ ${shown(min!)}${unit}`);
    else if (!isAbsent(max)) parts.push(`≤ ${shown(max!)}${unit}`);
  };
  switch (type) {
    case 'text':
      range(rules.minLength, rules.maxLength, ' characters');
      if (rules.pattern) parts.push(`matches ${rules.pattern}`);
      break;
    case 'number':
      range(rules.min, rules.max);
      if (rules.integer) parts.push('whole numbers');
      break;
    case 'date':
      range(rules.min, rules.max);
      if (rules.withTime) parts.push('with time');
      break;
    case 'json':
      if (!isAbsent(rules.maxBytes)) parts.push(`≤ ${rules.maxBytes!.toLocaleString('en-US')} bytes`);
      if (!isAbsent(rules.maxDepth)) parts.push(`depth ≤ ${rules.maxDepth}`);
      break;
    case 'ip_address': {
      const forms = [switchValue(rules, 'ipv4') && 'IPv4', switchValue(rules, 'ipv6') && 'IPv6'].filter(Boolean);
      parts.push(forms.join(' + ') + (switchValue(rules, 'cidr') ? ', CIDR' : ''));
      break;
    }
    case 'url':
      if (rules.schemes?.length) parts.push(rules.schemes.join(', '));
      break;
    case 'single_select':
    case 'multi_select': {
      const n = rules.options?.length ?? 0;
      parts.push(`${n} ${n === 1 ? 'option' : 'options'}`);
      if (type === 'multi_select' && !isAbsent(rules.maxItems)) parts.push(`at most ${rules.maxItems}`);
      break;
    }
    case 'boolean':
    case 'secret_reference':
      break;
  }
  return parts.join(', ');
}

/** The key an option gets from its label while it is new: "Out of order" → out_of_order. */
export function optionKeyOf(label: string): string {
  return label
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 100);
}

/**
 * An option with a new label. A new option's key follows its label until
 * someone edits the key; stored keys never change with the label.
 */
export function relabel(option: SelectOption, label: string, stored: ReadonlySet<string>): SelectOption {
  const follows = !stored.has(option.key) && option.key === optionKeyOf(option.label);
  return { ...option, label, key: follows ? optionKeyOf(label) : option.key };
}
