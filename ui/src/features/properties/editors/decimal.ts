// Exact decimal text, as the core stores numbers: an optional minus, digits
// without leading zeros, an optional fraction, no exponent.

const PLAIN_DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;

export function isPlainDecimal(text: string): boolean {
  return PLAIN_DECIMAL.test(text);
}

/**
 * What a person typed, in the core's form: a leading '+', leading zeros, a
 * bare '.5' or '5.' and a negative zero are tidied; anything else that is
 * not a plain decimal stays as typed (and is refused).
 */
export function normalizeDecimal(typed: string): string {
  let text = typed.trim();
  if (text.startsWith('+')) text = text.slice(1);
  const negative = text.startsWith('-');
  let digits = negative ? text.slice(1) : text;
  if (!/^(\d+\.?\d*|\.\d+)$/.test(digits)) return typed.trim();
  if (digits.endsWith('.')) digits = digits.slice(0, -1);
  let [int, frac] = digits.split('.') as [string, string | undefined];
  int = int.replace(/^0+(?=\d)/, '');
  if (int === '') int = '0';
  const number = frac === undefined ? int : `${int}.${frac}`;
  const zero = /^[0.]*$/.test(number);
  return negative && !zero ? `-${number}` : number;
}

/** Compares two plain decimals exactly: -1, 0 or 1. */
export function compareDecimals(a: string, b: string): number {
  const split = (s: string) => {
    const negative = s.startsWith('-');
    const [int, frac = ''] = (negative ? s.slice(1) : s).split('.');
    const i = int.replace(/^0+/, '');
    const f = frac.replace(/0+$/, '');
    return { negative: negative && (i !== '' || f !== ''), int: i, frac: f };
  };
  const magnitude = (x: { int: string; frac: string }, y: { int: string; frac: string }) => {
    if (x.int.length !== y.int.length) return x.int.length < y.int.length ? -1 : 1;
    if (x.int !== y.int) return x.int < y.int ? -1 : 1;
    if (x.frac !== y.frac) return x.frac < y.frac ? -1 : 1;
    return 0;
  };
  const x = split(a);
  const y = split(b);
  if (x.negative !== y.negative) return x.negative ? -1 : 1;
  return x.negative ? magnitude(y, x) : magnitude(x, y);
}
