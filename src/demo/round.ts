// The demo round: this year's index in self-assessment on this year's sample frameworks, with phường Cao Lãnh
// already submitted, phường Sa Đéc part-way through (with evidence), and the appraising offices assigned.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Actor, SystemCtx } from '../lib/context.js';
import { leavesOf } from '../modules/frameworks/frameworks.document.js';
import { vietnamDay } from '../modules/rounds/lifecycle.js';
import { loadFramework } from '../modules/rounds/rounds.repo.js';
import { usersRepo } from '../modules/users/users.repo.js';
import type { LeafInput, Rule } from '../scoring/index.js';
import { pdfDocument } from './evidence-pdf.js';

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** A plausible self input for a rule; `variant` spreads the demo units' answers. */
function demoInput(rule: Rule, variant: number): LeafInput | null {
  switch (rule.type) {
    case 'options':
      return { option: rule.options[variant % 2 === 0 ? 0 : Math.min(1, rule.options.length - 1)]!.code };
    case 'binary':
      return { value: variant % 3 !== 2 };
    case 'manual':
      return { points: 0 };
    case 'tiered':
      if (rule.input === 'count') return { count: 2 + (variant % 3) };
      if (rule.input === 'ratio') return { numerator: 1 + (variant % 3), denominator: 40 };
      return { percent: 96 - variant * 7 };
    case 'proportional':
      return rule.input === 'ratio' ? { numerator: 36 - variant * 2, denominator: 40 } : { percent: 92.5 - variant * 5 };
    case 'survey':
      return null;
  }
}

async function actorFor(app: FastifyInstance, username: string): Promise<Actor> {
  const u = await usersRepo.findByUsername(app.database.db, username);
  if (!u) throw new Error(`demo user ${username} missing`);
  return { userId: u.id, username: u.username, displayName: u.displayName, role: u.role, orgUnitCode: u.orgUnitCode, tokenId: 'demo-seed', tokenKind: 'session' };
}

export function addDemoDays(day: string, n: number) {
  return addDays(day, n);
}

/** Demo inputs for a self-sourced leaf (null for survey rules). */
export { demoInput, actorFor };

export async function seedDemoRound(app: FastifyInstance, system: SystemCtx, departments: string[], wards: string[]) {
  const { rounds, assessments } = app.services;
  const today = vietnamDay(system.now);
  const year = Number(today.slice(0, 4));
  const as = async (username: string) => ({ actor: await actorFor(app, username), requestId: system.requestId, now: system.now });
  const coordinator = await as('noivu');

  const round = await rounds.create(coordinator, {
    year,
    name: `Xác định Chỉ số CCHC năm ${year}`,
    groups: [
      { code: 'PB', name: 'Các sở, ban, ngành tỉnh', frameworkCode: `PB-${year}`, unitCodes: departments },
      { code: 'XA', name: 'UBND các xã, phường', frameworkCode: `XA-${year}`, unitCodes: wards },
    ],
    schedule: {
      self_assessment: addDays(today, 10),
      appraisal: addDays(today, 25),
      explanation: addDays(today, 32),
      final_appraisal: addDays(today, 39),
      council_review: addDays(today, 46),
    },
  });
  await rounds.transition(coordinator, round.id, 'self_assessment');
  await rounds.setAppraisers(coordinator, round.id, [
    { username: 'tuphap', areaCodes: ['2'] },
    { username: 'vanphong', areaCodes: ['1', '3'] },
  ]);

  /** Fills the first `share` of a unit's self criteria; evidence as official-document references, one as a PDF. */
  async function fill(username: string, unitCode: string, share: number, variant: number) {
    const ctx = await as(username);
    const a = await assessments.get(ctx, round.id, unitCode);
    const fw = await loadFramework(app.database.db, a.frameworkCode);
    const leaves = new Map(leavesOf(fw!.doc).map((v) => [v.node.code, v.node]));
    const selfItems = a.items.filter((i) => i.source === 'self');
    const count = Math.round(selfItems.length * share);
    for (const [n, item] of selfItems.slice(0, count).entries()) {
      const leaf = leaves.get(item.criterionCode)!;
      const claimNa = leaf.naAllowed && (n + variant) % 5 === 0;
      const input = claimNa ? null : demoInput(leaf.rule!, variant);
      // A criterion fed from the year's tracked data keeps what the round's pre-fill put there (issue 17).
      if (!leaf.feed) await assessments.putSelf(ctx, round.id, unitCode, item.criterionCode, item.etag, claimNa ? { notApplicable: true, note: 'Không phát sinh trong năm' } : { input });
      if (leaf.evidence?.required && !claimNa) {
        if (n === 0) {
          await assessments.addFile(ctx, round.id, unitCode, item.criterionCode, { stream: Readable.from([pdfDocument(`Ke hoach CCHC nam ${year} - ${unitCode}`)]), filename: `Kế hoạch CCHC năm ${year}.pdf` });
        } else {
          await assessments.addDocument(ctx, round.id, unitCode, item.criterionCode, {
            docNumber: `${10 + n}/BC-${unitCode}`,
            docDate: `${year}-0${1 + (n % 9)}-15`,
            issuer: a.unitName,
            title: `Tài liệu kiểm chứng tiêu chí ${item.criterionCode}: ${leaf.evidence.hint ?? leaf.title}`,
          });
        }
      }
    }
  }

  await fill('caolanh.vanthu', 'PCAOLANH', 1, 1);
  await assessments.submit(await as('caolanh.chutich'), round.id, 'PCAOLANH', undefined, {});
  await fill('sadec.vanthu', 'PSADEC', 0.6, 0);
  return round;
}
