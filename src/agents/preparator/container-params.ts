import type { FileSpec, Json, JsonObject } from '../../plugins/types';

/**
 * The original's `manipulate_job_params_for_container`: when the container
 * image was staged in as an input file, the payload must start it from the
 * local copy, so `container_name` / `containerOptions.containerImage` equal
 * to a staged file's URL are replaced by its path. Returns the new jobParams,
 * or undefined when nothing changed.
 */
export function localContainerParams(jobParams: JsonObject, files: readonly Pick<FileSpec, 'url' | 'path'>[]): JsonObject | undefined {
  const byUrl = new Map<string, string>();
  for (const f of files) if (f.url && f.path) byUrl.set(f.url, f.path);
  if (byUrl.size === 0) return undefined;
  let changed = false;
  const out: JsonObject = { ...jobParams };
  const name = out.container_name;
  if (typeof name === 'string' && byUrl.has(name)) {
    out.container_name = byUrl.get(name) as string;
    changed = true;
  }
  const options: Json | undefined = out.containerOptions;
  if (options && typeof options === 'object' && !Array.isArray(options)) {
    const image = options.containerImage;
    if (typeof image === 'string' && byUrl.has(image)) {
      out.containerOptions = { ...options, containerImage: byUrl.get(image) as string };
      changed = true;
    }
  }
  return changed ? out : undefined;
}
