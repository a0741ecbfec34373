import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { EnvStatus } from '../../../server/http/apiTypes.ts';
import { ApiFailure, getEnv, getHealth, startEnv } from '../api.ts';
import type { EnvSocket } from './EnvSocket.ts';

/** A lab's environment mode. */
export type EnvMode = 'install' | 'ready';

/** What the lab page shows about the environment. */
export type EnvView =
  | { kind: 'checking' }
  /** GET /healthz answered 503 (or nothing): no environment can start; an operator must act. */
  | { kind: 'engine-down'; report: unknown }
  /** The student's environment runs in the other mode; only a reset can switch it. */
  | { kind: 'mismatch'; have: EnvMode; want: EnvMode }
  /** POST /api/env was refused for another reason (a server error; a full host queues instead). */
  | { kind: 'start-failed'; failure: ApiFailure }
  /** Follow the live status (queued with the place in line, booting, running, failed, broken, stopped). */
  | { kind: 'status'; status: EnvStatus };

/** The environment state of a lab page and the actions on it. */
export interface Environment {
  view: EnvView;
  /** True when terminals and the editor may connect. */
  running: boolean;
  /** Whether a start/reset request is in flight. */
  busy: boolean;
  /** The boot under way resumes a stopped environment (files kept) rather than creating one. */
  resuming: boolean;
  /**
   * Why the environment was not as the student left it (stopped while idle, expired, gone), as
   * the status said before the start that answers it: a start clears the notice on the server,
   * yet the student should still read why their servers are resuming or new.
   */
  notice: EnvStatus['notice'] | null;
  /** Starts or resumes in the lab's mode (Retry). */
  start(): void;
  /** Replaces the environment with a fresh one in the lab's mode (Reset). */
  reset(): void;
  /** Re-runs the health check and status probe (after the engine was down). */
  recheck(): void;
}

function failureOf(err: unknown): ApiFailure {
  if (err instanceof ApiFailure) return err;
  return new ApiFailure(0, { error: 'unknown', message: err instanceof Error ? err.message : String(err) });
}

/**
 * On open: health check, GET /api/env, and POST /api/env when nothing is running (a stopped
 * environment resumes). Afterwards the status follows /ws/env.
 */
export function useEnvironment(labId: string, mode: EnvMode, socket: EnvSocket): Environment {
  const [view, setView] = useState<EnvView>({ kind: 'checking' });
  const [busy, setBusy] = useState(false);
  const [resuming, setResuming] = useState(false);
  const [notice, setNotice] = useState<EnvStatus['notice'] | null>(null);
  // Socket statuses only matter once the opening sequence decided we follow the live status.
  const following = useRef(false);
  const alive = useRef(true);

  const post = useCallback(
    async (reset: boolean): Promise<void> => {
      setBusy(true);
      setNotice(socket.current.status?.notice ?? null);
      try {
        const status = await startEnv(reset ? { labId, reset: true } : { labId });
        if (!alive.current) return;
        following.current = true;
        const latest = status ?? socket.current.status;
        if (status !== undefined) socket.seedStatus(status);
        setView(latest === null ? { kind: 'checking' } : { kind: 'status', status: latest });
      } catch (err) {
        if (!alive.current) return;
        const failure = failureOf(err);
        following.current = false;
        if (failure.status === 409 && failure.reason === 'mode_mismatch') {
          setView({ kind: 'mismatch', have: mode === 'ready' ? 'install' : 'ready', want: mode });
        } else setView({ kind: 'start-failed', failure });
      } finally {
        if (alive.current) setBusy(false);
      }
    },
    [labId, mode, socket],
  );

  const open = useCallback(async (): Promise<void> => {
    following.current = false;
    setView({ kind: 'checking' });
    const health = await getHealth();
    if (!alive.current) return;
    if (!health.ok) {
      setView({ kind: 'engine-down', report: health.report });
      return;
    }
    let status: EnvStatus;
    try {
      status = await getEnv();
    } catch (err) {
      if (alive.current) setView({ kind: 'start-failed', failure: failureOf(err) });
      return;
    }
    if (!alive.current) return;
    socket.seedStatus(status);
    const otherMode = status.mode !== null && status.mode !== mode;
    if (status.phase === 'none' || status.phase === 'stopped') {
      setResuming(status.phase === 'stopped');
      await post(false);
    } else if (otherMode && status.phase !== 'failed') {
      setView({ kind: 'mismatch', have: status.mode ?? mode, want: mode });
    } else {
      following.current = true;
      setView({ kind: 'status', status });
    }
  }, [mode, post, socket]);

  useEffect(() => {
    alive.current = true;
    void open();
    const sub = socket.subscribe((feed) => {
      if (following.current && feed.status !== null) setView({ kind: 'status', status: feed.status });
    });
    return () => {
      alive.current = false;
      sub.dispose();
    };
  }, [open, socket]);

  const running =
    view.kind === 'status' &&
    view.status.phase === 'running' &&
    (view.status.mode === null || view.status.mode === mode);

  return {
    view,
    running,
    busy,
    resuming,
    notice,
    start: () => void post(false),
    reset: () => {
      setResuming(false);
      void post(true);
    },
    recheck: () => void open(),
  };
}
