import { FileExcelOutlined, PrinterOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert as AntAlert,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Skeleton,
  Space,
  Table,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { riskWeights } from '../../../../src/modules/detection/cockpit.contract.js';
import { api } from '../../lib/api-client';
import { errorText } from '../training/shared';
import { alertsLink, beijing, type MonthlyReport, percent, useRuleName } from './shared';

/** Hides the app's frame when printing: the report alone on the page. */
const printCss = `
@media print {
  .ant-layout-sider, .ant-layout-header, .no-print { display: none !important; }
  .ant-layout-content { padding: 0 !important; }
  .ant-card { border: none !important; box-shadow: none !important; }
  .report-section { break-inside: avoid; }
  a { color: inherit !important; text-decoration: none !important; }
}`;

/** The monthly report of a jurisdiction: on screen, printable, and as an Excel workbook. */
export function ReportPage() {
  const { t } = useTranslation();
  const ruleName = useRuleName();
  const [params, setParams] = useSearchParams();
  const regionCode = params.get('region') ?? undefined;
  const month = params.get('month') ?? undefined;
  const q = useQuery({
    queryKey: ['cockpit-report', regionCode, month],
    queryFn: () => api.get<MonthlyReport>('/api/cockpit/report', { regionCode, month }),
  });
  if (q.error) return <AntAlert type="error" showIcon message={errorText(q.error)} />;
  const r = q.data;
  if (!r) return <Skeleton active />;
  const query = new URLSearchParams({ month: r.month, ...(regionCode ? { regionCode } : {}) });
  const inMonth = (f: Record<string, string | undefined>) =>
    alertsLink({ regionCode: r.region.code || undefined, since: r.from, until: r.to, ...f });

  return (
    <Card data-testid="report-page">
      <style>{printCss}</style>
      <Space className="no-print" wrap style={{ marginBottom: 12 }}>
        <DatePicker
          picker="month"
          allowClear={false}
          value={dayjs(`${r.month}-01`)}
          onChange={(d) => {
            const next = new URLSearchParams(params);
            if (d) next.set('month', d.format('YYYY-MM'));
            setParams(next);
          }}
          data-testid="report-month"
        />
        <Button icon={<PrinterOutlined />} onClick={() => window.print()}>
          {t('cockpit.reportPage.print')}
        </Button>
        <a href={`/api/cockpit/report.xlsx?${query}`} download data-testid="report-excel">
          <Button icon={<FileExcelOutlined />}>{t('cockpit.reportPage.excel')}</Button>
        </a>
      </Space>
      <Typography.Title level={3} style={{ textAlign: 'center' }}>
        {t('cockpit.reportPage.title', { region: r.region.name })}
        {`（${r.month}）`}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>
        {t('cockpit.reportPage.period', { from: r.from, to: r.to })}
        {' · '}
        {t('cockpit.reportPage.generatedAt', { at: beijing(r.generatedAt) })}
      </Typography.Paragraph>

      <div className="report-section">
        <Typography.Title level={5}>{t('cockpit.reportPage.problems')}</Typography.Title>
        <div data-testid="report-totals">
          <Descriptions size="small" bordered column={{ xs: 2, md: 6 }}>
            <Descriptions.Item label={t('cockpit.reportPage.total')}>
              <Link to={inMonth({})}>{r.totals.total}</Link>
            </Descriptions.Item>
            {(['serious', 'warning', 'notice'] as const).map((s) => (
              <Descriptions.Item key={s} label={t(`cockpit.severity.${s}`)}>
                <Link to={inMonth({ severity: s })}>{r.totals[s]}</Link>
              </Descriptions.Item>
            ))}
            <Descriptions.Item label={t('cockpit.reportPage.open')}>
              <Link to={inMonth({ state: 'open' })}>{r.totals.open}</Link>
            </Descriptions.Item>
            <Descriptions.Item label={t('cockpit.reportPage.dismissed')}>
              {r.totals.dismissed}
            </Descriptions.Item>
          </Descriptions>
        </div>
      </div>

      <div className="report-section">
        <Typography.Title level={5} style={{ marginTop: 16 }}>
          {t('cockpit.rates')}
        </Typography.Title>
        <Descriptions size="small" bordered column={{ xs: 1, md: 3 }}>
          {r.rates.map((x) => (
            <Descriptions.Item key={x.key} label={t(`cockpit.rate.${x.key}`)}>
              {x.rate === null
                ? x.missing
                  ? t(`cockpit.missing.${x.missing}`)
                  : '—'
                : `${percent(x.rate)}（${x.numerator}/${x.denominator}）`}
            </Descriptions.Item>
          ))}
        </Descriptions>
      </div>

      <div className="report-section">
        <Typography.Title level={5} style={{ marginTop: 16 }}>
          {t('cockpit.reportPage.byRule')}
        </Typography.Title>
        <Table
          size="small"
          rowKey="rule"
          pagination={false}
          scroll={{ x: true }}
          dataSource={r.byRule}
          columns={[
            {
              title: t('cockpit.alerts.rule'),
              dataIndex: 'rule',
              render: (rule: string) => <Link to={inMonth({ rule })}>{ruleName(rule)}</Link>,
            },
            { title: t('cockpit.reportPage.total'), dataIndex: 'total', align: 'right' },
            { title: t('cockpit.severity.serious'), dataIndex: 'serious', align: 'right' },
            { title: t('cockpit.severity.warning'), dataIndex: 'warning', align: 'right' },
            { title: t('cockpit.reportPage.open'), dataIndex: 'open', align: 'right' },
            { title: t('cockpit.reportPage.dismissed'), dataIndex: 'dismissed', align: 'right' },
          ]}
        />
      </div>

      {r.byRegion.length > 0 && (
        <div className="report-section">
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('cockpit.reportPage.byRegion')}
          </Typography.Title>
          <Table
            size="small"
            rowKey="code"
            pagination={false}
            dataSource={r.byRegion.filter((x) => x.total > 0)}
            columns={[
              { title: t('cockpit.region'), dataIndex: 'name' },
              {
                title: t('cockpit.reportPage.total'),
                dataIndex: 'total',
                align: 'right',
                render: (n: number, x) => (
                  <Link to={alertsLink({ regionCode: x.code, since: r.from, until: r.to })}>
                    {n}
                  </Link>
                ),
              },
              { title: t('cockpit.reportPage.open'), dataIndex: 'open', align: 'right' },
              { title: t('cockpit.severity.serious'), dataIndex: 'serious', align: 'right' },
            ]}
          />
        </div>
      )}

      <div className="report-section">
        <Typography.Title level={5} style={{ marginTop: 16 }}>
          {t('cockpit.reportPage.ranking')}
        </Typography.Title>
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          scroll={{ x: true }}
          dataSource={r.ranking}
          columns={[
            {
              title: t('cockpit.reportPage.rank'),
              key: 'rank',
              width: 56,
              render: (_: unknown, _o, i) => i + 1,
            },
            {
              title: t('cockpit.alerts.organization'),
              dataIndex: 'name',
              render: (name: string, o) => <Link to={`/organizations/${o.id}`}>{name}</Link>,
            },
            { title: t('cockpit.score'), dataIndex: 'score', align: 'right' },
            {
              title: t('cockpit.reasons'),
              key: 'reasons',
              render: (_: unknown, o) =>
                o.reasons.map((x) => `${ruleName(x.rule)} ${x.count}`).join('；'),
            },
          ]}
        />
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 4 }}>
          {t('cockpit.formula', riskWeights)}
        </Typography.Paragraph>
      </div>

      {r.notEvaluable.length > 0 && (
        <div className="report-section">
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('cockpit.reportPage.notEvaluable')}
          </Typography.Title>
          <ul style={{ paddingInlineStart: 20 }}>
            {r.notEvaluable.map((n) => (
              <li key={n.rule}>
                <Typography.Text>{ruleName(n.rule)}</Typography.Text>
                <Typography.Text type="secondary">{`：${n.reason}`}</Typography.Text>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}
