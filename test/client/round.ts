// A whole round driven the way an integrator would: through openapi-fetch with the types openapi-typescript
// generates from openapi/openapi.json (test/client/openapi.d.ts), over real HTTP. This file is type-checked on
// its own under `tsc --strict` (test/client/tsconfig.json) and must hold no casts, no `any`, no non-null
// assertions and no suppressed errors other than the marked negative type tests: where the document is vague,
// this code does not compile, which is the point (test/integration/generated-client.test.ts checks all of it).
import { createHash } from 'node:crypto';
import createClient, { type Client } from 'openapi-fetch';
import { expect } from 'vitest';
import type { components, paths } from './openapi.js';

type Api = Client<paths>;
type Item = components['schemas']['AssessmentItem'];
type Phase = components['schemas']['Round']['phase'];
type SelfBody = paths['/api/v1/rounds/{id}/assessments/{unitCode}/items/{code}/self']['put']['requestBody']['content']['application/json'];
type AppraisalBody = paths['/api/v1/rounds/{id}/assessments/{unitCode}/items/{code}/appraisal']['put']['requestBody']['content']['application/json'];

export interface RoundSetup {
  /** Origin of the listening service, e.g. http://127.0.0.1:40123. */
  baseUrl: string;
  /** Password of every seeded user (test/helpers/app.ts directory). */
  password: string;
  /** A well-formed PDF to upload as evidence. */
  pdf: Uint8Array;
}

/** What the caller checks against the database afterwards. */
export interface RoundOutcome {
  roundId: string;
  publicationId: string;
}

interface Outcome<D, E> {
  data?: D;
  error?: E;
  response: Response;
}

/** The success body, or a thrown error naming the step, the status and the problem. */
function ok<D, E>(result: Outcome<D, E>, step: string): D {
  if (result.data === undefined) throw new Error(`${step}: HTTP ${result.response.status} ${JSON.stringify(result.error)}`);
  return result.data;
}

/** The problem body of a refused request, after checking its status and RFC 9457 media type. */
function refused<D, E>(result: Outcome<D, E>, status: number, step: string): E {
  expect(result.response.status, `${step}: ${JSON.stringify(result.error)}`).toBe(status);
  expect(result.response.headers.get('content-type'), step).toMatch(/^application\/problem\+json/);
  if (result.error === undefined) throw new Error(`${step}: no problem body`);
  return result.error;
}

