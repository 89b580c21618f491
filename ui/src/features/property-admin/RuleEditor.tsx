import { ActionIcon, Button, ColorInput, Fieldset, Group, NumberInput, SimpleGrid, Stack, Switch, TagsInput, Text, TextInput, Tooltip } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash } from '@tabler/icons-react';
import { useEffect, useRef, type ChangeEvent } from 'react';
import type { Rules, SelectOption, ValueType } from '../../bindings';
import classes from './PropertyAdmin.module.css';
import { moveItem } from './reorder';
import {
  DEFAULT_MAX_JSON_BYTES,
  DEFAULT_MAX_JSON_DEPTH,
  DEFAULT_MAX_TEXT,
  MAX_JSON_BYTES,
  relabel,
  ruleProblems,
  switchValue,
  valueTypeLabel,
  withRule,
  type RuleKey,
  type SwitchRule,
} from './rules';

type Props = {
  valueType: ValueType;
  rules: Rules;
  onChange: (rules: Rules) => void;
  /** Option keys already stored in values (they do not follow their label). */
  storedOptionKeys?: ReadonlySet<string>;
  /** A Validation message the core gave for the rules (field `validation`). */
  error?: string | null;
  disabled?: boolean;
};

const SWATCHES = ['#2f9e44', '#1c7ed6', '#f08c00', '#e03131', '#7048e8', '#0c8599', '#868e96', '#212529'];
const NO_KEYS: ReadonlySet<string> = new Set();

