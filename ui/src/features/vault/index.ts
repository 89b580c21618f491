// What the rest of the app uses of the vault: the screen, the provider that
// holds the unlock dialog, the toolbar's lock, the unlock dialog itself, who
// the screen is for, and Reveal for a secret referenced elsewhere.
export { mayUseVault, vaultStatusQuery } from './api';
export { RevealSecretButton } from './RevealParts';
export { UnlockDialog } from './UnlockDialog';
export { VaultLockButton } from './VaultLockButton';
export { useVaultUnlock, VaultProvider } from './VaultProvider';
export { VaultScreen } from './VaultScreen';
