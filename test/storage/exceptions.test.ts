import { randomUUID } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import type { ApprovalCardRef } from '../../src/app/ports';
import { ErrorCodes, isAppError } from '../../src/domain/errors';
import type { AuditEntry, ExceptionRequest } from '../../src/domain/exception';
import type { Storage } from '../../src/storage';
import { createExceptionStore } from '../../src/storage/exceptions';
import { newStorage, randomPrefix, rawTable, rejectionOf } from './helpers';

const T0 = new Date('2025-03-03T09:00:00.000Z');
const T1 = new Date('2025-03-03T10:30:00.250Z');
const T2 = new Date('2025-03-04T11:00:00.000Z');

/** 10,000 characters of text a template engine or a markdown renderer would love to interpret. */
function hostileText(seed: string): string {
  const unit = `${seed} \${process.env.SECRET} [click](https://evil.example) **bold** {{x}} "q" 'a' , ; \r\n 😀 `;
  return unit.repeat(Math.ceil(10_000 / unit.length)).slice(0, 10_000);
}

function request(id: string, overrides: Partial<ExceptionRequest> = {}): ExceptionRequest {
  return {
    id,
    requesterId: '11111111-AAAA-4bbb-8ccc-000000000001',
    requesterUpn: 'megan@contoso.example',
    status: 'draft',
    fields: {},
    createdAt: T0,
    updatedAt: T0,
    reviewRound: 0,
    ...overrides,
  };
}

function audit(requestId: string, at: Date, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return { requestId, at, actor: 'requester-1', from: 'draft', to: 'inReview', action: 'submitForReview', ...overrides };
}

function newId(): string {
  return `exc-${randomUUID()}`;
}

