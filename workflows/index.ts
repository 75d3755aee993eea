/** The workflow bundle's entry: every workflow type the worker registers. */
export { clusterWorkflow } from './cluster.js';
export { projectWorkflow } from './project.js';
export { promotionWorkflow } from './promotion.js';
export { verificationWorkflow } from './verification.js';
export { warehouseScanWorkflow } from './warehouse-scan.js';
export { auditWorkflow } from './audit.js';
export { notificationWorkflow } from './notification.js';
export { gitReadWorkflow } from './git-read.js';
