import { SourceFetchError } from '@app/ingestion';
import { DomainError } from '@app/policy';
import { failureKind } from './job-failures';

describe('failureKind', () => {
  it('fails for good what no retry can mend', () => {
    expect(failureKind(new SourceFetchError('SOURCE.HTTP_ERROR', '404 Not Found', true, 404))).toBe('permanent');
    for (const code of ['INGESTION.UNKNOWN_SOURCE', 'INGESTION.INVALID_SOURCE', 'INGESTION.BAD_CURSOR'] as const) {
      expect(failureKind(new DomainError(code, 'no'))).toBe('permanent');
    }
  });

  it('puts a run back for later while another run holds its source', () => {
    expect(failureKind(new DomainError('INGESTION.SOURCE_BUSY', 'busy'))).toBe('later');
  });

  it('retries with backoff what may pass: a source down, a database error, anything unknown', () => {
    expect(failureKind(new SourceFetchError('SOURCE.UNAVAILABLE', '503', false, 503))).toBe('retry');
    expect(failureKind(new Error('connection terminated'))).toBe('retry');
    expect(failureKind('a string')).toBe('retry');
  });
});
