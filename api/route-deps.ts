import type { ShuntBackend } from './backend.js';
import type { PromotionViewOptions } from './views.js';

/** What every route handler factory receives from createApp. */
export interface RouteDeps {
  backend: ShuntBackend;
  views: PromotionViewOptions;
}
