/** Access control of the api: authentication, the permissions of the routes, the checks. */
export { accessControlFrom, enforcedAccess, hashToken, openAccess, type AccessControl } from './access-control.js';
export { AuthConfigError, loadAuthConfig, parseAuthConfig } from './config-file.js';
export { accessDecisionOf, authenticate, authorizeScope, authorizeTargets, subjectOf, type AccessDecision } from './middleware.js';
export { PERMISSIONS, type RoutePermission, type TargetLookup } from './permissions.js';