/** The rules of one value type, and only those. */
export function RuleEditor({ valueType, rules, onChange, storedOptionKeys = NO_KEYS, error = null, disabled = false }: Props) {
  const problems = ruleProblems(valueType, rules);
  const set = <K extends RuleKey>(key: K, value: Rules[K] | undefined) => onChange(withRule(rules, key, value));
  const count = (key: 'minLength' | 'maxLength' | 'maxBytes' | 'maxDepth' | 'maxItems') => ({
    value: rules[key] ?? '',
    onChange: (v: number | string) => set(key, typeof v === 'number' ? v : undefined),
    allowDecimal: false,
    allowNegative: false,
    error: problems[key],
    disabled,
  });
  const toggle = (key: SwitchRule) => ({
    checked: switchValue(rules, key),
    onChange: (e: ChangeEvent<HTMLInputElement>) => set(key, e.currentTarget.checked),
    disabled,
  });
  const bound = (key: 'min' | 'max') => ({
    value: rules[key] ?? '',
    onChange: (e: ChangeEvent<HTMLInputElement>) => set(key, e.currentTarget.value.trim()),
    error: problems[key],
    disabled,
  });

  let body;
  switch (valueType) {
    case 'text':
      body = (
        <Stack gap="sm">
          <SimpleGrid cols={2}>
            <NumberInput label="Shortest" description="Fewest characters" placeholder="No minimum" {...count('minLength')} data-testid="rule-min-length" />
            <NumberInput label="Longest" description="Most characters" placeholder={`${DEFAULT_MAX_TEXT.toLocaleString('en-US')} (default)`} {...count('maxLength')} data-testid="rule-max-length" />
          </SimpleGrid>
          <TextInput
            label="Pattern"
            description="A regular expression the whole value must match"
            placeholder="e.g. [A-Z]{2}-\d{4}"
            value={rules.pattern ?? ''}
            onChange={(e) => set('pattern', e.currentTarget.value)}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            disabled={disabled}
            data-testid="rule-pattern"
          />
        </Stack>
      );
      break;
    case 'number':
      body = (
        <Stack gap="sm">
          <SimpleGrid cols={2}>
            <TextInput label="Minimum" description="A decimal number, e.g. -12.5" placeholder="No minimum" {...bound('min')} inputMode="decimal" data-testid="rule-min" />
            <TextInput label="Maximum" description="A decimal number, e.g. 100" placeholder="No maximum" {...bound('max')} inputMode="decimal" data-testid="rule-max" />
          </SimpleGrid>
          <Switch label="Whole numbers only" {...toggle('integer')} data-testid="rule-integer" />
        </Stack>
      );
      break;
    case 'date':
      body = (
        <Stack gap="sm">
          <SimpleGrid cols={2}>
            <TextInput label="Earliest" description="YYYY-MM-DD" placeholder="No earliest date" {...bound('min')} data-testid="rule-min" />
            <TextInput label="Latest" description="YYYY-MM-DD" placeholder="No latest date" {...bound('max')} data-testid="rule-max" />
          </SimpleGrid>
          <Switch label="With a time of day" description="Values may be a date-time with an offset, e.g. 2026-03-01T09:30:00+01:00" {...toggle('withTime')} data-testid="rule-with-time" />
        </Stack>
      );
      break;
    case 'json':
      body = (
        <SimpleGrid cols={2}>
          <NumberInput
            label="Largest"
            description={`Bytes, at most ${MAX_JSON_BYTES.toLocaleString('en-US')}`}
            placeholder={`${DEFAULT_MAX_JSON_BYTES.toLocaleString('en-US')} (default)`}
            {...count('maxBytes')}
            data-testid="rule-max-bytes"
          />
          <NumberInput label="Deepest" description="Levels of nesting" placeholder={`${DEFAULT_MAX_JSON_DEPTH} (default)`} {...count('maxDepth')} data-testid="rule-max-depth" />
        </SimpleGrid>
      );
      break;
    case 'ip_address':
      body = (
        <Stack gap="xs">
          <Group gap="xl">
            <Switch label="IPv4" {...toggle('ipv4')} data-testid="rule-ipv4" />
            <Switch label="IPv6" {...toggle('ipv6')} data-testid="rule-ipv6" />
            <Switch label="Networks (CIDR, e.g. 10.0.0.0/24)" {...toggle('cidr')} data-testid="rule-cidr" />
          </Group>
          {problems.ipv6 && (
            <Text size="xs" c="red">
              {problems.ipv6}
            </Text>
          )}
        </Stack>
      );
      break;
    case 'url':
      body = (
        <TagsInput
          label="Schemes"
          description="Press Enter after each. None listed: http and https"
          placeholder={rules.schemes?.length ? '' : 'http, https'}
          value={rules.schemes ?? []}
          onChange={(schemes) => set('schemes', [...new Set(schemes.map((s) => s.trim().toLowerCase()).filter(Boolean))])}
          error={problems.schemes}
          disabled={disabled}
          comboboxProps={{ withinPortal: false }}
          data-testid="rule-schemes"
        />
      );
      break;
    case 'single_select':
    case 'multi_select':
      body = (
        <Stack gap="sm">
          <OptionsEditor
            options={rules.options ?? []}
            onChange={(options) => set('options', options)}
            storedKeys={storedOptionKeys}
            problems={problems}
            disabled={disabled}
          />
          {valueType === 'multi_select' && (
            <NumberInput label="Most chosen at once" placeholder="No limit" maw={220} {...count('maxItems')} data-testid="rule-max-items" />
          )}
        </Stack>
      );
      break;
    case 'boolean':
    case 'secret_reference':
      body = (
        <Text size="sm" c="dimmed" data-testid="rules-none">
          {valueTypeLabel(valueType)} properties have no rules.
        </Text>
      );
      break;
  }

  return (
    <Fieldset legend={`Rules: ${valueTypeLabel(valueType)}`} variant="filled" data-testid="rule-editor" data-value-type={valueType}>
      <Stack gap="sm">
        {body}
        {error && (
          <Text size="sm" c="red" role="alert" data-testid="rules-error">
            {error}
          </Text>
        )}
      </Stack>
    </Fieldset>
  );
}

type OptionsProps = {
  options: SelectOption[];
  onChange: (options: SelectOption[]) => void;
  storedKeys: ReadonlySet<string>;
  problems: Partial<Record<string, string>>;
  disabled: boolean;
};

