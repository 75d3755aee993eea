/** Default for the largest request body under /api/v1 (SHUNT_MAX_BODY_BYTES): parsing YAML costs ~100x its size in memory and time. */
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;
