import type { Command } from 'commander';
import { register as agent } from './agent';
import { register as start } from './start';
import { register as config } from './config';
import { register as qconf } from './qconf';
import { register as db } from './db';
import { register as wms } from './wms';
import { register as cache } from './cache';

/** Every subcommand module registers itself here (one line each). */
export const commands: Array<(program: Command) => void> = [
  start,
  agent,
  config,
  qconf,
  db,
  wms,
  cache,
];
