import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readXlsx, writeXlsx, XlsxError } from './xlsx.js';

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

function zip(parts: Record<string, string>): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, xml] of Object.entries(parts)) files[name] = strToU8(xml);
  return zipSync(files);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/** Parts shaped like what Excel/WPS emit, with the awkward cases a reader must survive. */
function handBuiltParts(): Record<string, string> {
  return {
    '[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`,
    '_rels/.rels': `<?xml version="1.0"?><Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="${MAIN}" xmlns:r="${REL}"><bookViews><workbookView activeTab="0"/></bookViews>
<sheets>
  <sheet name="题库" sheetId="7" r:id="rId2"/>
  <sheet name="Notes &amp; 说明" sheetId="3" r:id="rId1"/>
</sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0"?><Relationships xmlns="${PKG_REL}">
<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="${REL}/worksheet" Target="/xl/worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="${REL}/sharedStrings" Target="/xl/sharedStrings.xml"/>
<Relationship Id="rId9" Type="${REL}/hyperlink" Target="https://example.com/" TargetMode="External"/>
</Relationships>`,
    'xl/sharedStrings.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="${MAIN}" count="6" uniqueCount="6">
<si><t>单选题</t></si>
<si><r><rPr><b/><sz val="11"/><rFont val="宋体"/></rPr><t>下列</t></r><r><rPr><i/></rPr><t xml:space="preserve"> 哪项 </t></r><r><t>正确？</t></r></si>
<si><t>A &amp; B &lt;C&gt; &quot;q&quot; &apos;s&apos; &#x4E2D;&#25991;&#x1F600;</t></si>
<si><t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh><phoneticPr fontId="1"/></si>
<si><t>第一行_x000D_
第二行</t></si>
<si><t/></si>
</sst>`,
    'xl/worksheets/sheet2.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="${MAIN}" xmlns:r="${REL}"><dimension ref="A1:AA8"/><cols><col min="1" max="1" width="20"/></cols>
<sheetData>
<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s" s="1"><v>1</v></c></row>
<row r="3" spans="2:4"><c r="B3" t="inlineStr"><is><r><t>内联</t></r><r><t>&lt;文本&gt;</t></r></is></c><c r="D3" s="2"><v>42.5</v></c></row>
<row r="4"><c r="A4" t="b"><v>1</v></c><c r="B4" t="b"><v>0</v></c><c r="C4" t="str"><f>A1&amp;"x"</f><v>单选题 &amp; x</v></c><c r="D4" s="3"/><c r="E4" t="s"><v>2</v></c><c r="F4"><f>1/0</f><v></v></c><c r="G4" t="e"><v>#DIV/0!</v></c></row>
<row r="5"><c t="s"><v>3</v></c><c><v>-1.5E-3</v></c><c t="s"><v>4</v></c><c t="s"><v>5</v></c></row>
<row r="6" customHeight="1" ht="30"/>
<row r="8"><c r="AA8"><v>7</v></c></row>
<row r="9" s="4" customFormat="1"/>
<row r="10"><c r="A10" s="5"/></row>
</sheetData>
<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>
<rowBreaks count="1"><brk id="5" max="16383" man="1"/></rowBreaks>
</worksheet>`,
    // Some generators bind the main namespace to a prefix instead of making it the default.
    'xl/worksheets/sheet1.xml': `<?xml version="1.0"?><x:worksheet xmlns:x="${MAIN}"><x:sheetData>
<x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t>前缀</x:t></x:is></x:c><x:c r="C2"><x:v>3</x:v></x:c></x:row>
</x:sheetData></x:worksheet>`,
    'xl/media/image1.png': 'not really a png',
  };
}

