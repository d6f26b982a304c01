/** Public surface of the queue configuration (see docs/queue-config.md). */
export * from './types';
export {
  QUEUE_ATTRIBUTES, PLUGIN_SECTIONS, MAP_TYPES, MERGED_SECTIONS, LOCAL_ONLY_ATTRIBUTES, DERIVED_ATTRIBUTES,
  attributeSpec, pluginSectionSpec, type AttributeSpec, type PluginSectionSpec, type AttributeKind,
} from './attributes';
export { QueueConfigError, formatProblem } from './errors';
export { readSourceFile, sourceFromDocument, resolveQueueConfigPath } from './sources';
export { mergeSources, isTemplateEntry, type MergedQueue, type MergeResult, type MergeOptions } from './merge';
export { resolveQueue, type ResolvedQueue } from './resolve';
export {
  validateMerged, validateQueue, formatValidation, type PluginChecker, type PluginCheckContext, type QueueResult, type GoodQueue, type BrokenQueue,
  type ValidateOptions, type ValidationResult,
} from './validate';
export { loadQueueConfig, loadQueueConfigFiles, type LoadOptions, type LoadResult } from './load';
export { queueConfigChecksum, dumpUniqueName, canonicalJson } from './checksum';
export { MemoryConfigDumpStore, SqlConfigDumpStore, type ConfigDumpStore, type StoredDump } from './dump-store';
export { fillPandaQueueTable, type PqFillResult } from './pq-table';
export { qconfSettingsFrom, parseQueueList, isListed, DEFAULT_QCONF, type QconfSettings } from './settings';
export { QueueConfigMapper, type QueueConfigMapperOptions, type MapperStatus, type LoadReport, type SourceStatus } from './mapper';
export { factoryPluginChecker, defaultPluginChecker } from './plugin-check';
export { readCachedQueueConfig, QUEUE_CONFIG_CACHE_KEY, type CachedSource } from './cache-source';
export {
  collectQueueConfigSources, createQueueConfigMapper, usesRemoteQueueConfig, QUEUE_CONFIG_URL_ENV,
  type QueueConfigSourcesOptions, type CreateMapperOptions,
} from './bootstrap';
