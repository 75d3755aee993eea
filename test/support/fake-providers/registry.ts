/** Every fake provider dialect, by kind. */
import type { Dialect, FakeKind } from './dialect.js';
import { azure } from './azure.js';
import { bitbucketCloud } from './bitbucket-cloud.js';
import { bitbucketDataCenter } from './bitbucket-datacenter.js';
import { gitea } from './gitea.js';
import { github } from './github.js';
import { gitlab } from './gitlab.js';

export const DIALECTS: Record<FakeKind, Dialect> = {
  github,
  gitlab,
  gitea,
  'bitbucket-cloud': bitbucketCloud,
  'bitbucket-dc': bitbucketDataCenter,
  azure,
};
