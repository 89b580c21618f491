import { Group, MultiSelect, Switch, TagsInput, Text, TextInput } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Op, PropertyDefinition, Value } from '../../../bindings';
import { listOf, numberValue, pairOf, textOf, type ValueShape } from './model';

type Props = {
  shape: ValueShape;
  value: Value | undefined;
  onChange: (value: Value) => void;
  op: Op;
  /** The property compared (its options for a select). */
  definition?: PropertyDefinition;
  /** What the value is of, for the inputs' accessible names ("Rated power"). */
  subject: string;
  testId: string;
  error?: ReactNode;
};

const PLACEHOLDER: Partial<Record<Op, string>> = {
  hostIs: 'example.org',
  inSubnet: '10.0.0.0/8',
};

/** The control a value form needs: text, a list, numbers, days, options or a switch. */
export function ValueInput({ shape, value, onChange, op, definition, subject, testId, error }: Props) {
  const common = { error, 'data-testid': testId, 'aria-label': `${subject}: value` };
  switch (shape) {
    case 'none':
      return null;
    case 'text':
      return <TextInput {...common} placeholder={PLACEHOLDER[op] ?? 'Value'} value={textOf(value)} onChange={(e) => onChange(e.currentTarget.value)} flex="1 1 180px" />;
    case 'texts':
      return (
        <TagsInput
          {...common}
          placeholder={listOf(value).length === 0 ? 'Type a value, press Enter' : ''}
          value={listOf(value)}
          onChange={onChange}
          acceptValueOnBlur
          comboboxProps={{ withinPortal: false }}
          flex="1 1 220px"
        />
      );
    case 'options':
      return (
        <MultiSelect
          {...common}
          placeholder={listOf(value).length === 0 ? 'Choose options' : ''}
          data={(definition?.rules.options ?? []).map((o) => ({ value: o.key, label: o.label }))}
          value={listOf(value)}
          onChange={onChange}
          searchable
          nothingFoundMessage="No such option"
          comboboxProps={{ withinPortal: false }}
          flex="1 1 220px"
        />
      );
    case 'number':
      return <TextInput {...common} inputMode="decimal" placeholder="12.5" value={textOf(value)} onChange={(e) => onChange(numberValue(e.currentTarget.value))} flex="0 1 140px" />;
    case 'numberPair':
    case 'dayPair': {
      const [from, to] = pairOf(value);
      const read = shape === 'numberPair' ? numberValue : (text: string) => text;
      const placeholder = shape === 'numberPair' ? ['From', 'To'] : ['YYYY-MM-DD', 'YYYY-MM-DD'];
      return (
        <Group gap={6} wrap="nowrap" align="center" flex="1 1 240px">
          <TextInput
            aria-label={`${subject}: from`}
            inputMode={shape === 'numberPair' ? 'decimal' : undefined}
            placeholder={placeholder[0]}
            value={from}
            error={error ? true : undefined}
            onChange={(e) => onChange([read(e.currentTarget.value), read(to)])}
            data-testid={`${testId}-from`}
            flex="1 1 100px"
          />
          <Text size="sm" c="dimmed">
            and
          </Text>
          <TextInput
            aria-label={`${subject}: to`}
            inputMode={shape === 'numberPair' ? 'decimal' : undefined}
            placeholder={placeholder[1]}
            value={to}
            error={error ? true : undefined}
            onChange={(e) => onChange([read(from), read(e.currentTarget.value)])}
            data-testid={`${testId}-to`}
            flex="1 1 100px"
          />
        </Group>
      );
    }
    case 'day':
    case 'moment':
      return <TextInput {...common} placeholder="YYYY-MM-DD" value={textOf(value)} onChange={(e) => onChange(e.currentTarget.value)} flex="0 1 150px" />;
    case 'days':
      return (
        <Group gap={6} wrap="nowrap" align="center">
          <TextInput {...common} inputMode="numeric" value={textOf(value)} onChange={(e) => onChange(numberValue(e.currentTarget.value))} w={90} />
          <Text size="sm" c="dimmed">
            days
          </Text>
        </Group>
      );
    case 'boolean':
      return (
        <Switch
          {...common}
          aria-label={`${subject}: yes`}
          label={value === true ? 'Yes' : 'No'}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
          error={error}
        />
      );
  }
}
