import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Form,
  Input,
  InputNumber,
  List,
  Modal,
  Row,
  Segmented,
  Skeleton,
  Space,
  Statistic,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { findOperationItem } from '../../../../src/catalog/operations.js';
import type {
  CertificateCheckView,
  Dashboard,
  LedgerEntry,
  Obligation,
  ObligationsAnswer,
} from '../../../../src/modules/enterprises/enterprises.contract.js';
import { hasAnyRole, useAuth } from '../../app/auth';
import { Chart } from '../../components/chart';
import { ApiError, api } from '../../lib/api-client';
import { useIsPhone } from '../../lib/use-media';
import { LedgerImport } from './ledger-import';

const stateColor = { ok: 'green', due_soon: 'orange', overdue: 'red' } as const;
const flagColor = { fake: 'red', uncertified: 'red', expired: 'volcano' } as const;

const fmtTime = (iso: string) =>
  new Date(iso).toLocaleString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    hour12: false,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });

interface LedgerPage {
  organization: { id: string; name: string; highRisk: boolean; industry: string | null };
  items: LedgerEntry[];
  total: number;
}

export function EnterprisePage() {
  const { id } = useParams();
  return id ? <EnterpriseView organizationId={id} /> : null;
}

/** The enterprise's own home: its problems first (issue 14 point 8). */
export function EnterpriseHome() {
  const { me } = useAuth();
  return me?.organizationId ? <EnterpriseView organizationId={me.organizationId} /> : null;
}

function EnterpriseView({ organizationId }: { organizationId: string }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'overview';
  const canWrite =
    hasAnyRole(me, 'regulator') ||
    (hasAnyRole(me, 'enterprise') && me?.organizationId === organizationId);
  const dashboard = useQuery({
    queryKey: ['ent-dashboard', organizationId],
    queryFn: () => api.get<Dashboard>(`/api/enterprises/${organizationId}/dashboard`),
  });
  if (dashboard.error) return <Alert type="error" message={(dashboard.error as Error).message} />;
  if (!dashboard.data) return <Skeleton active />;
  const d = dashboard.data;
  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {d.organizationName}
      </Typography.Title>
      <Typography.Text type="secondary">{t('ent.asOf', { date: d.asOf })}</Typography.Text>
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams({ tab: k }, { replace: true })}
        items={[
          {
            key: 'overview',
            label: t('ent.tabs.overview'),
            children: <Overview d={d} />,
          },
          {
            key: 'ledger',
            label: t('ent.tabs.ledger'),
            children: <LedgerTab organizationId={organizationId} canWrite={canWrite} />,
          },
          {
            key: 'obligations',
            label: t('ent.tabs.obligations'),
            children: <ObligationsTab organizationId={organizationId} />,
          },
          {
            key: 'training',
            label: t('ent.tabs.training'),
            children: <TrainingTab organizationId={organizationId} canWrite={canWrite} />,
          },
        ]}
      />
    </>
  );
}

function ObligationLine({ o }: { o: Obligation }) {
  const { t } = useTranslation();
  return (
    <Space direction="vertical" size={0} style={{ width: '100%' }}>
      <Space wrap size={4}>
        <Tag color={stateColor[o.state]}>{t(`ent.states.${o.state}`)}</Tag>
        <strong>{o.personName ?? t('ent.wholeUnit')}</strong>
        <span>{t(`ent.codes.${o.code}`)}</span>
        {o.dueDate && <Typography.Text type="secondary">{o.dueDate}</Typography.Text>}
      </Space>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {o.detail}
      </Typography.Text>
    </Space>
  );
}

