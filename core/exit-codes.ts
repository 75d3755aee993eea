/**
 * Exit code of a Shunt process that cannot run as configured (bad setting, port in use):
 * restarting it would fail the same way, so the launcher stops instead (BSD's EX_CONFIG).
 */
export const EXIT_CONFIG = 78;
