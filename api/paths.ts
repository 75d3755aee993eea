/** Where the REST API lives (app.ts mounts it there). */
export const API_PREFIX_PATH = '/api/v1';
