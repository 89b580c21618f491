// What the rest of the app uses of Data: the screen (domain packs, importing
// rows from a file, the import runs, what is kept offline).
export { DataScreen } from './DataScreen';
