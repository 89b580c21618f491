export { CommandPalette, type PaletteChoice, type PaletteCommand } from './CommandPalette';
