/** Conformance suites, one per plugin category (see docs/plugins.md "Conformance"). */
export * from './common';
export * from './fixtures';
export { submitterConformance, type SubmitterSuiteOptions } from './submitter';
export { monitorConformance, type MonitorSuiteOptions } from './monitor';
export { sweeperConformance, type SweeperSuiteOptions } from './sweeper';
export { preparatorConformance, type PreparatorSuiteOptions } from './preparator';
export { stagerConformance, type StagerSuiteOptions } from './stager';
export { zipperConformance, makeZipJob, type ZipperSuiteOptions } from './zipper';
export { messengerConformance, type MessengerSuiteOptions } from './messenger';
export { workerMakerConformance, type WorkerMakerSuiteOptions } from './worker-maker';
export { credManagerConformance, type CredManagerSuiteOptions } from './cred-manager';
export { throttlerConformance, type ThrottlerSuiteOptions } from './throttler';
export { communicatorConformance, type CommunicatorSuiteOptions } from './communicator';
export { fifoConformance, type FifoSuiteOptions } from './fifo';
