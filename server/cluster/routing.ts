/**
 * Server writes by name: the operations table an owner runs (for itself, or for a peer that
 * forwarded the call over the bus), and the routed Actions and timer controls that the HTTP API,
 * socket.io commands and room rules call. On the embedded server none of this is used: the local
 * Actions and TimerService are called directly.
 */
import type { SessionId } from '../../lib/ids';
import type { Actions } from '../actions';
import type { TimerControl } from '../timer/scheduler';
import type { Cluster } from './cluster';
import type { Operation } from './contracts';

export interface ServerWrites {
  actions: Actions;
  timer: TimerControl;
  /** The task board's own rule after a client's change (lib/task.ts settleBoard). */
  settleBoard(id: SessionId): Promise<void>;
}

const ACTION = 'actions.';
const TIMER = { command: 'timer.command', updateSettings: 'timer.updateSettings', mobTimer: 'timer.mobTimer' } as const;
const SETTLE = 'board.settle';

/** Every server write by name, run locally (on the owner). */
export function writeOperations(local: ServerWrites): Record<string, Operation> {
  const ops: Record<string, Operation> = {};
  for (const [name, fn] of Object.entries(local.actions)) ops[ACTION + name] = fn as Operation;
  ops[TIMER.command] = local.timer.command.bind(local.timer) as Operation;
  ops[TIMER.updateSettings] = local.timer.updateSettings.bind(local.timer) as Operation;
  ops[TIMER.mobTimer] = local.timer.mobTimer.bind(local.timer) as Operation;
  ops[SETTLE] = local.settleBoard as Operation;
  return ops;
}

/** The same writes, each run on the session's owner (here, or forwarded). */
export function routedWrites(cluster: Cluster, local: ServerWrites): ServerWrites {
  const call = (op: string) => (id: SessionId, ...args: unknown[]) => cluster.run(id, op, args);
  const actions = Object.fromEntries(Object.keys(local.actions).map((name) => [name, call(ACTION + name)])) as unknown as Actions;
  const timer = { command: call(TIMER.command), updateSettings: call(TIMER.updateSettings), mobTimer: call(TIMER.mobTimer) } as unknown as TimerControl;
  return { actions, timer, settleBoard: call(SETTLE) as (id: SessionId) => Promise<void> };
}
