/** Access control of the api: authentication, the permission table, the middleware. */
export { accessControlFrom, enforcedAccess, hashToken, openAccess, type AccessControl } from './access-control.js';
export { AuthConfigError, loadAuthConfig, parseAuthConfig } from './config-file.js';
export { accessDecisionOf, accessMiddleware, type AccessDecision } from './middleware.js';
export { permissionFor, ROUTE_PERMISSIONS, type TargetLookup } from './permissions.js';
