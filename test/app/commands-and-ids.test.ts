import { parseClosure } from '../../src/app/closures';
import { normaliseRequestId, randomRequestId } from '../../src/app/exceptions';
import { parseCommand, parseCommandLine } from '../../src/bot/commands';

describe('typed commands', () => {
  it.each([
    ['help', 'help'],
    ['<at>MFA Shepherd</at> Status', 'status'],
    ['exception', 'exception'],
    ['Request an exception', 'exception'],
    ['my requests', 'myRequests'],
    ['SLA', 'sla'],
    ['export', 'export'],
    ['closures', 'closures'],
    ['approvals here', 'approvalsHere'],
    ['approvals off', 'approvalsOff'],
    ['exceptionally', 'unknown'],
    ['slack', 'unknown'],
  ])('when the user types %p, then the command is %p', (text, command) => {
    expect(parseCommand(text)).toBe(command);
  });

  it('when history is typed with a request id, then the id comes back as typed', () => {
    expect(parseCommandLine('<at>Bot</at>  history   exc-7k3f9qa ')).toEqual({ command: 'history', argument: 'exc-7k3f9qa' });
  });

  it('when history is typed alone, then the command is history with an empty argument', () => {
    expect(parseCommandLine('history')).toEqual({ command: 'history', argument: '' });
  });

  it('when a closure is added with dates and a reason, then the dates survive the parsing', () => {
    expect(parseCommandLine('closure add 2026-12-24 2026-12-26 Christmas shutdown')).toEqual({
      command: 'closureAdd',
      argument: '2026-12-24 2026-12-26 Christmas shutdown',
    });
    expect(parseCommandLine('Closure Remove 2026-12-24')).toEqual({ command: 'closureRemove', argument: '2026-12-24' });
  });
});

describe('closure arguments', () => {
  it('when two dates and a reason are given, then it is a range with that reason', () => {
    expect(parseClosure('2026-12-24 2026-12-26 Christmas shutdown')).toEqual({ from: '2026-12-24', to: '2026-12-26', reason: 'Christmas shutdown' });
  });

  it('when one date and a reason are given, then it is a single day', () => {
    expect(parseClosure('2026-12-31 New Year prep')).toEqual({ from: '2026-12-31', to: '2026-12-31', reason: 'New Year prep' });
  });

  it('when a closure would last more than a year, then it is refused as a likely typo', () => {
    expect(() => parseClosure('2026-12-24 2062-12-24 Christmas')).toThrow(/at most 366 days/);
    expect(parseClosure('2026-01-01 2026-12-31 Sabbatical year').to).toBe('2026-12-31');
  });

  it('when the first word is not a date, then the answer shows the expected form', () => {
    expect(() => parseClosure('tomorrow off')).toThrow(/closure add YYYY-MM-DD/);
  });
});

describe('request ids', () => {
  it('when an id is made, then it is EXC-XXXX-XXXX from 40 random bits in unambiguous characters', () => {
    expect(randomRequestId(() => new Uint8Array(5))).toBe('EXC-0000-0000');
    expect(randomRequestId(() => new Uint8Array([255, 255, 255, 255, 255]))).toBe('EXC-ZZZZ-ZZZZ');
    expect(randomRequestId(() => new Uint8Array([0, 0, 0, 0, 33]))).toBe('EXC-0000-0011');
    const made = new Set(Array.from({ length: 2_000 }, () => randomRequestId()));
    expect(made.size).toBe(2_000);
    for (const id of made) expect(id).toMatch(/^EXC-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it.each([
    ['exc-7k3f9qa', 'EXC-7K3F9QA'],
    ['EXC 7K3F9QA', 'EXC-7K3F9QA'],
    ['7k3f9qa', 'EXC-7K3F9QA'],
    ['EXC-7K3F9Q', undefined],
    ['EXC-7K3F9QU', undefined],
    ['exc-7k3f-9qa2', 'EXC-7K3F-9QA2'],
    ['7K3F9QA2', 'EXC-7K3F-9QA2'],
    ['EXC 7K3F 9QA2', 'EXC-7K3F-9QA2'],
    ['EXC-7K3F-9QAO', 'EXC-7K3F-9QA0'],
    ['EXC-7K3F-9QA2X', undefined],
    ['', undefined],
  ])('when %p is typed, then the id read is %p', (typed, id) => {
    expect(normaliseRequestId(typed)).toBe(id);
  });
});
