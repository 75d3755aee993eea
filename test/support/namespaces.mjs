// Each test suite that talks to Temporal gets a namespace of its own on the shared dev server,
// so workflow ids (project:demo, shunt:cluster) never collide between suites running at once.
export const TEST_NAMESPACES = ['e2e', 'workflows', 'project', 'activities', 'crash', 'replay-capture', 'api', 'spare', 'argocd', 'warehouse', 'warehouse-e2e', 'audit', 'web', 'metrics', 'fault', 'fault-git', 'fault-race', 'fault-registry', 'load', 'step-effects', 'stages', 'verification', 'autopromotion', 'verification-cluster', 'freight-status', 'budgets', 'realkube-argocd', 'realkube-cluster'];