describe('readXlsx on a hand-built workbook', () => {
  it('reads sheets in workbook order with exact rows', () => {
    const sheets = readXlsx(zip(handBuiltParts()));
    expect(sheets.map((s) => s.name)).toEqual(['题库', 'Notes & 说明']);
    expect(sheets[0].rows).toEqual([
      ['单选题', null, '下列 哪项 正确？'],
      [],
      [null, '内联<文本>', null, 42.5],
      [true, false, '单选题 & x', null, 'A & B <C> "q" \'s\' 中文😀', null, '#DIV/0!'],
      ['漢字', -0.0015, '第一行\r\n第二行'],
      [],
      [],
      [...Array(26).fill(null), 7],
    ]);
    expect(sheets[1].rows).toEqual([[], [null, '前缀', 3]]);
  });

  it('finds parts whose names differ only in case from the relationship target', () => {
    const parts = handBuiltParts();
    parts['xl/worksheets/Sheet1.xml'] = parts['xl/worksheets/sheet1.xml'];
    delete parts['xl/worksheets/sheet1.xml'];
    expect(readXlsx(zip(parts))[1].rows).toEqual([[], [null, '前缀', 3]]);
  });

  it('resolves ../ targets and a workbook that is not at xl/workbook.xml', () => {
    const parts = handBuiltParts();
    parts['_rels/.rels'] = parts['_rels/.rels'].replace('xl/workbook.xml', 'xl/book.xml');
    parts['xl/book.xml'] = parts['xl/workbook.xml'];
    delete parts['xl/workbook.xml'];
    parts['xl/_rels/book.xml.rels'] = parts['xl/_rels/workbook.xml.rels'].replace(
      'Target="worksheets/sheet1.xml"',
      'Target="../xl/./worksheets/sheet1.xml"',
    );
    delete parts['xl/_rels/workbook.xml.rels'];
    const sheets = readXlsx(zip(parts));
    expect(sheets.map((s) => [s.name, s.rows.length])).toEqual([
      ['题库', 8],
      ['Notes & 说明', 2],
    ]);
  });

  it('reads a sheet without rows as an empty list', () => {
    const parts = handBuiltParts();
    parts['xl/worksheets/sheet1.xml'] = `<worksheet xmlns="${MAIN}"><sheetData/></worksheet>`;
    expect(readXlsx(zip(parts))[1]).toEqual({ name: 'Notes & 说明', rows: [] });
  });
});

describe('writeXlsx → readXlsx round trip', () => {
  it('keeps Chinese text, numbers, booleans, gaps and several sheets', () => {
    const bank = [
      ['题型', '题干', '选项A', '选项B', '答案', '分值', '是否必考'],
      ['单选题', '安全帽的作用是什么？', '防护头部', '装饰', 'A', 2, true],
      [],
      ['判断题', '高处作业必须系安全带。', null, null, '对', 1.5, false],
      ['多选题', '  前后空格  ', null, '第二行\n第三行\r\n', 'A,B', -3, null, null],
      [],
    ];
    const notes = [
      [null, null, 'C1 only'],
      ['<&>"\'', 'emoji ✅🎉', '_x000D_ literal', 'ctrl\u0001\u001Fchars', ''],
      [0, 123456789012, 1e-7, 1e21, Number.MAX_SAFE_INTEGER],
    ];
    const bytes = writeXlsx([
      { name: '题库', rows: bank, columnWidths: [10, 40], headerRows: 1 },
      { name: 'Notes', rows: notes },
      { name: 'Empty', rows: [] },
    ]);
    expect(readXlsx(bytes)).toEqual([
      {
        name: '题库',
        rows: [
          ['题型', '题干', '选项A', '选项B', '答案', '分值', '是否必考'],
          ['单选题', '安全帽的作用是什么？', '防护头部', '装饰', 'A', 2, true],
          [],
          ['判断题', '高处作业必须系安全带。', null, null, '对', 1.5, false],
          ['多选题', '  前后空格  ', null, '第二行\n第三行\r\n', 'A,B', -3],
        ],
      },
      {
        name: 'Notes',
        rows: [
          [null, null, 'C1 only'],
          ['<&>"\'', 'emoji ✅🎉', '_x000D_ literal', 'ctrlchars'],
          [0, 123456789012, 1e-7, 1e21, Number.MAX_SAFE_INTEGER],
        ],
      },
      { name: 'Empty', rows: [] },
    ]);
  });

  it('makes sheet names legal and unique', () => {
    const bytes = writeXlsx([
      { name: 'a/b:c*d?[e]\\f', rows: [] },
      {
        name: "'安全培训考试题库第一部分：法律法规与安全管理制度及操作规程汇编（修订版）'",
        rows: [],
      },
      { name: 'A/B:C*D?[E]\\F', rows: [] },
      { name: '', rows: [] },
      { name: 'history', rows: [] },
    ]);
    expect(readXlsx(bytes).map((s) => s.name)).toEqual([
      'a_b_c_d__e__f',
      '安全培训考试题库第一部分：法律法规与安全管理制度及操作规程汇编',
      'A_B_C_D__E__F (2)',
      'Sheet4',
      'history_',
    ]);
  });
});

