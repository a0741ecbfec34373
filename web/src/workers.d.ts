// Vite's `?worker` imports: the default export constructs the bundled worker.
declare module '*?worker' {
  /** Starts a new instance of the bundled worker. */
  const WorkerFactory: new () => Worker;
  export default WorkerFactory;
}
