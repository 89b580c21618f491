// What the Views screen uses of the view builder.
export { ViewBuilder, type BuilderTab } from './ViewBuilder';
export { describeFilter, type Names } from './describe';
export { fromFilter, pathOfError, tabOfError, toFilter } from './model';
