import type { ShuntBackend } from './backend.js';
import type { ProjectStreams } from './project-streams.js';
import type { RenderedAnswers } from './rendered-answers.js';
import type { PromotionViewOptions } from './views.js';

/** What every route handler factory receives from createApp. */
export interface RouteDeps {
  backend: ShuntBackend;
  views: PromotionViewOptions;
  /** Rendered answers of reads, kept per snapshot (one render for every reader of it). */
  answers: RenderedAnswers;
  /** The projects' live updates (one watcher per watched project). */
  streams: ProjectStreams;
  /** Keep-alive comment interval of event streams, in ms (tests shorten it). */
  streamKeepAliveMs?: number;
}