export async function signIn(baseUrl: string, username: string, password: string): Promise<Api> {
  const anonymous = createClient<paths>({ baseUrl });
  const session = ok(await anonymous.POST('/api/v1/auth/login', { body: { username, password } }), `login ${username}`);
  expect(session.user.username).toBe(username);
  return createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${session.token}` } });
}

export async function driveRound({ baseUrl, password, pdf }: RoundSetup): Promise<RoundOutcome> {
  const coord = await signIn(baseUrl, 'coord', password);
  const editor = await signIn(baseUrl, 'p1.editor', password);
  const head = await signIn(baseUrl, 'p1.head', password);
  const appraiser = await signIn(baseUrl, 'appraiser', password);
  const visitor = createClient<paths>({ baseUrl });

  // --- The coordinator creates the round on the published test framework and opens it.
  const created = ok(
    await coord.POST('/api/v1/rounds', {
      body: {
        year: 2025,
        name: 'Xác định Chỉ số CCHC năm 2025',
        groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T', unitCodes: ['P1'] }],
        schedule: { self_assessment: '2025-11-03', appraisal: '2025-11-29', explanation: '2025-12-05', final_appraisal: '2025-12-12', council_review: '2025-12-20' },
      },
    }),
    'create round',
  );
  expect(created.phase).toBe('draft');
  const id = created.id;
  const move = async (to: Phase, force?: boolean) => {
    const moved = ok(await coord.POST('/api/v1/rounds/{id}/transition', { params: { path: { id } }, body: force ? { to, force } : { to } }), `transition to ${to}`);
    expect(moved.phase).toBe(to);
  };
  await move('self_assessment');

  const itemPath = (code: string) => ({ path: { id, unitCode: 'P1', code } });
  /** The item as `who` sees it; its ETag header and body field agree. */
  const read = async (who: Api, code: string): Promise<Item> => {
    const result = await who.GET('/api/v1/rounds/{id}/assessments/{unitCode}/items/{code}', { params: itemPath(code) });
    const item = ok(result, `read ${code}`);
    expect(result.response.headers.get('etag')).toBe(item.etag);
    return item;
  };
  const writeSelf = async (code: string, body: SelfBody) => {
    const { etag } = await read(editor, code);
    const result = await editor.PUT('/api/v1/rounds/{id}/assessments/{unitCode}/items/{code}/self', { params: { ...itemPath(code), header: { 'if-match': etag } }, body });
    const item = ok(result, `self ${code}`);
    expect(item.etag).not.toBe(etag);
    expect(result.response.headers.get('etag')).toBe(item.etag);
    return item;
  };

  // --- The ward reads its assessment and builds the form from each item's rule.
  const assessment = ok(await editor.GET('/api/v1/rounds/{id}/assessments/{unitCode}', { params: { path: { id, unitCode: 'P1' } } }), 'read assessment');
  expect(assessment).toMatchObject({ unitCode: 'P1', phase: 'self_assessment', status: 'open', mayEditSelf: true, maySubmit: false });
  expect(assessment.items.map((i) => i.criterionCode)).toEqual(['1.1', '1.2', '2.1', '2.2', '2.3', '3.1', '9.1']);
  const plan = assessment.items.find((i) => i.criterionCode === '1.1');
  if (plan?.rule?.type !== 'options') throw new Error('1.1 is scored by options');
  // "Không kịp thời" is worth 0.5 of 1: the code is read from the rule, not hard-coded.
  const late = plan.rule.options.find((o) => o.points === 0.5);
  if (!late) throw new Error('1.1 has an option worth 0.5');
  expect(late.label).toBe('Không kịp thời');

  // If-Match is required by the types; a write without it is refused by the service as well (428).
  const withoutEtag = await editor.PUT('/api/v1/rounds/{id}/assessments/{unitCode}/items/{code}/self', {
    // @ts-expect-error negative type test: the document makes If-Match required, so omitting it does not compile
    params: itemPath('1.1'),
    body: { input: { option: 'ON_TIME' } },
  });
  expect(refused(withoutEtag, 428, 'self without If-Match').status).toBe(428);

  // An option that is not in the rule: 422 naming the field; nothing is saved.
  const before = await read(editor, '1.1');
  const unknownOption = await editor.PUT('/api/v1/rounds/{id}/assessments/{unitCode}/items/{code}/self', {
    params: { ...itemPath('1.1'), header: { 'if-match': before.etag } },
    body: { input: { option: 'SOON' } },
  });
  expect(refused(unknownOption, 422, 'unknown option').errors?.map((e) => e.field)).toEqual(['body.input.option']);
  // A percent that is not a number is malformed (400) and, with the generated types, does not even compile.
  const notANumber = await editor.PUT('/api/v1/rounds/{id}/assessments/{unitCode}/items/{code}/self', {
    params: { ...itemPath('1.2'), header: { 'if-match': (await read(editor, '1.2')).etag } },
    // @ts-expect-error negative type test: percent is a number in the document
    body: { input: { percent: 'chín mươi' } },
  });
  expect(refused(notANumber, 400, 'percent as text').errors?.[0]?.field).toBe('body.input.percent');
  expect((await read(editor, '1.1')).etag).toBe(before.etag);

  // 0.5 + 2 + 2 × (1 − 3/40) = 1.85 + 0.75 + 1 = 6.10 of 7.
  const saved = await writeSelf('1.1', { input: { option: late.code }, note: 'Kế hoạch số 125/KH-UBND' });
  expect(saved).toMatchObject({ selfPoints: 0.5, status: 'scored', selfInput: { option: 'LATE' } });
  expect(saved.history.map((h) => h.kind)).toEqual(['self']);
  // Someone else's write with the ETag read before it: 412, and the problem carries the current ETag.
  const stale = await head.PUT('/api/v1/rounds/{id}/assessments/{unitCode}/items/{code}/self', {
    params: { ...itemPath('1.1'), header: { 'if-match': before.etag } },
    body: { input: { option: 'ON_TIME' } },
  });
  const conflict = refused(stale, 412, 'stale If-Match');
  expect(conflict.currentEtag).toBe(saved.etag);
  expect((await read(head, '1.1')).selfPoints).toBe(0.5);

  expect((await writeSelf('1.2', { input: { percent: 92.5 } })).selfPoints).toBe(2);
  expect((await writeSelf('2.1', { input: { numerator: 3, denominator: 40 } })).selfPoints).toBe(1.85);
  expect((await writeSelf('2.2', { input: { points: 0.75 } })).selfPoints).toBe(0.75);
  expect((await writeSelf('2.3', { input: { value: true }, note: 'Niêm yết tại Bộ phận Một cửa' })).selfPoints).toBe(1);

  // --- Evidence: the plan as an uploaded PDF (multipart, field "file"), the posting as an official document.
  const file = new File([pdf], 'Kế hoạch CCHC 2025.pdf', { type: 'application/pdf' });
  const uploaded = ok(
    await editor.POST('/api/v1/rounds/{id}/assessments/{unitCode}/items/{code}/evidence', {
      params: itemPath('1.1'),
      body: { file },
      bodySerializer(body) {
        const form = new FormData();
        if ('file' in body) form.append('file', body.file);
        return form;
      },
    }),
    'upload evidence',
  );
  expect(uploaded.item.missingEvidence).toBe(false);
  const evidence = uploaded.evidence;
  if (evidence.kind !== 'file') throw new Error('an upload is file evidence');
  expect(evidence).toMatchObject({ filename: 'Kế hoạch CCHC 2025.pdf', mime: 'application/pdf', size: pdf.byteLength, phase: 'self_assessment', createdBy: 'p1.editor' });
  expect(evidence.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
  const download = await head.GET('/api/v1/rounds/{id}/assessments/{unitCode}/items/{code}/evidence/{evidenceId}', {
    params: { path: { id, unitCode: 'P1', code: '1.1', evidenceId: evidence.id } },
    parseAs: 'arrayBuffer',
  });
  expect(new Uint8Array(ok(download, 'download evidence'))).toEqual(pdf);
  expect(download.response.headers.get('content-type')).toBe('application/pdf');

  const posted = ok(
    await editor.POST('/api/v1/rounds/{id}/assessments/{unitCode}/items/{code}/evidence', {
      params: itemPath('2.3'),
      body: { docNumber: '45/TB-UBND', docDate: '2025-10-15', issuer: 'UBND Phường 1', title: 'Thông báo niêm yết thủ tục hành chính' },
    }),
    'document evidence',
  );
  if (posted.evidence.kind !== 'document') throw new Error('a reference is document evidence');
  expect(posted.evidence).toMatchObject({ docNumber: '45/TB-UBND', docDate: '2025-10-15' });

  // --- The head submits; the coordinator assigns the appraiser and moves the round on.
  const mine = ok(await head.GET('/api/v1/rounds/{id}/assessments/{unitCode}', { params: { path: { id, unitCode: 'P1' } } }), 'read before submit');
  expect(mine).toMatchObject({ maySubmit: true, progress: { done: 5, total: 5, missingEvidence: 0 } });
  const submitted = ok(await head.POST('/api/v1/rounds/{id}/assessments/{unitCode}/submit', { params: { path: { id, unitCode: 'P1' } }, body: {} }), 'submit');
  expect(submitted.status).toBe('submitted');
  ok(await coord.PUT('/api/v1/rounds/{id}/appraisers', { params: { path: { id } }, body: [{ username: 'appraiser', areaCodes: ['1', '2', '9'] }] }), 'appraisers');
  await move('appraisal');

  // --- Appraisal: agree, ask for an explanation on 1.2, score the bonus.
  const appraise = async (code: string, body: AppraisalBody) => {
    const { etag } = await read(appraiser, code);
    return ok(await appraiser.PUT('/api/v1/rounds/{id}/assessments/{unitCode}/items/{code}/appraisal', { params: { ...itemPath(code), header: { 'if-match': etag } }, body }), `appraise ${code}`);
  };
  await appraise('1.1', { points: 0.5 });
  const flagged = await appraise('1.2', { points: 1, comment: 'Báo cáo chỉ thể hiện 80% nhiệm vụ hoàn thành', requestExplanation: true });
  expect(flagged).toMatchObject({ status: 'explanation_requested', appraisal: { points: 1, requestExplanation: true } });
  await appraise('2.1', { points: 1.85 });
  await appraise('2.2', { points: 0.75 });
  await appraise('2.3', { points: 1 });
  await appraise('9.1', { points: 0.5, comment: 'Sáng kiến cấp thành phố' });

  // --- Explanation: the ward sees the office, not the person, and answers.
  await move('explanation');
  const asked = await read(head, '1.2');
  expect(asked.mayExplain).toBe(true);
  expect(asked.appraisal?.by).toEqual({ office: 'Phòng Tư pháp' });
  const explained = ok(
    await head.PUT('/api/v1/rounds/{id}/assessments/{unitCode}/items/{code}/explanation', {
      params: { ...itemPath('1.2'), header: { 'if-match': asked.etag } },
      body: { text: 'Đã hoàn thành 27/29 nhiệm vụ (93%), kèm báo cáo số 45/BC-UBND.' },
    }),
    'explanation',
  );
  expect(explained.status).toBe('explained');

  // --- Final appraisal of the explained item, then the council.
  await move('final_appraisal');
  const { etag: explainedEtag } = await read(appraiser, '1.2');
  const final = ok(
    await appraiser.PUT('/api/v1/rounds/{id}/assessments/{unitCode}/items/{code}/final', {
      params: { ...itemPath('1.2'), header: { 'if-match': explainedEtag } },
      body: { points: 2, comment: 'Chấp nhận giải trình: hoàn thành 93% kế hoạch' },
    }),
    'final',
  );
  expect(final).toMatchObject({ status: 'final', final: { points: 2 } });
  await move('council_review');
  ok(
    await coord.PUT('/api/v1/rounds/{id}/council', {
      params: { path: { id } },
      body: {
        members: [
          { name: 'Nguyễn Văn An', position: 'Phó Chủ tịch UBND, Chủ tịch Hội đồng' },
          { name: 'Trần Thị Bình', position: 'Trưởng phòng Nội vụ, Phó Chủ tịch Hội đồng' },
        ],
        decisionIssuer: 'Chủ tịch Ủy ban nhân dân thành phố Thử Nghiệm',
        signerName: 'Lê Văn Cường',
        signerTitle: 'Chủ tịch',
      },
    }),
    'council',
  );
  ok(
    await coord.PUT('/api/v1/rounds/{id}/council/minutes', {
      params: { path: { id } },
      body: { docNumber: '05/BB-HĐTĐ', docDate: '2025-12-18', issuer: 'Hội đồng thẩm định Chỉ số CCHC', title: 'Biên bản họp Hội đồng thẩm định Chỉ số CCHC năm 2025' },
    }),
    'council minutes',
  );

  // --- Results: 0.5 + 2 (final) + 1.85 + 0.75 + 1 = 6.10, bonus 0.5 → 6.60 of 7 = 94.29 % → Xuất sắc.
  const results = ok(await coord.GET('/api/v1/rounds/{id}/results', { params: { path: { id } } }), 'results');
  expect(results.groups.map((g) => g.rows.map((r) => [r.unitCode, r.total, r.max, r.index, r.band, r.rank, r.selfTotal, r.gap, r.openItems]))).toEqual([
    [['P1', 6.6, 7, 94.29, 'XS', 1, 6.6, 0, 0]],
  ]);

  // --- Publication: signed snapshot, first of the chain; the round is frozen.
  const publication = ok(
    await coord.POST('/api/v1/rounds/{id}/publications', { params: { path: { id } }, body: { decisionNumber: '125/QĐ-UBND', decisionDate: '2025-12-22' } }),
    'publish',
  );
  expect(publication).toMatchObject({ roundId: id, year: 2025, decisionNumber: '125/QĐ-UBND', algorithm: 'Ed25519', prevHash: '0'.repeat(64), supersedesId: null });
  expect(ok(await coord.GET('/api/v1/rounds/{id}', { params: { path: { id } } }), 'round after publication').phase).toBe('published');

  // --- Anyone verifies it without credentials.
  const listed = ok(await visitor.GET('/api/v1/public/publications', {}), 'public list');
  expect(listed.map((p) => p.id)).toEqual([publication.id]);
  const document = ok(await visitor.GET('/api/v1/public/publications/{id}', { params: { path: { id: publication.id } } }), 'public document');
  expect(document).toMatchObject({ hash: publication.hash, signature: publication.signature, keyId: publication.keyId });
  const verification = ok(await visitor.GET('/api/v1/public/publications/{id}/verify', { params: { path: { id: publication.id } } }), 'verify');
  expect(verification).toMatchObject({ valid: true, publicationId: publication.id, hash: publication.hash, computedHash: publication.hash, problems: [], previousId: null, nextId: null });
  const key = ok(await visitor.GET('/api/v1/public/signing-key', {}), 'signing key');
  expect(key.keyId).toBe(publication.keyId);

  return { roundId: id, publicationId: publication.id };
}
