import { DownloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { hasAnyRole, useAuth } from '../../app/auth';
import { api } from '../../lib/api-client';
import { beijingToday, errorText } from './shared';

interface Line {
  regionCode: string;
  regionName: string;
  problems: number;
  ordered: number;
  suspended: number;
  exited: number;
  penalized: number;
  fineWan: number;
}
interface Summary {
  regionName: string;
  examSites: { lines: Line[]; total: Line };
  institutions: { lines: Line[]; total: Line };
}
interface Figures {
  rows: {
    regionName: string;
    kind: string;
    checked: number;
    problems: number;
    eliminated?: number;
    exited?: number;
    suspended: number;
    ordered: number;
    fined: number;
    fineYuan: number;
  }[];
}

const columns = ['problems', 'ordered', 'suspended', 'exited', 'penalized', 'fineWan'] as const;

/** Seed 004's 对照检查工作汇总表 on screen, in the annex's layout, and exported to Excel; seed 002's figures. */
export function SummaryTab() {
  const { t } = useTranslation();
  const today = beijingToday();
  const [range, setRange] = useState<[Dayjs, Dayjs]>([
    dayjs(`${today.slice(0, 4)}-01-01`),
    dayjs(today),
  ]);
  const from = range[0].format('YYYY-MM-DD');
  const to = range[1].format('YYYY-MM-DD');
  const q = useQuery({
    queryKey: ['sv-summary', from, to],
    queryFn: () => api.get<Summary>('/api/supervision/summary', { from, to }),
  });
  const figures = useQuery({
    queryKey: ['sv-figures', from, to],
    queryFn: () => api.get<Figures>('/api/supervision/figures', { from, to }),
  });
  const table = (title: string, part: Summary['examSites'] | undefined, testId: string) => (
    <Card size="small" title={title} style={{ marginBottom: 12 }} data-testid={testId}>
      <Table
        rowKey="regionCode"
        size="small"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={
          part ? [...part.lines, { ...part.total, regionCode: 'total', regionName: '合计' }] : []
        }
        columns={[
          {
            title: '序号',
            render: (_: unknown, r, i) => (r.regionCode === 'total' ? '' : i + 1),
          },
          { title: t('sv.summaryTable.region'), dataIndex: 'regionName' },
          ...columns.map((c) => ({
            title: t(`sv.summaryTable.${c}`),
            dataIndex: c,
            align: 'right' as const,
            onCell: () => ({ 'data-col': c }) as object,
          })),
        ]}
      />
    </Card>
  );
  return (
    <div>
      <Space wrap style={{ marginBottom: 12 }}>
        <DatePicker.RangePicker
          value={range}
          allowClear={false}
          onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
        />
        <a
          href={`/api/supervision/summary.xlsx?from=${from}&to=${to}`}
          data-testid="summary-export"
        >
          <Button icon={<DownloadOutlined />}>{t('sv.summaryTable.export')}</Button>
        </a>
      </Space>
      {q.error && <Alert type="error" showIcon message={errorText(q.error)} />}
      {table(t('sv.summaryTable.examSites'), q.data?.examSites, 'summary-exam-sites')}
      {table(t('sv.summaryTable.institutions'), q.data?.institutions, 'summary-institutions')}
      <Card size="small" title={t('sv.summaryTable.figures')}>
        <Table
          rowKey={(r) => `${r.regionName}/${r.kind}`}
          size="small"
          pagination={false}
          scroll={{ x: 'max-content' }}
          dataSource={figures.data?.rows ?? []}
          columns={[
            { title: t('sv.summaryTable.region'), dataIndex: 'regionName' },
            { title: t('org.kind'), dataIndex: 'kind', render: (k: string) => t(`kind.${k}`) },
            { title: t('sv.summaryTable.checked'), dataIndex: 'checked', align: 'right' },
            { title: t('sv.summaryTable.problems'), dataIndex: 'problems', align: 'right' },
            { title: t('sv.summaryTable.ordered'), dataIndex: 'ordered', align: 'right' },
            { title: t('sv.summaryTable.suspended'), dataIndex: 'suspended', align: 'right' },
            { title: t('sv.summaryTable.fined'), dataIndex: 'fined', align: 'right' },
          ]}
        />
      </Card>
    </div>
  );
}

interface Grade {
  id: string;
  organizationId: string;
  organizationName: string;
  organizationKind: string;
  period: string;
  score: number;
  grade: 'A' | 'B' | 'C' | 'D';
  inputs: {
    input: string;
    count: number;
    points: number;
    records: { kind: string; id: string; label: string }[];
  }[];
  computedAt: string;
}
interface Formula {
  base: number;
  alertCap: number;
  thresholds: { A: number; B: number; C: number };
  deductions: Record<string, number>;
  byGrade: Record<string, { perYear: number; drawWeight: number }>;
}

const gradeColor = { A: 'green', B: 'blue', C: 'orange', D: 'red' } as const;

function recordLink(r: { kind: string; id: string; label: string }, organizationId: string) {
  if (r.kind === 'rectification_order') return <Link to={`/orders/${r.id}`}>{r.label}</Link>;
  if (r.kind === 'inspection') return <Link to={`/inspect/${r.id}`}>{r.label}</Link>;
  return <Link to={`/organizations/${organizationId}`}>{r.label}</Link>;
}

/** 分级管理: each institution's and site's score, its grade and the formula with every input behind it. */
export function GradesTab({ formula }: { formula: Formula }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['sv-grades'],
    queryFn: () => api.get<Grade[]>('/api/supervision/grades'),
  });
  const compute = useMutation({
    mutationFn: () => api.post('/api/supervision/grades/compute', {}),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['sv-grades'] }),
    onError: (e) => message.error(errorText(e)),
  });
  return (
    <div>
      <Alert
        type="info"
        style={{ marginBottom: 12 }}
        message={t('sv.grade.formula', {
          base: formula.base,
          cap: formula.alertCap,
          A: formula.thresholds.A,
          B: formula.thresholds.B,
          C: formula.thresholds.C,
        })}
        description={
          <Space wrap size={4}>
            {Object.entries(formula.deductions).map(([k, n]) => (
              <Tag key={k}>
                {t(`sv.grade.input.${k}`)} −{n}
              </Tag>
            ))}
          </Space>
        }
      />
      {hasAnyRole(me!, 'regulator') && (
        <Button
          type="primary"
          onClick={() => compute.mutate()}
          loading={compute.isPending}
          style={{ marginBottom: 8 }}
        >
          {t('sv.grade.compute')}
        </Button>
      )}
      <Table
        rowKey="id"
        size="small"
        loading={q.isLoading}
        dataSource={q.data ?? []}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('sv.grade.none') }}
        expandable={{
          rowExpandable: (g) => g.inputs.length > 0,
          expandedRowRender: (g) => (
            <Descriptions size="small" column={1} bordered>
              {g.inputs.map((x) => (
                <Descriptions.Item
                  key={x.input}
                  label={`${t(`sv.grade.input.${x.input}`)} ×${x.count}（−${x.points}）`}
                >
                  <Space direction="vertical" size={0}>
                    {x.records.map((r) => (
                      <span key={`${r.kind}:${r.id}`}>{recordLink(r, g.organizationId)}</span>
                    ))}
                  </Space>
                </Descriptions.Item>
              ))}
            </Descriptions>
          ),
        }}
        columns={[
          {
            title: t('sv.order.organization'),
            dataIndex: 'organizationName',
            render: (v: string, g) => <Link to={`/organizations/${g.organizationId}`}>{v}</Link>,
          },
          {
            title: t('org.kind'),
            dataIndex: 'organizationKind',
            render: (k: string) => t(`kind.${k}`),
          },
          { title: t('sv.grade.period'), dataIndex: 'period' },
          { title: t('sv.grade.score'), dataIndex: 'score', align: 'right' },
          {
            title: t('sv.grade.grade'),
            dataIndex: 'grade',
            render: (g: Grade['grade']) => <Tag color={gradeColor[g]}>{g}</Tag>,
          },
          {
            title: t('sv.grade.frequency'),
            dataIndex: 'grade',
            key: 'freq',
            render: (g: Grade['grade']) => formula.byGrade[g]?.perYear,
          },
          {
            title: t('sv.grade.weight'),
            dataIndex: 'grade',
            key: 'weight',
            render: (g: Grade['grade']) => formula.byGrade[g]?.drawWeight,
          },
        ]}
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {q.data?.[0] ? q.data[0].period : ''}
      </Typography.Paragraph>
    </div>
  );
}
