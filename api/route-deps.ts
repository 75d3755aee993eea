import type { ShuntBackend } from './backend.js';
import type { ProjectStreams } from './project-streams.js';
import type { PromotionViewOptions } from './views.js';

/** What every route handler factory receives from createApp. */
export interface RouteDeps {
  backend: ShuntBackend;
  views: PromotionViewOptions;
  /** The projects' live updates (one watcher per watched project). */
  streams: ProjectStreams;
  /** Keep-alive comment interval of event streams, in ms (tests shorten it). */
  streamKeepAliveMs?: number;
}
