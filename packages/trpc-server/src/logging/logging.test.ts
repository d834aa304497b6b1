import { describe, expect, it } from 'vitest';
import { redactSql } from './redact-sql.ts';
import { requestIdFrom } from './request-id.ts';
import { loggablePath } from './request-log.ts';

describe('requestIdFrom', () => {
  it.each(['abc', '3f1c8a52-2b1e-4c8e-9a1d-0c9f5f2d7a11', 'trace:01HZX.span-2'])(
    'keeps the sane id %j',
    (id) => expect(requestIdFrom(id)).toBe(id),
  );

  it.each([undefined, null, '', ' padded', 'a b', 'x'.repeat(129), 'quote"', 'line\nbreak'])(
    'replaces %j with a UUID',
    (id) => expect(requestIdFrom(id)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/),
  );

  it('takes the first of repeated headers', () => {
    expect(requestIdFrom(['first', 'second'])).toBe('first');
  });
});

describe('redactSql', () => {
  it('replaces literal values and keeps the statement and placeholders', () => {
    expect(
      redactSql(
        "select * from tasks where title = 'Buy milk' and note = 'it''s' and priority > 2 and user_id = $1 limit 20",
      ),
    ).toBe(
      'select * from tasks where title = ? and note = ? and priority > ? and user_id = $1 limit ?',
    );
    expect(redactSql("insert into t (a) values (E'x\\ny', $$dollar$$)")).toBe(
      'insert into t (a) values (?, ?)',
    );
  });

  it('keeps digits inside names and cuts long statements', () => {
    expect(redactSql('select col1, t2.x from table_3 t2')).toBe(
      'select col1, t2.x from table_3 t2',
    );
    expect(redactSql(`select ${'a, '.repeat(400)}b`, 50)).toHaveLength(51);
  });
});

describe('loggablePath', () => {
  it('keeps procedure paths and neutralises anything else', () => {
    expect(loggablePath('tasks.list')).toBe('tasks.list');
    expect(loggablePath(undefined)).toBe('(none)');
    expect(loggablePath('a"b\n<c>')).toBe('a?b??c?');
  });
});
