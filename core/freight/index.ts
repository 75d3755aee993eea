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
export { sha1Hex, utf8Bytes } from './sha1.js';