describe('writeXlsx package layout', () => {
  const bytes = writeXlsx([
    {
      name: 'Q&A',
      rows: [['题干', '答案'], ['x', 1], ['y']],
      columnWidths: [30, 0, 12.5],
      headerRows: 1,
    },
  ]);
  const parts = unzipSync(bytes);
  const text = (name: string) => strFromU8(parts[name]);

  it('contains exactly the parts of a minimal workbook', () => {
    expect(Object.keys(parts)).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/workbook.xml',
      'xl/_rels/workbook.xml.rels',
      'xl/styles.xml',
      'xl/worksheets/sheet1.xml',
      'xl/sharedStrings.xml',
    ]);
    expect(text('[Content_Types].xml')).toContain(
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>',
    );
    expect(text('xl/workbook.xml')).toContain('<sheet name="Q&amp;A" sheetId="1" r:id="rId1"/>');
  });

  it('writes widths, bold header cells and typed values', () => {
    expect(text('xl/styles.xml')).toContain('<font><b/>');
    expect(text('xl/worksheets/sheet1.xml')).toContain(
      '<cols><col min="1" max="1" width="30" customWidth="1"/><col min="3" max="3" width="12.5" customWidth="1"/></cols>' +
        '<sheetData><row r="1"><c r="A1" t="s" s="1"><v>0</v></c><c r="B1" t="s" s="1"><v>1</v></c></row>' +
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>1</v></c></row>' +
        '<row r="3"><c r="A3" t="s"><v>3</v></c></row></sheetData>',
    );
    expect(text('xl/sharedStrings.xml')).toContain(
      'count="4" uniqueCount="4"><si><t>题干</t></si><si><t>答案</t></si><si><t>x</t></si><si><t>y</t></si></sst>',
    );
  });

  it('refuses values Excel cannot hold', () => {
    const nan = thrown(() => writeXlsx([{ name: 'S', rows: [[1, Number.NaN]] }]));
    expect(nan).toBeInstanceOf(XlsxError);
    expect((nan as Error).message).toContain('S!B1');
    expect(() => writeXlsx([{ name: 'S', rows: [['x'.repeat(32_768)]] }])).toThrow(
      /32767-character/,
    );
    expect(() => writeXlsx([])).toThrow(/at least one sheet/);
  });
});

describe('readXlsx errors', () => {
  it('rejects bytes that are not a zip', () => {
    const e = thrown(() => readXlsx(strToU8('题干,答案\nx,1\n')));
    expect(e).toBeInstanceOf(XlsxError);
    expect((e as Error).message).toBe(
      '文件不是有效的 .xlsx（无法作为 zip 解压）/ Not a valid .xlsx file: it is not a readable zip archive',
    );
  });

  it('names legacy .xls / encrypted files', () => {
    const ole = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    expect(() => readXlsx(ole)).toThrow(/legacy \.xls or password-protected/);
  });

  it('rejects a zip without a workbook', () => {
    const e = thrown(() => readXlsx(zip({ 'word/document.xml': '<w:document/>' })));
    expect(e).toBeInstanceOf(XlsxError);
    expect((e as Error).message).toBe(
      '文件不是 Excel 工作簿（缺少 xl/workbook.xml）/ Not an .xlsx workbook: xl/workbook.xml is missing',
    );
  });

  it('rejects a workbook whose sheet part is missing', () => {
    const parts = handBuiltParts();
    delete parts['xl/worksheets/sheet1.xml'];
    expect(() => readXlsx(zip(parts))).toThrow(
      new XlsxError(
        '工作簿缺少工作表“Notes & 说明” / Sheet "Notes & 说明" is missing from the workbook',
      ),
    );
  });

  it('rejects a shared string index outside the table', () => {
    const parts = handBuiltParts();
    parts['xl/worksheets/sheet1.xml'] =
      `<worksheet xmlns="${MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>99</v></c></row></sheetData></worksheet>`;
    expect(() => readXlsx(zip(parts))).toThrow(/Invalid shared string index 99/);
  });

  it('refuses archives that declare more than 50 MB uncompressed', () => {
    const bytes = zip(handBuiltParts());
    // Patch the central directory's uncompressed-size field of the first entry, as a bomb would.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const first = view.getUint32(bytes.length - 22 + 16, true);
    expect(view.getUint32(first, true)).toBe(0x02014b50);
    view.setUint32(first + 24, 51 * 1024 * 1024, true);
    expect(() => readXlsx(bytes)).toThrow(/more than 50 MB uncompressed/);
  });
});
