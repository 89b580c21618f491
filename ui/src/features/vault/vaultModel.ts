// Pure helpers of the Vault screen: wording and counts.
import type { KeyProviderKind, TenantKey } from '../../bindings';
import { formatCount } from '../../shared/format';

/** A revealed value hides itself after this long. */
export const REVEAL_MS = 30_000;
/** A copied value is cleared from the clipboard after this long. */
export const CLIPBOARD_MS = 20_000;

export const PROVIDERS: { value: KeyProviderKind; label: string; help: string }[] = [
  { value: 'os-keychain', label: 'OS keychain', help: "The key is kept in this computer's keychain; unlocking needs no passphrase." },
  { value: 'passphrase', label: 'Passphrase', help: 'The key is sealed with a passphrase, typed each time the vault is unlocked.' },
];

/** "OS keychain", "Passphrase", or the provider's name as stored. */
export function providerLabel(provider: string): string {
  return PROVIDERS.find((p) => p.value === provider)?.label ?? provider;
}

/** Secret versions sealed by key versions below `minimum`: they would refuse to decrypt. */
export function refusingCount(key: Pick<TenantKey, 'versions'>, minimum: number): number {
  return key.versions.filter((v) => v.version < minimum).reduce((sum, v) => sum + v.secretVersions, 0);
}

/** "1 secret version", "12 secret versions". */
export function secretVersionsLabel(n: number): string {
  return `${formatCount(n)} secret ${n === 1 ? 'version' : 'versions'}`;
}

/** A minimum the key accepts: a whole number from 1 to its newest version. */
export function validMinimum(key: Pick<TenantKey, 'newestVersion'>, value: number | string): number | null {
  const n = typeof value === 'number' ? value : Number.parseInt(value, 10);
  return Number.isInteger(n) && n >= 1 && n <= key.newestVersion ? n : null;
}
