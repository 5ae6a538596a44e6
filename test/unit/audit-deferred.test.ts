// The one-statement item write hashes its audit row in SQL as sha256(prefix || head hash || suffix). That must be
// the very text the verifier hashes (auditHash over the canonical JSON), whatever the audited values contain,
// including a nested "prevHash" key and quotes in user text.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auditHash, prepareAuditDeferred } from '../../src/lib/audit.js';

const ctx = {
  actor: { userId: '7d1f6a2e-0000-4000-8000-000000000001', username: 'p1.editor', displayName: 'x', role: 'unit_editor' as const, orgUnitCode: 'P1', tokenId: 't', tokenKind: 'session' as const },
  requestId: 'req-"1"',
  now: new Date('2025-10-20T03:00:00.123Z'),
};

describe('prepareAuditDeferred', () => {
  it('prefix + previous hash + suffix hashes to what auditHash gives for the same row', () => {
    const prev = 'ab'.repeat(32);
    const input = {
      action: 'item.self_updated',
      entityType: 'assessment_item',
      entityId: 'r/P1/2.2',
      before: { input: { prevHash: 'x', note: '"prevHash":"' }, points: null },
      after: { input: { option: 'FULL' }, points: 1, note: 'Ghi chú "có ngoặc" và \\ gạch' },
    };
    const d = prepareAuditDeferred(ctx, input);
    expect(d.stream).toBe('assessment:r/P1');
    const sqlHash = createHash('sha256').update(d.prefix + prev + d.suffix, 'utf8').digest('hex');
    expect(sqlHash).toBe(auditHash({ ...d.fields, prevHash: prev }));
    expect(d.fields).not.toHaveProperty('prevHash');
    expect(d.fields.at).toBe('2025-10-20T03:00:00.123Z');
  });
});
