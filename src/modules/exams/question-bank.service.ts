import { sql } from 'kysely';
import { examinableItem } from '../../catalog/operations.js';
import { recordAudit } from '../../platform/audit/audit.js';
import type { Actor } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, type ErrorDetail } from '../../platform/errors.js';
import { type Cell, readXlsx, writeXlsx, XlsxError } from '../../platform/xlsx.js';
import { requireAuthority } from './exams.access.js';
import type { QuestionCreate } from './exams.contract.js';
import { judgeOptions, questionProblem } from './exams.rules.js';
import type { QuestionKind } from './exams.table.js';

/**
 * The question bank of an exam authority (统一题库: each authority keeps the bank it examines from),
 * one question per (item, stem). Excel in and out with one layout, the template the UI offers.
 */

const LETTERS = 'ABCDEFGH';
const MAX_ROWS = 20_000;
export const bankColumns = [
  '作业类别代码',
  '题型',
  '题干',
  '选项A',
  '选项B',
  '选项C',
  '选项D',
  '选项E',
  '选项F',
  '选项G',
  '选项H',
  '答案',
  '知识点',
  '难度',
] as const;
const kindLabels: Record<QuestionKind, string> = {
  single: '单选',
  multiple: '多选',
  judge: '判断',
};
const kindByLabel: Record<string, QuestionKind> = {
  单选: 'single',
  单选题: 'single',
  多选: 'multiple',
  多选题: 'multiple',
  判断: 'judge',
  判断题: 'judge',
  single: 'single',
  multiple: 'multiple',
  judge: 'judge',
};
const judgeTrue = ['正确', '对', '√', 'A', 'TRUE', 'T', 'Y'];
const judgeFalse = ['错误', '错', '×', 'B', 'FALSE', 'F', 'N'];

function problems(q: QuestionCreate, at: (field: string) => string): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  if (!examinableItem(q.itemCode))
    out.push({ path: at('itemCode'), message: `${q.itemCode} 不是有效的作业类别或合格证类别代码` });
  const p = questionProblem(q);
  if (p) out.push({ path: at(p.path), message: p.message });
  return out;
}

async function upsert(
  trx: Executor,
  authorityId: string,
  regionCode: string,
  qs: QuestionCreate[],
) {
  let created = 0;
  let updated = 0;
  for (let i = 0; i < qs.length; i += 500) {
    const rows = await trx
      .insertInto('question')
      .values(
        qs.slice(i, i + 500).map((q) => ({
          authorityId,
          regionCode,
          itemCode: q.itemCode,
          kind: q.kind,
          stem: q.stem,
          options: q.options,
          answer: q.answer,
          knowledgePoint: q.knowledgePoint,
          difficulty: q.difficulty,
        })),
      )
      .onConflict((oc) =>
        oc.constraint('question_stem_unique').doUpdateSet((eb) => ({
          kind: eb.ref('excluded.kind'),
          options: eb.ref('excluded.options'),
          answer: eb.ref('excluded.answer'),
          knowledgePoint: eb.ref('excluded.knowledgePoint'),
          difficulty: eb.ref('excluded.difficulty'),
          status: 'active',
          updatedAt: sql`now()`,
        })),
      )
      // xmax = 0 only for a freshly inserted row: tells inserts from updates in one statement.
      .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
      .execute();
    for (const r of rows) r.inserted ? created++ : updated++;
  }
  return { created, updated };
}

export async function createQuestion(
  db: Executor,
  actor: Actor,
  q: QuestionCreate,
  requestId?: string,
) {
  const authorityId = requireAuthority(actor, '只有考试机构可以维护题库');
  const normalized = q.kind === 'judge' ? { ...q, options: [...judgeOptions] } : q;
  const found = problems(normalized, (f) => `body.${f}`);
  if (found.length)
    throw new DomainError('validation_failed', found.map((f) => f.message).join('；'), found);
  return transaction(db, async (trx) => {
    await upsert(trx, authorityId, actor.regionCode ?? '', [normalized]);
    const row = await trx
      .selectFrom('question')
      .selectAll()
      .where('authorityId', '=', authorityId)
      .where('itemCode', '=', q.itemCode)
      .where('stem', '=', q.stem)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'exam.question.save',
      entityType: 'question',
      entityId: row.id,
      regionCode: row.regionCode,
      after: row,
      requestId,
    });
    return row;
  });
}

