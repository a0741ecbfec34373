import { z } from 'zod';
import { NODES } from '../../env/EnvironmentBackend.ts';
import { bilingual, regexString } from '../../labs/model.ts';
import { fail, pass, type CheckType } from '../CheckType.ts';

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
    stdout: regexString.optional(),
    stderr: regexString.optional(),
  })
  .strict();

/** `command`: a shell command on a server; exit code and output patterns decide. */
export const commandCheck: CheckType<z.infer<typeof commandParams>> = {
  id: 'command',
  describe:
    'Runs a bash command on a server; passes when the exit code (default 0) and output patterns match',
  params: commandParams,
  async run(ctx, p) {
    const r = await ctx.exec(p.node, ['bash', '-lc', p.run], { timeoutMs: 15_000 });
    const what = p.label ?? { zh: `\`${p.run}\``, en: `\`${p.run}\`` };
    if (r.exitCode !== p.exitCode) {
      const output = excerpt(r.stderr || r.stdout);
      return p.label
        ? fail(
            `${p.label.zh}：没有通过（在 ${p.node} 上）。输出：${output}`,
            `${p.label.en}: not yet (on ${p.node}). Output: ${output}`,
          )
        : fail(
            `在 ${p.node} 上运行 ${what.zh} 的退出码是 ${r.exitCode}，应为 ${p.exitCode}。输出：${output}`,
            `${what.en} on ${p.node} exited with ${r.exitCode}, expected ${p.exitCode}. Output: ${output}`,
          );
    }
    for (const [stream, pattern, text] of [
      ['stdout', p.stdout, r.stdout],
      ['stderr', p.stderr, r.stderr],
    ] as const) {
      if (pattern !== undefined && !new RegExp(pattern, 'm').test(text)) {
        return fail(
          `在 ${p.node} 上 ${what.zh} 的 ${stream} 不匹配 /${pattern}/，实际为：${excerpt(text)}`,
          `The ${stream} of ${what.en} on ${p.node} does not match /${pattern}/; it was: ${excerpt(text)}`,
        );
      }
    }
    return p.label
      ? pass(`${p.label.zh}：通过`, `${p.label.en}: done`)
      : pass(`在 ${p.node} 上 ${what.zh} 的结果符合要求`, `${what.en} on ${p.node} gave the expected result`);
  },
};

const fileParams = z
  .object({
    node: node.default('bigdata01'),
    path: z.string().regex(/^\//, 'an absolute path'),
    exists: z.boolean().default(true),
    /** Every pattern must match somewhere in the file (multiline mode). */
    matches: z.union([regexString, z.array(regexString)]).optional(),
    notMatches: regexString.optional(),
    /** Expect a directory instead of a file. */
    directory: z.boolean().default(false),
  })
  .strict();

/** `file`: a file or directory exists (or not) on a server, optionally with content patterns. */
export const fileCheck: CheckType<z.infer<typeof fileParams>> = {
  id: 'file',
  describe: 'A file (or directory) exists or not on a server; optional regex patterns on its content',
  params: fileParams,
  async run(ctx, p) {
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
      {
        timeoutMs: 10_000,
      },
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
    for (const pattern of patterns) {
      if (!new RegExp(pattern, 'm').test(r.stdout)) {
        return fail(
          `${p.node}:${p.path} 中没有匹配 /${pattern}/ 的内容`,
          `${p.path} on ${p.node} has nothing matching /${pattern}/`,
        );
      }
    }
    if (p.notMatches !== undefined) {
      const m = new RegExp(p.notMatches, 'm').exec(r.stdout);
      if (m)
        return fail(
          `${p.node}:${p.path} 中仍有「${excerpt(m[0], 80)}」`,
          `${p.path} on ${p.node} still contains "${excerpt(m[0], 80)}"`,
        );
    }
    return pass(`${p.node} 上的 ${p.path} 符合要求`, `${p.path} on ${p.node} is as expected`);
  },
};
