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
  });

  it('demo round: this year in self-assessment, An Hòa submitted, Phường 1 part-way with evidence', async () => {
    t = await createTestApp({ env: { DEMO_DATA: 'true' } });
    await bootstrap(t.app);
    const coord = { authorization: `Bearer ${await t.login('noivu', DEMO_PASSWORD)}` };
    const [round] = (await t.app.inject({ method: 'GET', url: '/api/v1/rounds', headers: coord })).json();
    expect(round).toMatchObject({ year: Number(vietnamDay(new Date()).slice(0, 4)), phase: 'self_assessment' });
    expect(round.groups.map((g: { frameworkCode: string; unitCodes: string[] }) => [g.frameworkCode, g.unitCodes.length])).toEqual([['PB-2025', 12], ['XA-2025', 10]]);
    const progress = (await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${round.id}/progress`, headers: coord })).json();
    const wards = progress.groups.find((g: { code: string }) => g.code === 'XA');
    const pah = wards.units.find((u: { unitCode: string }) => u.unitCode === 'PAH');
    const p1 = wards.units.find((u: { unitCode: string }) => u.unitCode === 'P1');
    expect(pah).toMatchObject({ status: 'submitted', missingEvidence: 0 });
    expect(pah.itemsDone).toBe(pah.itemsTotal);
    expect(p1.status).toBe('open');
    expect(p1.itemsDone).toBeGreaterThan(0);
    expect(p1.itemsDone).toBeLessThan(p1.itemsTotal);
    // The clerk can open the evidence file attached to Phường 1's first criterion.
    const clerk = { authorization: `Bearer ${await t.login('p1.vanthu', DEMO_PASSWORD)}` };
    const mine = (await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${round.id}/assessments/P1`, headers: clerk })).json();
    const file = mine.items.flatMap((i: { evidence: { kind: string; downloadUrl?: string }[] }) => i.evidence).find((e: { kind: string }) => e.kind === 'file');
    const dl = await t.app.inject({ method: 'GET', url: file.downloadUrl, headers: clerk });
    expect(dl.statusCode).toBe(200);
    expect(dl.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('demo city has the coordinating office, the five appraising offices, ~12 departments and ~10 wards', () => {
    const names = demoUnits.map((u) => u.name);
    for (const office of ['Phòng Nội vụ', 'Văn phòng HĐND và UBND thành phố', 'Phòng Tư pháp', 'Phòng Văn hóa và Thông tin', 'Phòng Tài chính - Kế hoạch']) {
      expect(names).toContain(office);
    }
    expect(demoUnits.filter((u) => u.kind === 'department')).toHaveLength(12);
    expect(demoUnits.filter((u) => u.kind === 'commune')).toHaveLength(10);
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