export async function listQuestions(
  db: Executor,
  actor: Actor,
  f: { itemCode?: string; kind?: QuestionKind; knowledgePoint?: string; q?: string },
  page: { page: number; pageSize: number },
) {
  const authorityId = requireAuthority(actor, '只有考试机构可以维护题库');
  let q = db
    .selectFrom('question')
    .where('authorityId', '=', authorityId)
    .where('status', '=', 'active');
  if (f.itemCode) q = q.where('itemCode', '=', f.itemCode);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.knowledgePoint) q = q.where('knowledgePoint', '=', f.knowledgePoint);
  if (f.q) q = q.where('stem', 'like', `%${f.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
  const total = (await q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
  const items = await q
    .selectAll()
    .orderBy('itemCode')
    .orderBy('kind')
    .orderBy('createdAt')
    .limit(page.pageSize)
    .offset((page.page - 1) * page.pageSize)
    .execute();
  const knowledgePoints = await db
    .selectFrom('question')
    .select(['itemCode', 'knowledgePoint', 'kind', sql<number>`count(*)::int`.as('n')])
    .where('authorityId', '=', authorityId)
    .where('status', '=', 'active')
    .groupBy(['itemCode', 'knowledgePoint', 'kind'])
    .orderBy('itemCode')
    .orderBy('knowledgePoint')
    .execute();
  return { items, total, page: page.page, pageSize: page.pageSize, knowledgePoints };
}

// ——— Excel ———

const text = (c: Cell | undefined) => (c === null || c === undefined ? '' : String(c).trim());

/** One spreadsheet row → a question, or the problems with it named by Excel row and column. */
function parseRow(
  row: Cell[],
  excelRow: number,
): { question?: QuestionCreate; errors: ErrorDetail[] } {
  const at = (col: string) => `第${excelRow}行「${col}」`;
  const errors: ErrorDetail[] = [];
  const err = (col: string, message: string) =>
    errors.push({
      path: `row ${excelRow}, ${col}`,
      message: `${at(col)}：${message}`,
      row: excelRow,
      column: col,
    });
  const itemCode = text(row[0]);
  const kind = kindByLabel[text(row[1])];
  const stem = text(row[2]);
  const options = row.slice(3, 11).map(text);
  const answerText = text(row[11])
    .toUpperCase()
    .replace(/[\s,，、;；]/g, '');
  const knowledgePoint = text(row[12]);
  const difficultyText = text(row[13]);
  if (!itemCode) err('作业类别代码', '不能为空');
  if (!kind) err('题型', `应为 单选/多选/判断，而不是「${text(row[1])}」`);
  if (!stem) err('题干', '不能为空');
  else if (stem.length > 2000) err('题干', '超过 2000 字');
  if (!knowledgePoint) err('知识点', '不能为空');
  const difficulty = difficultyText === '' ? 3 : Number(difficultyText);
  if (!Number.isInteger(difficulty) || difficulty < 1 || difficulty > 5)
    err('难度', '应为 1–5 的整数');
  if (!kind) return { errors };
  let opts: string[];
  let answer: number[];
  if (kind === 'judge') {
    opts = [...judgeOptions];
    answer = judgeTrue.includes(answerText) ? [0] : judgeFalse.includes(answerText) ? [1] : [];
    if (answer.length === 0) err('答案', '判断题答案应为"正确"或"错误"');
  } else {
    const lastFilled = options.reduce((n, o, i) => (o ? i : n), -1);
    opts = options.slice(0, lastFilled + 1);
    const gap = opts.findIndex((o) => !o);
    if (gap >= 0) err(`选项${LETTERS[gap]}`, '选项之间不能有空选项');
    if (!/^[A-H]+$/.test(answerText))
      err('答案', `应为选项字母（如 A 或 ABD），而不是「${text(row[11])}」`);
    answer = [...new Set([...answerText].map((ch) => LETTERS.indexOf(ch)))]
      .filter((i) => i >= 0)
      .sort((a, b) => a - b);
  }
  const question: QuestionCreate = {
    itemCode,
    kind,
    stem,
    options: opts,
    answer,
    knowledgePoint,
    difficulty,
  };
  if (errors.length === 0) {
    for (const p of problems(question, (f) => f)) {
      const col = p.path === 'itemCode' ? '作业类别代码' : p.path === 'answer' ? '答案' : '选项A';
      err(col, p.message);
    }
  }
  return errors.length ? { errors } : { question, errors };
}

/**
 * Imports an .xlsx of questions (the template's layout): every row is validated first, and if any row
 * is wrong nothing is written and every problem is listed by row and column. Otherwise one
 * transaction inserts new questions and updates those whose stem already exists for the item.
 */
export async function importQuestions(
  db: Executor,
  actor: Actor,
  fileBase64: string,
  requestId?: string,
) {
  const authorityId = requireAuthority(actor, '只有考试机构可以维护题库');
  let sheets: ReturnType<typeof readXlsx>;
  try {
    sheets = readXlsx(Buffer.from(fileBase64, 'base64'));
  } catch (e) {
    if (e instanceof XlsxError)
      throw new DomainError('validation_failed', e.message, [
        { path: 'body.file', message: e.message },
      ]);
    throw e;
  }
  const sheet = sheets[0];
  const header = (sheet?.rows[0] ?? []).map(text);
  if (!sheet || bankColumns.slice(0, 3).some((c, i) => header[i] !== c)) {
    throw new DomainError(
      'validation_failed',
      `第一个工作表的表头应为：${bankColumns.join(' | ')}（请使用下载的模板）`,
      [{ path: 'body.file', message: 'not the template layout' }],
    );
  }
  const body = sheet.rows.slice(1);
  if (body.length > MAX_ROWS)
    throw new DomainError('validation_failed', `一次最多导入 ${MAX_ROWS} 题`, [
      { path: 'body.file', message: 'too many rows' },
    ]);
  const errors: ErrorDetail[] = [];
  const questions: QuestionCreate[] = [];
  const seen = new Map<string, number>();
  body.forEach((row, i) => {
    if (row.every((c) => text(c) === '')) return;
    const excelRow = i + 2;
    const parsed = parseRow(row, excelRow);
    errors.push(...parsed.errors);
    if (!parsed.question) return;
    const key = `${parsed.question.itemCode}\u0000${parsed.question.stem}`;
    const first = seen.get(key);
    if (first)
      errors.push({
        path: `row ${excelRow}, 题干`,
        message: `第${excelRow}行「题干」：与第${first}行重复`,
        row: excelRow,
        column: '题干',
      });
    else seen.set(key, excelRow);
    questions.push(parsed.question);
  });
  if (errors.length)
    throw new DomainError(
      'validation_failed',
      `导入失败：${errors.length} 处错误，未导入任何题目`,
      errors.slice(0, 200),
    );
  if (questions.length === 0)
    throw new DomainError('validation_failed', '文件中没有题目', [
      { path: 'body.file', message: 'empty' },
    ]);
  return transaction(db, async (trx) => {
    const counts = await upsert(trx, authorityId, actor.regionCode ?? '', questions);
    await recordAudit(trx, {
      actor,
      action: 'exam.question.import',
      entityType: 'question',
      regionCode: actor.regionCode,
      after: { ...counts, items: [...new Set(questions.map((q) => q.itemCode))] },
      summary: `${questions.length} questions`,
      requestId,
    });
    return { ...counts, total: questions.length };
  });
}

function questionRow(q: {
  itemCode: string;
  kind: QuestionKind;
  stem: string;
  options: string[];
  answer: number[];
  knowledgePoint: string;
  difficulty: number;
}): Cell[] {
  const options = q.kind === 'judge' ? [] : q.options;
  const answer =
    q.kind === 'judge'
      ? q.answer[0] === 0
        ? '正确'
        : '错误'
      : q.answer.map((i) => LETTERS[i]).join('');
  return [
    q.itemCode,
    kindLabels[q.kind],
    q.stem,
    ...Array.from({ length: 8 }, (_, i) => options[i] ?? null),
    answer,
    q.knowledgePoint,
    q.difficulty,
  ];
}

const instructions: Cell[][] = [
  ['填写说明'],
  ['作业类别代码：特种作业操作项目代码（如 1.2 低压电工作业）或合格证类别代码'],
  ['题型：单选 / 多选 / 判断'],
  ['选项：选择题从选项A起连续填写 2–8 个选项；判断题不填选项'],
  [
    '答案：选择题填字母（单选如 B，多选如 ACD；多选题至少两个正确答案且至少一个错误选项）；判断题填 正确 或 错误',
  ],
  ['知识点：组卷按知识点抽题；难度：1（易）–5（难），空白按 3'],
  ['同一作业类别下题干相同的题目视为同一题：再次导入会更新其选项、答案、知识点和难度'],
  ['任何一行有错误时整个文件都不会导入，错误按行号和列名列出'],
];
const widths = [12, 8, 50, 20, 20, 20, 20, 12, 12, 12, 12, 8, 16, 6];

export function questionTemplate(): Uint8Array {
  const examples: Cell[][] = [
    questionRow({
      itemCode: '1.2',
      kind: 'single',
      stem: '低压电气设备停电检修时，为防止误送电，应在断开的开关操作手柄上悬挂（ ）标示牌。',
      options: ['止步，高压危险', '禁止合闸，有人工作', '在此工作', '从此上下'],
      answer: [1],
      knowledgePoint: '安全标示',
      difficulty: 2,
    }),
    questionRow({
      itemCode: '1.2',
      kind: 'multiple',
      stem: '下列属于基本安全用具的有（ ）。',
      options: ['绝缘手套（低压）', '绝缘杆', '安全带', '验电器'],
      answer: [0, 1, 3],
      knowledgePoint: '安全用具',
      difficulty: 3,
    }),
    questionRow({
      itemCode: '1.2',
      kind: 'judge',
      stem: '使用万用表测量电阻时，可以带电测量。',
      options: [],
      answer: [1],
      knowledgePoint: '电工仪表',
      difficulty: 1,
    }),
  ];
  return writeXlsx([
    { name: '题库', rows: [[...bankColumns], ...examples], headerRows: 1, columnWidths: widths },
    { name: '说明', rows: instructions, headerRows: 1, columnWidths: [100] },
  ]);
}

export async function exportQuestions(
  db: Executor,
  actor: Actor,
  itemCode?: string,
): Promise<Uint8Array> {
  const authorityId = requireAuthority(actor, '只有考试机构可以维护题库');
  let q = db
    .selectFrom('question')
    .selectAll()
    .where('authorityId', '=', authorityId)
    .where('status', '=', 'active');
  if (itemCode) q = q.where('itemCode', '=', itemCode);
  const rows = await q
    .orderBy('itemCode')
    .orderBy('kind')
    .orderBy('knowledgePoint')
    .orderBy('createdAt')
    .execute();
  return writeXlsx([
    {
      name: '题库',
      rows: [[...bankColumns], ...rows.map(questionRow)],
      headerRows: 1,
      columnWidths: widths,
    },
    { name: '说明', rows: instructions, headerRows: 1, columnWidths: [100] },
  ]);
}

/**
 * The active questions of an authority's bank for one item (逢查必考 draws short papers from it), and
 * the items its bank covers with their counts.
 */
export function questionPool(db: Executor, authorityId: string, itemCode: string) {
  return db
    .selectFrom('question')
    .select(['id', 'kind', 'stem', 'options', 'answer', 'knowledgePoint'])
    .where('authorityId', '=', authorityId)
    .where('itemCode', '=', itemCode)
    .where('status', '=', 'active')
    .orderBy('id')
    .execute();
}

export function bankItems(db: Executor, authorityId: string) {
  return db
    .selectFrom('question')
    .select(['itemCode', (eb) => eb.fn.countAll<number>().as('questions')])
    .where('authorityId', '=', authorityId)
    .where('status', '=', 'active')
    .groupBy('itemCode')
    .orderBy('itemCode')
    .execute();
}
