import { AppError } from '../../server/errors.ts';

/** The AppError a promise rejects with; fails the test when it resolves or rejects otherwise. */
export async function appErrorOf(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the promise to reject with an AppError');
}
