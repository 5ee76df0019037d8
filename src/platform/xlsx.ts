import { strToU8, unzipSync, zipSync } from 'fflate';

/**
 * Minimal .xlsx reader and writer for question-bank import/export.
 *
 * No XML library: every XML part is walked with one linear tag tokenizer (TAG_RE) so that a hostile
 * upload cannot trigger regex backtracking blow-ups, and no DTD/entity expansion ever happens.
 */

export type Cell = string | number | boolean | null;

export interface Sheet {
  name: string;
  rows: Cell[][];
}

export interface SheetInput {
  name: string;
  rows: Cell[][];
  /** Column widths in Excel character units, from column A; non-positive or missing entries keep the default. */
  columnWidths?: number[];
  /** How many leading rows are rendered bold. */
  headerRows?: number;
  /** Further rows (0-based) rendered bold: section titles inside a sheet. */
  boldRows?: number[];
  /** Merged ranges in A1 notation ('A1:G1'): a table's title across its columns. */
  merges?: string[];
}

export class XlsxError extends Error {
  override name = 'XlsxError';
}

/** Limit on the declared uncompressed size of the XML parts we inflate (zip-bomb guard). */
export const MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024;
const MAX_ROWS = 1_048_576;
const MAX_COLS = 16_384;
const MAX_CELL_CHARS = 32_767;

const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

// ---------------------------------------------------------------------------------------------
// Reading

/**
 * The sheets of an .xlsx workbook, in order; each row as cells from column A (empty cells null,
 * trailing nulls trimmed; empty rows kept as [] so row numbers match Excel's: rows[0] is Excel
 * row 1). Trailing empty rows are dropped (WPS/Excel often write formatted but empty rows), and an
 * empty string cell reads as null. Dates stay serial numbers.
 */
export function readXlsx(data: Uint8Array): Sheet[] {
  const parts = openZip(data);
  const rootRels = parseRels(parts.text('_rels/.rels') ?? '', '');
  let workbookPath =
    rootRels.find((r) => r.type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml';
  let workbookXml = parts.text(workbookPath);
  if (workbookXml === undefined) {
    workbookPath = 'xl/workbook.xml';
    workbookXml = parts.text(workbookPath);
  }
  if (workbookXml === undefined) {
    throw new XlsxError(
      '文件不是 Excel 工作簿（缺少 xl/workbook.xml）/ Not an .xlsx workbook: xl/workbook.xml is missing',
    );
  }
  const slash = workbookPath.lastIndexOf('/');
  const dir = workbookPath.slice(0, slash + 1);
  const rels = parseRels(
    parts.text(`${dir}_rels/${workbookPath.slice(slash + 1)}.rels`) ?? '',
    dir,
  );
  const sstPath =
    rels.find((r) => r.type.endsWith('/sharedStrings'))?.target ?? `${dir}sharedStrings.xml`;
  const sstXml = parts.text(sstPath);
  const shared = sstXml === undefined ? [] : parseSharedStrings(sstXml);

  return parseWorkbookSheets(workbookXml).map(({ name, rid }) => {
    const target = rels.find((r) => r.id === rid)?.target;
    const xml = target === undefined ? undefined : parts.text(target);
    if (xml === undefined) {
      throw new XlsxError(
        `工作簿缺少工作表“${name}” / Sheet "${name}" is missing from the workbook`,
      );
    }
    return { name, rows: parseSheetRows(xml, shared) };
  });
}

interface Parts {
  text(path: string): string | undefined;
}

function openZip(data: Uint8Array): Parts {
  // Encrypted .xlsx files and legacy .xls are OLE compound documents, not zips; say so plainly.
  if (data[0] === 0xd0 && data[1] === 0xcf && data[2] === 0x11 && data[3] === 0xe0) {
    throw new XlsxError(
      '文件是旧版 .xls 或已加密的工作簿，请在 Excel/WPS 中另存为 .xlsx（不设密码）/ ' +
        'This is a legacy .xls or password-protected workbook; save it as an unprotected .xlsx',
    );
  }
  let total = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(data, {
      filter: (file) => {
        // Images and other media are never needed, so they are neither inflated nor counted.
        if (!/\.(xml|rels)$/i.test(file.name)) return false;
        // fflate inflates into a buffer of exactly the declared size, so the declared sizes bound
        // the memory actually used even if the archive lies about them.
        total += file.originalSize;
        if (total > MAX_UNCOMPRESSED_BYTES) {
          throw new XlsxError(
            '文件解压后超过 50 MB，拒绝处理 / The workbook expands to more than 50 MB uncompressed; refusing to read it',
          );
        }
        return true;
      },
    });
  } catch (e) {
    if (e instanceof XlsxError) throw e;
    throw new XlsxError(
      '文件不是有效的 .xlsx（无法作为 zip 解压）/ Not a valid .xlsx file: it is not a readable zip archive',
      { cause: e },
    );
  }
  const exact = new Map<string, Uint8Array>();
  const folded = new Map<string, Uint8Array>();
  for (const [name, bytes] of Object.entries(files)) {
    const clean = name.replace(/\\/g, '/').replace(/^\/+/, '');
    exact.set(clean, bytes);
    folded.set(clean.toLowerCase(), bytes);
  }
  return {
    text(path) {
      // Part names are case-insensitive in OPC, and some writers percent-encode non-ASCII targets.
      let bytes = exact.get(path) ?? folded.get(path.toLowerCase());
      if (bytes === undefined && path.includes('%')) {
        try {
          bytes = folded.get(decodeURIComponent(path).toLowerCase());
        } catch {
          // Not valid percent-encoding: the literal lookup above was the only candidate.
        }
      }
      return bytes === undefined ? undefined : decodeBytes(bytes);
    },
  };
}

