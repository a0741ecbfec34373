import { z } from 'zod';
import { CAUSES } from '../../agent/causes.ts';

/** The two languages of the course. */
export const LANGS = ['zh', 'en'] as const;
/** zh or en. */
export type Lang = (typeof LANGS)[number];

/** Text in both languages; a missing or empty translation is an authoring error. */
export const bilingual = z
  .object(
    {
      zh: z.string({ error: 'missing translation: zh' }).trim().min(1, 'missing translation: zh'),
      en: z.string({ error: 'missing translation: en' }).trim().min(1, 'missing translation: en'),
    },
    { error: 'expected { zh: "...", en: "..." }' },
  )
  .strict();
/** A bilingual string. */
export type Bilingual = z.infer<typeof bilingual>;

/**
 * A hint: text in both languages, optionally tied to a diagnosed cause (see agent/causes.ts).
 * A student whose failed check was diagnosed with that cause sees it before the generic ones.
 */
export const hint = z
  .object(
    { ...bilingual.shape, cause: z.enum(CAUSES).optional() },
    { error: 'expected { zh: "...", en: "..." }' },
  )
  .strict();
/** A parsed hint. */
export type Hint = z.infer<typeof hint>;

/** Exercise ids: lowercase words joined by dashes (they appear in URLs and the store). */
export const exerciseId = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'ids are lowercase words joined by dashes, e.g. orders-topic');

/** Front matter of lab.md. */
export const frontMatter = z
  .object({
    id: exerciseId,
    title: bilingual,
    summary: bilingual,
    environment: z.enum(['install', 'ready']),
    minutes: z.number().int().min(1).max(600),
    requires: z.array(exerciseId).default([]),
  })
  .strict();
/** Parsed front matter. */
export type FrontMatter = z.infer<typeof frontMatter>;

/** Fields every ```check block has; its `type` adds parameters of its own. */
export const checkBase = z.object({
  id: exerciseId,
  title: bilingual,
  type: z.string(),
  points: z.number().int().min(0).max(100).default(10),
  hints: z.array(hint).default([]),
  timeoutSec: z.number().positive().max(120).optional(),
});

/** A ```quiz block. The answer key stays on the server. */
export const quizBlock = z
  .object({
    id: exerciseId,
    question: bilingual,
    choices: z.array(bilingual).min(2, 'a quiz needs at least two choices'),
    answer: z.union([z.number().int().min(0), z.array(z.number().int().min(0)).min(1)]),
    points: z.number().int().min(0).max(100).default(5),
    hints: z.array(bilingual).default([]),
    explanation: bilingual.optional(),
  })
  .strict();

/** labs/course.yaml */
export const courseFile = z
  .object({
    title: bilingual,
    labs: z.array(exerciseId).min(1),
  })
  .strict();

/** A graded check: runs against the student's cluster. */
export interface CheckExercise {
  readonly kind: 'check';
  readonly id: string;
  readonly title: Bilingual;
  readonly type: string;
  /** Parameters validated by the check type's schema. */
  readonly params: Record<string, unknown>;
  readonly points: number;
  readonly hints: readonly Hint[];
  readonly timeoutSec: number | undefined;
  readonly line: number;
}

/** A multiple-choice question graded on the server. */
export interface QuizExercise {
  readonly kind: 'quiz';
  readonly id: string;
  readonly question: Bilingual;
  readonly choices: readonly Bilingual[];
  /** Indexes of the right choices (sorted); never sent to the browser. */
  readonly answer: readonly number[];
  readonly multiple: boolean;
  readonly points: number;
  readonly hints: readonly Bilingual[];
  readonly explanation: Bilingual | undefined;
  readonly line: number;
}

/** Any exercise. */
export type Exercise = CheckExercise | QuizExercise;

/** A piece of a step, in document order: Markdown for one or both languages, or an exercise. */
export type Segment =
  | {
      readonly kind: 'markdown';
      readonly lang: Lang | 'both';
      readonly markdown: string;
      readonly line: number;
    }
  | { readonly kind: 'exercise'; readonly id: string };

/** A `##` section of a lab. */
export interface Step {
  readonly index: number;
  readonly title: Bilingual;
  readonly line: number;
  readonly segments: readonly Segment[];
}

/** A loaded, valid lab. */
export interface Lab extends FrontMatter {
  readonly dir: string;
  readonly file: string;
  /** Text before the first step. */
  readonly intro: readonly Segment[];
  readonly steps: readonly Step[];
  /** Exercises in document order. */
  readonly exercises: readonly Exercise[];
  /** Path of solve.sh. */
  readonly solve: string;
}

/** An authoring error, located. */
export interface LabProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
  /** About how labs fit together (requires, course.yaml), not about the lab's own content. */
  readonly courseLevel?: true;
}
