import { z } from 'zod';
import { NODES } from '../../env/EnvironmentBackend.ts';
import { bilingual } from '../../labs/model.ts';
import { fail, pass, type CheckType } from '../CheckType.ts';
import { multilinePatternString } from '../pattern.ts';

const node = z.enum(NODES);

/** Shortens command output for a message. */
export function excerpt(text: string, max = 160): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return t.length > max ? `${t.slice(0, max)}…` : t || '(nothing)';
}

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
    if (r.exitCode !== p.exitCode) {
      const output = excerpt(r.stderr || r.stdout);
      return p.label
        ? fail(
            `${p.label.zh}：没有通过（在 ${p.node} 上）。输出：${output}`,
            `${p.label.en}: not yet (on ${p.node}). Output: ${output}`,
          )
        : fail(
            `检查命令在 ${p.node} 上的退出码是 ${r.exitCode}，应为 ${p.exitCode}。输出：${output}`,
            `The check's command on ${p.node} exited with ${r.exitCode}, expected ${p.exitCode}. Output: ${output}`,
          );
    }
    for (const [stream, pattern, text] of [
      ['stdout', p.stdout, r.stdout],
      ['stderr', p.stderr, r.stderr],
    ] as const) {
      if (pattern !== undefined && !(await ctx.patterns.test(pattern, text, signal))) {
        return p.label
          ? fail(
              `${p.label.zh}：没有通过（在 ${p.node} 上）。输出：${excerpt(text)}`,
              `${p.label.en}: not yet (on ${p.node}). Output: ${excerpt(text)}`,
            )
          : fail(
              `检查命令在 ${p.node} 上的 ${stream} 不符合要求，实际为：${excerpt(text)}`,
              `The ${stream} of the check's command on ${p.node} is not what was expected; it was: ${excerpt(text)}`,
            );
      }
    }
    return p.label
      ? pass(`${p.label.zh}：通过`, `${p.label.en}: done`)
      : pass(
          `检查命令在 ${p.node} 上的结果符合要求`,
          `The check's command on ${p.node} gave the expected result`,
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
            `${p.node} 上的${what.zh} ${p.path} 仍然存在`,
            `The ${what.en} ${p.path} still exists on ${p.node}`,
          )
        : pass(`${p.node} 上没有 ${p.path}，正确`, `${p.path} does not exist on ${p.node}, as expected`);
    }
    if (!exists)
      return fail(`${p.node} 上找不到${what.zh} ${p.path}`, `There is no ${what.en} ${p.path} on ${p.node}`);
    const patterns = p.matches === undefined ? [] : Array.isArray(p.matches) ? p.matches : [p.matches];
    for (const [i, pattern] of patterns.entries()) {
      if (!(await ctx.patterns.test(pattern, r.stdout, signal))) {
        // Which requirement is missing helps; the pattern itself would give the answer away.
        const which =
          patterns.length > 1
            ? {
                zh: `（第 ${i + 1} 项要求，共 ${patterns.length} 项）`,
                en: ` (requirement ${i + 1} of ${patterns.length})`,
              }
            : { zh: '', en: '' };
        return fail(
          `${p.node}:${p.path} 的内容还不符合要求${which.zh}`,
          `${p.path} on ${p.node} does not have the expected content yet${which.en}`,
        );
      }
    }
    if (p.notMatches !== undefined) {
      const found = await ctx.patterns.find(p.notMatches, r.stdout, signal);
      if (found !== undefined)
        return fail(
          `${p.node}:${p.path} 中仍有「${excerpt(found, 80)}」`,
          `${p.path} on ${p.node} still contains "${excerpt(found, 80)}"`,
        );
    }
    return pass(`${p.node} 上的 ${p.path} 符合要求`, `${p.path} on ${p.node} is as expected`);
  },
};
