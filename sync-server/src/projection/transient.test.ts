import { describe, expect, it } from 'vitest';
import { isTransient } from './transient';

const pgError = (code: string) => Object.assign(new Error('failed'), { code });

describe('isTransient', () => {
  it('counts deadlocks, timeouts, lock and serialization failures and lost connections', () => {
    for (const code of ['40P01', '57014', '55P03', '40001', '08006', 'ECONNRESET'])
      expect(isTransient(pgError(code))).toBe(true);
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('finds the code in a wrapped cause, as drizzle reports it', () => {
    expect(isTransient(new Error('Failed query', { cause: pgError('40P01') }))).toBe(true);
  });

  it('leaves faults of the rows themselves to isolation', () => {
    for (const code of ['22000', '23505', '22P05']) expect(isTransient(pgError(code))).toBe(false);
    expect(isTransient('not an error')).toBe(false);
  });
});
