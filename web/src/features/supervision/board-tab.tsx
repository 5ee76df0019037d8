import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { hasAnyRole, useAuth } from '../../app/auth';
import { api } from '../../lib/api-client';
import { OrdersTable } from './order-page';
import {
  beijingToday,
  daysBetween,
  errorText,
  type Finding,
  type Order,
  OrderStateTag,
  SeverityTag,
} from './shared';

const penaltyKinds = [
  'warning',
  'fine',
  'suspension',
  'exit',
  'score_cancellation',
  'referral',
] as const;

/**
 * Open findings by deadline: those without an order first (nobody has set a deadline yet), then by
 * the order's deadline, overdue in red. An inspector or regulator issues the order from here, a
 * regulator decides a penalty.
 */
export function BoardTab() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [ordering, setOrdering] = useState<Finding | null>(null);
  const [penalizing, setPenalizing] = useState<Finding | null>(null);
  const [orderForm] = Form.useForm();
  const [penaltyForm] = Form.useForm();
  const today = beijingToday();
  const findings = useQuery({
    queryKey: ['sv-findings'],
    queryFn: () => api.get<Finding[]>('/api/supervision/findings'),
  });
  const soft = useQuery({
    queryKey: ['sv-soft'],
    queryFn: () =>
      api.get<{
        findings: { code: string; message: string; evidence: { kind: string; id: string }[] }[];
        counts: {
          seriousWithoutPenalty: number;
          closedWithoutEvidence: number;
          overdueOrders: number;
        };
      }>('/api/supervision/soft-enforcement'),
  });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['sv-findings'] });
    void qc.invalidateQueries({ queryKey: ['sv-soft'] });
    void qc.invalidateQueries({ queryKey: ['sv-orders'] });
    void qc.invalidateQueries({ queryKey: ['sv-penalties'] });
  };
  const issue = useMutation({
    mutationFn: (v: {
      deadline: dayjs.Dayjs;
      responsibleName: string;
      responsiblePhone?: string;
      requirements: string;
    }) =>
      api.post<Order>('/api/supervision/orders', {
        findingIds: [ordering!.id],
        deadline: v.deadline.format('YYYY-MM-DD'),
        responsibleName: v.responsibleName,
        responsiblePhone: v.responsiblePhone || undefined,
        requirements: v.requirements,
      }),
    onSuccess: () => {
      setOrdering(null);
      orderForm.resetFields();
      refresh();
    },
    onError: (e) => message.error(errorText(e)),
  });
  const penalize = useMutation({
    mutationFn: (v: {
      kind: string;
      amountYuan?: number;
      basis: string;
      decisionNumber: string;
      decidedOn: dayjs.Dayjs;
    }) =>
      api.post('/api/supervision/penalties', {
        organizationId: penalizing!.organizationId,
        inspectionId: penalizing!.inspectionId ?? undefined,
        findingId: penalizing!.id,
        kind: v.kind,
        amountYuan: v.kind === 'fine' ? v.amountYuan : undefined,
        basis: v.basis,
        decisionNumber: v.decisionNumber,
        decidedOn: v.decidedOn.format('YYYY-MM-DD'),
      }),
    onSuccess: () => {
      setPenalizing(null);
      penaltyForm.resetFields();
      refresh();
    },
    onError: (e) => message.error(errorText(e)),
  });
  const open = (findings.data ?? [])
    .filter((f) => f.status !== 'closed')
    .sort((a, b) => (a.orderDeadline ?? '').localeCompare(b.orderDeadline ?? ''));
  const c = soft.data?.counts;
  return (
    <div>
      {c && (
        <Row gutter={8} style={{ marginBottom: 12 }}>
          {(['seriousWithoutPenalty', 'closedWithoutEvidence', 'overdueOrders'] as const).map(
            (k) => (
              <Col xs={8} key={k}>
                <Card size="small">
                  <Statistic
                    title={t(`sv.soft.${k}`)}
                    value={c[k]}
                    valueStyle={{ color: c[k] ? '#cf1322' : undefined }}
                  />
                </Card>
              </Col>
            ),
          )}
        </Row>
      )}
      {(soft.data?.findings.length ?? 0) > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          message={t('sv.tabs.soft')}
          description={
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {soft.data!.findings.slice(0, 10).map((f) => (
                <li key={`${f.code}:${f.evidence.map((e) => e.id).join(',')}`}>{f.message}</li>
              ))}
            </ul>
          }
        />
      )}
      <Table
        rowKey="id"
        size="small"
        loading={findings.isLoading}
        dataSource={open}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20 }}
        columns={[
          {
            title: t('sv.board.deadline'),
            dataIndex: 'orderDeadline',
            render: (d: string | null, f) => {
              if (!d) return <Tag>{t('sv.board.noDeadline')}</Tag>;
              const left = daysBetween(today, d);
              return (
                <Space size={4}>
                  <span>{d}</span>
                  {f.orderState !== 'verified' && left < 0 ? (
                    <Tag color="red">{t('sv.board.overdue')}</Tag>
                  ) : (
                    <Tag color={left <= 7 ? 'orange' : 'default'}>
                      {t('sv.board.daysLeft', { n: left })}
                    </Tag>
                  )}
                </Space>
              );
            },
          },
          {
            title: t('sv.order.organization'),
            dataIndex: 'organizationName',
            render: (v: string, f) =>
              f.inspectionId ? <Link to={`/inspect/${f.inspectionId}`}>{v}</Link> : v,
          },
          {
            title: t('sv.severityLabel'),
            dataIndex: 'severity',
            render: (s: Finding['severity']) => <SeverityTag severity={s} />,
          },
          { title: t('sv.findings'), dataIndex: 'message', width: 360 },
          {
            title: t('sv.order.number'),
            dataIndex: 'orderNumber',
            render: (n: string | null, f) =>
              n ? (
                <Space size={4}>
                  <Link to={`/orders/${f.orderId}`}>{n}</Link>
                  {f.orderState && <OrderStateTag state={f.orderState} />}
                </Space>
              ) : null,
          },
          {
            title: t('common.actions'),
            render: (_: unknown, f) => (
              <Space size={4}>
                {f.status === 'open' && (
                  <Button size="small" onClick={() => setOrdering(f)} data-testid="issue-order">
                    {t('sv.board.issueOrder')}
                  </Button>
                )}
                {hasAnyRole(me!, 'regulator') && (
                  <Button size="small" onClick={() => setPenalizing(f)}>
                    {t('sv.penalty.new')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={ordering !== null}
        title={`${t('sv.board.issueOrder')} · ${ordering?.organizationName ?? ''}`}
        onCancel={() => setOrdering(null)}
        onOk={() => orderForm.submit()}
        confirmLoading={issue.isPending}
      >
        <Typography.Paragraph type="secondary">{ordering?.message}</Typography.Paragraph>
        <Form
          form={orderForm}
          layout="vertical"
          initialValues={{ deadline: dayjs(today).add(15, 'day') }}
          onFinish={(v) => issue.mutate(v)}
        >
          <Form.Item name="deadline" label={t('sv.board.deadline')} rules={[{ required: true }]}>
            <DatePicker aria-label={t('sv.board.deadline')} />
          </Form.Item>
          <Form.Item
            name="responsibleName"
            label={t('sv.board.responsible')}
            rules={[{ required: true }]}
          >
            <Input aria-label={t('sv.board.responsible')} />
          </Form.Item>
          <Form.Item name="responsiblePhone" label={t('sv.board.phone')}>
            <Input />
          </Form.Item>
          <Form.Item
            name="requirements"
            label={t('sv.board.requirements')}
            rules={[{ required: true, min: 2 }]}
          >
            <Input.TextArea aria-label={t('sv.board.requirements')} autoSize={{ minRows: 3 }} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={penalizing !== null}
        title={`${t('sv.penalty.new')} · ${penalizing?.organizationName ?? ''}`}
        onCancel={() => setPenalizing(null)}
        onOk={() => penaltyForm.submit()}
        confirmLoading={penalize.isPending}
      >
        <PenaltyFields
          form={penaltyForm}
          basis={penalizing?.basis}
          onFinish={(v) => penalize.mutate(v)}
        />
      </Modal>
    </div>
  );
}

function PenaltyFields({
  form,
  basis,
  onFinish,
}: {
  form: ReturnType<typeof Form.useForm>[0];
  basis?: string;
  // biome-ignore lint/suspicious/noExplicitAny: antd's form values
  onFinish: (v: any) => void;
}) {
  const { t } = useTranslation();
  const kind = Form.useWatch('kind', form);
  return (
    <Form
      form={form as never}
      layout="vertical"
      initialValues={{ kind: 'warning', decidedOn: dayjs(beijingToday()), basis }}
      onFinish={onFinish}
    >
      <Form.Item name="kind" label={t('sv.penalty.kindLabel')}>
        <Select
          options={penaltyKinds.map((k) => ({ value: k, label: t(`sv.penalty.kind.${k}`) }))}
        />
      </Form.Item>
      {kind === 'fine' && (
        <Form.Item name="amountYuan" label={t('sv.penalty.amount')} rules={[{ required: true }]}>
          <InputNumber min={0} style={{ width: '100%' }} />
        </Form.Item>
      )}
      <Form.Item name="basis" label={t('sv.penalty.basis')} rules={[{ required: true, min: 2 }]}>
        <Input.TextArea autoSize />
      </Form.Item>
      <Form.Item
        name="decisionNumber"
        label={t('sv.penalty.decision')}
        rules={[{ required: true, min: 2 }]}
      >
        <Input placeholder="泰应急罚〔2026〕1号" />
      </Form.Item>
      <Form.Item name="decidedOn" label={t('sv.penalty.decidedOn')} rules={[{ required: true }]}>
        <DatePicker />
      </Form.Item>
    </Form>
  );
}

export function OrdersTab() {
  const q = useQuery({
    queryKey: ['sv-orders'],
    queryFn: () => api.get<Order[]>('/api/supervision/orders'),
  });
  return <OrdersTable orders={q.data ?? []} loading={q.isLoading} />;
}

interface Penalty {
  id: string;
  organizationName: string;
  kind: (typeof penaltyKinds)[number];
  amountYuan: number | null;
  basis: string;
  decisionNumber: string;
  decidedOn: string;
  decidedBy: string;
  liftedOn: string | null;
  liftedDecision: string | null;
}

export function PenaltiesTab() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [lifting, setLifting] = useState<Penalty | null>(null);
  const [decision, setDecision] = useState('');
  const q = useQuery({
    queryKey: ['sv-penalties'],
    queryFn: () => api.get<Penalty[]>('/api/supervision/penalties'),
  });
  const lift = useMutation({
    mutationFn: () =>
      api.post(`/api/supervision/penalties/${lifting!.id}/lift`, {
        decisionNumber: decision,
        liftedOn: beijingToday(),
      }),
    onSuccess: () => {
      setLifting(null);
      void qc.invalidateQueries({ queryKey: ['sv-penalties'] });
    },
    onError: (e) => message.error(errorText(e)),
  });
  return (
    <Table
      rowKey="id"
      size="small"
      loading={q.isLoading}
      dataSource={q.data ?? []}
      scroll={{ x: 'max-content' }}
      columns={[
        { title: t('sv.penalty.decidedOn'), dataIndex: 'decidedOn' },
        { title: t('sv.order.organization'), dataIndex: 'organizationName' },
        {
          title: t('sv.penalty.kindLabel'),
          dataIndex: 'kind',
          render: (k: Penalty['kind'], p) =>
            `${t(`sv.penalty.kind.${k}`)}${p.amountYuan ? ` ${p.amountYuan.toLocaleString('zh-CN')} 元` : ''}`,
        },
        { title: t('sv.penalty.decision'), dataIndex: 'decisionNumber' },
        { title: t('sv.penalty.basis'), dataIndex: 'basis', width: 280 },
        {
          title: t('org.status'),
          render: (_: unknown, p) =>
            p.liftedOn ? (
              <Tag>
                {t('sv.penalty.lifted')} {p.liftedDecision}（{p.liftedOn}）
              </Tag>
            ) : hasAnyRole(me!, 'regulator') && (p.kind === 'suspension' || p.kind === 'exit') ? (
              <Popconfirm
                title={
                  <Input
                    placeholder={t('sv.penalty.liftDecision')}
                    value={decision}
                    onChange={(e) => setDecision(e.target.value)}
                  />
                }
                onOpenChange={(o) => o && setLifting(p)}
                onConfirm={() => lift.mutate()}
              >
                <Button size="small">{t('sv.penalty.lift')}</Button>
              </Popconfirm>
            ) : null,
        },
      ]}
    />
  );
}
