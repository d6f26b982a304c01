import type { HarvesterConfig } from '../config/schema';

/**
 * Reads an agent's config section by name. Sections differ per agent (and some,
 * like service_monitor, have no nThreads), so loop settings are read by key with
 * runtime checks rather than through one static type.
 */
export function agentSection(config: HarvesterConfig, name: string): Readonly<Record<string, unknown>> | undefined {
  const section: unknown = (config as unknown as Record<string, unknown>)[name];
  return typeof section === 'object' && section !== null ? (section as Record<string, unknown>) : undefined;
}

/** A numeric key of a section, or `fallback` when the section or key is absent. */
export function numberKey(section: Readonly<Record<string, unknown>> | undefined, key: string, fallback: number): number;
export function numberKey(section: Readonly<Record<string, unknown>> | undefined, key: string, fallback?: number): number | undefined;
export function numberKey(section: Readonly<Record<string, unknown>> | undefined, key: string, fallback?: number): number | undefined {
  const v = section?.[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return fallback;
}
