import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { Rules, ValueType } from '../../bindings';
import { renderWithProviders } from '../../test/fixtures';
import { RuleEditor } from './RuleEditor';

/** Every input a rule editor can show, by test id. */
const ALL_RULE_INPUTS = [
  'rule-min-length',
  'rule-max-length',
  'rule-pattern',
  'rule-min',
  'rule-max',
  'rule-integer',
  'rule-with-time',
  'rule-max-bytes',
  'rule-max-depth',
  'rule-ipv4',
  'rule-ipv6',
  'rule-cidr',
  'rule-schemes',
  'rule-options',
  'rule-max-items',
  'rules-none',
];

const SHOWN: Record<ValueType, string[]> = {
  text: ['rule-min-length', 'rule-max-length', 'rule-pattern'],
  number: ['rule-min', 'rule-max', 'rule-integer'],
  boolean: ['rules-none'],
  date: ['rule-min', 'rule-max', 'rule-with-time'],
  json: ['rule-max-bytes', 'rule-max-depth'],
  ip_address: ['rule-ipv4', 'rule-ipv6', 'rule-cidr'],
  url: ['rule-schemes'],
  secret_reference: ['rules-none'],
  single_select: ['rule-options'],
  multi_select: ['rule-options', 'rule-max-items'],
};

function renderEditor(valueType: ValueType, initial: Rules = {}) {
  const seen: { rules: Rules } = { rules: initial };
  function Harness() {
    const [rules, setRules] = useState<Rules>(initial);
    return (
      <RuleEditor
        valueType={valueType}
        rules={rules}
        onChange={(next) => {
          seen.rules = next;
          setRules(next);
        }}
      />
    );
  }
  const user = userEvent.setup();
  renderWithProviders(<Harness />);
  return { user, seen };
}

const shownInputs = () => ALL_RULE_INPUTS.filter((id) => screen.queryByTestId(id) !== null);

describe('rule editor', { timeout: 20_000 }, () => {
  it.each(Object.entries(SHOWN) as [ValueType, string[]][])('shows only the rules of %s', (valueType, expected) => {
    renderEditor(valueType);
    expect(shownInputs()).toEqual(expected);
    expect(screen.getByTestId('rule-editor')).toHaveAttribute('data-value-type', valueType);
  });

  it('text: shortest, longest and a pattern', async () => {
    const { user, seen } = renderEditor('text');
    await user.type(screen.getByTestId('rule-min-length'), '2');
    await user.type(screen.getByTestId('rule-max-length'), '40');
    await user.type(screen.getByTestId('rule-pattern'), 'ME-\\d+');
    expect(seen.rules).toEqual({ minLength: 2, maxLength: 40, pattern: 'ME-\\d+' });
    await user.clear(screen.getByTestId('rule-min-length'));
    expect(seen.rules).toEqual({ maxLength: 40, pattern: 'ME-\\d+' });
  });

  it('number: decimal bounds as text and whole numbers', async () => {
    const { user, seen } = renderEditor('number');
    await user.type(screen.getByTestId('rule-min'), '-5');
    await user.type(screen.getByTestId('rule-max'), '100.50');
    await user.click(screen.getByTestId('rule-integer'));
    expect(seen.rules).toEqual({ min: '-5', max: '100.50', integer: true });
    await user.click(screen.getByTestId('rule-integer'));
    expect(seen.rules).toEqual({ min: '-5', max: '100.50' });
  });

  it('number: a bound that is no decimal is shown at once', async () => {
    const { user } = renderEditor('number');
    await user.type(screen.getByTestId('rule-max'), '1e3');
    expect(screen.getByTestId('rule-max')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText('A decimal number like -12.5')).toBeInTheDocument();
  });

  it('date: earliest, latest and a time of day', async () => {
    const { user, seen } = renderEditor('date');
    await user.type(screen.getByTestId('rule-min'), '2020-01-01');
    await user.type(screen.getByTestId('rule-max'), '2030-12-31');
    await user.click(screen.getByTestId('rule-with-time'));
    expect(seen.rules).toEqual({ min: '2020-01-01', max: '2030-12-31', withTime: true });
  });

  it('json: most bytes and depth', async () => {
    const { user, seen } = renderEditor('json');
    await user.type(screen.getByTestId('rule-max-bytes'), '1024');
    await user.type(screen.getByTestId('rule-max-depth'), '4');
    expect(seen.rules).toEqual({ maxBytes: 1024, maxDepth: 4 });
  });

  it('ip address: switches start at the defaults and only differences are kept', async () => {
    const { user, seen } = renderEditor('ip_address');
    expect(screen.getByTestId('rule-ipv4')).toBeChecked();
    expect(screen.getByTestId('rule-ipv6')).toBeChecked();
    expect(screen.getByTestId('rule-cidr')).not.toBeChecked();
    await user.click(screen.getByTestId('rule-ipv6'));
    await user.click(screen.getByTestId('rule-cidr'));
    expect(seen.rules).toEqual({ ipv6: false, cidr: true });
  });

  it('url: a list of schemes, lower case', async () => {
    const { user, seen } = renderEditor('url');
    await user.type(screen.getByTestId('rule-schemes'), 'HTTPS{Enter}ftp{Enter}');
    expect(seen.rules).toEqual({ schemes: ['https', 'ftp'] });
  });

  it('single select: options with key, label and colour, added and reordered', async () => {
    const { user, seen } = renderEditor('single_select');
    await user.click(screen.getByTestId('option-add'));
    await waitFor(() => expect(screen.getByTestId('option-label-0')).toHaveFocus());
    await user.keyboard('Running');
    await user.type(screen.getByTestId('option-color-0'), '#2f9e44');
    await user.click(screen.getByTestId('option-add'));
    await user.type(screen.getByTestId('option-label-1'), 'Out of order');
    await user.clear(screen.getByTestId('option-key-1'));
    await user.type(screen.getByTestId('option-key-1'), 'broken');
    await user.click(screen.getByTestId('option-up-1'));
    // The keyboard stays with the moved option (its Move up is now disabled).
    expect(screen.getByTestId('option-down-0')).toHaveFocus();
    expect(seen.rules).toEqual({
      options: [
        { key: 'broken', label: 'Out of order', color: null },
        { key: 'running', label: 'Running', color: '#2f9e44' },
      ],
    });
    await user.click(screen.getByTestId('option-remove-0'));
    expect(seen.rules).toEqual({ options: [{ key: 'running', label: 'Running', color: '#2f9e44' }] });
    expect(screen.getByTestId('option-remove-0')).toHaveFocus();
  });

  it('multi select: options and the most chosen at once', async () => {
    const { user, seen } = renderEditor('multi_select', { options: [{ key: 'solar', label: 'Solar', color: null }] });
    await user.type(screen.getByTestId('rule-max-items'), '2');
    await user.click(screen.getByTestId('option-add'));
    await user.type(screen.getByTestId('option-label-1'), 'Wind');
    expect(seen.rules).toEqual({
      options: [
        { key: 'solar', label: 'Solar', color: null },
        { key: 'wind', label: 'Wind', color: null },
      ],
      maxItems: 2,
    });
  });

  it('a duplicate option key is shown under the key', async () => {
    const { user } = renderEditor('single_select', { options: [{ key: 'on', label: 'On', color: null }] });
    await user.click(screen.getByTestId('option-add'));
    await user.type(screen.getByTestId('option-label-1'), 'On');
    expect(screen.getByTestId('option-key-1')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText('Listed twice')).toBeInTheDocument();
  });
});