function Overview({ d }: { d: Dashboard }) {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const problems = useQuery({
    queryKey: ['ent-obligations', d.organizationId],
    queryFn: () => api.get<ObligationsAnswer>(`/api/enterprises/${d.organizationId}/obligations`),
  });
  const open = (problems.data?.items ?? []).filter((o) => o.state !== 'ok');
  const chart = useMemo(() => {
    const rows = d.byCode.filter((c) => c.overdue + c.dueSoon > 0);
    return {
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: isPhone ? 110 : 170, right: 16, top: 8, bottom: 36 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: rows.map((r) => t(`ent.codes.${r.code}`)) },
      series: [
        {
          name: t('ent.overdue'),
          type: 'bar',
          stack: 'n',
          data: rows.map((r) => r.overdue),
          itemStyle: { color: '#b7312c' },
        },
        {
          name: t('ent.dueSoon'),
          type: 'bar',
          stack: 'n',
          data: rows.map((r) => r.dueSoon),
          itemStyle: { color: '#e39b2d' },
        },
      ],
    };
  }, [d, t, isPhone]);
  const rate = (v: number | null) => (v === null ? '—' : v);
  return (
    <Row gutter={[12, 12]}>
      <Col xs={24} lg={14}>
        <Card
          title={
            <span>
              {t('ent.problemsFirst')}{' '}
              <Tag color="red">
                {t('ent.overdue')} {d.overdue}
              </Tag>
              <Tag color="orange">
                {t('ent.dueSoon')} {d.dueSoon}
              </Tag>
            </span>
          }
          data-testid="problems-first"
        >
          {problems.isLoading ? (
            <Skeleton active />
          ) : open.length === 0 ? (
            <Alert type="success" message={t('ent.noProblems')} />
          ) : (
            <List
              size="small"
              dataSource={open.slice(0, 12)}
              renderItem={(o) => (
                <List.Item>
                  <ObligationLine o={o} />
                </List.Item>
              )}
            />
          )}
        </Card>
      </Col>
      <Col xs={24} lg={10}>
        <Row gutter={[12, 12]}>
          {(
            [
              ['certifiedRate', d.certifiedRate],
              ['trainedRate', d.trainedRate],
              ['passRate', d.passRate],
            ] as const
          ).map(([k, v]) => (
            <Col xs={8} key={k}>
              <Card size="small">
                <Statistic
                  title={t(`ent.${k}`)}
                  value={rate(v)}
                  suffix={v === null ? undefined : '%'}
                  valueStyle={{ color: v !== null && v < 100 ? '#b7312c' : undefined }}
                />
                <Typography.Text type="secondary" style={{ fontSize: 11 }}>
                  {t('ent.target')}
                </Typography.Text>
              </Card>
            </Col>
          ))}
          <Col xs={12}>
            <Card size="small">
              <Statistic title={t('ent.headcount')} value={d.headcount} />
            </Card>
          </Col>
          <Col xs={12}>
            <Card size="small">
              <Statistic title={t('ent.specialOperators')} value={d.specialOperators} />
            </Card>
          </Col>
          {d.worstPosts.length > 0 && (
            <Col xs={24}>
              <Card size="small" title={t('ent.worstPosts')}>
                <Space wrap>
                  {d.worstPosts.map((p) => (
                    <Tag key={p.post} color="red">
                      {t(`ent.posts.${p.post}`)} {p.overdue}
                    </Tag>
                  ))}
                </Space>
              </Card>
            </Col>
          )}
        </Row>
      </Col>
      {d.byCode.some((c) => c.overdue + c.dueSoon > 0) && (
        <Col xs={24}>
          <Card title={t('ent.byCode')}>
            <Chart option={chart} height={260} />
          </Card>
        </Col>
      )}
    </Row>
  );
}

function CheckTag({ c }: { c: CertificateCheckView | null }) {
  const { t } = useTranslation();
  if (!c) return null;
  if (!c.flag) return <Tag color="green">{c.declaredNumber}</Tag>;
  return (
    <Tag color={flagColor[c.flag]} title={c.message}>
      {t(`ent.flags.${c.flag}`)} {c.declaredNumber}
    </Tag>
  );
}

