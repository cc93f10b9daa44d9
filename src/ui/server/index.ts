// The dashboard's server (naslab ui): a read-only HTTP API over a naslab database, live updates, and
// the built browser app (src/ui/web, built into dist/web/).
export { startUiServer, type UiServer, type UiServerOptions } from './server.js';
export { DEFAULT_ASSETS_DIR } from './assets.js';
export { isLoopback } from './auth.js';
export type * from '../web/api-types.js';
