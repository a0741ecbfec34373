import { describe, expect, it } from 'vitest';
import { AgentError } from '../../../server/cluster/ClusterAgent.ts';
import { environmentContext, gradeQuiz, runCheck } from '../../../server/checks/registry.ts';
import type { ExecResult } from '../../../server/env/EnvironmentBackend.ts';
import type { EnvNodes } from '../../../server/env/EnvironmentBackend.ts';
import type { CheckExercise, QuizExercise } from '../../../server/labs/model.ts';
import { execResult } from '../../../server/env/InMemoryEnvironments.ts';
import { clusterAnswering, hangingCluster } from './fakes.ts';

const check = (over: Partial<CheckExercise> = {}): CheckExercise => ({
  kind: 'check',
  id: 'c',
  title: { zh: '检查', en: 'Check' },
  type: 'kafka.brokers',
  params: { count: 3 },
  points: 10,
  hints: [],
  timeoutSec: undefined,
  line: 1,
  ...over,
});

describe('runCheck', () => {
  it('turns a check that hangs into an error after its timeout', async () => {
    const r = await runCheck(check({ timeoutSec: 0.2 }), hangingCluster);
    expect(r.status).toBe('error');
    expect(r.message.en).toBe('The check did not finish within 0.2 s.');
    expect(r.durationMs).toBeGreaterThanOrEqual(150);
  });

  it('turns an agent or engine failure into an error, never an exception', async () => {
    const r = await runCheck(
      check(),
      clusterAnswering({ snapshot: new AgentError('timeout', 'the agent ran out of time') }),
    );
    expect(r).toMatchObject({
      status: 'error',
      message: { en: 'The check could not run: the agent ran out of time.' },
    });
  });

  it('reports an unknown type as an error', async () => {
    expect((await runCheck(check({ type: 'nope' }), hangingCluster)).status).toBe('error');
  });
});

describe('gradeQuiz', () => {
  const quiz = (answer: number[], multiple: boolean): QuizExercise => ({
    kind: 'quiz',
    id: 'q',
    question: { zh: '问', en: 'Q' },
    choices: [0, 1, 2, 3].map((i) => ({ zh: `${i}`, en: `${i}` })),
    answer,
    multiple,
    points: 5,
    hints: [],
    explanation: { zh: '因为', en: 'Because' },
    line: 1,
  });
  it('passes the right answer in any order, with the explanation', () => {
    expect(gradeQuiz(quiz([1, 3], true), [3, 1])).toMatchObject({
      status: 'pass',
      message: { en: 'Because' },
    });
  });
  it('fails wrong, partial, empty and extra answers, saying when it is partly right', () => {
    expect(gradeQuiz(quiz([1], false), [2]).message.en).toBe('Not correct.');
    expect(gradeQuiz(quiz([1, 3], true), [1]).message.en).toMatch(/^Partly right/);
    expect(gradeQuiz(quiz([1, 3], true), [1, 2, 3]).status).toBe('fail');
    expect(gradeQuiz(quiz([1], false), []).status).toBe('fail');
  });
});

describe('environmentContext', () => {
  /** Servers where `kafkalab-agent` prints `stdout` and exits with `exitCode`. */
  const agentPrinting = (exitCode: number, stdout: string, stderr = ''): EnvNodes =>
    ({
      exec: (): Promise<ExecResult> => Promise.resolve(execResult({ exitCode, stdout, stderr })),
    }) as unknown as EnvNodes;

  it('parses the agent’s JSON', async () => {
    await expect(environmentContext(agentPrinting(0, '{"a":1}\n')).cluster.snapshot()).resolves.toEqual({
      a: 1,
    });
  });
  it('turns the agent’s error document into an AgentError with its code', async () => {
    const err = await environmentContext(
      agentPrinting(1, '{"error":{"code":"kafka_unreachable","message":"no broker"}}'),
    )
      .cluster.snapshot()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentError);
    expect(err).toMatchObject({ code: 'kafka_unreachable', message: 'no broker' });
  });
  it('reports output that is not JSON, and usage errors, with what was printed', async () => {
    await expect(
      environmentContext(agentPrinting(0, 'Exception in thread')).cluster.groups(),
    ).rejects.toMatchObject({ code: 'bad_output' });
    await expect(
      environmentContext(agentPrinting(2, '', 'unknown command x')).cluster.groups(),
    ).rejects.toMatchObject({
      code: 'agent_failed',
      message: 'unknown command x',
    });
  });
});
