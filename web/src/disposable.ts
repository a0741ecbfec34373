/** Something that holds a resource or a subscription until disposed (xterm.js's IDisposable shape). */
export interface Disposable {
  dispose(): void;
}

/** Wraps a teardown function; disposing twice is harmless. */
export function toDisposable(teardown: () => void): Disposable {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      teardown();
    },
  };
}

/** Collects disposables and disposes them in reverse order of addition (last acquired, first released). */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  /** Adds an item; if the store is already disposed the item is disposed at once, so nothing leaks. */
  add<T extends Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  /** Disposes everything added so far. */
  dispose(): void {
    this.disposed = true;
    while (this.items.length > 0) this.items.pop()?.dispose();
  }
}

/** Adds a DOM event listener and returns its removal. */
export function listen(target: EventTarget, type: string, handler: (event: Event) => void): Disposable {
  target.addEventListener(type, handler);
  return toDisposable(() => target.removeEventListener(type, handler));
}
