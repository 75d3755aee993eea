export { findCycles, stageGraph, type StageGraph } from './graph.js';
export { formatSpecIssue, validateProjectSpecs, type ProjectSpecs, type SpecIssue } from './validate.js';