describe('ExceptionStore on Azurite', () => {
  let storage: Storage;
  let prefix: string;
  let raw: TableClient;

  beforeAll(async () => {
    prefix = randomPrefix();
    storage = await newStorage({ tablePrefix: prefix });
    raw = rawTable(prefix, 'exceptions');
  });

  const rowsOf = async (id: string): Promise<string[]> => {
    const keys: string[] = [];
    for await (const e of raw.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${id}` } })) keys.push(e.rowKey ?? '');
    return keys.sort();
  };

  it('when a request with 10,000-character hostile fields and every optional field is stored, then it reads back identical, each field a property of its own', async () => {
    const id = newId();
    const full = request(id, {
      status: 'granted',
      fields: {
        reasonCategory: 'thirdPartyMfaCannotPassClaim',
        technicalDescription: hostileText('desc'),
        blockedScenario: 'other',
        otherScenario: hostileText('other'),
        workaroundTried: hostileText('workaround'),
        businessImpact: hostileText('impact'),
        affected: hostileText('affected'),
        evidence: ['vendorConfirmation', 'integrationMethod'],
        integrationMethod: 'federation',
        subjectKind: 'serviceAccount',
        subjectName: 'svc-billing@contoso.example ${x}',
        contact: hostileText('cont'),
        mfaProduct: hostileText('prod'),
        requestedDuration: '6months',
        evidenceLinks: ['https://contoso.example/a?x=${1}', 'https://contoso.example/b'],
      },
      reviewRound: 2,
      submittedForReviewAt: T0,
      approvalsRequired: 2,
      approvals: [{ by: 'approver-0', at: T0, comment: hostileText('first') }, { by: 'approver-1', at: T1 }],
      decidedBy: 'approver-1',
      decidedAt: T1,
      decisionComment: hostileText('comment'),
      withdrawnAt: T1,
      supportCaseNumber: '2503030040001234',
      submittedToMicrosoftAt: T1,
      submittedToMicrosoftBy: 'admin-1',
      grantedUntil: new Date('2025-09-30T00:00:00.000Z'),
      deniedReason: '=HYPERLINK("x")',
      answerRecordedBy: 'admin-2',
      answerRecordedAt: T2,
      slaAnnounced: 'dueSoon',
      reviewBy: new Date('2026-03-01T00:00:00.000Z'),
      expiryNotified: 'tenDays',
      renewalOf: 'EXC-AAAA-BBBB',
      updatedAt: T2,
    });

    const created = await storage.exceptions.create(full);
    const read = await storage.exceptions.get(id);

    expect(typeof created.etag).toBe('string');
    expect(read).toEqual({ ...full, etag: created.etag });
    expect(read?.grantedUntil).toBeInstanceOf(Date);
    const entity = await raw.getEntity<Record<string, unknown>>(id, 'request');
    expect(entity['f_technicalDescription']).toBe(hostileText('desc'));
    expect(entity['requesterKey']).toBe('11111111-aaaa-4bbb-8ccc-000000000001');
  });

  it('when a request was stored before exceptions had to end (granted, no end date, no approvals list), then it still reads, as granted with no end', async () => {
    const id = newId();
    await raw.createEntity({
      partitionKey: id,
      rowKey: 'request',
      requesterId: 'legacy-user',
      requesterKey: 'legacy-user',
      requesterUpn: 'legacy@contoso.example',
      status: 'granted',
      f_reasonCategory: 'thirdPartyMfaCannotPassClaim',
      createdAt: T0,
      updatedAt: T1,
      reviewRound: 1,
      decidedBy: 'approver-1',
      decidedAt: T1,
    });
    const read = await storage.exceptions.get(id);
    expect(read).toMatchObject({ id, status: 'granted', reviewRound: 1, fields: { reasonCategory: 'thirdPartyMfaCannotPassClaim' } });
    for (const absent of ['grantedUntil', 'reviewBy', 'approvals', 'approvalsRequired', 'expiryNotified', 'renewalOf'] as const) expect(read?.[absent]).toBeUndefined();
  });

  it('when a request is created twice, then the second is STORAGE_ALREADY_EXISTS (with or without an audit entry) and the first stays', async () => {
    const id = newId();
    await storage.exceptions.create(request(id), audit(id, T0, { action: 'saveDraft', to: 'draft' }));

    const again = await rejectionOf(storage.exceptions.create(request(id, { requesterUpn: 'other@x' })));
    const againWithAudit = await rejectionOf(storage.exceptions.create(request(id, { requesterUpn: 'other@x' }), audit(id, T1)));

    expect(isAppError(again, ErrorCodes.StorageAlreadyExists)).toBe(true);
    expect(isAppError(againWithAudit, ErrorCodes.StorageAlreadyExists)).toBe(true);
    expect((await storage.exceptions.get(id))?.requesterUpn).toBe('megan@contoso.example');
    expect(await storage.exceptions.history(id)).toHaveLength(1);
  });

  it('when two apply() start from the same read, then exactly one succeeds, the other is STORAGE_CONFLICT, and history gains exactly one entry', async () => {
    const id = newId();
    const stored = await storage.exceptions.create(request(id));
    const a = { ...stored, status: 'inReview' as const, decisionComment: 'from A', updatedAt: T1 };
    const b = { ...stored, status: 'withdrawn' as const, decisionComment: 'from B', updatedAt: T1 };

    const results = await Promise.allSettled([
      storage.exceptions.apply(a, audit(id, T1, { actor: 'A' })),
      storage.exceptions.apply(b, audit(id, T1, { actor: 'B', to: 'withdrawn', action: 'withdraw' })),
    ]);

    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(isAppError(rejected[0]?.reason, ErrorCodes.StorageConflict)).toBe(true);
    const history = await storage.exceptions.history(id);
    expect(history).toHaveLength(1);
    const winner = (await storage.exceptions.get(id))?.decisionComment;
    expect(history[0]?.actor).toBe(winner === 'from A' ? 'A' : 'B');
  });

  it('when apply() is given a stale etag, then it fails with STORAGE_CONFLICT and writes nothing: no audit row, request unchanged', async () => {
    const id = newId();
    const stored = await storage.exceptions.create(request(id));
    const moved = await storage.exceptions.apply({ ...stored, status: 'inReview', updatedAt: T1 }, audit(id, T1));

    const error = await rejectionOf(storage.exceptions.apply({ ...stored, status: 'withdrawn', updatedAt: T2 }, audit(id, T2, { to: 'withdrawn', action: 'withdraw' })));

    expect(isAppError(error, ErrorCodes.StorageConflict)).toBe(true);
    expect(await storage.exceptions.get(id)).toEqual(moved);
    expect(await storage.exceptions.history(id)).toEqual([audit(id, T1)]);
    expect((await rowsOf(id)).filter((k) => k.startsWith('audit|'))).toHaveLength(1);
  });

  it('when apply() succeeds, then the etag it returns is the stored one and works for the next apply', async () => {
    const id = newId();
    const stored = await storage.exceptions.create(request(id));
    const first = await storage.exceptions.apply({ ...stored, status: 'inReview', updatedAt: T1 }, audit(id, T1));
    const second = await storage.exceptions.apply({ ...first, status: 'approved', updatedAt: T2 }, audit(id, T2, { from: 'inReview', to: 'approved', action: 'approve' }));

    expect(second.etag).not.toBe(first.etag);
    expect(await storage.exceptions.get(id)).toEqual(second);
  });

  it('when touch() records the SLA state announced, then no audit row is added and a stale touch is STORAGE_CONFLICT', async () => {
    const id = newId();
    const stored = await storage.exceptions.create(request(id, { status: 'submittedToMicrosoft', submittedToMicrosoftAt: T0 }));

    const touched = await storage.exceptions.touch({ ...stored, slaAnnounced: 'breached' });
    const stale = await rejectionOf(storage.exceptions.touch({ ...stored, slaAnnounced: 'dueToday' }));

    expect((await storage.exceptions.get(id))?.slaAnnounced).toBe('breached');
    expect(touched.etag).not.toBe(stored.etag);
    expect(isAppError(stale, ErrorCodes.StorageConflict)).toBe(true);
    expect(await storage.exceptions.history(id)).toEqual([]);
  });

  it('when a request without etag is applied or touched, then it is refused before any write', async () => {
    const id = newId();
    await expect(storage.exceptions.apply(request(id), audit(id, T1))).rejects.toThrow(/no etag/);
    await expect(storage.exceptions.touch(request(id))).rejects.toThrow(/no etag/);
    expect(await rowsOf(id)).toEqual([]);
  });

  it('when audit entries are written out of time order, then history() and listAudit() return them oldest first', async () => {
    const id = newId();
    const other = newId();
    let current = await storage.exceptions.create(request(id), audit(id, T1, { action: 'saveDraft', to: 'draft' }));
    current = await storage.exceptions.apply({ ...current, updatedAt: T2 }, audit(id, T2, { comment: 'third' }));
    await storage.exceptions.apply(current, audit(id, T0, { comment: 'first, written last' }));
    await storage.exceptions.create(request(other), audit(other, new Date('2025-03-03T12:00:00.000Z'), { actor: 'other' }));

    const history = await storage.exceptions.history(id);
    const all = (await storage.exceptions.listAudit()).filter((e) => e.requestId === id || e.requestId === other);

    expect(history.map((e) => e.at)).toEqual([T0, T1, T2]);
    expect(history[0]?.comment).toBe('first, written last');
    expect(all.map((e) => `${e.requestId === id ? 'id' : 'other'} ${e.at.toISOString()}`)).toEqual([
      `id ${T0.toISOString()}`,
      `id ${T1.toISOString()}`,
      `other 2025-03-03T12:00:00.000Z`,
      `id ${T2.toISOString()}`,
    ]);
  });

  it('when a grant without an end date is audited, then its review date reads back', async () => {
    const id = newId();
    const entry = audit(id, T2, { from: 'submittedToMicrosoft', to: 'granted', action: 'recordGranted', reviewBy: new Date('2026-03-04T11:00:00.000Z') });
    await storage.exceptions.create(request(id), entry);
    expect(await storage.exceptions.history(id)).toEqual([entry]);
  });

  it('when an audit entry carries comment, case number and end date, then history() returns every field with Dates', async () => {
    const id = newId();
    const entry = audit(id, T2, {
      from: 'submittedToMicrosoft',
      to: 'granted',
      action: 'recordGranted',
      comment: hostileText('audit'),
      caseNumber: '123',
      grantedUntil: new Date('2025-12-31T00:00:00.000Z'),
    });
    await storage.exceptions.create(request(id), entry);

    expect(await storage.exceptions.history(id)).toEqual([entry]);
  });

  it('when requests of several requesters exist, then listAll() returns every request oldest first and listByRequester() only theirs, whatever the id casing', async () => {
    const own = await newStorage();
    await own.exceptions.create(request('r-late', { createdAt: T2 }), audit('r-late', T2));
    await own.exceptions.create(request('r-early', { createdAt: T0 }));
    await own.exceptions.create(request('r-other', { createdAt: T1, requesterId: 'someone-else' }));

    const all = await own.exceptions.listAll();
    const mine = await own.exceptions.listByRequester('  11111111-aaaa-4BBB-8ccc-000000000001 ');

    expect(all.map((r) => r.id)).toEqual(['r-early', 'r-other', 'r-late']);
    expect(mine.map((r) => r.id)).toEqual(['r-early', 'r-late']);
    expect(await own.exceptions.listByRequester('nobody')).toEqual([]);
  });

  it('when request ids contain characters Table keys forbid, then they round-trip', async () => {
    const id = `weird/id#?%~\\${randomUUID()}`;
    await storage.exceptions.create(request(id), audit(id, T0));

    expect((await storage.exceptions.get(id))?.id).toBe(id);
    expect((await storage.exceptions.history(id))[0]?.requestId).toBe(id);
  });

  it('when the same approval card is added twice, then it is stored once; cards are listed per round', async () => {
    const id = newId();
    const card = (round: number, activityId: string): ApprovalCardRef => ({
      requestId: id,
      round,
      activityId,
      address: {
        channelId: 'msteams',
        serviceUrl: 'https://smba.example/',
        conversationId: `19:approvals/${activityId}`,
        tenantId: 'tenant',
        userId: '29:bot-user',
        aadObjectId: 'approver',
        botId: '28:bot',
      },
    });
    await storage.exceptions.create(request(id));

    await storage.exceptions.addApprovalCard(card(1, '1:abc/def'));
    await storage.exceptions.addApprovalCard(card(1, '1:abc/def'));
    await storage.exceptions.addApprovalCard(card(1, '1:ghi'));
    await storage.exceptions.addApprovalCard(card(2, '1:abc/def'));
    await storage.exceptions.addApprovalCard(card(10, '1:xyz'));

    const round1 = await storage.exceptions.listApprovalCards(id, 1);
    expect(round1.sort((x, y) => x.activityId.localeCompare(y.activityId))).toEqual([card(1, '1:abc/def'), card(1, '1:ghi')]);
    expect(await storage.exceptions.listApprovalCards(id, 2)).toEqual([card(2, '1:abc/def')]);
    expect(await storage.exceptions.listApprovalCards(id, 10)).toEqual([card(10, '1:xyz')]);
    expect(await storage.exceptions.listApprovalCards(id, 3)).toEqual([]);
    // Cards are not audit entries and not requests.
    expect(await storage.exceptions.history(id)).toEqual([]);
    expect((await storage.exceptions.listAll()).filter((r) => r.id === id)).toHaveLength(1);
  });

  it('when a field exceeds what one property can hold, then STORAGE_LIMIT is thrown before any storage call', async () => {
    const calls: string[] = [];
    const spy = new Proxy({ tableName: 'SpyExceptions' } as TableClient, {
      get(target, prop) {
        if (prop === 'tableName') return target.tableName;
        return () => {
          calls.push(String(prop));
          throw new Error(`unexpected storage call ${String(prop)}`);
        };
      },
    });
    const store = createExceptionStore(spy);
    const id = newId();
    const huge = request(id, { fields: { technicalDescription: 'x'.repeat(40_000) }, etag: 'W/"etag"' });

    const errors = [
      await rejectionOf(store.create(huge)),
      await rejectionOf(store.create(huge, audit(id, T0))),
      await rejectionOf(store.apply(huge, audit(id, T0))),
      await rejectionOf(store.touch(huge)),
      await rejectionOf(store.apply(request(id, { etag: 'W/"e"' }), audit(id, T0, { comment: '😀'.repeat(20_000) }))),
    ];

    for (const error of errors) expect(isAppError(error, ErrorCodes.StorageLimit)).toBe(true);
    expect(calls).toEqual([]);
  });

  it('when a request over the limit is given to the real store, then nothing is written', async () => {
    const id = newId();
    const error = await rejectionOf(storage.exceptions.create(request(id, { fields: { affected: 'y'.repeat(40_000) } }), audit(id, T0)));

    expect(isAppError(error, ErrorCodes.StorageLimit)).toBe(true);
    expect(await rowsOf(id)).toEqual([]);
  });

  it('when apply() carries a follow-up, then it is written in the same transaction: with the change, holding the request as changed, and not at all when the etag is stale', async () => {
    const id = newId();
    const stored = await storage.exceptions.create(request(id));
    const followUp = { action: 'submitForReview' as const, actor: 'requester-1', at: T1, before: { status: 'draft' as const, reviewRound: 0 } };
    const moved = await storage.exceptions.apply({ ...stored, status: 'inReview', reviewRound: 1, updatedAt: T1, fields: { technicalDescription: hostileText('fu') } }, audit(id, T1), followUp);

    const [owed, ...more] = await storage.exceptions.listFollowUps(id);
    expect(more).toEqual([]);
    const { etag: _etag, ...asChanged } = moved;
    expect(owed).toMatchObject({ ...followUp, request: asChanged });
    expect((await storage.exceptions.listFollowUps()).filter((f) => f.request.id === id)).toHaveLength(1);
    // Not a request, not an audit entry: every other reader skips it.
    expect((await storage.exceptions.listAll()).filter((r) => r.id === id)).toHaveLength(1);
    expect(await storage.exceptions.history(id)).toHaveLength(1);

    const error = await rejectionOf(storage.exceptions.apply({ ...stored, status: 'withdrawn', updatedAt: T2 }, audit(id, T2, { to: 'withdrawn', action: 'withdraw' }), { ...followUp, action: 'withdraw', at: T2 }));
    expect(isAppError(error, ErrorCodes.StorageConflict)).toBe(true);
    expect(await storage.exceptions.listFollowUps(id)).toHaveLength(1);

    await storage.exceptions.deleteFollowUp(owed!);
    await storage.exceptions.deleteFollowUp(owed!); // done twice (two instances): fine
    expect(await storage.exceptions.listFollowUps(id)).toEqual([]);
  });

  it('when two opens claim the same request slot of a requester, then both get the id of the first', async () => {
    const requester = `requester-${randomUUID()}`;
    const [a, b] = await Promise.all([storage.exceptions.claimRequestSlot(requester, 0, 'EXC-AAAA-AAAA'), storage.exceptions.claimRequestSlot(requester.toUpperCase(), 0, 'EXC-BBBB-BBBB')]);
    expect(a).toBe(b);
    expect(['EXC-AAAA-AAAA', 'EXC-BBBB-BBBB']).toContain(a);
    expect(await storage.exceptions.claimRequestSlot(requester, 1, 'EXC-CCCC-CCCC')).toBe('EXC-CCCC-CCCC');
    expect(await storage.exceptions.listAll()).not.toContainEqual(expect.objectContaining({ requesterId: requester }));
  });
});
