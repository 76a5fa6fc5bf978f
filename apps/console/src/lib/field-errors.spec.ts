import { fieldMessages } from './field-errors';

describe('fieldMessages: problem+json errors[].path → the form field', () => {
  const fields = ['title', 'summary', 'occurredOn', 'occurredOn.date', 'sources', 'reason'];

  it('puts a path at its own field, and a nested one at the longest field it starts with', () => {
    expect(
      fieldMessages(
        [
          { path: 'title', message: 'must not be empty' },
          { path: 'occurredOn.date', message: 'must be a date' },
          { path: 'occurredOn.precision', message: 'must be one of day, month, year' },
          { path: 'sources.0.url', message: 'must be an http(s) URL' },
        ],
        fields,
      ),
    ).toEqual({
      title: ['must not be empty'],
      'occurredOn.date': ['must be a date'],
      occurredOn: ['precision: must be one of day, month, year'],
      sources: ['0.url: must be an http(s) URL'],
    });
  });

  it('strips the envelope the fields sit in', () => {
    expect(fieldMessages([{ path: 'changes.summary', message: 'too long' }, { path: 'reason', message: 'required' }], fields, 'changes')).toEqual({
      summary: ['too long'],
      reason: ['required'],
    });
  });

  it('keeps what belongs to no field, with its path, for the top of the form', () => {
    expect(fieldMessages([{ path: 'header.if-match', message: 'must be a version' }, { path: 'titles', message: 'unknown' }], fields)).toEqual({
      '': ['header.if-match: must be a version', 'titles: unknown'],
    });
  });

  it('does not take a field for a prefix of another word', () => {
    expect(fieldMessages([{ path: 'summaryExtra', message: 'x' }], fields)).toEqual({ '': ['summaryExtra: x'] });
  });
});
