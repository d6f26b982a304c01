/**
 * The queue-config validator's view of the plugin factory: build each plugin
 * once, uncached, exactly as an agent would get it (same module lookup, same
 * attribute validation, `common` applied the same way), then close it. A
 * category the factory does not know (extractor, fileSyncer) is checked for
 * shape only, so a config using one still loads.
 */
import { PluginFactory, isPluginCategory, type PluginFactoryOptions } from '../plugins';
import type { PluginChecker } from './validate';

export function factoryPluginChecker(factory: PluginFactory = new PluginFactory()): PluginChecker {
  return async (queue, category, pluginConfig, ctx) => {
    if (!isPluginCategory(category)) return;
    const instance: unknown = await factory.create({
      category,
      config: pluginConfig,
      queueName: queue,
      siteName: ctx.siteName,
      section: ctx.section,
      common: ctx.common,
      configFile: ctx.configFile,
      trustedPaths: ctx.trustedPaths,
    });
    const close = (instance as { close?: unknown } | null)?.close;
    if (typeof close === 'function') await (close as () => Promise<void> | void).call(instance);
  };
}

/** A checker with its own factory (for `qconf validate` and the mapper at startup). */
export function defaultPluginChecker(opts: PluginFactoryOptions = {}): PluginChecker {
  return factoryPluginChecker(new PluginFactory(opts));
}
