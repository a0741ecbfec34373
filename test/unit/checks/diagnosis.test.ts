import { describe, expect, it } from 'vitest';
import { CAUSES } from '../../../agent/causes.ts';
import type { DiagnoseDoc } from '../../../agent/types.ts';
import { analyse, describeDiagnosis } from '../../../server/checks/diagnosis.ts';
import type { NodeName } from '../../../server/env/EnvironmentBackend.ts';

const CONF = '/opt/apps/kafka/config/server.properties';
const LOG = '/opt/apps/kafka/logs/server.log';

function doc(over: Partial<DiagnoseDoc> & { id?: string; connect?: string } = {}): DiagnoseDoc {
  const { id = '1', connect = 'bigdata01:2181,bigdata02:2181,bigdata03:2181/kafka', ...rest } = over;
  return {
    kafkaHome: '/opt/apps/kafka',
    processes: [],
    brokerRunning: true,
    zookeeperRunning: true,
    config: {
      file: CONF,
      brokerId: { value: id, line: 21 },
      zookeeperConnect: { value: connect, line: 125 },
      logDirs: ['/opt/data/kafka'],
    },
    metaProperties: [],
    findings: [],
    ...rest,
  };
}
const three = (
  a: DiagnoseDoc,
  b: DiagnoseDoc,
  c: DiagnoseDoc,
): Array<{ node: NodeName; doc: DiagnoseDoc }> => [
  { node: 'bigdata01', doc: a },
  { node: 'bigdata02', doc: b },
  { node: 'bigdata03', doc: c },
];

describe('analyse', () => {
  it('finds nothing when every broker runs', () => {
    expect(analyse(three(doc(), doc({ id: '2' }), doc({ id: '3' })))).toEqual([]);
  });

  it('names a broker.id taken by a running broker, at the line of server.properties', () => {
    const found = analyse(three(doc(), doc({ id: '1', brokerRunning: false }), doc({ id: '3' })));
    expect(found).toEqual([
      expect.objectContaining({ node: 'bigdata02', cause: 'duplicate-broker-id', file: CONF, line: 21 }),
    ]);
  });

  it('prefers the log line of the last start to a setting for the same server', () => {
    const down = doc({
      id: '2',
      brokerRunning: false,
      findings: [
        { cause: 'never-started', file: LOG, line: null, text: 'no start' },
        {
          cause: 'meta-properties-mismatch',
          file: '/opt/data/kafka/meta.properties',
          line: 4,
          text: 'id 1 vs 2',
        },
        { cause: 'meta-properties-mismatch', file: LOG, line: 57, text: "Stored node id 1 doesn't match" },
      ],
    });
    expect(analyse(three(doc(), down, doc({ id: '3' })))).toEqual([
      expect.objectContaining({ node: 'bigdata02', cause: 'meta-properties-mismatch', file: LOG, line: 57 }),
    ]);
  });

  it('ignores old findings of a broker that runs now, but not a chroot that differs from the others', () => {
    const running = doc({
      id: '3',
      connect: 'bigdata01:2181/kafka2',
      findings: [{ cause: 'port-in-use', file: LOG, line: 3, text: 'x' }],
    });
    expect(analyse(three(doc(), doc({ id: '2' }), running))).toEqual([
      expect.objectContaining({ node: 'bigdata03', cause: 'wrong-chroot', line: 125 }),
    ]);
  });
});

describe('describeDiagnosis', () => {
  it('words every cause with the server, the evidence and a recovery, in both languages', () => {
    for (const cause of CAUSES) {
      const m = describeDiagnosis({ node: 'bigdata02', cause, file: LOG, line: 9, text: 'evidence' });
      expect(m.en).toContain('bigdata02');
      expect(m.zh).toContain('bigdata02');
      if (cause !== 'not-installed') {
        expect(m.en).toContain(`${LOG}, line 9`);
        expect(m.zh).toContain(`${LOG} 第 9 行`);
      }
      expect(m.en).toMatch(/\.$/);
      expect(m.zh).toMatch(/。$/);
    }
  });
});
