export { freightAlias, ALIAS_ADJECTIVES, ALIAS_ANIMALS } from './alias.js';

export {
  canonicalFreightContent,
  chartHashPart,
  commitHashPart,
  freightCollectionId,
  freightContentFromManifest,
  freightHashParts,
  freightId,
  imageHashPart,
  originKey,
} from './freight-id.js';
export { goPathClean, goPathJoin, normalizeChartURL, normalizeGitURL, normalizeImageRepo } from './normalize.js';
