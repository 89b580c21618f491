export { CommandPalette, type PaletteChoice } from './CommandPalette';
