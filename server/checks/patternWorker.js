// A PatternPool worker: matches lab patterns (RE2, linear time) off the server's event loop.
// Plain JavaScript on purpose: worker threads do not inherit tsx's loader, nor vitest's, so a
// .ts worker would need a build step; this file runs as is under `node`, tsx and vitest.
// The main thread compiled each pattern already (that is where errors are reported); here it is
// compiled again from its source, since a compiled RE2JS object cannot cross threads.
import { parentPort } from 'node:worker_threads';
import { RE2JS } from 're2js';

/** Compiled patterns by flags and source; a course has a few dozen, so the cap is never reached in practice. */
const compiled = new Map();
const MAX_COMPILED = 256;

function compile(source, flags) {
  const key = `${flags}/${source}`;
  let re = compiled.get(key);
  if (re === undefined) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    re = RE2JS.compile(source, flags);
    compiled.set(key, re);
  }
  return re;
}

parentPort?.on('message', ({ id, source, flags, op, texts }) => {
  try {
    const re = compile(source, flags);
    // The same as matchHere in pattern.ts.
    const results = texts.map((text) => (op === 'test' ? re.test(text) : (re.exec(text)?.[0] ?? null)));
    parentPort?.postMessage({ id, results });
  } catch (err) {
    parentPort?.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});

// Loaded and listening: the pool starts a match's deadline only from here.
parentPort?.postMessage({ ready: true });
