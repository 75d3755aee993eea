/** The OCI Distribution client and what is built on it (image metadata, cache). */
export { OciClient, MANIFEST_MEDIA_TYPES, isIndex, nextLink, sha256Digest, type Manifest, type ManifestBody, type Descriptor, type OciClientOptions } from './client.js';
export { OciError, type OciErrorKind } from './errors.js';
export { describeImage, type ImageInfo } from './image-info.js';
export { ImageInfoCache } from './image-cache.js';
export { parseRepository, type RepositoryRef } from './reference.js';
export { parseChallenge, type Challenge } from './www-authenticate.js';
