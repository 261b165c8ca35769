// A run's control channel: files under <runDir>/control/ that any process may write (halt, confirm a checkpoint)
// and the engine watches. See files.ts for the layout.
export {
  type AwaitedCheckpoint,
  announceCheckpoint,
  awaitConfirmation,
  CHECKPOINT_WAIT_MEASUREMENT,
  type CheckpointRecord,
  type ConfirmVia,
  confirmCheckpoint,
  type PendingCheckpoint,
  pendingCheckpoints,
  readCheckpoint,
  watchPendingCheckpoints,
  withdrawCheckpoint,
} from './checkpoint.ts';
export { CONTROL_DIR } from './files.ts';
export { type HaltRequest, haltReasonText, readHalt, requestHalt, watchHalt } from './halt.ts';