/** The options of a select: key, label and colour, added, removed and reordered. */
function OptionsEditor({ options, onChange, storedKeys, problems, disabled }: OptionsProps) {
  // What gets the keyboard after a change: rows are by position, so a moved
  // or removed option's buttons would otherwise act on its neighbour.
  const focusNext = useRef<string[] | null>(null);
  const list = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const candidates = focusNext.current;
    if (candidates === null) return;
    focusNext.current = null;
    for (const id of candidates) {
      const element = list.current?.querySelector<HTMLElement>(`[data-testid="${id}"]`);
      if (element && !element.matches(':disabled')) {
        element.focus();
        return;
      }
    }
  });

  const update = (i: number, option: SelectOption) => onChange(options.map((o, j) => (j === i ? option : o)));
  const add = () => {
    focusNext.current = [`option-label-${options.length}`];
    onChange([...options, { key: '', label: '', color: null }]);
  };
  const move = (from: number, to: number) => {
    const arrow = to < from ? 'up' : 'down';
    focusNext.current = [`option-${arrow}-${to}`, `option-${arrow === 'up' ? 'down' : 'up'}-${to}`];
    onChange(moveItem(options, from, to));
  };
  const remove = (i: number) => {
    focusNext.current = [`option-remove-${Math.min(i, options.length - 2)}`, 'option-add'];
    onChange(options.filter((_, j) => j !== i));
  };

  return (
    <Stack gap="xs" ref={list} data-testid="rule-options">
      <Text size="sm" fw={500}>
        Options
      </Text>
      {options.length === 0 ? (
        <Text size="sm" c="dimmed">
          A select needs at least one option.
        </Text>
      ) : (
        <div className={classes.optionRow} aria-hidden>
          <Text size="xs" c="dimmed">
            Label
          </Text>
          <Text size="xs" c="dimmed">
            Key (stored in values)
          </Text>
          <Text size="xs" c="dimmed">
            Colour
          </Text>
        </div>
      )}
      {options.map((option, i) => (
        <div key={i} className={classes.optionRow} data-testid={`option-${i}`}>
          <TextInput
            aria-label={`Option ${i + 1} label`}
            placeholder="Label"
            value={option.label}
            onChange={(e) => update(i, relabel(option, e.currentTarget.value, storedKeys))}
            error={problems[`options.${i}.label`]}
            disabled={disabled}
            data-testid={`option-label-${i}`}
          />
          <TextInput
            aria-label={`Option ${i + 1} key`}
            placeholder="Key"
            value={option.key}
            onChange={(e) => update(i, { ...option, key: e.currentTarget.value })}
            error={problems[`options.${i}.key`]}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            disabled={disabled}
            data-testid={`option-key-${i}`}
          />
          <ColorInput
            aria-label={`Option ${i + 1} colour`}
            placeholder="Default colour"
            format="hex"
            swatches={SWATCHES}
            swatchesPerRow={8}
            withEyeDropper={false}
            closeOnColorSwatchClick
            value={option.color ?? ''}
            onChange={(color) => update(i, { ...option, color: color === '' ? null : color })}
            error={problems[`options.${i}.color`]}
            popoverProps={{ withinPortal: false }}
            disabled={disabled}
            data-testid={`option-color-${i}`}
          />
          <Group gap={2} wrap="nowrap" pt={4}>
            <Tooltip label="Move up" withArrow>
              <ActionIcon variant="subtle" color="gray" disabled={disabled || i === 0} onClick={() => move(i, i - 1)} aria-label={`Move option ${i + 1} up`} data-testid={`option-up-${i}`}>
                <IconArrowUp size={16} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label="Move down" withArrow>
              <ActionIcon
                variant="subtle"
                color="gray"
                disabled={disabled || i === options.length - 1}
                onClick={() => move(i, i + 1)}
                aria-label={`Move option ${i + 1} down`}
                data-testid={`option-down-${i}`}
              >
                <IconArrowDown size={16} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label="Remove" withArrow>
              <ActionIcon variant="subtle" color="red" disabled={disabled} onClick={() => remove(i)} aria-label={`Remove option ${i + 1}`} data-testid={`option-remove-${i}`}>
                <IconTrash size={16} />
              </ActionIcon>
            </Tooltip>
          </Group>
        </div>
      ))}
      <Group>
        <Button size="compact-sm" variant="light" leftSection={<IconPlus size={14} />} onClick={add} disabled={disabled} data-testid="option-add">
          Add option
        </Button>
      </Group>
    </Stack>
  );
}
