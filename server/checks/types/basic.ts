import { z } from 'zod';
import { NODES } from '../../env/EnvironmentBackend.ts';
import { bilingual } from '../../labs/model.ts';
import { fail, pass, type CheckOutcome, type CheckType } from '../CheckType.ts';
import { clause, quoted } from '../messages.ts';
import { multilinePatternString } from '../pattern.ts';

const node = z.enum(NODES);

const commandParams = z
  .object({
    node: node.default('bigdata01'),
    /** A bash command line, run in a login shell (so KAFKA_HOME and PATH are the student's). */
    run: z.string().min(1),
    /** What the command verifies, named in messages instead of the (possibly long) command line. */
    label: bilingual.optional(),
    exitCode: z.number().int().min(0).max(255).default(0),
    stdout: multilinePatternString.optional(),
    stderr: multilinePatternString.optional(),
  })
  .strict();

/**
 * Why a command check failed: its label in words when it has one, else the exit code or the
 * stream that differs; either way with the output quoted (`stream` undefined: the exit code).
 */
function commandFail(
  p: z.infer<typeof commandParams>,
  exitCode: number,
  output: string,
  stream?: 'stdout' | 'stderr',
): CheckOutcome {
  const seen = quoted(output);
  if (p.label) {
    const label = { zh: clause(p.label.zh), en: clause(p.label.en) };
    return seen
      ? fail(
          `还没有做到：${label.zh}。检查在 ${p.node} 上看到的是${seen.zh}。`,
          `Not yet: ${label.en}. On ${p.node} the check found: ${seen.en}.`,
        )
      : fail(
          `还没有做到：${label.zh}。检查在 ${p.node} 上没有看到任何输出。`,
          `Not yet: ${label.en}. On ${p.node} the check found no output.`,
        );
  }
  if (stream === undefined) {
    return fail(
      `检查命令在 ${p.node} 上的退出码是 ${exitCode}，应为 ${p.exitCode}。${seen ? `它的输出是${seen.zh}。` : '它没有任何输出。'}`,
      `The check's command on ${p.node} exited with code ${exitCode} instead of ${p.exitCode}. ${seen ? `It printed ${seen.en}.` : 'It printed nothing.'}`,
    );
  }
  if (stream === 'stdout') {
    return fail(
      `检查命令在 ${p.node} 上${seen ? `输出了${seen.zh}` : '没有任何输出'}，还不符合要求。`,
      `The check's command on ${p.node} printed ${seen ? seen.en : 'nothing'}, which is not the expected output yet.`,
    );
  }
  return fail(
    `检查命令在 ${p.node} 上${seen ? `的错误输出是${seen.zh}` : '没有错误输出'}，还不符合要求。`,
    `The check's command on ${p.node} wrote ${seen ? seen.en : 'nothing'} to its error output, which is not what the exercise expects yet.`,
  );
}

/** `command`: a shell command on a server; exit code and output patterns decide. */
export const commandCheck: CheckType<z.infer<typeof commandParams>> = {
  id: 'command',
  describe:
    'Runs a bash command on a server; passes when the exit code (default 0) and output patterns match',
  params: commandParams,
  async run(ctx, p, signal) {
    const r = await ctx.exec(p.node, ['bash', '-lc', p.run], { timeoutMs: 15_000, signal });
    // The command line is the exercise's answer key as much as the patterns are: messages name
    // the label, or just "the check's command", and quote what came out.
    if (r.exitCode !== p.exitCode) return commandFail(p, r.exitCode, r.stderr || r.stdout);
    for (const [stream, pattern, text] of [
      ['stdout', p.stdout, r.stdout],
      ['stderr', p.stderr, r.stderr],
    ] as const) {
      if (pattern !== undefined && !(await ctx.patterns.test(pattern, text, signal))) {
        return commandFail(p, r.exitCode, text, stream);
      }
    }
    return p.label
      ? pass(`已完成：${clause(p.label.zh)}。`, `Done: ${clause(p.label.en)}.`)
      : pass(
          `检查命令在 ${p.node} 上的结果符合要求。`,
          `The check's command on ${p.node} gave the expected result.`,
        );
  },
};

const fileParams = z
  .object({
    node: node.default('bigdata01'),
    path: z.string().regex(/^\//, 'an absolute path'),
    exists: z.boolean().default(true),
    /** Every pattern must match somewhere in the file (multiline mode). */
    matches: z.union([multilinePatternString, z.array(multilinePatternString)]).optional(),
    notMatches: multilinePatternString.optional(),
    /** Expect a directory instead of a file. */
    directory: z.boolean().default(false),
  })
  .strict();

/** `file`: a file or directory exists (or not) on a server, optionally with content patterns. */
export const fileCheck: CheckType<z.infer<typeof fileParams>> = {
  id: 'file',
  describe: 'A file (or directory) exists or not on a server; optional regex patterns on its content',
  params: fileParams,
  async run(ctx, p, signal) {
    const test = p.directory ? '-d' : '-f';
    const r = await ctx.exec(
      p.node,
      [
        'sh',
        '-c',
        `if [ ${test} "$1" ]; then cat "$1" 2>/dev/null | head -c 1048576; exit 0; else exit 3; fi`,
        'sh',
        p.path,
      ],
      { timeoutMs: 10_000, signal },
    );
    const what = p.directory ? { zh: '目录', en: 'directory' } : { zh: '文件', en: 'file' };
    const exists = r.exitCode === 0;
    if (!p.exists) {
      return exists
        ? fail(
            `${p.node} 上仍然有${what.zh} ${p.path}。`,
            `The ${what.en} ${p.path} still exists on ${p.node}.`,
          )
        : pass(`${p.node} 上没有 ${p.path}，符合要求。`, `There is no ${p.path} on ${p.node}, as expected.`);
    }
    if (!exists)
      return fail(
        `${p.node} 上找不到${what.zh} ${p.path}。`,
        `There is no ${what.en} ${p.path} on ${p.node}.`,
      );
    const patterns = p.matches === undefined ? [] : Array.isArray(p.matches) ? p.matches : [p.matches];
    for (const [i, pattern] of patterns.entries()) {
      if (!(await ctx.patterns.test(pattern, r.stdout, signal))) {
        // Which requirement is missing helps; the pattern itself would give the answer away.
        return patterns.length > 1
          ? fail(
              `${p.node} 上的 ${p.path} 还不满足第 ${i + 1} 项内容要求（共 ${patterns.length} 项）。`,
              `${p.path} on ${p.node} does not meet content requirement ${i + 1} of ${patterns.length} yet.`,
            )
          : fail(
              `${p.node} 上的 ${p.path} 内容还不符合要求。`,
              `${p.path} on ${p.node} does not have the expected content yet.`,
            );
      }
    }
    if (p.notMatches !== undefined) {
      const found = await ctx.patterns.find(p.notMatches, r.stdout, signal);
      if (found !== undefined) {
        // A pattern can match the empty string: then there is nothing to quote.
        const seen = quoted(found, 80);
        return seen
          ? fail(
              `${p.node} 上的 ${p.path} 中仍有${seen.zh}。`,
              `${p.path} on ${p.node} still contains ${seen.en}.`,
            )
          : fail(
              `${p.node} 上的 ${p.path} 中仍有不该有的内容。`,
              `${p.path} on ${p.node} still contains something it should not.`,
            );
      }
    }
    return pass(`${p.node} 上的 ${p.path} 符合要求。`, `${p.path} on ${p.node} is as expected.`);
  },
};
