import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Progress, Space, Table, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

interface RowProblem {
  row?: number;
  column?: string;
  message: string;
}
type Phase =
  | { kind: 'idle' }
  | { kind: 'reading' }
  | { kind: 'uploading'; percent: number }
  | { kind: 'checking' }
  | { kind: 'done'; result: Record<string, number> }
  | { kind: 'failed'; message: string; problems: RowProblem[] };

/** Base64 of a file in chunks (a 10^4-row workbook is a few MB). */
async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The error report as a CSV Excel opens (BOM for the Chinese text): row, column, problem. */
function downloadReport(problems: RowProblem[], labels: [string, string, string]) {
  const esc = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const lines = [
    labels.map(esc).join(','),
    ...problems.map((p) => [String(p.row ?? ''), p.column ?? '', p.message].map(esc).join(',')),
  ];
  const blob = new Blob([`\ufeff${lines.join('\r\n')}`], { type: 'text/csv;charset=utf-8' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = '台账导入错误报告.csv';
  a.click();
  URL.revokeObjectURL(a.href);
}

/**
 * Excel import of the ledger with visible progress: reading, the upload's own progress (XHR), then
 * the server's validate-then-write; a refused file lists every problem by row and column and can be
 * downloaded as a report.
 */
export function LedgerImport({
  organizationId,
  onImported,
}: {
  organizationId: string;
  onImported: () => void;
}) {
  const { t } = useTranslation();
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const busy = phase.kind === 'reading' || phase.kind === 'uploading' || phase.kind === 'checking';

  async function start(file: File) {
    setPhase({ kind: 'reading' });
    const body = JSON.stringify({ file: await base64Of(file) });
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/enterprises/${organizationId}/ledger/import`);
    xhr.setRequestHeader('content-type', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.round((e.loaded / e.total) * 100);
      setPhase(percent >= 100 ? { kind: 'checking' } : { kind: 'uploading', percent });
    };
    xhr.upload.onload = () => setPhase({ kind: 'checking' });
    xhr.onload = () => {
      let data: {
        error?: { message: string; details?: RowProblem[] };
      } & Record<string, number> = {} as never;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON: reported below */
      }
      if (xhr.status === 200) {
        setPhase({ kind: 'done', result: data });
        onImported();
      } else
        setPhase({
          kind: 'failed',
          message: data.error?.message ?? xhr.statusText,
          problems: data.error?.details ?? [],
        });
    };
    xhr.onerror = () => setPhase({ kind: 'failed', message: t('common.error'), problems: [] });
    xhr.send(body);
  }

  const percent =
    phase.kind === 'reading'
      ? 5
      : phase.kind === 'uploading'
        ? Math.max(5, phase.percent * 0.6)
        : 80;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Upload
          accept=".xlsx"
          showUploadList={false}
          disabled={busy}
          beforeUpload={(f) => {
            void start(f);
            return false;
          }}
        >
          <Button
            type="primary"
            icon={<UploadOutlined />}
            loading={busy}
            data-testid="ledger-import"
          >
            {t('ent.import')}
          </Button>
        </Upload>
        <Button icon={<DownloadOutlined />} href="/api/enterprises/ledger/template.xlsx">
          {t('ent.template')}
        </Button>
        <Button icon={<DownloadOutlined />} href={`/api/enterprises/${organizationId}/ledger.xlsx`}>
          {t('ent.export')}
        </Button>
      </Space>
      {busy && (
        <div data-testid="import-progress">
          <Progress percent={Math.round(percent)} status="active" />
          <span>
            {phase.kind === 'reading'
              ? t('ent.importing.reading')
              : phase.kind === 'uploading'
                ? t('ent.importing.uploading', { percent: phase.percent })
                : t('ent.importing.checking')}
          </span>
        </div>
      )}
      {phase.kind === 'done' && (
        <Alert
          type="success"
          showIcon
          data-testid="import-done"
          message={t('ent.importing.done', phase.result)}
        />
      )}
      {phase.kind === 'failed' && (
        <Alert
          type="error"
          showIcon
          data-testid="import-failed"
          message={`${t('ent.importFailed')}：${phase.message}`}
          description={
            phase.problems.length > 0 && (
              <>
                <Table
                  size="small"
                  rowKey={(p) => `${p.row}-${p.column}-${p.message}`}
                  dataSource={phase.problems}
                  pagination={phase.problems.length > 10 ? { pageSize: 10 } : false}
                  data-testid="import-errors"
                  columns={[
                    { title: t('ent.row'), dataIndex: 'row', width: 60 },
                    { title: t('ent.column'), dataIndex: 'column', width: 110 },
                    { title: t('ent.message'), dataIndex: 'message' },
                  ]}
                />
                <Button
                  size="small"
                  icon={<DownloadOutlined />}
                  onClick={() =>
                    downloadReport(phase.problems, [
                      t('ent.row'),
                      t('ent.column'),
                      t('ent.message'),
                    ])
                  }
                >
                  {t('ent.errorReport')}
                </Button>
              </>
            )
          }
        />
      )}
    </Space>
  );
}
