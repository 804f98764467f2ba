// The engine's public surface: the canonical model, normalisation, merge and the planner.
export * from './model.js';
export * from './normalize.js';
export * from './merge.js';
export * from './types.js';
export { plan, confirmCreate } from './plan.js';
export { unsettledLink } from './pair.js';
export { briefOf, fieldText } from './brief.js';
export { fetchNeeds, lookupKeys, observedIds, sideId } from './observe.js';
export type { LookupKeys } from './observe.js';
export { inSync } from './guard.js';
export { TEXT_LIMITS, LIST_LIMITS, fitText } from './fit.js';
