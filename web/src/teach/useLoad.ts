import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** A value loaded from the API, with its failure and a way to load it again. */
export interface Loaded<T> {
  data: T | null;
  error: unknown;
  /** Loads again, keeping the current data on screen until the new one arrives. */
  reload: () => void;
  /** Replaces the data with an answer learned elsewhere (a PATCH's result). */
  setData: (data: T) => void;
}

/** Loads `load()` on mount and whenever `key` changes; answers to an older key are dropped. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);
  const loader = useRef(load);
  loader.current = load;

  const reload = useCallback(() => {
    const mine = ++generation.current;
    loader
      .current()
      .then((value) => {
        if (generation.current !== mine) return;
        setData(value);
        setError(null);
      })
      .catch((err: unknown) => {
        if (generation.current === mine) setError(err);
      });
  }, []);

  useEffect(() => {
    setData(null);
    setError(null);
    reload();
    return () => {
      generation.current += 1;
    };
  }, [key, reload]);

  return { data, error, reload, setData };
}
