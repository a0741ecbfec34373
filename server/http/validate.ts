import type { z } from 'zod';
import { AppError } from '../errors.ts';

/** Parses a payload with a zod schema; a 400 listing every problem otherwise. */
export function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map(
    (i) => `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`,
  );
  throw new AppError(400, 'bad_request', `Invalid ${what}: ${problems.join('; ')}`);
}
