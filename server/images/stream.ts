import type Docker from 'dockerode';

/** One JSON message of the engine's pull/build/import progress streams. */
export interface EngineStreamEvent {
  stream?: string;
  status?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/**
 * Follows a pull/build/import stream to its end, handing every event to `onEvent`. The engine
 * reports failures inside the stream (an `error` field) with HTTP 200, so those are turned into
 * rejections here.
 */
export function followStream(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  onEvent: (e: EngineStreamEvent) => void,
): Promise<EngineStreamEvent[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, events: EngineStreamEvent[]) => {
        if (err) return reject(err);
        const failed = events.find((e) => e.error !== undefined);
        if (failed) return reject(new Error(failed.errorDetail?.message ?? failed.error));
        resolve(events);
      },
      onEvent,
    );
  });
}
