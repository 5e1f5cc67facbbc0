import { retryOnConflict } from '../../src/app/retry-on-conflict';
import { AppError, ErrorCodes } from '../../src/domain/errors';
import { ExceptionRefusedError } from '../../src/domain/exception';

describe('retryOnConflict', () => {
  const counting = (error: () => Error) => {
    let attempts = 0;
    const attempt = async (): Promise<never> => {
      attempts += 1;
      throw error();
    };
    return { attempt, attempts: () => attempts };
  };

  it('when someone else wrote first, then it reads and decides again, up to 4 times', async () => {
    const c = counting(() => new AppError(ErrorCodes.StorageConflict, 'etag'));
    await expect(retryOnConflict(c.attempt)).rejects.toThrow('etag');
    expect(c.attempts()).toBe(4);
  });

  it.each(['ALREADY_DECIDED', 'STALE_REVIEW', 'NOT_ADMIN'] as const)('when the rules refuse (%s), then it is asked once: the refusal is the answer', async (refusal) => {
    const c = counting(() => new ExceptionRefusedError(refusal, 'no', { requestId: 'EXC-0000-0000', command: 'approve', status: 'approved', possibleNow: [] }));
    await expect(retryOnConflict(c.attempt)).rejects.toMatchObject({ refusal, code: `EXCEPTION_${refusal}`, retryable: false });
    expect(c.attempts()).toBe(1);
  });
});
