/** Row-level data access for agents (loading, inserting, deleting); claims live in ../claim. */
export * from './codec';
export * from './sql-util';
export * from './sequences';
export * from './jobs';
export * from './workers';
export * from './files';
export * from './relations';
export * from './triggers';
export * from './dialogs';
