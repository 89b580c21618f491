import { TextInput } from '@mantine/core';
import type { Rules } from '../../../bindings';
import { fail, ok, payloadOf, type EditorModule, type EditorProps, type Parsed } from './types';

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

/** An IPv6 address, as the URL parser reads a bracketed host (no zone). */
function isIpv6(text: string): boolean {
  if (!text.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(text)) return false;
  try {
    new URL(`http://[${text}]/`);
    return true;
  } catch {
    return false;
  }
}

type Forms = { v4: boolean; v6: boolean; cidr: boolean };
const formsOf = (rules: Rules): Forms => ({ v4: rules.ipv4 ?? true, v6: rules.ipv6 ?? true, cidr: rules.cidr ?? false });

function example(forms: Forms): string {
  const samples = [forms.v4 && (forms.cidr ? '10.0.0.0/24' : '10.0.0.1'), forms.v6 && (forms.cidr ? 'fd00::/64' : 'fd00::1')].filter(Boolean);
  return samples.join(' or ');
}

function parse(typed: string, rules: Rules): Parsed {
  const text = typed.trim();
  if (text === '') return ok(null);
  const forms = formsOf(rules);
  const [address, prefix, extra] = text.split('/');
  if (prefix !== undefined && !forms.cidr) return fail('An address, not a network (no /prefix)');
  const v4 = isIpv4(address);
  const v6 = !v4 && isIpv6(address);
  if (!v4 && !v6 || extra !== undefined) return fail(`Not an IP ${prefix !== undefined ? 'network' : 'address'}; for example ${example(forms)}`);
  if (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (v4 ? 32 : 128))) return fail(`The prefix length is 0 to ${v4 ? 32 : 128}`);
  if (v4 && !forms.v4) return fail('Must be an IPv6 address');
  if (v6 && !forms.v6) return fail('Must be an IPv4 address');
  return ok({ type: 'ip_address', value: text });
}

function hint(rules: Rules): string {
  const forms = formsOf(rules);
  const kinds = forms.v4 && forms.v6 ? 'IPv4 or IPv6' : forms.v4 ? 'IPv4' : 'IPv6';
  return `${kinds} ${forms.cidr ? 'address or network' : 'address'}, e.g. ${example(forms)}`;
}

function IpAddressEditor({ id, text, onChange, invalid, disabled, definition }: EditorProps) {
  return (
    <TextInput
      id={id}
      value={text}
      onChange={(event) => onChange(event.currentTarget.value)}
      error={invalid}
      disabled={disabled}
      placeholder={example(formsOf(definition.rules))}
      spellCheck={false}
      autoCapitalize="off"
      autoCorrect="off"
      maw={360}
      styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
      data-testid={`prop-input-${definition.key}`}
    />
  );
}

export const ipAddressEditor: EditorModule<'ip_address'> = {
  type: 'ip_address',
  Editor: IpAddressEditor,
  format: (value) => payloadOf(value, 'ip_address') ?? '',
  parse,
  display: (value) => payloadOf(value, 'ip_address') ?? '',
  hint,
};