function LedgerTab({ organizationId, canWrite }: { organizationId: string; canWrite: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [filter, setFilter] = useState({ q: '', problems: false, page: 1, pageSize: 50 });
  const [declaring, setDeclaring] = useState<LedgerEntry | null>(null);
  const ledger = useQuery({
    queryKey: ['ent-ledger', organizationId, filter],
    queryFn: () =>
      api.get<LedgerPage>(`/api/enterprises/${organizationId}/ledger`, {
        q: filter.q,
        problems: filter.problems ? 'true' : undefined,
        page: filter.page,
        pageSize: filter.pageSize,
      }),
    placeholderData: (p) => p,
  });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['ent-ledger', organizationId] });
    void qc.invalidateQueries({ queryKey: ['ent-obligations', organizationId] });
    void qc.invalidateQueries({ queryKey: ['ent-dashboard', organizationId] });
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {canWrite && <LedgerImport organizationId={organizationId} onImported={refresh} />}
      <Space wrap>
        <Input.Search
          allowClear
          placeholder={t('ent.search')}
          style={{ width: 200 }}
          onSearch={(q) => setFilter((f) => ({ ...f, q, page: 1 }))}
        />
        <Space>
          <Switch
            checked={filter.problems}
            onChange={(problems) => setFilter((f) => ({ ...f, problems, page: 1 }))}
          />
          {t('ent.onlyProblems')}
        </Space>
      </Space>
      <Table<LedgerEntry>
        size="small"
        rowKey="employmentId"
        loading={ledger.isFetching}
        dataSource={ledger.data?.items ?? []}
        scroll={{ x: 900 }}
        data-testid="ledger-table"
        pagination={{
          current: filter.page,
          pageSize: filter.pageSize,
          total: ledger.data?.total ?? 0,
          onChange: (page, pageSize) => setFilter((f) => ({ ...f, page, pageSize })),
        }}
        columns={[
          { title: t('ent.columns.name'), dataIndex: 'personName', fixed: 'left', width: 90 },
          {
            title: t('ent.columns.post'),
            width: 150,
            render: (_, e) => (
              <Space direction="vertical" size={0}>
                <span>{t(`ent.posts.${e.post}`)}</span>
                {e.operationItemCode && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {findOperationItem(e.operationItemCode)?.name ?? e.operationItemCode}
                  </Typography.Text>
                )}
                {e.dispatchCompany && (
                  <Tag title={e.dispatchCompany}>{t('ent.columns.dispatch')}</Tag>
                )}
              </Space>
            ),
          },
          { title: t('ent.columns.start'), dataIndex: 'startDate', width: 100 },
          { title: t('ent.columns.department'), dataIndex: 'department', width: 100 },
          {
            title: t('ent.columns.certificates'),
            width: 200,
            render: (_, e) => (
              <Space direction="vertical" size={2}>
                {e.certificates.map((c) => (
                  <Tag key={c.id} color={c.state === 'valid' ? 'green' : 'orange'}>
                    {c.number}
                  </Tag>
                ))}
                <CheckTag c={e.lastCheck} />
                {canWrite && (e.post === 'special_operator' || e.certificates.length === 0) && (
                  <Button size="small" type="link" onClick={() => setDeclaring(e)}>
                    {t('ent.declare')}
                  </Button>
                )}
              </Space>
            ),
          },
          { title: t('ent.columns.hours'), dataIndex: 'trainingHoursThisYear', width: 80 },
          {
            title: t('ent.columns.problems'),
            width: 120,
            render: (_, e) => (
              <Space size={2} wrap>
                {e.overdue > 0 && (
                  <Tag color="red">
                    {t('ent.overdue')} {e.overdue}
                  </Tag>
                )}
                {e.dueSoon > 0 && (
                  <Tag color="orange">
                    {t('ent.dueSoon')} {e.dueSoon}
                  </Tag>
                )}
              </Space>
            ),
          },
        ]}
      />
      <DeclareModal
        organizationId={organizationId}
        entry={declaring}
        onClose={() => setDeclaring(null)}
        onDone={refresh}
      />
    </Space>
  );
}

