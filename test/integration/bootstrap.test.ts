import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pdfBytes } from '../fixtures/blobs/samples.js';
import { bootstrap, describeLogins } from '../../src/bootstrap.js';
import { DEMO_PASSWORD, demoUnits, demoUsers } from '../../src/demo/seed.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { onRealPostgres } from '../helpers/db.js';
import { vietnamDay } from '../../src/modules/rounds/lifecycle.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('start-up bootstrap', () => {
  it('creates admin with ADMIN_PASSWORD and seeds the demo city once', async () => {
    t = await createTestApp({ env: { ADMIN_PASSWORD: 'configured-admin-pw', DEMO_DATA: 'true' } });
    const first = await bootstrap(t.app);
    expect(first).toMatchObject({ adminCreated: true, demoSeeded: true });
    expect(first.generatedAdminPassword).toBeUndefined();
    expect(await t.login('admin', 'configured-admin-pw')).toMatch(/^par_/);

    // Every demo login printed at start works.
    for (const u of first.demoUsers) {
      const token = await t.login(u.username, DEMO_PASSWORD);
      const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      expect(me.json().role).toBe(u.role);
    }
    expect(first.demoUsers.map((u) => u.role).sort()).toEqual(expect.arrayContaining(['coordinator', 'appraiser', 'unit_editor', 'unit_head']));

    const second = await bootstrap(t.app);
    expect(second).toMatchObject({ adminCreated: false, demoSeeded: false });
    expect(second.demoUsers).toHaveLength(demoUsers.length);
    const units = await t.app.inject({ method: 'GET', url: '/api/v1/org-units', headers: { authorization: `Bearer ${await t.login('noivu', DEMO_PASSWORD)}` } });
    expect(units.json()).toHaveLength(demoUnits.length);
    // Seeding drives a whole published year through the services: minutes on a machine shared by many test runs.
  }, 600_000);

  it('demo round: this year in self-assessment, phường Cao Lãnh submitted, phường Sa Đéc part-way with evidence; the 2024 index published and verifiable', async () => {
    t = await createTestApp({ env: { DEMO_DATA: 'true' } });
    await bootstrap(t.app);
    const coord = { authorization: `Bearer ${await t.login('noivu', DEMO_PASSWORD)}` };
    const year = Number(vietnamDay(new Date()).slice(0, 4));
    const [round, earlier] = (await t.app.inject({ method: 'GET', url: '/api/v1/rounds', headers: coord })).json();
    expect(round).toMatchObject({ year, phase: 'self_assessment' });
    expect(round.groups.map((g: { frameworkCode: string; unitCodes: string[] }) => [g.frameworkCode, g.unitCodes.length])).toEqual([[`PB-${year}`, 12], [`XA-${year}`, 10]]);
    // The history: the 2024 round is published, signed and verifies; phường Sa Đéc shows its three predecessors.
    expect(earlier).toMatchObject({ year: 2024, phase: 'published' });
    const [pub] = (await t.app.inject({ method: 'GET', url: '/api/v1/public/publications' })).json();
    expect(pub).toMatchObject({ year: 2024, decisionNumber: '15/QĐ-UBND', decisionIssuer: 'Chủ tịch Ủy ban nhân dân tỉnh Đồng Tháp', signerTitle: 'KT. Chủ tịch - Phó Chủ tịch' });
    expect(pub.groups.map((g: { code: string; units: number }) => [g.code, g.units])).toEqual([['PB', 6], ['XA', 3]]);
    const verify = (await t.app.inject({ method: 'GET', url: `/api/v1/public/publications/${pub.id}/verify` })).json();
    expect(verify).toMatchObject({ valid: true, problems: [] });
    const history = (await t.app.inject({ method: 'GET', url: '/api/v1/public/units/PSADEC/history' })).json();
    expect(history.unitName).toBe('UBND phường Sa Đéc');
    expect(history.predecessors.map((p: { code: string }) => p.code)).toEqual(['SADEC-P1', 'SADEC-P2', 'SADEC-P3']);
    expect(history.entries.map((e: { unitCode: string; unitName: string; year: number; predecessor: boolean }) => [e.year, e.unitCode, e.unitName, e.predecessor])).toEqual([
      [2024, 'SADEC-P1', 'UBND Phường 1 (thành phố Sa Đéc cũ)', true],
      [2024, 'SADEC-P2', 'UBND Phường 2 (thành phố Sa Đéc cũ)', true],
      [2024, 'SADEC-P3', 'UBND Phường 3 (thành phố Sa Đéc cũ)', true],
    ]);
    const progress = (await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${round.id}/progress`, headers: coord })).json();
    const wards = progress.groups.find((g: { code: string }) => g.code === 'XA');
    const pah = wards.units.find((u: { unitCode: string }) => u.unitCode === 'PCAOLANH');
    const p1 = wards.units.find((u: { unitCode: string }) => u.unitCode === 'PSADEC');
    expect(pah).toMatchObject({ status: 'submitted', missingEvidence: 0 });
    expect(pah.itemsDone).toBe(pah.itemsTotal);
    expect(p1.status).toBe('open');
    expect(p1.itemsDone).toBeGreaterThan(0);
    expect(p1.itemsDone).toBeLessThan(p1.itemsTotal);
    // The clerk can open the evidence file attached to Phường 1's first criterion.
    const clerk = { authorization: `Bearer ${await t.login('sadec.vanthu', DEMO_PASSWORD)}` };
    const mine = (await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${round.id}/assessments/PSADEC`, headers: clerk })).json();
    const file = mine.items.flatMap((i: { evidence: { kind: string; downloadUrl?: string }[] }) => i.evidence).find((e: { kind: string }) => e.kind === 'file');
    const dl = await t.app.inject({ method: 'GET', url: file.downloadUrl, headers: clerk });
    expect(dl.statusCode).toBe(200);
    expect(dl.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  }, 300_000);

  it('demo province follows the structure after 1 July 2025: Sở Nội vụ and sở, merged communes/wards, no district level', () => {
    const names = demoUnits.map((u) => u.name);
    for (const office of ['Sở Nội vụ', 'Văn phòng UBND tỉnh', 'Sở Tư pháp', 'Sở Tài chính']) expect(names).toContain(office);
    expect(demoUnits.filter((u) => u.kind === 'district')).toHaveLength(0);
    expect(demoUnits.filter((u) => u.kind === 'department')).toHaveLength(12);
    const current = demoUnits.filter((u) => u.kind === 'commune' && !u.activeTo);
    expect(current).toHaveLength(10);
    expect(current.every((u) => u.activeFrom === '2025-07-01')).toBe(true);
    expect(demoUnits.find((u) => u.code === 'PSADEC')?.predecessorCodes).toEqual(['SADEC-P1', 'SADEC-P2', 'SADEC-P3']);
    expect(demoUnits.filter((u) => u.activeTo === '2025-07-01').map((u) => u.code)).toEqual(['SADEC-P1', 'SADEC-P2', 'SADEC-P3']);
  });

  it('removes evidence files that no row refers to (an upload killed before its commit)', async () => {
    let offsetMs = 0;
    t = await createTestApp({ env: { DEMO_DATA: 'false' }, clock: () => new Date(Date.now() + offsetMs) });
    const orphan = await t.app.blobStore.put(Readable.from([pdfBytes()]), { maxBytes: 1_000_000 });
    if (onRealPostgres) {
      // Another instance may be mid-upload on a shared database: a fresh file is left alone for an hour.
      expect((await bootstrap(t.app)).sweep.orphansRemoved).toBe(0);
      expect(await t.app.blobStore.get(orphan.key)).toBeDefined();
      offsetMs = 2 * 3_600_000;
    }
    const report = await bootstrap(t.app);
    expect(report.sweep.orphansRemoved).toBe(1);
    await expect(t.app.blobStore.get(orphan.key)).rejects.toThrow();
  });

  it('generates and reports a random admin password once when none is configured; no demo on request', async () => {
    t = await createTestApp({ env: { DEMO_DATA: 'false' } });
    const report = await bootstrap(t.app);
    expect(report.demoSeeded).toBe(false);
    expect(report.generatedAdminPassword).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(await t.login('admin', report.generatedAdminPassword!)).toMatch(/^par_/);
    expect(describeLogins(report, 'http://localhost:3000')).toContain(`admin / ${report.generatedAdminPassword}`);
    expect((await bootstrap(t.app)).generatedAdminPassword).toBeUndefined();
  });
});
