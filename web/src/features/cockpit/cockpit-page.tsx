import { FileTextOutlined, ReloadOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Breadcrumb,
  Button,
  Card,
  Col,
  Empty,
  List,
  message,
  Progress,
  Row,
  Segmented,
  Skeleton,
  Space,
  Statistic,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { riskWeights } from '../../../../src/modules/detection/cockpit.contract.js';
import { hasAnyRole, useAuth } from '../../app/auth';
import { Chart } from '../../components/chart';
import { api } from '../../lib/api-client';
import { useIsPhone } from '../../lib/use-media';
import { errorText } from '../training/shared';
import {
  alertsLink,
  type Cockpit,
  percent,
  type Rate,
  SeverityTag,
  severityColor,
  useRuleName,
} from './shared';

const severities = ['serious', 'warning', 'notice'] as const;
const chartColor = { serious: '#cf1322', warning: '#fa8c16', notice: '#1677ff' };

/**
 * The regulator's home: the problems of its jurisdiction first (open alerts, who is riskiest, what
 * kinds), then where (the regions below, one click to drill down), when (trend) and the rates of seed
 * 003 against their targets. Every number is a link to the alerts behind it.
 */
export function CockpitPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const isPhone = useIsPhone();
  const navigate = useNavigate();
  const ruleName = useRuleName();
  const [params, setParams] = useSearchParams();
  const regionCode = params.get('region') ?? undefined;
  const trend = (params.get('trend') as 'week' | 'day' | null) ?? 'week';
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['cockpit', regionCode, trend],
    queryFn: () => api.get<Cockpit>('/api/cockpit', { regionCode, trend }),
    placeholderData: (prev) => prev,
  });
  const run = useMutation({
    mutationFn: () =>
      api.post<{ found: number; created: number; cleared: number }>('/api/alerts/run'),
    onSuccess: (r) => {
      message.success(t('cockpit.runDone', r));
      qc.invalidateQueries({ queryKey: ['cockpit'] });
      qc.invalidateQueries({ queryKey: ['alerts'] });
    },
    onError: (e) => message.error(errorText(e)),
  });
  const c = q.data;
  const region = c?.region.code;
  const link = (f: Record<string, string | undefined>) =>
    alertsLink({ regionCode: region || undefined, state: 'open', ...f });
  const drillTo = (code: string) => {
    const next = new URLSearchParams(params);
    next.set('region', code);
    return { search: `?${next}` };
  };
  const drill = (code: string) => navigate(drillTo(code));

  const ruleRows = useMemo(() => (c ? c.byRule.filter((r) => r.open > 0) : []), [c]);
  const ruleOption = useMemo(
    () =>
      c && {
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        legend: { bottom: 0 },
        grid: { left: 8, right: 24, top: 8, bottom: 32, containLabel: true },
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: {
          type: 'category',
          inverse: true,
          data: ruleRows.map((r) => ruleName(r.rule)),
          axisLabel: { width: isPhone ? 110 : 220, overflow: 'truncate' },
        },
        series: severities.map((s) => ({
          name: t(`cockpit.severity.${s}`),
          type: 'bar',
          stack: 'open',
          itemStyle: { color: chartColor[s] },
          data: ruleRows.map((r) => r[s]),
        })),
      },
    [c, ruleRows, ruleName, t, isPhone],
  );
  const trendOption = useMemo(
    () =>
      c && {
        tooltip: { trigger: 'axis' },
        legend: { bottom: 0 },
        grid: { left: 8, right: 16, top: 16, bottom: 32, containLabel: true },
        xAxis: { type: 'category', data: c.trend.buckets.map((b) => b.start.slice(5)) },
        yAxis: { type: 'value', minInterval: 1 },
        series: severities.map((s) => ({
          name: t(`cockpit.severity.${s}`),
          type: 'bar',
          stack: 'trend',
          itemStyle: { color: chartColor[s] },
          data: c.trend.buckets.map((b) => b[s]),
        })),
      },
    [c, t],
  );
  const childOption = useMemo(
    () =>
      c &&
      c.children.length > 0 && {
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        xAxis: {
          type: 'category',
          data: c.children.map((x) => x.name),
          axisLabel: { rotate: 30 },
        },
        yAxis: { type: 'value', minInterval: 1 },
        series: severities.map((s) => ({
          name: t(`cockpit.severity.${s}`),
          type: 'bar',
          stack: 'child',
          itemStyle: { color: chartColor[s] },
          data: c.children.map((x) => x[s]),
        })),
      },
    [c, t],
  );

  if (q.error) return <Alert type="error" showIcon message={errorText(q.error)} />;
  if (!c) return <Skeleton active />;
  const notEvaluated = c.byRule.filter((r) => r.status !== 'evaluated');
  const step = c.trend.granularity === 'day' ? 0 : 6;
  const bucketEnd = (start: string) => {
    const d = new Date(`${start}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + step);
    return d.toISOString().slice(0, 10);
  };

  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }} data-testid="cockpit">
      <Card size="small">
        <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
          <Space direction="vertical" size={0}>
            <div data-testid="cockpit-path">
              <Breadcrumb
                items={c.path.map((p, i) => ({
                  title:
                    i === c.path.length - 1 ? (
                      <Typography.Text strong>{p.name}</Typography.Text>
                    ) : (
                      <Link to={drillTo(p.code)}>{p.name}</Link>
                    ),
                }))}
              />
            </div>
            <Typography.Title level={4} style={{ margin: 0 }}>
              {`${c.region.name} · ${t('cockpit.title')}`}
            </Typography.Title>
            <Typography.Text type="secondary">
              {t('cockpit.asOf', { date: c.asOf })}
            </Typography.Text>
          </Space>
          <Space wrap>
            <Link to={link({})}>
              <Button icon={<UnorderedListOutlined />}>{t('cockpit.allAlerts')}</Button>
            </Link>
            <Link to={`/report${region ? `?region=${region}` : ''}`}>
              <Button icon={<FileTextOutlined />}>{t('cockpit.report')}</Button>
            </Link>
            {hasAnyRole(me, 'regulator') && (
              <Button
                icon={<ReloadOutlined />}
                loading={run.isPending}
                onClick={() => run.mutate()}
              >
                {t('cockpit.runNow')}
              </Button>
            )}
          </Space>
        </Space>
      </Card>

      <Row gutter={[12, 12]}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Link to={link({})} data-testid="cockpit-open">
              <Statistic
                title={t('cockpit.openAlerts')}
                value={c.totals.open}
                valueStyle={{ color: c.totals.open > 0 ? '#cf1322' : undefined }}
              />
            </Link>
          </Card>
        </Col>
        {severities.map((s) => (
          <Col xs={12} md={6} key={s}>
            <Card size="small">
              <Link to={link({ severity: s })} data-testid={`cockpit-${s}`}>
                <Statistic
                  title={t(`cockpit.severity.${s}`)}
                  value={c.totals[s]}
                  valueStyle={{ color: c.totals[s] > 0 ? chartColor[s] : undefined }}
                />
              </Link>
            </Card>
          </Col>
        ))}
      </Row>
      <Typography.Text type="secondary">
        {`${t('cockpit.acknowledged')} `}
        <Link to={link({ state: 'acknowledged' })}>{c.totals.acknowledged}</Link>
        {` · ${t('cockpit.dismissed30d')} `}
        <Link to={alertsLink({ regionCode: region || undefined, state: 'dismissed' })}>
          {c.totals.dismissed30d}
        </Link>
      </Typography.Text>

      {c.totals.open === 0 && <Alert type="success" showIcon message={t('cockpit.noProblems')} />}

      <Row gutter={[12, 12]}>
        <Col xs={24} lg={12}>
          <Card
            size="small"
            title={t('cockpit.ranking')}
            extra={
              <Tooltip title={t('cockpit.formula', riskWeights)}>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('cockpit.score')} ⓘ
                </Typography.Text>
              </Tooltip>
            }
          >
            <div data-testid="cockpit-ranking">
              <List
                size="small"
                dataSource={c.ranking.slice(0, 10)}
                locale={{ emptyText: <Empty description={t('cockpit.noProblems')} /> }}
                renderItem={(o, i) => (
                  <List.Item
                    data-testid="ranking-row"
                    extra={
                      <Link to={link({ organizationId: o.id })}>
                        <Tag
                          color={o.serious > 0 ? 'red' : 'orange'}
                          style={{ marginInlineEnd: 0 }}
                        >
                          {o.score}
                        </Tag>
                      </Link>
                    }
                  >
                    <List.Item.Meta
                      title={
                        <Space size={4} wrap>
                          <Typography.Text type="secondary">{i + 1}.</Typography.Text>
                          <Link to={`/organizations/${o.id}`}>{o.name}</Link>
                          <Tag>{t(`kind.${o.kind}`)}</Tag>
                          {o.status !== 'active' && (
                            <Tag color="red">{t(`status.${o.status}`)}</Tag>
                          )}
                        </Space>
                      }
                      description={
                        <Space size={[4, 4]} wrap>
                          {o.regionName && (
                            <Typography.Text type="secondary">{o.regionName}</Typography.Text>
                          )}
                          {o.reasons.map((r) => (
                            <Link key={r.rule} to={link({ organizationId: o.id, rule: r.rule })}>
                              <Tag color={severityColor[r.severity]}>
                                {`${ruleName(r.rule)} ${r.count}`}
                              </Tag>
                            </Link>
                          ))}
                        </Space>
                      }
                    />
                  </List.Item>
                )}
              />
            </div>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 0 }}>
              {t('cockpit.formula', riskWeights)}
            </Typography.Paragraph>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('cockpit.byRule')}>
            {ruleRows.length > 0 && ruleOption && (
              <Chart
                option={ruleOption}
                height={Math.max(160, ruleRows.length * 34 + 48)}
                onClick={(e) => navigate(link({ rule: ruleRows[e.dataIndex]?.rule }))}
              />
            )}
            <div data-testid="cockpit-rules">
              <List
                size="small"
                dataSource={ruleRows}
                renderItem={(r) => (
                  <List.Item
                    extra={
                      <Link to={link({ rule: r.rule })} data-testid="rule-count">
                        {r.open}
                      </Link>
                    }
                  >
                    <Space size={4} wrap>
                      {r.serious > 0 && <SeverityTag severity="serious" />}
                      <Link to={link({ rule: r.rule })}>{ruleName(r.rule)}</Link>
                    </Space>
                  </List.Item>
                )}
              />
            </div>
            {notEvaluated.length > 0 && (
              <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 8 }}>
                {`${t('cockpit.notEvaluable')}：`}
                {notEvaluated.map((r, i) => (
                  <Tooltip key={r.rule} title={r.reason ?? t('cockpit.neverRun')}>
                    <span>
                      {i > 0 ? '、' : ''}
                      {ruleName(r.rule)}
                    </span>
                  </Tooltip>
                ))}
              </Typography.Paragraph>
            )}
          </Card>
        </Col>
      </Row>

      {c.children.length > 0 && (
        <Card size="small" title={t('cockpit.children')}>
          {childOption && (
            <Chart
              option={childOption}
              height={220}
              onClick={(e) => {
                const child = c.children[e.dataIndex];
                if (child) drill(child.code);
              }}
            />
          )}
          <div data-testid="cockpit-children">
            <Table
              size="small"
              rowKey="code"
              pagination={false}
              dataSource={[...c.children].sort(
                (a, b) => b.open - a.open || a.code.localeCompare(b.code),
              )}
              columns={[
                {
                  title: t('cockpit.region'),
                  dataIndex: 'name',
                  render: (name: string, x) => (
                    <Link to={drillTo(x.code)} data-testid="drill">
                      {name}
                    </Link>
                  ),
                },
                {
                  title: t('cockpit.openAlerts'),
                  dataIndex: 'open',
                  align: 'right',
                  render: (n: number, x) => (
                    <Link to={alertsLink({ regionCode: x.code, state: 'open' })}>{n}</Link>
                  ),
                },
                {
                  title: t('cockpit.severity.serious'),
                  dataIndex: 'serious',
                  align: 'right',
                  render: (n: number, x) => (
                    <Link
                      to={alertsLink({ regionCode: x.code, state: 'open', severity: 'serious' })}
                    >
                      {n}
                    </Link>
                  ),
                },
                ...(isPhone
                  ? []
                  : [
                      {
                        title: t('cockpit.organizations'),
                        dataIndex: 'organizations',
                        align: 'right' as const,
                      },
                    ]),
              ]}
            />
          </div>
        </Card>
      )}

      <Card
        size="small"
        title={t('cockpit.trend')}
        extra={
          <Segmented
            size="small"
            value={trend}
            onChange={(v) => {
              const next = new URLSearchParams(params);
              next.set('trend', String(v));
              setParams(next);
            }}
            options={[
              { value: 'week', label: t('cockpit.week') },
              { value: 'day', label: t('cockpit.day') },
            ]}
          />
        }
      >
        {trendOption && (
          <Chart
            option={trendOption}
            height={240}
            onClick={(e) => {
              const b = c.trend.buckets[e.dataIndex];
              if (b) navigate(link({ since: b.start, until: bucketEnd(b.start) }));
            }}
          />
        )}
      </Card>

      <Card size="small" title={t('cockpit.rates')}>
        <Row gutter={[12, 12]} data-testid="cockpit-rates">
          {c.rates.map((r) => (
            <Col xs={24} md={8} key={r.key}>
              <RateCard rate={r} />
            </Col>
          ))}
        </Row>
      </Card>
    </Space>
  );
}

function RateCard({ rate }: { rate: Rate }) {
  const { t } = useTranslation();
  const below = rate.rate !== null && rate.rate < rate.target;
  return (
    <Space align="start" data-testid={`rate-${rate.key}`} data-missing={rate.missing ?? ''}>
      {rate.rate === null ? (
        <Progress type="circle" size={72} percent={0} format={() => '—'} />
      ) : (
        <Progress
          type="circle"
          size={72}
          percent={Math.floor(rate.rate * 1000) / 10}
          status={below ? 'exception' : 'success'}
          format={() => percent(rate.rate ?? 0)}
        />
      )}
      <Space direction="vertical" size={0}>
        <Tooltip title={t(`cockpit.rateHint.${rate.key}`)}>
          <Typography.Text strong>{t(`cockpit.rate.${rate.key}`)} ⓘ</Typography.Text>
        </Tooltip>
        {rate.missing ? (
          <Typography.Text type="warning">{t(`cockpit.missing.${rate.missing}`)}</Typography.Text>
        ) : (
          <Typography.Text type="secondary">
            {t('cockpit.people', { n: rate.numerator, d: rate.denominator })}
          </Typography.Text>
        )}
        <Typography.Text type="secondary">
          {t('cockpit.target', { target: percent(rate.target) })}
        </Typography.Text>
        {rate.parts?.map((p) => (
          <Typography.Text type="secondary" key={p.key} style={{ fontSize: 12 }}>
            {`${t(`cockpit.rateParts.${p.key}`)} ${p.numerator}/${p.denominator}`}
          </Typography.Text>
        ))}
      </Space>
    </Space>
  );
}
