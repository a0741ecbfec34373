import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { GradingService } from '../../../server/checks/GradingService.ts';
import { checkTypes } from '../../../server/checks/registry.ts';
import { EnvManager, type EnvOwner } from '../../../server/env/EnvManager.ts';
import type { EnvMode } from '../../../server/env/EnvironmentBackend.ts';
import { InMemoryNodes, InstantBackend } from '../../../server/env/InMemoryEnvironments.ts';
import { loadCourse } from '../../../server/labs/loader.ts';
import type { Lab } from '../../../server/labs/model.ts';
import { SqliteStore } from '../../../server/store/Store.ts';

const course = loadCourse(path.resolve(import.meta.dirname, '../../fixtures/labs-mini'), checkTypes);
const lab = course.labs.find((l) => l.id === 'topics') as Lab;
const exercise = (id: string) => {
  const e = lab.exercises.find((x) => x.id === id);
  if (!e) throw new Error(`no exercise ${id}`);
  return e;
};
const topic = (partitions: number) => ({
  name: 'orders',
  exists: true,
  partitions: Array.from({ length: partitions }, (_, p) => ({
    partition: p,
    leader: 1,
    replicas: [1],
    isr: [1],
    offline: [],
  })),
  replicationFactor: 1,
  configs: {},
});

/** Starts the student's environment and resolves when it is pushed as running (an event, not a poll). */
function started(envs: EnvManager, student: EnvOwner, mode: EnvMode): Promise<void> {
  return new Promise((resolve) => {
    const sub = envs.subscribe(student, (m) => {
      if (m.type === 'status' && m.status.phase === 'running') {
        sub.dispose();
        resolve();
      }
    });
    void envs.start(student, mode, false);
  });
}

function setup() {
  const store = new SqliteStore(':memory:');
  const backend = new InstantBackend();
  const nodes = new InMemoryNodes(backend);
  const envs = new EnvManager(backend, nodes, pino({ level: 'silent' }));
  return {
    store,
    nodes,
    envs,
    grading: new GradingService(store, envs),
    student: store.studentNamed('alice'),
  };
}

describe('GradingService (without HTTP)', () => {
  it('a check on an environment that is not up is an error: no attempt, no hint', async () => {
    const { grading, store, student } = setup();
    const r = await grading.grade(student, lab, exercise('orders-topic'));
    expect(r).toMatchObject({
      status: 'error',
      message: { en: 'Your environment is not running: start it first' },
    });
    expect(store.progress(student.id)).toEqual([]);
  });

  it('a failed check is an attempt and reveals the next hint; a pass is recorded as passed', async () => {
    const { grading, store, student, envs, nodes } = setup();
    await started(envs, student, 'ready');
    nodes.agent['topic orders'] = topic(1);
    expect((await grading.grade(student, lab, exercise('orders-topic'))).status).toBe('fail');
    expect(grading.progressOn(student, lab, exercise('orders-topic'))).toMatchObject({
      attempts: 1,
      hintsRevealed: 1,
      passed: false,
    });
    nodes.agent['topic orders'] = topic(3);
    expect((await grading.grade(student, lab, exercise('orders-topic'))).status).toBe('pass');
    expect(store.progress(student.id, lab.id)).toMatchObject([
      { attempts: 2, passed: true, hintsRevealed: 1 },
    ]);
  });

  it('refuses a check in the wrong mode as an error, not an attempt', async () => {
    const { grading, store, student, envs } = setup();
    await started(envs, student, 'install');
    const r = await grading.grade(student, lab, exercise('orders-topic'));
    expect(r).toMatchObject({
      status: 'error',
      message: { en: expect.stringContaining('install mode') as unknown },
    });
    expect(store.progress(student.id)).toEqual([]);
  });

  it('validates quiz answers (400 with what is wrong), grades them and records the choice', async () => {
    const { grading, store, student } = setup();
    const quiz = exercise('what-is-a-partition');
    for (const [answer, message] of [
      [undefined, 'needs an answer'],
      [[], 'needs an answer'],
      [[7], 'Choice 7 does not exist'],
      [[0, 1], 'has one answer'],
    ] as const)
      await expect(grading.grade(student, lab, quiz, answer)).rejects.toMatchObject({
        status: 400,
        message: expect.stringContaining(message) as unknown,
      });
    expect(store.progress(student.id)).toEqual([]);
    expect((await grading.grade(student, lab, quiz, [1])).status).toBe('fail');
    expect((await grading.grade(student, lab, quiz, [0])).status).toBe('pass');
    expect(store.progress(student.id, lab.id)).toMatchObject([
      { exerciseId: quiz.id, attempts: 2, passed: true },
    ]);
  });

  it('reveals hints up to the last one, and says when an exercise has none', () => {
    const { grading, student } = setup();
    expect(grading.revealHint(student, lab, exercise('orders-topic'))?.hintsRevealed).toBe(1);
    expect(grading.revealHint(student, lab, exercise('orders-topic'))?.hintsRevealed).toBe(2);
    expect(grading.revealHint(student, lab, exercise('orders-topic'))?.hintsRevealed).toBe(2);
    expect(() => grading.revealHint(student, lab, exercise('what-is-a-partition'))).toThrow(/has no hints/);
  });

  it('says why a broker is down and reveals the hint tied to that cause before the generic ones', async () => {
    const { grading, student, envs, nodes } = setup();
    await started(envs, student, 'ready');
    nodes.agent['topic orders'] = topic(1);
    // Every server answers the same here: a broker whose failed start left meta.properties behind.
    nodes.agent['diagnose'] = {
      kafkaHome: '/opt/apps/kafka',
      processes: [],
      brokerRunning: false,
      zookeeperRunning: true,
      config: null,
      metaProperties: [],
      findings: [
        {
          cause: 'meta-properties-mismatch',
          file: '/opt/apps/kafka/logs/server.log',
          line: 42,
          text: "Stored node id 1 doesn't match previous node id 2",
        },
      ],
    };
    const withCauseHints = {
      ...exercise('orders-topic'),
      hints: [
        { zh: '通用一', en: 'Generic one' },
        { zh: '端口', en: 'Port', cause: 'port-in-use' as const },
        { zh: 'meta', en: 'Meta', cause: 'meta-properties-mismatch' as const },
      ],
    };
    const r = await grading.grade(student, lab, withCauseHints);
    expect(r.status).toBe('fail');
    expect(r.causes).toEqual(['meta-properties-mismatch']);
    expect(r.message.en).toContain('meta.properties');
    expect(r.message.en).toContain('/opt/apps/kafka/logs/server.log, line 42');
    expect(r.message.zh).toContain('第 42 行');
    expect(grading.progressOn(student, lab, withCauseHints)?.hintsShown).toEqual([2]);
    // Asked for more by hand: the generic hints in order, then the other cause's.
    expect(grading.revealHint(student, lab, withCauseHints)?.hintsShown).toEqual([2, 0]);
    expect(grading.revealHint(student, lab, withCauseHints)?.hintsShown).toEqual([2, 0, 1]);
  });
});
