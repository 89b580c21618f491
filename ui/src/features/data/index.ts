// What the rest of the app uses of Data: the screen (domain packs, importing
// rows from a file, the import runs).
export { DataScreen } from './DataScreen';
