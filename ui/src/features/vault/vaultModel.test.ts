import { describe, expect, it } from 'vitest';
import type { TenantKeyVersion } from '../../bindings';
import { providerLabel, refusingCount, secretVersionsLabel, validMinimum } from './vaultModel';

const version = (n: number, secretVersions: number): TenantKeyVersion => ({
  id: `kv-${n}`,
  version: n,
  createdAt: '2026-11-30T08:00:00Z',
  activatedAt: '2026-11-30T08:00:00Z',
  retiredAt: null,
  secretVersions,
});

describe('vault model', () => {
  const key = { newestVersion: 3, versions: [version(3, 4), version(2, 5), version(1, 7)] };

  it('counts the secret versions a minimum would refuse', () => {
    expect(refusingCount(key, 1)).toBe(0);
    expect(refusingCount(key, 2)).toBe(7);
    expect(refusingCount(key, 3)).toBe(12);
  });

  it('accepts whole minimums from 1 to the newest version', () => {
    expect(validMinimum(key, 2)).toBe(2);
    expect(validMinimum(key, '3')).toBe(3);
    expect(validMinimum(key, 0)).toBeNull();
    expect(validMinimum(key, 4)).toBeNull();
    expect(validMinimum(key, '')).toBeNull();
    expect(validMinimum(key, 1.5)).toBeNull();
  });

  it('words providers and counts', () => {
    expect(providerLabel('os-keychain')).toBe('OS keychain');
    expect(providerLabel('passphrase')).toBe('Passphrase');
    expect(providerLabel('hsm')).toBe('hsm');
    expect(secretVersionsLabel(1)).toBe('1 secret version');
    expect(secretVersionsLabel(1200)).toBe('1,200 secret versions');
  });
});
