import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/config.ts';
import { createRuntime } from '../server/main.ts';
import { consoleProgress } from '../server/progress.ts';
import { brokerSection } from './sections/broker.ts';
import { checksSection } from './sections/checks.ts';
import { classSection } from './sections/class.ts';
import { classroomSection } from './sections/classroom.ts';
import { environmentsSection } from './sections/environments.ts';
import { imagesSection } from './sections/images.ts';
import { safetySection } from './sections/safety.ts';
import { webSection } from './sections/web.ts';
import type { Metric, Section } from './types.ts';

/**
 * `npm run bench [-- --only images,broker] [--runs N] [--students N]`: measures, never asserts. Prints a table
 * and writes bench/results/<time>.json (and latest.json) with every run's values.
 */
const sections: Section[] = [
  imagesSection,
  brokerSection,
  environmentsSection,
  webSection,
  checksSection,
  safetySection,
  classroomSection,
  classSection,
];

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = flag('--only')?.split(',');
const runs = Number(flag('--runs') ?? 3);
const studentsFlag = flag('--students');
const students = studentsFlag === undefined ? undefined : Number(studentsFlag);
const unknown = (only ?? []).filter((o) => !sections.some((s) => s.name === o));
const badStudents = students !== undefined && (!Number.isInteger(students) || students < 1);
if (unknown.length > 0 || !Number.isInteger(runs) || runs < 1 || badStudents) {
  console.error(
    `usage: npm run bench -- [--only ${sections.map((s) => s.name).join(',')}] [--runs N>=1] [--students N>=1]`,
  );
  process.exit(2);
}

const config = loadConfig();
const runtime = await createRuntime(config, consoleProgress());
const started = new Date();
const results: Record<string, Metric[]> = {};
try {
  for (const section of sections.filter((s) => only === undefined || only.includes(s.name))) {
    console.error(`\n== ${section.name}: ${section.describe}`);
    results[section.name] = await section.run({
      config,
      runtime,
      runs,
      students,
      log: (l) => console.error(`   ${l}`),
    });
  }
} catch (err) {
  // A section that starts the real server (class) installs its last-resort handlers in this
  // process; they would log this failure as "still serving" and leave the bench hanging.
  console.error(err);
  process.exit(1);
}

const engine = await runtime.docker.version();
const report = {
  at: started.toISOString(),
  machine: {
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    docker: engine.Version,
  },
  runs,
  sections: results,
};
const dir = path.join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);

const rows = Object.entries(results).flatMap(([s, metrics]) =>
  metrics.map((m) => [s, m.name, String(m.value), m.unit, m.note ?? '']),
);
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length), 7));
process.stdout.write(
  `\nKafka Lab bench: ${report.machine.cpus} cores, ${report.machine.memoryGiB} GiB, medians of ${runs} runs\n`,
);
for (const r of [['section', 'metric', 'value', 'unit', 'note'], ...rows]) {
  process.stdout.write(`${r.map((c, i) => (i < 4 ? c.padEnd(widths[i] ?? 0) : c)).join('  ')}\n`);
}
process.stdout.write(`\nresults: ${path.relative(process.cwd(), file)}\n`);
// Servers started in this process may leave timers and sockets behind; the results are written.
process.exit(0);