function DeclareModal({
  organizationId,
  entry,
  onClose,
  onDone,
}: {
  organizationId: string;
  entry: LedgerEntry | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const [number, setNumber] = useState('');
  const declare = useMutation({
    mutationFn: () =>
      api.post<CertificateCheckView>(
        `/api/enterprises/${organizationId}/employments/${entry?.employmentId}/certificate`,
        { number },
      ),
    onSuccess: onDone,
  });
  return (
    <Modal
      open={entry !== null}
      title={`${t('ent.declare')} · ${entry?.personName ?? ''}`}
      onCancel={() => {
        declare.reset();
        setNumber('');
        onClose();
      }}
      onOk={() => declare.mutate()}
      okButtonProps={{ disabled: number.trim().length < 4, loading: declare.isPending }}
    >
      <Typography.Paragraph type="secondary">{t('ent.declareHint')}</Typography.Paragraph>
      <Input value={number} onChange={(e) => setNumber(e.target.value)} maxLength={40} />
      {declare.data && (
        <Alert
          style={{ marginTop: 12 }}
          type={declare.data.flag ? 'error' : 'success'}
          message={t('ent.declared', { message: declare.data.message })}
        />
      )}
      {declare.error && (
        <Alert style={{ marginTop: 12 }} type="error" message={(declare.error as Error).message} />
      )}
    </Modal>
  );
}

function ObligationsTab({ organizationId }: { organizationId: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<'open' | 'all'>('open');
  const q = useQuery({
    queryKey: ['ent-obligations', organizationId],
    queryFn: () => api.get<ObligationsAnswer>(`/api/enterprises/${organizationId}/obligations`),
  });
  const items = (q.data?.items ?? []).filter((o) => state === 'all' || o.state !== 'ok');
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Segmented
        value={state}
        onChange={(v) => setState(v as 'open' | 'all')}
        options={[
          { value: 'open', label: `${t('ent.overdue')} / ${t('ent.dueSoon')}` },
          { value: 'all', label: t('common.all') },
        ]}
      />
      <Table<Obligation>
        size="small"
        loading={q.isLoading}
        rowKey={(o) =>
          `${o.code}-${o.employmentId ?? 'org'}-${o.dueDate ?? ''}-${o.evidence[0]?.id ?? ''}`
        }
        dataSource={items}
        scroll={{ x: 800 }}
        data-testid="obligations-table"
        columns={[
          {
            title: t('ent.columns.state'),
            width: 90,
            render: (_, o) => <Tag color={stateColor[o.state]}>{t(`ent.states.${o.state}`)}</Tag>,
          },
          {
            title: t('ent.columns.person'),
            width: 100,
            render: (_, o) => o.personName ?? t('ent.wholeUnit'),
          },
          {
            title: t('ent.columns.obligation'),
            width: 170,
            render: (_, o) => t(`ent.codes.${o.code}`),
          },
          { title: t('ent.columns.due'), dataIndex: 'dueDate', width: 100 },
          { title: t('ent.columns.detail'), dataIndex: 'detail' },
          {
            title: t('ent.columns.rule'),
            dataIndex: 'rule',
            width: 200,
            render: (r: string) => (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {r}
              </Typography.Text>
            ),
          },
          {
            title: t('ent.columns.evidence'),
            width: 180,
            render: (_, o) => (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {o.evidence.map((e) => e.label).join('；')}
              </Typography.Text>
            ),
          },
        ]}
      />
    </Space>
  );
}

interface TrainingAnswer {
  plans: { id: string; year: number; title: string; content: string; plannedHours: number }[];
  sessions: {
    id: string;
    kind: string;
    title: string;
    startsAt: string;
    hours: number;
    trainerName: string | null;
    participants: number;
    passed: number;
  }[];
}

function TrainingTab({ organizationId, canWrite }: { organizationId: string; canWrite: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm();
  const q = useQuery({
    queryKey: ['ent-training', organizationId],
    queryFn: () => api.get<TrainingAnswer>(`/api/enterprises/${organizationId}/training`),
  });
  const create = useMutation({
    mutationFn: (v: { year: number; title: string; content: string; plannedHours: number }) =>
      api.post(`/api/enterprises/${organizationId}/training/plans`, v),
    onSuccess: () => {
      setOpen(false);
      void qc.invalidateQueries({ queryKey: ['ent-training', organizationId] });
      void qc.invalidateQueries({ queryKey: ['ent-obligations', organizationId] });
      void qc.invalidateQueries({ queryKey: ['ent-dashboard', organizationId] });
    },
  });
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card
        size="small"
        title={t('ent.plans')}
        extra={
          canWrite && (
            <Button size="small" onClick={() => setOpen(true)}>
              {t('ent.newPlan')}
            </Button>
          )
        }
      >
        <List
          size="small"
          dataSource={q.data?.plans ?? []}
          locale={{ emptyText: t('common.noData') }}
          renderItem={(p) => (
            <List.Item>
              <Space direction="vertical" size={0}>
                <strong>
                  {p.year} · {p.title}（{p.plannedHours} {t('ent.hoursShort')}）
                </strong>
                <Typography.Text type="secondary">{p.content}</Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      </Card>
      <Table
        size="small"
        rowKey="id"
        loading={q.isLoading}
        dataSource={q.data?.sessions ?? []}
        scroll={{ x: 700 }}
        title={() => t('ent.sessions')}
        columns={[
          {
            title: t('ent.sessionTime'),
            dataIndex: 'startsAt',
            width: 150,
            render: (s: string) => fmtTime(s),
          },
          {
            title: t('ent.columns.obligation'),
            dataIndex: 'kind',
            width: 150,
            render: (k: string) => t(`ent.sessionKinds.${k}`),
          },
          { title: t('ent.sessionTitle'), dataIndex: 'title' },
          { title: t('ent.hoursShort'), dataIndex: 'hours', width: 60 },
          { title: t('ent.trainer'), dataIndex: 'trainerName', width: 90 },
          { title: t('ent.participants'), dataIndex: 'participants', width: 80 },
          { title: t('ent.passed'), dataIndex: 'passed', width: 80 },
        ]}
      />
      <Modal
        open={open}
        title={t('ent.newPlan')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        confirmLoading={create.isPending}
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{ year: new Date().getFullYear(), plannedHours: 0 }}
          onFinish={(v) => create.mutate(v)}
        >
          <Form.Item name="year" label={t('ent.planYear')} rules={[{ required: true }]}>
            <InputNumber min={2000} max={2100} />
          </Form.Item>
          <Form.Item name="title" label={t('ent.planTitle')} rules={[{ required: true, min: 2 }]}>
            <Input />
          </Form.Item>
          <Form.Item
            name="content"
            label={t('ent.planContent')}
            rules={[{ required: true, min: 2 }]}
          >
            <Input.TextArea rows={3} />
          </Form.Item>
          <Form.Item name="plannedHours" label={t('ent.planHours')} rules={[{ required: true }]}>
            <InputNumber min={0} max={10000} />
          </Form.Item>
        </Form>
        {create.error instanceof ApiError && <Alert type="error" message={create.error.message} />}
      </Modal>
    </Space>
  );
}
