/** Warehouse logic: selection, freight creation from discovered artifacts, schedules. Pure. */
export * from './criteria.js';
export * from './discovered.js';
export * from './freight-candidate.js';
export * from './scan-status.js';
export * from './schedules.js';