function decodeBytes(bytes: Uint8Array): string {
  const encoding =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? 'utf-16le'
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? 'utf-16be'
        : 'utf-8';
  return new TextDecoder(encoding).decode(bytes).replace(/<!--[\s\S]*?-->/g, '');
}

/**
 * One tag per match: [1] "/" for an end tag, [2] local name (prefix dropped, since some writers use
 * `x:` prefixes), [3] attributes, [4] "/" for a self-closing tag. `[^<>]` stops every attempt at the
 * next angle bracket, which keeps the whole scan linear even on malformed input.
 */
const TAG_RE = /<(\/?)(?:[\w.-]+:)?([\w.-]+)(\s[^<>]*?)?(\/?)>/g;
const ATTR_RE = /\s([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function attributes(raw: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (raw) {
    for (const m of raw.matchAll(ATTR_RE)) out.set(m[1], unescapeXml(m[2] ?? m[3]));
  }
  return out;
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function unescapeXml(s: string): string {
  if (!s.includes('&') && !s.includes('<')) return s;
  return s.replace(
    /<!\[CDATA\[([\s\S]*?)\]\]>|&(?:#[xX]([0-9a-fA-F]{1,6})|#(\d{1,7})|(amp|lt|gt|quot|apos));/g,
    (whole, cdata: string | undefined, hex, dec, name: string | undefined) => {
      if (cdata !== undefined) return cdata;
      if (name !== undefined) return NAMED_ENTITIES[name];
      const code = hex !== undefined ? Number.parseInt(hex, 16) : Number(dec);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    },
  );
}

/** Text content of a string cell: XML line-end normalisation, entities, then Excel's `_xHHHH_` escapes. */
function decodeText(raw: string): string {
  return unescapeXml(raw.replace(/\r\n?/g, '\n')).replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

interface Rel {
  id: string;
  type: string;
  target: string;
}

function parseRels(xml: string, baseDir: string): Rel[] {
  const rels: Rel[] = [];
  for (const m of xml.matchAll(TAG_RE)) {
    if (m[1] || m[2] !== 'Relationship') continue;
    const a = attributes(m[3]);
    const target = a.get('Target');
    if (target === undefined || a.get('TargetMode') === 'External') continue;
    rels.push({
      id: a.get('Id') ?? '',
      type: a.get('Type') ?? '',
      target: resolvePart(baseDir, target),
    });
  }
  return rels;
}

/** Targets are relative to the rels owner's folder unless they start with "/" (package root). */
function resolvePart(baseDir: string, target: string): string {
  const t = target.replace(/\\/g, '/');
  const segments = t.startsWith('/') ? [] : baseDir.split('/').filter(Boolean);
  for (const seg of t.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  return segments.join('/');
}

function parseWorkbookSheets(xml: string): { name: string; rid: string }[] {
  const sheets: { name: string; rid: string }[] = [];
  for (const m of xml.matchAll(TAG_RE)) {
    if (m[1] || m[2] !== 'sheet') continue;
    const a = attributes(m[3]);
    // The relationship attribute's prefix is whatever the writer bound the namespace to.
    let rid = '';
    for (const [key, value] of a) if (/(^|:)id$/.test(key)) rid = value;
    sheets.push({ name: a.get('name') ?? '', rid });
  }
  return sheets;
}

/**
 * Collects the visible text of a rich string (`<si>` or `<is>`): all `<t>` runs except those in
 * `<rPh>` phonetic hints, which Excel does not display.
 */
class RichText {
  text: string | null = null;
  private phonetic = 0;
  private start = -1;

  begin(): void {
    this.text = '';
    this.phonetic = 0;
    this.start = -1;
  }

  /** Feeds one tag met inside the string item; tags other than runs and phonetics are ignored. */
  feed(xml: string, m: RegExpMatchArray): void {
    const [whole, end, name, , selfClosing] = m;
    if (name === 'rPh') {
      if (!selfClosing) this.phonetic += end ? -1 : 1;
    } else if (name === 't') {
      if (end) {
        if (this.start >= 0 && this.phonetic === 0) {
          this.text = (this.text ?? '') + decodeText(xml.slice(this.start, m.index));
        }
        this.start = -1;
      } else if (!selfClosing) {
        this.start = m.index! + whole.length;
      }
    }
  }
}

function parseSharedStrings(xml: string): string[] {
  const out: string[] = [];
  const item = new RichText();
  let inItem = false;
  for (const m of xml.matchAll(TAG_RE)) {
    if (m[2] === 'si') {
      if (m[4]) out.push('');
      else if (m[1]) {
        out.push(item.text ?? '');
        inItem = false;
      } else {
        item.begin();
        inItem = true;
      }
    } else if (inItem) {
      item.feed(xml, m);
    }
  }
  return out;
}

function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

function parseSheetRows(xml: string, shared: string[]): Cell[][] {
  const rows: Cell[][] = [];
  let row: Cell[] | null = null;
  let nextRow = 0;
  let nextCol = 0;
  // Open cell state.
  let inCell = false;
  let col = 0;
  let type: string | undefined;
  let value: string | null = null;
  let valueStart = -1;
  const inline = new RichText();

  for (const m of xml.matchAll(TAG_RE)) {
    const [whole, end, name, rawAttrs, selfClosing] = m;
    if (name === 'row') {
      if (end) {
        row = null;
        continue;
      }
      const r = Number(attributes(rawAttrs).get('r'));
      const index = Number.isInteger(r) && r >= 1 ? r - 1 : nextRow;
      if (index >= MAX_ROWS) {
        throw new XlsxError(
          `工作表行号超出 Excel 上限 / Row ${index + 1} exceeds Excel's row limit`,
        );
      }
      nextRow = index + 1;
      nextCol = 0;
      while (rows.length <= index) rows.push([]);
      row = selfClosing ? null : rows[index];
    } else if (name === 'c') {
      if (row === null) continue;
      if (end) {
        if (inCell) place(row, col, cellValue(type, value, inline.text, shared));
        inCell = false;
        continue;
      }
      const a = attributes(rawAttrs);
      const ref = /^\$?([A-Za-z]{1,3})\$?\d*$/.exec(a.get('r') ?? '');
      col = ref ? columnIndex(ref[1]) : nextCol;
      if (col >= MAX_COLS) {
        throw new XlsxError(
          `单元格列号超出 Excel 上限 / Cell column ${col + 1} exceeds Excel's limit`,
        );
      }
      nextCol = col + 1;
      type = a.get('t');
      value = null;
      valueStart = -1;
      inline.text = null;
      inCell = !selfClosing;
    } else if (inCell && name === 'v') {
      if (end) {
        if (valueStart >= 0) value = xml.slice(valueStart, m.index);
        valueStart = -1;
      } else if (!selfClosing) {
        valueStart = m.index! + whole.length;
      }
    } else if (inCell && name === 'is') {
      if (!end && !selfClosing) inline.begin();
    } else if (inCell && inline.text !== null) {
      inline.feed(xml, m);
    }
  }
  while (rows.length > 0 && rows[rows.length - 1].length === 0) rows.pop();
  return rows;
}

function place(row: Cell[], col: number, value: Cell): void {
  if (value === null) return;
  while (row.length < col) row.push(null);
  row[col] = value;
}

function cellValue(
  type: string | undefined,
  raw: string | null,
  inline: string | null,
  shared: string[],
): Cell {
  switch (type) {
    case 's': {
      if (raw === null || raw.trim() === '') return null;
      const index = Number(raw);
      const s = Number.isInteger(index) ? shared[index] : undefined;
      if (s === undefined) {
        throw new XlsxError(
          `共享字符串索引无效：${raw} / Invalid shared string index ${raw}; the file is corrupt`,
        );
      }
      return s || null;
    }
    case 'b':
      if (raw === null || raw.trim() === '') return null;
      return raw.trim() === '1' || raw.trim().toLowerCase() === 'true';
    case 'inlineStr':
      return inline || (raw === null ? null : decodeText(raw) || null);
    case 'str':
    case 'e':
    case 'd':
      return raw === null ? null : decodeText(raw) || null;
    default: {
      if (inline !== null) return inline || null;
      if (raw === null || raw.trim() === '') return null;
      const n = Number(raw);
      return Number.isFinite(n) ? n : decodeText(raw);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * A valid .xlsx workbook (opens in Excel/WPS/LibreOffice) with the given sheets. Strings go to the
 * shared-string table, numbers and booleans keep their type, null/'' leave the cell empty. Sheet
 * names are made legal (forbidden characters become "_", max 31 characters, duplicates numbered)
 * rather than rejected, since they usually come from user-named banks. Characters illegal in XML 1.0
 * are dropped.
 */
export function writeXlsx(sheets: SheetInput[]): Uint8Array {
  if (sheets.length === 0) {
    throw new XlsxError('工作簿至少需要一个工作表 / A workbook needs at least one sheet');
  }
  const strings = new SharedStrings();
  const usedNames = new Set<string>();
  const names = sheets.map((s, i) => legalSheetName(s.name, i, usedNames));
  const files: Record<string, Uint8Array> = {};

  // [Content_Types].xml first: a few strict readers sniff it at the start of the archive.
  const overrides = sheets.map(
    (_, i) =>
      `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
  );
  files['[Content_Types].xml'] = strToU8(
    `${XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      overrides.join('') +
      '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
      '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' +
      '</Types>',
  );
  files['_rels/.rels'] = strToU8(
    `${XML_DECL}<Relationships xmlns="${NS_PKG_REL}">` +
      `<Relationship Id="rId1" Type="${NS_REL}/officeDocument" Target="xl/workbook.xml"/>` +
      '</Relationships>',
  );
  files['xl/workbook.xml'] = strToU8(
    `${XML_DECL}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
      '<bookViews><workbookView/></bookViews><sheets>' +
      names
        .map(
          (n, i) => `<sheet name="${escapeXml(n, true)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`,
        )
        .join('') +
      '</sheets></workbook>',
  );
  const n = sheets.length;
  files['xl/_rels/workbook.xml.rels'] = strToU8(
    `${XML_DECL}<Relationships xmlns="${NS_PKG_REL}">` +
      sheets
        .map(
          (_, i) =>
            `<Relationship Id="rId${i + 1}" Type="${NS_REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
        )
        .join('') +
      `<Relationship Id="rId${n + 1}" Type="${NS_REL}/styles" Target="styles.xml"/>` +
      `<Relationship Id="rId${n + 2}" Type="${NS_REL}/sharedStrings" Target="sharedStrings.xml"/>` +
      '</Relationships>',
  );
  files['xl/styles.xml'] = strToU8(STYLES_XML);
  sheets.forEach((sheet, i) => {
    files[`xl/worksheets/sheet${i + 1}.xml`] = strToU8(worksheetXml(sheet, names[i], strings));
  });
  files['xl/sharedStrings.xml'] = strToU8(strings.xml());
  return zipSync(files, { level: 6 });
}

// Excel refuses a styles part without the two built-in fills, so they are spelled out.
const STYLES_XML =
  `${XML_DECL}<styleSheet xmlns="${NS_MAIN}">` +
  '<fonts count="2">' +
  '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '</fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="2">' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
  '</cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

const BOLD_STYLE = 1;

class SharedStrings {
  private readonly index = new Map<string, number>();
  private readonly list: string[] = [];
  private refs = 0;

  add(s: string): number {
    this.refs++;
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.index.set(s, i);
      this.list.push(s);
    }
    return i;
  }

  xml(): string {
    const items = this.list.map((s) => {
      // Without xml:space="preserve" Excel trims leading/trailing blanks on load.
      const space = /^\s|\s$/.test(s) ? ' xml:space="preserve"' : '';
      return `<si><t${space}>${escapeXml(escapeExcel(s), false)}</t></si>`;
    });
    return (
      `${XML_DECL}<sst xmlns="${NS_MAIN}" count="${this.refs}" uniqueCount="${this.list.length}">` +
      items.join('') +
      '</sst>'
    );
  }
}

function worksheetXml(sheet: SheetInput, name: string, strings: SharedStrings): string {
  const { rows } = sheet;
  if (rows.length > MAX_ROWS) {
    throw new XlsxError(
      `工作表“${name}”超过 ${MAX_ROWS} 行 / Sheet "${name}" has more than ${MAX_ROWS} rows`,
    );
  }
  const headerRows = Math.max(0, Math.floor(sheet.headerRows ?? 0));
  const out: string[] = [`${XML_DECL}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">`];

  const cols: string[] = [];
  const widths = sheet.columnWidths ?? [];
  for (let c = 0; c < Math.min(widths.length, MAX_COLS); c++) {
    const w = widths[c];
    if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0) continue;
    cols.push(`<col min="${c + 1}" max="${c + 1}" width="${Math.min(w, 255)}" customWidth="1"/>`);
  }
  // An empty <cols/> is schema-invalid, so the element only appears with at least one column.
  if (cols.length > 0) out.push(`<cols>${cols.join('')}</cols>`);

  out.push('<sheetData>');
  rows.forEach((cells, r) => {
    if (cells.length > MAX_COLS) {
      throw new XlsxError(
        `工作表“${name}”第 ${r + 1} 行超过 ${MAX_COLS} 列 / Row ${r + 1} of sheet "${name}" has more than ${MAX_COLS} columns`,
      );
    }
    const style = r < headerRows || sheet.boldRows?.includes(r) ? ` s="${BOLD_STYLE}"` : '';
    const xmlCells: string[] = [];
    cells.forEach((value, c) => {
      const ref = `${columnName(c)}${r + 1}`;
      if (value === null || value === undefined) return;
      if (typeof value === 'string') {
        const text = stripIllegalXml(value);
        if (text === '') return;
        if (text.length > MAX_CELL_CHARS) {
          throw new XlsxError(
            `单元格 ${name}!${ref} 超过 ${MAX_CELL_CHARS} 个字符 / Cell ${name}!${ref} exceeds Excel's ${MAX_CELL_CHARS}-character limit`,
          );
        }
        xmlCells.push(`<c r="${ref}" t="s"${style}><v>${strings.add(text)}</v></c>`);
      } else if (typeof value === 'number') {
        if (!Number.isFinite(value)) {
          throw new XlsxError(
            `单元格 ${name}!${ref} 不是有限数字 / Cell ${name}!${ref} is ${value}, which Excel cannot store`,
          );
        }
        xmlCells.push(`<c r="${ref}"${style}><v>${String(value)}</v></c>`);
      } else if (typeof value === 'boolean') {
        xmlCells.push(`<c r="${ref}" t="b"${style}><v>${value ? 1 : 0}</v></c>`);
      } else {
        throw new XlsxError(
          `单元格 ${name}!${ref} 的类型不受支持 / Cell ${name}!${ref} has unsupported type ${typeof value}`,
        );
      }
    });
    if (xmlCells.length > 0) out.push(`<row r="${r + 1}">${xmlCells.join('')}</row>`);
  });
  out.push('</sheetData>');
  const merges = (sheet.merges ?? []).filter((m) => /^[A-Z]{1,3}\d+:[A-Z]{1,3}\d+$/.test(m));
  if (merges.length > 0)
    out.push(
      `<mergeCells count="${merges.length}">${merges.map((m) => `<mergeCell ref="${m}"/>`).join('')}</mergeCells>`,
    );
  out.push('</worksheet>');
  return out.join('');
}

function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

function legalSheetName(raw: string, index: number, used: Set<string>): string {
  let name = stripIllegalXml(String(raw ?? ''))
    .replace(/[[\]:*?/\\\t\r\n]/g, '_')
    // Excel rejects names that begin or end with an apostrophe.
    .replace(/^'+|'+$/g, '');
  if (name.trim() === '') name = `Sheet${index + 1}`;
  // "History" is reserved by Excel for change tracking.
  if (name.toLowerCase() === 'history') name = `${name}_`;
  name = truncate(name, 31);
  let candidate = name;
  for (let k = 2; used.has(candidate.toUpperCase()); k++) {
    const suffix = ` (${k})`;
    candidate = truncate(name, 31 - suffix.length) + suffix;
  }
  used.add(candidate.toUpperCase());
  return candidate;
}

/** Cuts to `max` UTF-16 units without leaving half a surrogate pair. */
function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** Removes characters XML 1.0 cannot carry at all, even as character references. */
function stripIllegalXml(s: string): string {
  return s.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching exactly these control characters is the point
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '',
  );
}

/** Excel reads `_xHHHH_` as an escaped character, so a literal one must have its "_" escaped. */
function escapeExcel(s: string): string {
  return s.replace(/_(x[0-9A-Fa-f]{4}_)/g, '_x005F_$1');
}

function escapeXml(s: string, attribute: boolean): string {
  let out = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  // XML parsers turn a raw CR into LF, so it travels as a character reference.
  out = out.replace(/\r/g, '&#13;');
  if (attribute) out = out.replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
  return out;
}
