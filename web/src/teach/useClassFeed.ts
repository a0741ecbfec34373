import { useEffect, useRef, useState } from 'preact/hooks';
import type { ClassMessage } from '../../../server/http/apiTypes.ts';
import { JsonSocket } from '../ws/JsonSocket.ts';
import { applyClassMessage, EMPTY_FEED, type ClassFeed } from './gradebook.ts';
import { getGradebook } from './teachApi.ts';

/** The live gradebook of a class and whether its socket is connected now. */
export interface LiveClass {
  feed: ClassFeed;
  connected: boolean;
}

/**
 * Follows WS /ws/class/:id (reconnecting with backoff). GET .../gradebook seeds the grid in case
 * the socket is slow to open or blocked by a proxy; the socket's own full gradebook wins.
 * `onMessage` sees every frame after it was applied (the student page refreshes on its row).
 */
export function useClassFeed(classId: number, onMessage?: (message: ClassMessage) => void): LiveClass {
  const [feed, setFeed] = useState<ClassFeed>(EMPTY_FEED);
  const [connected, setConnected] = useState(false);
  const listener = useRef(onMessage);
  listener.current = onMessage;

  useEffect(() => {
    setFeed(EMPTY_FEED);
    let live = true;
    const socket = new JsonSocket<ClassMessage>({
      path: `/ws/class/${classId}`,
      onMessage: (message) => {
        setFeed((f) => applyClassMessage(f, message));
        listener.current?.(message);
      },
      onConnected: setConnected,
    });
    getGradebook(classId)
      .then((gradebook) => {
        if (live) setFeed((f) => (f.gradebook === null ? { ...f, gradebook } : f));
      })
      .catch((err: unknown) => console.error('loading the gradebook failed', err));
    return () => {
      live = false;
      socket.dispose();
    };
  }, [classId]);

  return { feed, connected };
}
