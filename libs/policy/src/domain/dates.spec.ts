import {
  comparePartialDates,
  formatPartialDate,
  isCalendarDate,
  isIsoInstant,
  isPartialDate,
  type PartialDate,
  parsePartialDate,
  partialDateEnd,
  partialDateSchema,
  partialDateStart,
  toPartialDate,
} from './dates';

const day = (date: string): PartialDate => ({ date, precision: 'day' });
const month = (date: string): PartialDate => ({ date, precision: 'month' });
const year = (date: string): PartialDate => ({ date, precision: 'year' });

describe('partial dates', () => {
  it('accepts real days, months and years', () => {
    expect(isPartialDate(day('2016-02-29'))).toBe(true); // leap year
    expect(isPartialDate(day('2017-03-27'))).toBe(true);
    expect(isPartialDate(month('2017-01'))).toBe(true);
    expect(isPartialDate(year('2016'))).toBe(true);
  });

  it('rejects impossible dates', () => {
    expect(isPartialDate(day('2017-02-29'))).toBe(false); // not a leap year
    expect(isPartialDate(day('2017-02-30'))).toBe(false);
    expect(isPartialDate(day('2017-04-31'))).toBe(false);
    expect(isPartialDate(month('2017-13'))).toBe(false);
    expect(isPartialDate(month('2017-00'))).toBe(false);
    expect(isPartialDate(day('2017-1-5'))).toBe(false);
  });

  it('rejects a date whose shape does not match its precision', () => {
    expect(isPartialDate(month('2017-01-25'))).toBe(false);
    expect(isPartialDate(day('2017-01'))).toBe(false);
    expect(isPartialDate(year('2017-01'))).toBe(false);
    expect(isPartialDate({ date: '2017', precision: 'week' })).toBe(false);
    expect(isPartialDate('2017')).toBe(false);
  });

  it('parses text, inferring the precision', () => {
    expect(parsePartialDate('2017-01')).toEqual(month('2017-01'));
    expect(parsePartialDate('2017-03-27')).toEqual(day('2017-03-27'));
    expect(parsePartialDate('2016')).toEqual(year('2016'));
    expect(parsePartialDate('2017-02-29')).toBeUndefined();
    expect(parsePartialDate('March 2017')).toBeUndefined();
  });

  it('normalises to a sortable start day and back', () => {
    expect(partialDateStart(month('2017-01'))).toBe('2017-01-01');
    expect(partialDateStart(year('2016'))).toBe('2016-01-01');
    expect(partialDateStart(day('2017-03-27'))).toBe('2017-03-27');
    expect(toPartialDate('2017-01-01', 'month')).toEqual(month('2017-01'));
    expect(toPartialDate('2017-03-27', 'year')).toEqual(year('2017'));
    expect(() => toPartialDate('2017-02-30', 'day')).toThrow(RangeError);
  });

  it('knows the last day of a period', () => {
    expect(partialDateEnd(month('2016-02'))).toBe('2016-02-29');
    expect(partialDateEnd(month('2017-02'))).toBe('2017-02-28');
    expect(partialDateEnd(year('2017'))).toBe('2017-12-31');
  });

  it('formats for people', () => {
    expect(formatPartialDate(day('2017-03-07'))).toBe('7 March 2017');
    expect(formatPartialDate(month('2017-01'))).toBe('January 2017');
    expect(formatPartialDate(year('2016'))).toBe('2016');
  });

  it('orders by start, coarser first on a tie', () => {
    const sorted = [day('2017-03-27'), month('2017-01'), day('2017-01-01'), year('2017'), year('2016')].sort(
      comparePartialDates,
    );
    expect(sorted).toEqual([year('2016'), year('2017'), month('2017-01'), day('2017-01-01'), day('2017-03-27')]);
  });

  it('has a strict zod schema', () => {
    expect(partialDateSchema.safeParse(month('2017-01')).success).toBe(true);
    const bad = partialDateSchema.safeParse(day('2017-02-30'));
    expect(bad.error?.issues[0].path).toEqual(['date']);
    expect(partialDateSchema.safeParse({ ...day('2017-01-01'), extra: 1 }).success).toBe(false);
  });

  it('validates calendar dates', () => {
    expect(isCalendarDate('2016-02-29')).toBe(true);
    expect(isCalendarDate('2017-02-29')).toBe(false);
    expect(isCalendarDate('2017-01')).toBe(false);
  });
});

describe('ISO instants', () => {
  it.each(['2017-03-27T14:05:00Z', '2017-03-27T14:05:00.123Z', '2017-03-27T14:05:00-04:00', '2016-02-29T23:59:59+01:00'])(
    'accepts %s',
    (value) => expect(isIsoInstant(value)).toBe(true),
  );

  it.each([
    '2017-03-27',
    '2017-03-27T14:05:00', // no zone
    '2017-03-27T14:05Z', // no seconds
    '2017-02-29T10:00:00Z',
    '2017-03-27T24:00:00Z',
    '2017-03-27T12:60:00Z',
    '2017-03-27 14:05:00Z',
    '2017-03-27t14:05:00z',
  ])('rejects %s', (value) => expect(isIsoInstant(value)).toBe(false));
});
